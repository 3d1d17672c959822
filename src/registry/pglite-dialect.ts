/**
 * A Kysely dialect over an embedded PGlite instance, so that the registry runs the same queries,
 * compiled by the same PostgreSQL compiler, on PGlite and on a PostgreSQL server.
 *
 * Why our own and not `kysely-pglite-dialect`: that package's peer range stops at PGlite 0.4,
 * and what a dialect needs is small: one "connection" over `pglite.query`, plus Kysely's own
 * PostgreSQL adapter, query compiler and introspector.
 *
 * PGlite is a single backend: it has one session, so one transaction at a time. The driver hands
 * out that one connection to one caller at a time (a FIFO queue), which serializes transactions
 * the way separate PostgreSQL sessions would be isolated. The cost, written down because it
 * matters to callers: code holding a transaction must not wait for a query on the outer `db` (it
 * would wait forever); use the transaction's handle.
 *
 * The dialect talks to a `StatementRunner`: a PGlite instance in this thread (in memory, and the
 * instances tests load from a template) or the on-disk database's worker thread
 * (`pglite-thread.ts`), which answers the same results and errors through messages.
 *
 * The dialect also counts the statements that may have written (`writes`): every statement but a
 * plain `select`, counted once it has finished (a transaction's `commit` included). Nothing else
 * reaches the instance, so while the count stays the same the data does too: the registry reads
 * the database's snapshot again only when it has moved (`RegistryDatabase.snapshot`).
 */
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/** What a statement answers: PGlite's `Results`, less what the dialect does not read. */
export interface StatementResult<R> {
  readonly rows: R[];
  readonly fields: readonly { readonly name: string; readonly dataTypeID: number }[];
  /** Rows inserted, updated or deleted (PGlite reports 0 for a select). */
  readonly affectedRows?: number | undefined;
}

/**
 * Runs one statement on the embedded database, rejecting with PostgreSQL's error (`code`,
 * `constraint`…) when it fails. A PGlite instance is one; so is `PgliteThread`.
 */
export interface StatementRunner {
  query<R>(sql: string, params: unknown[]): Promise<StatementResult<R>>;
  /**
   * Called each time the driver hands out its one connection, so between transactions, never
   * inside one: a runner whose database stopped may open it again here (`ReopeningPgliteThread`).
   */
  beforeUse?(): Promise<void>;
}

/** The PostgreSQL dialect of Kysely, talking to an embedded PGlite through `runner`. */
export class PgliteDialect implements Dialect {
  readonly #runner: StatementRunner;
  readonly #writes = { count: 0 };

  constructor(runner: StatementRunner) {
    this.#runner = runner;
  }

  /** Statements other than a plain `select` finished so far, through every driver of this dialect. */
  writes(): number {
    return this.#writes.count;
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PgliteDriver(this.#runner, this.#writes);
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}

class PgliteDriver implements Driver {
  readonly #runner: StatementRunner;
  readonly #connection: PgliteConnection;
  /** Callers waiting for the one connection, first come first served. */
  readonly #waiting: Array<() => void> = [];
  #busy = false;

  constructor(runner: StatementRunner, writes: { count: number }) {
    this.#runner = runner;
    this.#connection = new PgliteConnection(runner, writes);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#busy) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#busy = true;
    await this.#runner.beforeUse?.();
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    const next = this.#waiting.shift();
    // Hand the connection straight to the next caller: `busy` stays true in between.
    if (next) next();
    else this.#busy = false;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let statement = 'begin';
    if (settings.isolationLevel) statement += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode) statement += ` ${settings.accessMode}`;
    await connection.executeQuery(CompiledQuery.raw(statement));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdentifier(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdentifier(name)}`));
  }

  /** The runner belongs to whoever created it (`openDatabase` closes it). */
  async destroy(): Promise<void> {}
}

class PgliteConnection implements DatabaseConnection {
  readonly #runner: StatementRunner;
  readonly #writes: { count: number };

  constructor(runner: StatementRunner, writes: { count: number }) {
    this.#runner = runner;
    this.#writes = writes;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    let result;
    try {
      result = await this.#runner.query<R>(compiledQuery.sql, [...compiledQuery.parameters]);
    } finally {
      // Counted after it finished, failed or not (a failed statement may end a transaction).
      if (!READ_ONLY.test(compiledQuery.sql)) this.#writes.count += 1;
    }
    return {
      rows: result.rows,
      // PGlite reports affected rows for every statement (0 for a select), which is what Kysely
      // reads for inserts, updates and deletes and ignores otherwise.
      ...(result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported on PGlite: page through results with keyset queries');
  }
}

/** A plain `select`: the only statements not counted as writes (the registry writes nothing through a function called by one). */
const READ_ONLY = /^\s*select\b/i;

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
