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
 * The dialect also counts the statements that may have written (`writes`): every statement but a
 * plain `select`, counted once it has finished (a transaction's `commit` included). Nothing else
 * reaches the instance, so while the count stays the same the data does too: the registry reads
 * the database's snapshot again only when it has moved (`RegistryDatabase.snapshot`).
 */
import type { PGlite } from '@electric-sql/pglite';
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

/** The PostgreSQL dialect of Kysely, talking to `pglite` in this process. */
export class PgliteDialect implements Dialect {
  readonly #pglite: PGlite;
  readonly #writes = { count: 0 };

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  /** Statements other than a plain `select` finished so far, through every driver of this dialect. */
  writes(): number {
    return this.#writes.count;
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PgliteDriver(this.#pglite, this.#writes);
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}

class PgliteDriver implements Driver {
  readonly #connection: PgliteConnection;
  /** Callers waiting for the one connection, first come first served. */
  readonly #waiting: Array<() => void> = [];
  #busy = false;

  constructor(pglite: PGlite, writes: { count: number }) {
    this.#connection = new PgliteConnection(pglite, writes);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#busy) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#busy = true;
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

  /** The PGlite instance belongs to whoever created it (`openDatabase` closes it). */
  async destroy(): Promise<void> {}
}

class PgliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite;
  readonly #writes: { count: number };

  constructor(pglite: PGlite, writes: { count: number }) {
    this.#pglite = pglite;
    this.#writes = writes;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    let result;
    try {
      result = await this.#pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters]);
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
