/**
 * Opens the registry's database and brings its schema up to date.
 *
 * One schema and the same SQL on two engines: a PostgreSQL server (`postgres://…`, for production
 * and clusters) or PGlite, PostgreSQL compiled to WebAssembly and run in this process (the
 * zero-config default, on disk under `dataDir` in a worker thread of its own, or `memory:` for a
 * database that keeps nothing, in this thread).
 *
 * Migrations run at open, through Kysely's `Migrator`: its PostgreSQL adapter holds an advisory
 * lock while it migrates, so instances that start together against one server migrate once and
 * the others find the work done.
 *
 * A PGlite instance is expensive (seconds and hundreds of MB to initialise): open one per process.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { RegistryError } from './errors.js';
import { migrationProvider } from './migrations.js';
import { PgliteDialect, type StatementRunner } from './pglite-dialect.js';
import { ReopeningPgliteThread, initialisePgliteDataDir, openPgliteThread } from './pglite-thread.js';
import type { Database } from './schema.js';

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseOptions {
  /**
   * `postgres://…` or `postgresql://…`: a PostgreSQL server; `memory:`: PGlite in memory;
   * unset: PGlite on disk under `dataDir`.
   */
  readonly url?: string | undefined;
  /** Where on-disk PGlite keeps its files (created when missing). Default `./data`. */
  readonly dataDir?: string | undefined;
  readonly logger?: Logger | undefined;
  /** How long to wait for a PostgreSQL connection before failing (ms). Default 5000. */
  readonly connectTimeoutMs?: number | undefined;
}

/** An open, migrated registry database. */
export interface RegistryDatabase {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseKind;
  /** Resolves when the database answers a query; rejects when it does not. */
  ping(): Promise<void>;
  /**
   * A token that stays the same exactly as long as nothing in the database changed: what the
   * response cache keeps listing pages against. The database's snapshot (`databaseSnapshot`),
   * which any writing transaction on any connection changes. PostgreSQL: one read for the calls
   * that arrived before it was sent (`readTogether`). PGlite: this process is its only user, so it
   * is read again only after a statement that may have written has finished
   * (`snapshotAfterWrites`); a quiet database answers without a query.
   */
  snapshot(): Promise<string>;
  /** Closes the pool, the PGlite instance or its thread. Idempotent. */
  close(): Promise<void>;
}

const INT8_OID = 20;

/**
 * The embedded database's settings. Its buffer cache lives in the service's own memory (WASM, in
 * the database's thread), where PostgreSQL's default of 128 MB made it most of an idle service's
 * footprint (318 MB RSS on an existing data dir, 193 MB with 32 MB); pages outside it are still
 * one read of the operating system's file cache away.
 */
export const PGLITE_SETTINGS = ['shared_buffers = 32MB'];

/**
 * Opens the database that `url` names (see {@link DatabaseOptions.url}) and runs the pending
 * migrations. Rejects with a `RegistryError` (`DATABASE_URL_INVALID`, `MIGRATION_FAILED`) or the
 * driver's error when the server cannot be reached.
 */
export async function openDatabase(options: DatabaseOptions = {}): Promise<RegistryDatabase> {
  const { url, logger } = options;
  if (url === undefined || url === '' || url === 'memory:') {
    const dataDir = url === 'memory:' ? undefined : resolve(options.dataDir ?? './data');
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const unlock = dataDir ? lockDataDir(dataDir) : () => {};
    try {
      const runner = await createPglite(dataDir, logger);
      logger?.debug({ database: 'pglite', dataDir: dataDir ?? 'memory' }, 'registry database opened');
      return await wrapPglite(runner, { logger, closeInstance: true, onClose: unlock });
    } catch (error) {
      unlock();
      throw error;
    }
  }
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options);
  throw new RegistryError('DATABASE_URL_INVALID', 'DATABASE_URL must be postgres://…, postgresql://… or memory:');
}

/**
 * The embedded database: on disk, in a worker thread of its own (`pglite-thread.ts`), so that its
 * statements, synchronous inside WebAssembly, never hold this event loop. In memory (`memory:`), a
 * PGlite instance in this thread: it keeps nothing and serves tests and trials. A new data
 * directory is initialised in a worker of its own first (see `initialisePgliteDataDir`). A thread
 * that stops by itself is opened again (`ReopeningPgliteThread`).
 */
async function createPglite(dataDir: string | undefined, logger: Logger | undefined): Promise<StatementRunner & { close(): Promise<void> }> {
  if (dataDir === undefined) return PGlite.create({ postgresqlconf: PGLITE_SETTINGS });
  const options = { dataDir, settings: PGLITE_SETTINGS };
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialisePgliteDataDir(options);
  return new ReopeningPgliteThread(await openPgliteThread(options), () => openPgliteThread(options), (outcome) =>
    outcome.ok
      ? logger?.warn({ dataDir }, "the embedded database's thread had stopped; opened it again")
      : logger?.error({ dataDir, err: outcome.error instanceof Error ? outcome.error.message : String(outcome.error) }, "the embedded database's thread could not be opened again"),
  );
}

/**
 * Uses a PGlite instance, or a database thread (`openPgliteThread`), the caller already has
 * (tests load one from a dump), migrating it. `close()` closes it only when `closeInstance` is set.
 */
export async function openPgliteDatabase(
  pglite: StatementRunner & { close(): Promise<void> },
  options: { logger?: Logger | undefined; closeInstance?: boolean } = {},
): Promise<RegistryDatabase> {
  return wrapPglite(pglite, { logger: options.logger, closeInstance: options.closeInstance ?? false });
}

const LOCK_FILE = 'jsg.lock';

/**
 * Claims `dataDir` for this process: PGlite is one process's database, and two processes on one
 * directory would corrupt it. The lock file names the holder's pid; a lock whose process is gone
 * (killed with -9) is taken over. Answers the function that releases it.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
        throw new RegistryError(
          'DATA_DIR_LOCKED',
          `DATA_DIR ${dataDir} is in use by process ${holder}: the embedded database serves one process; stop it, use another DATA_DIR, or set DATABASE_URL=postgres://… to share one database`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new RegistryError('DATA_DIR_LOCKED', `DATA_DIR ${dataDir}: could not take its lock file ${LOCK_FILE}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function wrapPglite(
  runner: StatementRunner & { close(): Promise<void> },
  { logger, closeInstance, onClose }: { logger: Logger | undefined; closeInstance: boolean; onClose?: () => void },
): Promise<RegistryDatabase> {
  const dialect = new PgliteDialect(runner);
  const db = new Kysely<Database>({ dialect });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await db.destroy();
    if (closeInstance) await runner.close();
    onClose?.();
  };
  const snapshot = snapshotAfterWrites(() => databaseSnapshot(db), () => dialect.writes());
  return finishOpening({ db, kind: 'pglite', ping: () => pingDb(db), snapshot, close }, logger);
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<RegistryDatabase> {
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    // bigint (ids, count(*)) as numbers, as PGlite answers them: the values stay far below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client's connection dropping must not crash the process; the next query fails instead.
  pool.on('error', (error) => options.logger?.warn({ err: error.message }, 'registry database connection lost'));
  // Nor may a checked-out client's (between the statements of a transaction): its caller's next
  // statement fails instead, and the pool drops the client.
  pool.on('connect', (client) => client.on('error', (error) => options.logger?.debug({ err: error.message }, 'registry database connection lost')));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await db.destroy();
  };
  options.logger?.debug({ database: 'postgres', server: serverOf(url) }, 'registry database opened');
  const snapshot = readTogether(() => databaseSnapshot(db));
  return finishOpening({ db, kind: 'postgres', ping: () => pingDb(db), snapshot, close }, options.logger);
}

async function finishOpening(database: RegistryDatabase, logger: Logger | undefined): Promise<RegistryDatabase> {
  try {
    await migrate(database.db, logger);
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  return database;
}

/** Runs the pending migrations (once across instances, see the header). */
export async function migrate(db: Kysely<Database>, logger?: Logger): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  for (const result of results ?? []) {
    if (result.status === 'Success') logger?.debug({ migration: result.migrationName }, 'registry migration applied');
    if (result.status === 'Error') logger?.error({ migration: result.migrationName }, 'registry migration failed');
  }
  if (error) {
    throw new RegistryError('MIGRATION_FAILED', `registry migration failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

/**
 * The database's current snapshot as text (`xmin:xmax:running ids`): it stays the same exactly as
 * long as no transaction that could write (one given a transaction id) starts or ends, here or on
 * any other connection. A page read after the snapshot was taken is as fresh as any read while
 * the snapshot stays the same, which is what lets the response cache keep listing pages.
 */
export async function databaseSnapshot(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ snapshot: string }>`select pg_current_snapshot()::text as snapshot`.execute(db);
  return rows[0]!.snapshot;
}

/**
 * `read` (the snapshot), asked again only once `writes()` (statements that may have written) has
 * moved since it was last asked. A read still in flight is shared while no such statement has
 * finished since it was sent: on the one embedded connection it runs after any transaction that
 * held it, so it answers as fresh as a new read would. Reading the snapshot itself writes nothing,
 * and a statement that wrote nothing (an update of no row) leaves the snapshot as it was, so the
 * cached pages stay valid: a count alone would lose them at every such statement (the webhook
 * dispatcher's claim runs every second).
 */
function snapshotAfterWrites(read: () => Promise<string>, writes: () => number): () => Promise<string> {
  let known: { readonly at: number; readonly snapshot: Promise<string> } | null = null;
  return () => {
    const at = writes();
    if (known?.at === at) return known.snapshot;
    const entry = { at, snapshot: read() };
    known = entry;
    // A failed read is not kept: the next call reads again.
    entry.snapshot.catch(() => {
      if (known === entry) known = null;
    });
    return entry.snapshot;
  };
}

/**
 * `read`, shared by the calls that arrive before it is sent: the first call of a turn of the event
 * loop sends it once that turn's I/O has been handled (`setImmediate`), and every call until then
 * gets its answer. A call never shares a read sent before it arrived, so what it gets is as fresh
 * as a read of its own would be; but fifty listing requests arriving together cost one round trip
 * to the server, not fifty.
 */
export function readTogether<T>(read: () => Promise<T>): () => Promise<T> {
  let next: Promise<T> | null = null;
  return () => {
    next ??= new Promise<T>((resolve, reject) =>
      setImmediate(() => {
        next = null;
        Promise.resolve().then(read).then(resolve, reject);
      }),
    );
    return next;
  };
}

async function pingDb(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Host, port and database of a URL, never its credentials (for logs). */
export function serverOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'postgres';
  }
}
