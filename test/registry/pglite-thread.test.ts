/**
 * The on-disk embedded database in its own worker thread (`src/registry/pglite-thread.ts`): the
 * event loop turns while a statement runs, answers and errors read exactly as in-thread PGlite's,
 * transactions, close (once) and reopen, a worker that dies, and a process that exits by itself while
 * the database is open and idle.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, openPgliteDatabase, PGLITE_SETTINGS, type RegistryDatabase } from '../../src/registry/database.js';
import type { StatementRunner } from '../../src/registry/pglite-dialect.js';
import { connectPgliteThread, openPgliteThread, ReopeningPgliteThread, startPgliteWorker } from '../../src/registry/pglite-thread.js';
import type { Database } from '../../src/registry/schema.js';
import { startTestApp } from '../support/app.js';
import { waitFor } from '../support/wait.js';
import { openTestPglite } from '../support/database.js';
import { migratedDataDir } from '../support/pglite-template.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Ticks of a 25 ms interval while `work` runs: how often this event loop turned meanwhile. */
async function ticksDuring(work: () => Promise<unknown>): Promise<number> {
  let ticks = 0;
  const timer = setInterval(() => (ticks += 1), 25);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return ticks;
}

const ROUND_TRIP_TABLE = `create table round_trip (
  id int primary key, at timestamptz, day date, small int8, big int8, doc jsonb, bytes bytea,
  note text, tags text[], amount numeric, flag boolean, nothing int4
)`;

/** One row of every kind the registry reads (and a few more), written through `runner`. */
async function writeRoundTrip(runner: StatementRunner): Promise<void> {
  await runner.query(ROUND_TRIP_TABLE, []);
  await runner.query('insert into round_trip values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)', [
    1,
    new Date('2024-02-29T12:34:56.789Z'),
    '2024-02-29',
    5,
    9_007_199_254_740_993n,
    JSON.stringify({ list: [1, { nested: null }], text: 'é ✓' }),
    Buffer.from([0, 1, 254, 255]),
    null,
    ['x', 'y'],
    '12.50',
    true,
    null,
  ]);
}

const UNIQUE_VIOLATION = 'insert into round_trip (id) values (1)';

/** The error `statement` rejects with, with PostgreSQL's fields and the class it is. */
async function failure(runner: StatementRunner, statement: string): Promise<Record<string, unknown>> {
  const error = await runner.query(statement, []).then(
    () => null,
    (caught: unknown) => caught as Record<string, unknown>,
  );
  if (!error) throw new Error(`${statement} did not fail`);
  const fields = ['message', 'severity', 'code', 'detail', 'schema', 'table', 'column', 'constraint', 'routine', 'file', 'line'];
  return { class: error.constructor, ...Object.fromEntries(fields.map((name) => [name, error[name]])) };
}

describe('the on-disk embedded database in a worker thread', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await migratedDataDir('jsg-thread-');
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('lets the event loop turn while a statement runs (in-thread PGlite holds it)', async () => {
    const database = await openDatabase({ dataDir });
    try {
      expect(await ticksDuring(() => sql`select pg_sleep(0.5)`.execute(database.db))).toBeGreaterThanOrEqual(5);
    } finally {
      await database.close();
    }
    // The same statement in this thread: the interval cannot fire until it has finished.
    const inThread = await openTestPglite();
    try {
      expect(await ticksDuring(() => sql`select pg_sleep(0.5)`.execute(inThread.db))).toBeLessThanOrEqual(1);
    } finally {
      await inThread.close();
    }
  }, 60_000);

  it('answers rows, fields and errors exactly as PGlite in this thread does', async () => {
    const thread = await openPgliteThread({ dataDir, settings: PGLITE_SETTINGS });
    let threaded;
    try {
      await writeRoundTrip(thread);
      threaded = { result: await thread.query('select * from round_trip order by id', []), error: await failure(thread, UNIQUE_VIOLATION) };
    } finally {
      await Promise.all([thread.close(), thread.close()]);
    }
    await expect(thread.query('select 1', [])).rejects.toThrow(/the embedded database is closed/);
    const pglite = await PGlite.create({ dataDir, postgresqlconf: PGLITE_SETTINGS });
    let local;
    try {
      const { rows, fields, affectedRows } = await pglite.query('select * from round_trip order by id');
      local = { result: { rows, fields, affectedRows }, error: await failure(pglite, UNIQUE_VIOLATION) };
    } finally {
      await pglite.close();
    }

    expect(threaded).toStrictEqual(local);
    const [row] = threaded.result.rows as Record<string, unknown>[];
    expect(row).toMatchObject({ small: 5, big: 9_007_199_254_740_993n, doc: { list: [1, { nested: null }], text: 'é ✓' }, note: null, tags: ['x', 'y'], nothing: null });
    expect(row?.at).toStrictEqual(new Date('2024-02-29T12:34:56.789Z'));
    expect(row?.bytes).toStrictEqual(new Uint8Array([0, 1, 254, 255]));
    // What callers test (`error.code === '23505'`), and no statement parameters carried along.
    expect(threaded.error).toMatchObject({ code: '23505', constraint: 'round_trip_pkey', table: 'round_trip', schema: 'public', severity: 'ERROR' });
  }, 60_000);

  describe('through the registry database', () => {
    let database: RegistryDatabase;
    let db: Kysely<Database>;
    beforeEach(async () => {
      database = await openDatabase({ dataDir });
      db = database.db;
      await sql.raw('create table notes (id int primary key, text text)').execute(db);
    });
    afterEach(() => database.close());

    const count = async () => (await sql<{ n: number }>`select count(*)::int as n from notes`.execute(db)).rows[0]!.n;

    it('commits and rolls back transactions, and the snapshot moves once a write has finished', async () => {
      const before = await database.snapshot();
      await db.transaction().execute(async (trx) => {
        await sql`insert into notes values (1, 'kept')`.execute(trx);
      });
      expect(await count()).toBe(1);
      const after = await database.snapshot();
      expect(after).not.toBe(before);

      const rolledBack = await db
        .transaction()
        .execute(async (trx) => {
          await sql`insert into notes values (2, 'dropped')`.execute(trx);
          await sql`insert into notes values (1, 'duplicate')`.execute(trx);
        })
        .catch((error: unknown) => error);
      expect(rolledBack).toMatchObject({ code: '23505', constraint: 'notes_pkey' });
      expect(await count()).toBe(1);
      // A select alone writes nothing: the token is the one read after the last write.
      expect(await database.snapshot()).toBe(await database.snapshot());
    });

    it('keeps its data across close and reopen', async () => {
      await sql`insert into notes values (1, 'kept')`.execute(db);
      await Promise.all([database.close(), database.close()]);
      database = await openDatabase({ dataDir });
      db = database.db;
      expect((await sql<{ text: string }>`select text from notes`.execute(db)).rows).toEqual([{ text: 'kept' }]);
    });
  });

  it('fails statements in flight and later ones when the worker dies, and /ready says so', async () => {
    const worker = startPgliteWorker({ dataDir, settings: PGLITE_SETTINGS });
    const database = await openPgliteDatabase(await connectPgliteThread(worker), { closeInstance: true });
    const api = await startTestApp({}, undefined, { database });
    try {
      const ready = () => fetch(`${api.app.server.origin}/ready`);
      expect((await ready()).status).toBe(200);
      const inFlight = sql`select pg_sleep(30)`.execute(database.db).catch((error: unknown) => error);
      await worker.terminate();
      expect(await inFlight).toMatchObject({ message: expect.stringMatching(/embedded database's thread stopped/) });
      await expect(database.ping()).rejects.toThrow(/embedded database's thread stopped/);

      const notReady = await ready();
      expect(notReady.status).toBe(503);
      expect(((await notReady.json()) as { problems: string[] }).problems.join(' ')).toMatch(/embedded database's thread stopped/);
      const listed = await api.request('{ trackedJobs { totalCount } }');
      expect(listed.body.errors?.[0]?.extensions?.code).toBe('REGISTRY_UNAVAILABLE');
    } finally {
      await api.close();
    }
  }, 60_000);

  it('opens a thread that stopped by itself again, between transactions, and the service recovers without a restart', async () => {
    const options = { dataDir, settings: PGLITE_SETTINGS };
    const worker = startPgliteWorker(options);
    const reopened: boolean[] = [];
    const runner = new ReopeningPgliteThread(await connectPgliteThread(worker), () => openPgliteThread(options), (outcome) => reopened.push(outcome.ok));
    const database = await openPgliteDatabase(runner, { closeInstance: true });
    const api = await startTestApp({}, undefined, { database });
    try {
      await sql`create table if not exists survivors (text text)`.execute(database.db);
      await sql`insert into survivors values ('committed')`.execute(database.db);
      // A transaction under way when the thread dies must not go on in the new one.
      const unfinished = database.db.transaction().execute(async (trx) => {
        await sql`insert into survivors values ('never committed')`.execute(trx);
        await worker.terminate();
        await sql`insert into survivors values ('after the crash')`.execute(trx);
      });
      await expect(unfinished).rejects.toThrow(/embedded database's thread stopped/);
      await waitFor(async () => (await fetch(`${api.app.server.origin}/ready`)).status === 200, { what: '/ready 200 again', timeoutMs: 30_000 });
      expect(reopened).toEqual([true]);
      expect((await sql<{ text: string }>`select text from survivors`.execute(database.db)).rows).toEqual([{ text: 'committed' }]);
      const listed = await api.request<any, any>('{ trackedJobs { totalCount } }');
      expect(listed.body.errors).toBeUndefined();
    } finally {
      await api.close();
    }
  }, 60_000);

  it('keeps the process alive while a statement runs, and not while the open database is idle', async () => {
    const script = `
      import { sql } from 'kysely';
      import { openDatabase } from './src/registry/database.ts';
      const database = await openDatabase({ dataDir: process.env.DATA_DIR });
      const { rows } = await sql\`select pg_sleep(0.3)::text as slept, 1 as answered\`.execute(database.db);
      process.stdout.write(JSON.stringify(rows[0]) + '\\n');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    let deadline: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))),
      new Promise<'still running'>((resolve) => {
        deadline = setTimeout(() => resolve('still running'), 30_000);
      }),
    ]);
    clearTimeout(deadline);
    if (exit === 'still running') child.kill('SIGKILL');
    // 0 and the answer: referenced while the statement ran (else: exit 13, an unsettled await),
    // and exited by itself once idle, the database still open.
    expect({ exit, output: output.trim() }).toEqual({ exit: 0, output: '{"slept":"","answered":1}' });
  }, 60_000);
});
