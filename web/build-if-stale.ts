/**
 * Builds the status board (`npm run build:web`) only when `dist/web/` is missing or older than a
 * file it is built from, so `npm start` and the test suite do not rebuild an unchanged board.
 * Run by `npm start` (prestart) and, through `test/support/board-build.ts`, once per `vitest run`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILT = join(ROOT, 'dist', 'web', 'index.html');
/** What the build reads: the sources, the page, and the build's own configuration. */
const INPUTS = ['web/src', 'web/index.html', 'web/vite.config.ts', 'web/tsconfig.json', 'package-lock.json'];

/** The newest modification time under `path` (a file or a folder), 0 when it does not exist. */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/** Why the board needs building, or null when `dist/web/` is current. */
export function boardStaleness(): string | null {
  if (!existsSync(BUILT)) return 'dist/web/ is missing';
  const built = statSync(BUILT).mtimeMs;
  const changed = INPUTS.find((input) => newest(join(ROOT, input)) > built);
  return changed ? `${changed} changed since the last build` : null;
}

/** Runs `npm run build:web` when the board is stale; true when it built. */
export function buildBoardIfStale(log: (line: string) => void = console.log): boolean {
  const why = boardStaleness();
  if (!why) return false;
  log(`board: building (${why})`);
  // NODE_ENV=production whatever the caller's: under vitest it is `test`, which makes Vite bundle
  // Preact's development build (bigger, and not what `npm start` serves).
  execFileSync('npm', ['run', '--silent', 'build:web'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) buildBoardIfStale();
