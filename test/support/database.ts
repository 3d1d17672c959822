/**
 * Registry databases for tests: the same suite runs against embedded PGlite and a real
 * PostgreSQL server.
 *
 * PGlite: initialising one costs seconds (initdb in WebAssembly), loading a dump of a data
 * directory well under one. So one migrated data directory is made per test run (per migration
 * source, in `os.tmpdir()`, by whichever test file gets there first under a lock directory) and
 * dumped to a tarball; each test file loads its own instance from that dump. Measured on the
 * development machine: a fresh in-memory instance ~3.4 s, loaded from the dump ~0.8 s (copying an
 * on-disk data directory and opening it ~0.7 s after the same first-instance cost, so no better).
 *
 * PostgreSQL: a fresh database per test file (`jsg_test_<random>` on `TEST_POSTGRES_URL`, default
 * `postgres://postgres@127.0.0.1:5432/postgres`), dropped afterwards. Without a reachable server
 * the PostgreSQL tests skip, unless `REQUIRE_POSTGRES=1` (CI), where they fail instead.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { openDatabase, type RegistryDatabase } from '../../src/registry/database.js';
import { openTestPglite } from './pglite-template.js';

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';


/** Whether the test PostgreSQL answers; throws when it does not and `REQUIRE_POSTGRES=1`. */
export async function postgresAvailable(url = POSTGRES_URL): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (error) {
    if (process.env.REQUIRE_POSTGRES === '1') {
      throw new Error(`REQUIRE_POSTGRES=1 but PostgreSQL at ${url} cannot be reached: ${String(error)}`);
    }
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface ScratchPostgres {
  /** The URL of the new, empty database. */
  readonly url: string;
  /** Drops it (closing whatever is still connected). */
  drop(): Promise<void>;
}

/** A new empty database on the test server, for one test file. */
export async function createPostgresDatabase(url = POSTGRES_URL): Promise<ScratchPostgres> {
  const name = `jsg_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(url, `create database ${name}`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return { url: scratch.toString(), drop: () => adminQuery(url, `drop database if exists ${name} with (force)`) };
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export { openTestPglite };

/** Empties every registry table (between tests of one file). */
export async function resetRegistry(database: RegistryDatabase): Promise<void> {
  await sql`truncate tracked_jobs, job_history, idempotency_keys restart identity cascade`.execute(database.db);
}

export type DatabaseName = 'pglite' | 'postgres';

export interface TestDatabase {
  readonly name: DatabaseName;
  /** The open registry database of this test file. */
  readonly database: RegistryDatabase;
  /** For PostgreSQL, the scratch database's URL (to open more connections); null for PGlite. */
  readonly url: string | null;
}

/**
 * Declares `body` once per database (a `describe` each): a migrated database per test file,
 * emptied before each test. PostgreSQL's block is skipped when no server answers (see header).
 * `body` gets a getter: the database exists only once `beforeAll` has run.
 */
export async function describeEachDatabase(title: string, body: (current: () => TestDatabase) => void): Promise<void> {
  const withPostgres = await postgresAvailable();
  for (const name of ['pglite', 'postgres'] as const) describeOn(name, title, name === 'postgres' && !withPostgres, body);
}

function describeOn(name: DatabaseName, title: string, skip: boolean, body: (current: () => TestDatabase) => void): void {
  describe.skipIf(skip)(`${title} (${name})`, () => {
    let current: TestDatabase | null = null;
    let scratch: ScratchPostgres | null = null;
    beforeAll(async () => {
      if (name === 'pglite') {
        current = { name, database: await openTestPglite(), url: null };
      } else {
        scratch = await createPostgresDatabase();
        current = { name, database: await openDatabase({ url: scratch.url }), url: scratch.url };
      }
    }, 60_000);
    afterAll(async () => {
      await current?.database.close();
      await scratch?.drop();
    });
    beforeEach(async () => {
      if (current) await resetRegistry(current.database);
    });
    body(() => {
      if (!current) throw new Error('the test database is not open yet');
      return current;
    });
  });
}
