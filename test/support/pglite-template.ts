/**
 * The pre-migrated PGlite template of a test run (see `database.ts`), in a module free of vitest
 * so that child processes (`child-app.ts`) can load it too.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { openPgliteDatabase, PGLITE_SETTINGS, type RegistryDatabase } from '../../src/registry/database.js';
import { waitFor } from './wait.js';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../src/registry/migrations');

/** A migrated in-memory PGlite registry of its own, loaded from this run's template dump. */
export async function openTestPglite(): Promise<RegistryDatabase> {
  const dump = await templateDump();
  const pglite = await PGlite.create({ loadDataDir: new Blob([new Uint8Array(dump)]), postgresqlconf: PGLITE_SETTINGS });
  return openPgliteDatabase(pglite, { closeInstance: true });
}

/** The dump of a freshly migrated data directory, made once per migration source. */
async function templateDump(): Promise<Buffer> {
  const path = join(tmpdir(), `jsg-registry-template-${migrationsHash()}.tar`);
  const lock = `${path}.lock`;
  for (;;) {
    try {
      return readFileSync(path);
    } catch {
      // Not made yet.
    }
    try {
      mkdirSync(lock);
    } catch {
      // Another test file is making it; a lock older than a minute is from a crashed run.
      if (Date.now() - statSyncSafe(lock) > 60_000) rmSync(lock, { recursive: true, force: true });
      await waitFor(() => statSyncSafe(path) > 0 || statSyncSafe(lock) === 0, { what: 'the PGlite template dump', timeoutMs: 60_000 });
      continue;
    }
    try {
      const pglite = await PGlite.create();
      const database = await openPgliteDatabase(pglite);
      const blob = await pglite.dumpDataDir('none');
      await database.close();
      await pglite.close();
      const partial = `${path}.${process.pid}.partial`;
      writeFileSync(partial, Buffer.from(await blob.arrayBuffer()));
      renameSync(partial, path);
    } finally {
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

