/**
 * The embedded on-disk database in a thread of its own: a `node:worker_threads` Worker opens the
 * PGlite data directory and runs each statement; this side posts statements to it and reads the
 * answers (`PgliteThread`, a `StatementRunner` for the Kysely dialect).
 *
 * Why: PGlite runs a statement synchronously inside WebAssembly. In the service's own event loop
 * every statement held timers and sockets until it finished (10 000 tracked jobs polled every
 * 10 s: event-loop delay p99 70 ms, max 350 ms, and polls falling behind); in a thread the loop
 * only waits for the answer's message.
 *
 * - The worker imports PGlite and nothing else (one more V8 isolate, not a second copy of the
 *   service). Its code is script text run with `eval`, as the initdb worker's always was: it needs
 *   no file of its own, so it is the same under tsx, vitest and the built `dist/`, and it loads
 *   PGlite by the file URL this module resolves.
 * - Answers cross the thread boundary by structured clone, which keeps what PGlite parsed: `Date`,
 *   `bigint` (an int8 beyond 2^53), jsonb objects, bytea `Uint8Array`, nulls. A failed statement's
 *   error is rebuilt here as PGlite's own `DatabaseError` with PostgreSQL's fields (`code`,
 *   `constraint`…), so callers that test `error.code` see what they saw in-thread; the statement's
 *   parameters are not carried (PGlite attaches them to its errors; they may hold any data).
 * - The worker does not keep the process alive: it is referenced only while a statement is in
 *   flight (or while opening and closing).
 * - A worker that stops (crash, out of memory, terminated) fails the statements in flight and every
 *   later one with one clear error, never a hang; the registry then reports the database
 *   unavailable (`/ready`). Nothing reopens it: an embedded database failing is fatal, as at start.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { protocol } from '@electric-sql/pglite';
import type { StatementResult, StatementRunner } from './pglite-dialect.js';

/** What opens the worker's PGlite: the same options the in-thread instance takes. */
export interface PgliteWorkerOptions {
  readonly dataDir: string;
  /** `postgresqlconf` lines (the reduced `shared_buffers`). */
  readonly settings: readonly string[];
}

/** PostgreSQL's error fields (those of pg-protocol's `DatabaseError`) that cross the boundary. */
const ERROR_FIELDS = [
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const;

type ErrorField = (typeof ERROR_FIELDS)[number];
type ErrorFields = { message: string; length?: number } & Partial<Record<ErrorField, string>>;

/** Messages from the worker. */
type WorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; error: ErrorFields }
  | { type: 'result'; id: number; result: StatementResult<unknown> }
  | { type: 'error'; id: number; error: ErrorFields }
  | { type: 'closed' };

/**
 * The worker's code. Plain script text that runs as CommonJS or as a module, whichever the worker
 * is started as. With `initialiseOnly` it creates the instance (initdb on a new directory), closes
 * it and ends; otherwise it answers `query` and `close` messages one at a time, in order (a
 * `close` waits for the statements sent before it).
 */
const WORKER_SCRIPT = `import('node:worker_threads').then(async ({ parentPort, workerData }) => {
  const loaded = await import(workerData.module);
  const { PGlite } = loaded.PGlite ? loaded : loaded.default;
  const failure = (error) => {
    const fields = { message: error instanceof Error ? error.message : String(error) };
    if (error && typeof error === 'object') {
      for (const name of workerData.errorFields) if (typeof error[name] === 'string') fields[name] = error[name];
      if (typeof error.length === 'number') fields.length = error.length;
    }
    return fields;
  };
  let pglite;
  try {
    pglite = await PGlite.create({ dataDir: workerData.dataDir, postgresqlconf: workerData.settings });
  } catch (error) {
    parentPort.postMessage({ type: 'failed', error: failure(error) });
    return;
  }
  if (workerData.initialiseOnly) return void (await pglite.close());
  const answer = async (message) => {
    if (message.type === 'close') {
      await pglite.close().catch(() => {});
      parentPort.postMessage({ type: 'closed' });
      parentPort.close();
      return;
    }
    let reply;
    try {
      const { rows, fields, affectedRows } = await pglite.query(message.sql, message.params);
      reply = { type: 'result', id: message.id, result: { rows, fields, affectedRows } };
    } catch (error) {
      reply = { type: 'error', id: message.id, error: failure(error) };
    }
    try {
      parentPort.postMessage(reply);
    } catch (error) {
      parentPort.postMessage({ type: 'error', id: message.id, error: failure(error) });
    }
  };
  let turn = Promise.resolve();
  parentPort.on('message', (message) => void (turn = turn.then(() => answer(message))));
  parentPort.postMessage({ type: 'ready' });
});`;

/** Starts the database's worker on `dataDir` (see {@link connectPgliteThread}). */
export function startPgliteWorker(options: PgliteWorkerOptions, { initialiseOnly = false } = {}): Worker {
  const module = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href;
  return new Worker(WORKER_SCRIPT, {
    eval: true,
    workerData: { module, dataDir: options.dataDir, settings: [...options.settings], errorFields: ERROR_FIELDS, initialiseOnly },
  });
}

/** Opens the on-disk database in a worker thread; rejects when PGlite fails to open it. */
export async function openPgliteThread(options: PgliteWorkerOptions): Promise<PgliteThread> {
  return connectPgliteThread(startPgliteWorker(options));
}

/**
 * Runs PGlite's initdb on a new `dataDir` in a worker thread, and waits for the worker to end:
 * initdb leaves ~450 MB of WebAssembly memory behind in the instance that ran it, and a worker's
 * memory goes with it (the database's own worker then opens the initialised directory).
 */
export async function initialisePgliteDataDir(options: PgliteWorkerOptions): Promise<void> {
  const worker = startPgliteWorker(options, { initialiseOnly: true });
  let failure: Error | null = null;
  worker.on('message', (message: WorkerMessage) => {
    if (message.type === 'failed') failure = new Error(`initialising the embedded database in ${options.dataDir} failed: ${message.error.message}`);
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (failure) reject(failure);
      else if (code !== 0) reject(new Error(`initialising the embedded database in ${options.dataDir} failed (worker exit ${code})`));
      else resolve();
    });
  });
}

/** Waits for a worker from {@link startPgliteWorker} to open its database; rejects when it fails to. */
export async function connectPgliteThread(worker: Worker): Promise<PgliteThread> {
  await new Promise<void>((resolve, reject) => {
    const opened = (message: WorkerMessage) => {
      if (message.type !== 'ready' && message.type !== 'failed') return;
      worker.off('message', opened);
      if (message.type === 'ready') resolve();
      else reject(databaseError(message.error));
    };
    worker.on('message', opened);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the embedded database's thread stopped while opening (exit code ${code})`)));
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  return new PgliteThread(worker);
}

interface Pending {
  resolve(result: StatementResult<unknown>): void;
  reject(error: Error): void;
}

/** The worker's database as this thread sees it: statements in, answers out. */
export class PgliteThread implements StatementRunner {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  /** Why new statements are refused: set once the worker stopped or `close()` was called. */
  #refused: Error | null = null;
  #closing: Promise<void> | null = null;

  /** True once the worker stopped by itself (not closed): nothing will answer any more. */
  get stopped(): boolean {
    return this.#refused !== null && this.#closing === null;
  }

  /** Use {@link connectPgliteThread}: the worker must have answered `ready`. */
  constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (message: WorkerMessage) => this.#answer(message));
    worker.on('error', (error) => this.#fail(new Error(`the embedded database's thread failed: ${error.message}`)));
    worker.on('exit', (code) => this.#fail(new Error(`the embedded database's thread stopped (exit code ${code}); restart the service`)));
    worker.on('messageerror', (error) => this.#fail(new Error(`the embedded database's thread sent an unreadable answer: ${error.message}`)));
    worker.unref();
  }

  query<R>(sql: string, params: readonly unknown[] = []): Promise<StatementResult<R>> {
    if (this.#refused) return Promise.reject(this.#refused);
    const id = ++this.#nextId;
    return new Promise<StatementResult<R>>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as Pending['resolve'], reject });
      // Referenced while a statement is in flight: an answer is awaited, the process must wait too.
      if (this.#pending.size === 1) this.#worker.ref();
      try {
        this.#worker.postMessage({ type: 'query', id, sql, params });
      } catch (error) {
        // A parameter that cannot be cloned (a function, a class instance with private state).
        this.#settle(id)?.reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /**
   * Closes PGlite inside the worker, after the statements already sent, then ends the worker;
   * statements sent from now on are refused. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    const closed = new Error('the embedded database is closed');
    if (!this.#refused) {
      this.#refused = closed;
      // Referenced until it has closed: a graceful stop awaits this alone.
      this.#worker.ref();
      const done = new Promise<void>((resolve) => {
        this.#worker.on('message', (message: WorkerMessage) => message.type === 'closed' && resolve());
        this.#worker.once('exit', () => resolve());
      });
      this.#worker.postMessage({ type: 'close' });
      await done;
    }
    this.#fail(closed);
    await this.#worker.terminate();
  }

  #answer(message: WorkerMessage): void {
    if (message.type === 'result') this.#settle(message.id)?.resolve(message.result);
    else if (message.type === 'error') this.#settle(message.id)?.reject(databaseError(message.error));
  }

  #settle(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    if (pending && this.#pending.size === 0 && !this.#closing) this.#worker.unref();
    return pending;
  }

  /** The worker answers no more: statements in flight fail with `error`, and so do later ones. */
  #fail(error: Error): void {
    this.#refused ??= error;
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(error);
  }
}

/** Attempts to open a stopped thread again, at most this often. */
const REOPEN_EVERY_MS = 5000;

/**
 * The on-disk database's thread, opened again when it stopped by itself (a crash, out of memory):
 * the registry then recovers without a restart, as it does from a PostgreSQL outage. PGlite
 * recovers the data directory as after a `kill -9`: what was committed is there.
 *
 * The new thread is opened only when the dialect hands out its connection (`beforeUse`), so between
 * transactions: a transaction begun on the old thread never goes on in the new one. Statements
 * meanwhile fail at once with the old thread's error (the registry answers `REGISTRY_UNAVAILABLE`);
 * an attempt that fails is tried again after `REOPEN_EVERY_MS`.
 */
export class ReopeningPgliteThread implements StatementRunner {
  #current: PgliteThread;
  #lastAttempt = 0;
  #closed = false;

  constructor(
    first: PgliteThread,
    private readonly open: () => Promise<PgliteThread>,
    private readonly onReopen?: (outcome: { ok: true } | { ok: false; error: unknown }) => void,
  ) {
    this.#current = first;
  }

  query<R>(sql: string, params: unknown[] = []): Promise<StatementResult<R>> {
    return this.#current.query<R>(sql, params);
  }

  async beforeUse(): Promise<void> {
    if (this.#closed || !this.#current.stopped || Date.now() - this.#lastAttempt < REOPEN_EVERY_MS) return;
    this.#lastAttempt = Date.now();
    try {
      const next = await this.open();
      if (this.#closed) return void (await next.close());
      const dead = this.#current;
      this.#current = next;
      await dead.close();
      this.onReopen?.({ ok: true });
    } catch (error) {
      this.onReopen?.({ ok: false, error });
    }
  }

  close(): Promise<void> {
    this.#closed = true;
    return this.#current.close();
  }
}

/** PGlite's own error type, with the fields the worker sent: what the statement threw in the worker. */
function databaseError(fields: ErrorFields): Error {
  // Every error PostgreSQL reports has a severity; anything else PGlite threw was a plain Error.
  if (fields.severity === undefined) return new Error(fields.message);
  const error = new protocol.messages.DatabaseError(fields.message, fields.length ?? 0, 'error');
  for (const name of ERROR_FIELDS) if (fields[name] !== undefined) error[name] = fields[name];
  return error;
}
