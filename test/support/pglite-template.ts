/**
 * The pre-migrated PGlite template of a test run (see `database.ts`), in a module free of vitest
 * so that child processes (`child-app.ts`) can load it too: a dump for in-memory instances, and an
 * on-disk data directory made from it for child processes that open `DATA_DIR` themselves.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { openPgliteDatabase, PGLITE_SETTINGS, type RegistryDatabase } from '../../src/registry/database.js';
import { waitFor } from './wait.js';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../src/registry/migrations');

/** The template dump as this process read it once (a Blob is immutable: every instance may load it). */
let loadedDump: Promise<Blob> | undefined;

/** A migrated in-memory PGlite registry of its own, loaded from this run's template dump. */
export async function openTestPglite(): Promise<RegistryDatabase> {
  loadedDump ??= templateDump().then((dump) => new Blob([new Uint8Array(dump)]));
  const pglite = await PGlite.create({ loadDataDir: await loadedDump, postgresqlconf: PGLITE_SETTINGS });
  return openPgliteDatabase(pglite, { closeInstance: true });
}

/**
 * A new directory (under `os.tmpdir()`, named `prefix…`) holding a copy of this run's migrated
 * on-disk data directory, for `DATA_DIR`: the process that opens it resumes the database rather
 * than initialising one (seconds and hundreds of MB of initdb per process), and finds every
 * migration applied. Nothing else is in it (no lock, no webhook key file). The caller removes it.
 */
export async function migratedDataDir(prefix = 'jsg-data-'): Promise<string> {
  const template = await madeOnce(`jsg-registry-template-${migrationsHash()}.d`, async (partial) => {
    const dump = await templateDump();
    const pglite = await PGlite.create({ dataDir: partial, loadDataDir: new Blob([new Uint8Array(dump)]) });
    await pglite.close();
  });
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(template, dir, { recursive: true });
  return dir;
}

/** The dump of a freshly migrated data directory, made once per migration source. */
async function templateDump(): Promise<Buffer> {
  const path = await madeOnce(`jsg-registry-template-${migrationsHash()}.tar`, async (partial) => {
    const pglite = await PGlite.create();
    const database = await openPgliteDatabase(pglite);
    const blob = await pglite.dumpDataDir('none');
    await database.close();
    await pglite.close();
    writeFileSync(partial, Buffer.from(await blob.arrayBuffer()));
  });
  return readFileSync(path);
}

/**
 * The path of `name` in `os.tmpdir()`, made by `make(partial)` (a file or a directory at
 * `partial`, renamed into place when complete) by whichever process of the run gets there first,
 * under a lock directory; the others wait for it.
 */
async function madeOnce(name: string, make: (partial: string) => Promise<void>): Promise<string> {
  const path = join(tmpdir(), name);
  const lock = `${path}.lock`;
  for (;;) {
    if (statSyncSafe(path) > 0) return path;
    try {
      mkdirSync(lock);
    } catch {
      // Another test file is making it; a lock older than a minute is from a crashed run.
      if (Date.now() - statSyncSafe(lock) > 60_000) rmSync(lock, { recursive: true, force: true });
      await waitFor(() => statSyncSafe(path) > 0 || statSyncSafe(lock) === 0, { what: `the PGlite template ${name}`, timeoutMs: 60_000 });
      continue;
    }
    const partial = `${path}.${process.pid}.partial`;
    try {
      // Made by a process that got the lock just after another released it.
      if (statSyncSafe(path) > 0) return path;
      rmSync(partial, { recursive: true, force: true });
      await make(partial);
      renameSync(partial, path);
      return path;
    } finally {
      rmSync(partial, { recursive: true, force: true });
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** Modification time in ms, 0 when the path does not exist. */
function statSyncSafe(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_DIR).sort()) hash.update(file).update(readFileSync(join(MIGRATIONS_DIR, file)));
  return hash.digest('hex').slice(0, 16);
}

