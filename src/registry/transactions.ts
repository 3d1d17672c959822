/**
 * Running work in a transaction, or in the caller's when there already is one: the registry's
 * functions take either the database or a transaction, so that a caller can bundle several of
 * them (and its own rows) into one commit.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

export async function inTransaction<T>(db: Kysely<Database>, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<Database>);
  return db.transaction().execute(fn);
}
