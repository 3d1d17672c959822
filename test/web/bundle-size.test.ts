/**
 * The board's JavaScript budget (100 KB gzipped) stops the build: `web/bundle-size.ts`, the step
 * `npm run build:web` runs after `vite build`, run for real on folders made here, one under the
 * budget and one over it (random bytes do not compress).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const folders: string[] = [];

function assetsWith(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'board-assets-'));
  folders.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** Runs the build step on `dir`; answers its exit code and output. */
function measure(dir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'web/bundle-size.ts', dir], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe('the board bundle budget', () => {
  it('passes a bundle under 100 KB gzipped and prints the sizes', { timeout: 30_000 }, async () => {
    const result = await measure(assetsWith({ 'index-small.js': 'console.log("board");\n'.repeat(2000), 'index-small.css': 'body{}' }));
    expect(result.output).toMatch(/board: JavaScript [\d.]+ KB gzipped \(budget 100\.0 KB\)/);
    expect(result.code).toBe(0);
  });

  it('fails the build when the JavaScript is over 100 KB gzipped, counting every chunk', { timeout: 30_000 }, async () => {
    // Two chunks of 60 KB that do not compress: each under the budget, together over it.
    const result = await measure(assetsWith({ 'a-chunk.js': randomBytes(60 * 1024).toString('base64'), 'b-chunk.js': randomBytes(60 * 1024).toString('base64') }));
    expect(result.output).toContain('board: the JavaScript is over budget');
    expect(result.code).toBe(1);
  });
});
