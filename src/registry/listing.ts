/**
 * `trackedJobs`: the filtered, ordered, paged list of tracked jobs, read from the registry only.
 *
 * Paging is keyset, never offset: a page is "the next N rows after this (sort key, id)", which
 * an index on (sort key, id) answers by reading N rows, at any depth and at any table size,
 * and which neither skips nor repeats rows when others are added meanwhile. `totalCount` is a
 * separate `count(*)` under the same filter.
 */
import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import type { JobKind, JobState, Provider } from '../jobs/model.js';
import { type Connection, type PageArgs, decodeCursor, encodeCursor, pageRequest } from './connection.js';
import type { Database } from './schema.js';
import { type TrackedJob, trackedJobOf } from './tracked-job.js';

type Db = Kysely<Database>;

/** The contract's `TrackedJobFilter`; every given field must hold. */
export interface TrackedJobFilter {
  readonly providers?: readonly Provider[] | null | undefined;
  readonly kinds?: readonly JobKind[] | null | undefined;
  readonly accounts?: readonly string[] | null | undefined;
  /** Of the last snapshot: a job never observed yet matches no state. */
  readonly states?: readonly JobState[] | null | undefined;
  readonly done?: boolean | null | undefined;
  /** Every one of them. */
  readonly labels?: readonly string[] | null | undefined;
  /** Exclusive. */
  readonly trackedAfter?: Date | null | undefined;
  /** Exclusive. */
  readonly trackedBefore?: Date | null | undefined;
  /** A prefix of the native id, or one whole label. */
  readonly search?: string | null | undefined;
}

export const TRACKED_JOB_ORDERS = ['TRACKED_DESC', 'TRACKED_ASC', 'CHANGED_DESC'] as const;
export type TrackedJobOrder = (typeof TRACKED_JOB_ORDERS)[number];

export interface ListTrackedJobsOptions extends PageArgs {
  readonly filter?: TrackedJobFilter | null | undefined;
  readonly orderBy?: TrackedJobOrder | null | undefined;
  /** The providers the caller may read; undefined: all. Jobs of others are never listed or counted. */
  readonly visibleProviders?: readonly Provider[] | undefined;
}

export const DEFAULT_LIST_PAGE_SIZE = 50;

const ORDERS: Record<TrackedJobOrder, { column: 'tracked_at' | 'changed_at'; descending: boolean }> = {
  TRACKED_DESC: { column: 'tracked_at', descending: true },
  TRACKED_ASC: { column: 'tracked_at', descending: false },
  CHANGED_DESC: { column: 'changed_at', descending: true },
};

/**
 * One page of tracked jobs. Throws `CURSOR_INVALID` for a cursor this list (with this order)
 * did not make, `PAGE_SIZE_INVALID` for `first`/`last` outside 0..500 or both given.
 */
export async function listTrackedJobs(db: Db, options: ListTrackedJobsOptions = {}): Promise<Connection<TrackedJob>> {
  const order = options.orderBy ?? 'TRACKED_DESC';
  const { column, descending } = ORDERS[order];
  const request = pageRequest(options, DEFAULT_LIST_PAGE_SIZE);
  const cursorKey = request.cursor === null ? null : decodeCursor(request.cursor, ['tracked', order], 2);
  const filter = filterOf(options.filter ?? {}, options.visibleProviders);
  const forward = request.direction === 'forward';
  // Backward pages read the order reversed from the cursor, then flip the rows back.
  const readDescending = forward === descending;
  const position = (key: number[], beyond: boolean): Expression<SqlBool> => {
    // beyond: rows after the cursor in reading order; else the cursor row and rows before it.
    const after = readDescending ? '<' : '>';
    const operator = beyond ? after : readDescending ? '>=' : '<=';
    return sql<SqlBool>`(${sql.ref(column)}, id) ${sql.raw(operator)} (${new Date(key[0]!)}::timestamptz, ${key[1]!}::bigint)`;
  };

  const rowsQuery = db
    .selectFrom('tracked_jobs')
    .selectAll()
    .where(filter)
    .$if(cursorKey !== null, (query) => query.where(position(cursorKey!, true)))
    .orderBy(column, readDescending ? 'desc' : 'asc')
    .orderBy('id', readDescending ? 'desc' : 'asc')
    .limit(request.size + 1);
  const countQuery = db.selectFrom('tracked_jobs').select((eb) => eb.fn.countAll<number>().as('count')).where(filter);
  const behindQuery =
    cursorKey === null
      ? null
      : db.selectFrom('tracked_jobs').select('id').where(filter).where(position(cursorKey, false)).limit(1);

  const [rows, count, behind] = await Promise.all([
    rowsQuery.execute(),
    countQuery.executeTakeFirstOrThrow(),
    behindQuery ? behindQuery.execute() : Promise.resolve([]),
  ]);
  const more = rows.length > request.size;
  const page = rows.slice(0, request.size);
  if (!forward) page.reverse();
  const edges = page.map((row) => ({
    cursor: encodeCursor(['tracked', order, row[column].getTime(), row.id]),
    node: trackedJobOf(row),
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: forward ? more : behind.length > 0,
      hasPreviousPage: forward ? behind.length > 0 : more,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: count.count,
  };
}

function filterOf(filter: TrackedJobFilter, visibleProviders: readonly Provider[] | undefined) {
  return (eb: ExpressionBuilder<Database, 'tracked_jobs'>): Expression<SqlBool> => {
    const conditions: Expression<SqlBool>[] = [];
    const providers = intersect(filter.providers ?? undefined, visibleProviders);
    if (providers) conditions.push(providers.length === 0 ? sql<SqlBool>`false` : eb('provider', 'in', providers));
    if (filter.kinds) conditions.push(filter.kinds.length === 0 ? sql<SqlBool>`false` : eb('kind', 'in', filter.kinds));
    if (filter.accounts) conditions.push(filter.accounts.length === 0 ? sql<SqlBool>`false` : eb('account', 'in', filter.accounts));
    if (filter.states) conditions.push(filter.states.length === 0 ? sql<SqlBool>`false` : eb('state', 'in', filter.states));
    if (filter.done != null) conditions.push(eb('done', '=', filter.done));
    if (filter.labels && filter.labels.length > 0) conditions.push(sql<SqlBool>`labels @> ${[...filter.labels]}::text[]`);
    if (filter.trackedAfter) conditions.push(eb('tracked_at', '>', filter.trackedAfter));
    if (filter.trackedBefore) conditions.push(eb('tracked_at', '<', filter.trackedBefore));
    if (filter.search) {
      const prefix = `${filter.search.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
      conditions.push(sql<SqlBool>`(native_id like ${prefix} or labels @> array[${filter.search}]::text[])`);
    }
    return eb.and(conditions);
  };
}

/** The providers both lists allow; undefined when neither restricts. */
function intersect(wanted: readonly Provider[] | undefined, visible: readonly Provider[] | undefined): readonly Provider[] | undefined {
  if (!wanted) return visible;
  if (!visible) return wanted;
  return wanted.filter((provider) => visible.includes(provider));
}
