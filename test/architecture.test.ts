/**
 * The import rules of the README's layout, checked on every `import`/`export … from` of `src/**`
 * (type-only imports count too): the domain (`jobs/`) declares its ports and imports nothing
 * outside itself but the clock and the logger; providers and cluster implement the ports; only
 * `app.ts`/`main.ts` (and `http/` itself) reach the transport; the sandbox stays independent of
 * the clients' parsers and status tables. A failure names the file and the import.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Relative imports of one file, as paths under `src/` (`jobs/model.ts`). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?(?:from\s*)?['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1]!);
  return specs.map((spec) => path.relative(SRC, path.resolve(path.dirname(file), spec)).replace(/\.js$/, '.ts'));
}

const top = (rel: string) => (rel.includes('/') ? `${rel.split('/')[0]}/` : rel);
const TOOLS = ['clock.ts', 'logger.ts'];

/** May a file under `from` (a folder like `jobs/`, or a top-level file) import `target`? */
function allowed(from: string, file: string, target: string): boolean {
  const to = top(target);
  if (to === from) return true;
  if (to === 'http/' && !['app.ts', 'main.ts'].includes(from)) return false;
  switch (from) {
    case 'jobs/':
    case 'cluster/':
    case 'registry/':
      return to === 'jobs/' || TOOLS.includes(to);
    case 'webhooks/':
      return to === 'jobs/' || to === 'registry/' || TOOLS.includes(to);
    case 'providers/':
      return to === 'jobs/' || TOOLS.includes(to);
    case 'config/':
      return to === 'providers/' || to === 'jobs/' || to === 'security/' || to === 'cluster/' || to === 'registry/';
    case 'security/':
      return to === 'jobs/' || target === 'providers/catalog.ts';
    case 'schema/':
      return to === 'jobs/' || to === 'security/' || to === 'registry/' || to === 'webhooks/' || target === 'providers/catalog.ts';
    case 'sandbox/':
      return to === 'clock.ts' || target === 'jobs/model.ts' || /^providers\/(\w+\/)?descriptor\.ts$/.test(target);
    case 'http/':
      return !['app.ts', 'main.ts'].includes(to);
    case 'app.ts':
    case 'main.ts':
      return true;
    default:
      // Top-level helpers (clock, logger, metrics, start-up lines) take types from anywhere but the transport.
      return file !== 'clock.ts' && file !== 'logger.ts' ? to !== 'http/' : false;
  }
}

describe('architecture', () => {
  const files = sourceFiles(SRC).map((file) => ({ file, rel: path.relative(SRC, file) }));

  it('follows the layering of the README', () => {
    const offences: string[] = [];
    for (const { file, rel } of files) {
      for (const target of importsOf(file)) {
        if (!allowed(top(rel), rel, target)) offences.push(`${rel} imports ${target}`);
      }
    }
    expect(offences).toEqual([]);
  });

  it('has no cycles between folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const { file, rel } of files) {
      for (const target of importsOf(file)) {
        const [a, b] = [top(rel), top(target)];
        if (a !== b && a.endsWith('/') && b.endsWith('/')) edges.set(a, (edges.get(a) ?? new Set()).add(b));
      }
    }
    const cycles: string[] = [];
    for (const [a, targets] of edges) for (const b of targets) if (edges.get(b)?.has(a) && a < b) cycles.push(`${a} <-> ${b}`);
    expect(cycles).toEqual([]);
  });

  it('reads every kind of import', () => {
    // The reader itself: a type-only import and a re-export are seen.
    const schema = files.find(({ rel }) => rel === 'providers/http.ts')!;
    expect(importsOf(schema.file)).toEqual(expect.arrayContaining(['clock.ts', 'jobs/model.ts']));
  });
});
