/**
 * `trackedJobs`: the filtered, ordered, paged list of tracked jobs, read from the registry only.
 *
 * Paging is keyset, never offset: a page is "the next N rows after this (sort key, id)", which
 * an index on (sort key, id) answers by reading N rows, at any depth and at any table size,
 * and which neither skips nor repeats rows when others are added meanwhile. `totalCount` is a
 * separate `count(*)` under the same filter.
 */
import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import type { JobKind, JobState, Provider } from '../jobs/model.js';
import { type Connection, type Page, type PageArgs, decodeCursor, encodeCursor, pageRequest } from './connection.js';
import type { Database } from './schema.js';
import { TRACKED_JOB_JSON_COLUMNS, type TrackedJob, trackedJobOfJson } from './tracked-job.js';

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
 * One page of tracked jobs with its `totalCount` (the page's queries and the count's together).
 * Throws `CURSOR_INVALID` for a cursor this list (with this order) did not make,
 * `PAGE_SIZE_INVALID` for `first`/`last` outside 0..500 or both given.
 */
export async function listTrackedJobs(db: Db, options: ListTrackedJobsOptions = {}): Promise<Connection<TrackedJob>> {
  const [page, totalCount] = await Promise.all([listTrackedJobPage(db, options), countTrackedJobs(db, options)]);
  return { ...page, totalCount };
}

/**
 * One page of tracked jobs without the count: what `trackedJobs` runs when the query does not
 * select `totalCount` (counting is most of a page's cost at 100 000 rows). Throws like
 * {@link listTrackedJobs}.
 */
export async function listTrackedJobPage(db: Db, options: ListTrackedJobsOptions = {}): Promise<Page<TrackedJob>> {
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
    .select(sql<unknown>`json_build_array(${sql.join(TRACKED_JOB_JSON_COLUMNS.map((name) => sql.ref(name)))})`.as('job'))
    .where(filter)
    .$if(cursorKey !== null, (query) => query.where(position(cursorKey!, true)))
    .orderBy(column, readDescending ? 'desc' : 'asc')
    .orderBy('id', readDescending ? 'desc' : 'asc')
    .limit(request.size + 1);
  // Is there a row on the other side of the cursor? The same order, so the same index, one row.
  const behindQuery =
    cursorKey === null
      ? null
      : db
          .selectFrom('tracked_jobs')
          .select('id')
          .where(filter)
          .where(position(cursorKey, false))
          .orderBy(column, readDescending ? 'asc' : 'desc')
          .orderBy('id', readDescending ? 'asc' : 'desc')
          .limit(1);

  const [rows, behind] = await Promise.all([rowsQuery.execute(), behindQuery ? behindQuery.execute() : Promise.resolve([])]);
  const more = rows.length > request.size;
  const page = rows.slice(0, request.size);
  if (!forward) page.reverse();
  const edges = page.map((row) => {
    const node = trackedJobOfJson(row.job);
    return { cursor: encodeCursor(['tracked', order, (column === 'tracked_at' ? node.trackedAt : node.changedAt).getTime(), node.id]), node };
  });
  return {
    edges,
    pageInfo: {
      hasNextPage: forward ? more : behind.length > 0,
      hasPreviousPage: forward ? behind.length > 0 : more,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/**
 * How many tracked jobs match the filter (and the visible providers); order and page do not
 * matter. A filter on providers, kinds, accounts, states and done alone is summed from the
 * per-group counts (`migrations/0003-listing-counts.ts`), a few rows; with one label besides,
 * from the per-label counts (`migrations/0005-label-counts.ts`); several labels, search and
 * tracking times count the matching jobs through their indexes.
 */
export async function countTrackedJobs(db: Db, options: Pick<ListTrackedJobsOptions, 'filter' | 'visibleProviders'> = {}): Promise<number> {
  const filter = options.filter ?? {};
  const groups = groupConditions(filter, options.visibleProviders);
  const { labels, ...rest } = filter;
  const distinct = [...new Set(labels ?? [])];
  const oneLabel = distinct.length === 1 && jobConditions(rest).length === 0 ? distinct[0]! : null;
  const perJob = jobConditions(filter);
  const query =
    oneLabel !== null
      ? db
          .selectFrom('tracked_job_label_counts')
          .select(sql<number | string>`coalesce(sum(jobs), 0)`.as('count'))
          .where(and([sql<SqlBool>`label = ${oneLabel}`, ...groups]))
      : perJob.length === 0
        ? db.selectFrom('tracked_job_counts').select(sql<number | string>`coalesce(sum(jobs), 0)`.as('count')).where(and(groups))
        : db.selectFrom('tracked_jobs').select((eb) => eb.fn.countAll<number | string>().as('count')).where(and([...groups, ...perJob]));
  const { count } = await query.executeTakeFirstOrThrow();
  return Number(count);
}

function filterOf(filter: TrackedJobFilter, visibleProviders: readonly Provider[] | undefined): Expression<SqlBool> {
  return and([...groupConditions(filter, visibleProviders), ...jobConditions(filter)]);
}

function and(conditions: readonly Expression<SqlBool>[]): Expression<SqlBool> {
  return conditions.length === 0 ? sql<SqlBool>`true` : sql<SqlBool>`(${sql.join(conditions, sql` and `)})`;
}

/** `column in (values)`; an empty list matches nothing. */
function oneOf(column: string, values: readonly unknown[]): Expression<SqlBool> {
  return values.length === 0 ? sql<SqlBool>`false` : sql<SqlBool>`${sql.ref(column)} in (${sql.join(values)})`;
}

/**
 * The conditions on the columns `tracked_job_counts` groups by (the same names in both tables).
 * A job never observed has no state in `tracked_jobs` and '' in the counts: no state filter
 * names either, so it matches none in both.
 */
function groupConditions(filter: TrackedJobFilter, visibleProviders: readonly Provider[] | undefined): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  const providers = intersect(filter.providers ?? undefined, visibleProviders);
  if (providers) conditions.push(oneOf('provider', providers));
  if (filter.kinds) conditions.push(oneOf('kind', filter.kinds));
  if (filter.accounts) conditions.push(oneOf('account', filter.accounts));
  if (filter.states) conditions.push(oneOf('state', filter.states));
  if (filter.done != null) conditions.push(sql<SqlBool>`done = ${filter.done}`);
  return conditions;
}

/** The conditions only the jobs' own rows can answer. */
function jobConditions(filter: TrackedJobFilter): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  if (filter.labels && filter.labels.length > 0) conditions.push(sql<SqlBool>`labels @> ${[...filter.labels]}::text[]`);
  if (filter.trackedAfter) conditions.push(sql<SqlBool>`tracked_at > ${filter.trackedAfter}`);
  if (filter.trackedBefore) conditions.push(sql<SqlBool>`tracked_at < ${filter.trackedBefore}`);
  if (filter.search) {
    const prefix = `${filter.search.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    conditions.push(sql<SqlBool>`(native_id like ${prefix} or labels @> array[${filter.search}]::text[])`);
  }
  return conditions;
}

/** The providers both lists allow; undefined when neither restricts. */
function intersect(wanted: readonly Provider[] | undefined, visible: readonly Provider[] | undefined): readonly Provider[] | undefined {
  if (!wanted) return visible;
  if (!visible) return wanted;
  return wanted.filter((provider) => visible.includes(provider));
}
