/**
 * Recording what a poll saw of a tracked job: its last status, and its history.
 *
 * "Each observed change is one history entry, written once even with several instances": the
 * job's row is locked (`select … for update`) for the length of one transaction, in which the
 * observation is compared with the last history entry's signature and appended only when it
 * differs. A second instance that saw the same change waits on the lock, then finds the entry
 * written and writes nothing. The primary key (job_id, seq) is the last guard.
 *
 * What an observation changes:
 * - a snapshot: the last status, the milestones (first seen, started, finished), `final` when
 *   done, and a history entry when its signature is new;
 * - NOT_FOUND for a job seen before: final at once, with a history entry ("not found"); for a
 *   job never seen: `not_found_since`, and final once that is `notFoundGraceMs` old (fresh jobs
 *   can 404 briefly; the first history entry stays the first sighting);
 * - any other failure (the provider's or the configuration's trouble, not the job's): kept as
 *   the outcome only while no snapshot was ever had; no history;
 * - nothing at all for a job that is done (its result is kept even if the provider later
 *   forgets it), or for an observation older than the last one recorded (two instances'
 *   answers arriving out of order must not move a job backwards).
 */
import { type Kysely, type Transaction, type Updateable, sql } from 'kysely';
import { type JobOutcome, type JobRef, type JobState, isFailure, outcomeSignature } from '../jobs/model.js';
import { type Connection, type PageArgs, decodeCursor, encodeCursor, pageRequest } from './connection.js';
import { inTransaction } from './transactions.js';
import type { Database, TrackedJobsTable } from './schema.js';
import { type TrackedJob, type TrackedJobRow, outcomeToJson, trackedJobOf } from './tracked-job.js';

type Db = Kysely<Database>;

export interface ObservationResult {
  /** False when the ref is not tracked: nothing was written. */
  readonly tracked: boolean;
  /** True when this call wrote a history entry (exactly one caller per change sees true). */
  readonly changed: boolean;
  /** The state before this observation (null while the job had no snapshot). */
  readonly previousState: JobState | null;
  /** True when this observation made the job final (the tracker stops polling it). */
  readonly becameFinal: boolean;
  /** The job as it is after the observation; null when not tracked. */
  readonly job: TrackedJob | null;
}

export interface RecordObservationOptions {
  /** What identifies the news; default `outcomeSignature(outcome)`. */
  readonly signature?: string;
  /** How long a never-seen job may answer "not found" before it is final. */
  readonly notFoundGraceMs: number;
  /**
   * Runs inside the transaction, after the writes and before the commit, for a tracked job:
   * callers add rows that must commit with the change or not at all (events, webhook outbox).
   * Use `trx`, never the outer database handle, inside it.
   */
  readonly inTransaction?: (trx: Transaction<Database>, result: ObservationResult) => Promise<void>;
}

/** `recordObservations`' options: one transaction for a batch of jobs. */
export interface RecordObservationsOptions extends Omit<RecordObservationOptions, 'signature'> {
  /** Runs once inside the transaction after every job's writes and hooks, before the commit (rows written for the whole batch at once). */
  readonly beforeCommit?: (trx: Transaction<Database>) => Promise<void>;
}

const NOT_TRACKED: ObservationResult = { tracked: false, changed: false, previousState: null, becameFinal: false, job: null };
const NOT_STARTED: ReadonlySet<JobState> = new Set(['QUEUED', 'UNKNOWN']);

/** Records one observation of `ref` (see the header for what it changes), in one transaction. */
export async function recordObservation(
  db: Db,
  ref: JobRef,
  outcome: JobOutcome,
  options: RecordObservationOptions,
): Promise<ObservationResult> {
  const signature = options.signature ?? outcomeSignature(outcome);
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom('tracked_jobs')
      .selectAll()
      .where('kind', '=', ref.kind)
      .where('account', '=', ref.account)
      .where('native_id', '=', ref.nativeId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return NOT_TRACKED;
    const { result } = await applyObservation(trx, row, outcome, signature, options.notFoundGraceMs);
    await options.inTransaction?.(trx, result);
    return result;
  });
}

/** The observations of one tracked job to record together, oldest first. */
export interface ObservationBatchItem {
  /** The job's registry id. */
  readonly id: number;
  readonly outcomes: readonly JobOutcome[];
}

/**
 * Records the observations of several jobs in ONE transaction (the tracker's write batches, and
 * the first answers of `trackJobs`): the rows are locked in id order (so two instances' batches
 * cannot deadlock), each job's observations are applied in order in memory, exactly as
 * `recordObservation` would one by one, and then written with one `update` for every job and one
 * `insert` of every new history entry, whatever the number of jobs (one statement per job was
 * most of the cost of tracking 500 refs on PGlite). The hook runs for each observation after the
 * writes, in input order, and `beforeCommit` once after all of them. Answers one list of
 * results per item, in input order (NOT_TRACKED results for an id no longer tracked).
 */
export async function recordObservations(
  db: Db,
  items: readonly ObservationBatchItem[],
  options: RecordObservationsOptions,
): Promise<ObservationResult[][]> {
  if (items.length === 0) return [];
  return inTransaction(db, async (trx) => {
    const ids = [...new Set(items.map((item) => item.id))].sort((a, b) => a - b);
    const rows = await trx.selectFrom('tracked_jobs').selectAll().where('id', 'in', ids).orderBy('id').forUpdate().execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    // Each job's last history entry, for all of them in one query.
    const lastEntries = new Map<number, LastEntry | null>(ids.map((id) => [id, null]));
    const entries = await trx
      .selectFrom('job_history')
      .select(['job_id', 'seq', 'signature'])
      .distinctOn('job_id')
      .where('job_id', 'in', ids)
      .orderBy('job_id')
      .orderBy('seq', 'desc')
      .execute();
    for (const entry of entries) lastEntries.set(entry.job_id, { seq: entry.seq, signature: entry.signature });
    const answers: ObservationResult[][] = [];
    const updated = new Set<number>();
    const history: NewHistoryEntry[] = [];
    for (const item of items) {
      const results: ObservationResult[] = [];
      for (const outcome of item.outcomes) {
        const row = byId.get(item.id);
        if (!row) {
          results.push(NOT_TRACKED);
          continue;
        }
        const last = lastEntries.get(item.id) ?? null;
        const planned = planObservation(row, outcome, outcomeSignature(outcome), options.notFoundGraceMs, last);
        if (!planned) {
          results.push(unchangedResult(row));
          continue;
        }
        const after = applied(row, planned.patch);
        byId.set(item.id, after);
        updated.add(item.id);
        if (planned.entry) {
          const seq = (last?.seq ?? 0) + 1;
          history.push({ job_id: row.id, seq, at: outcome.checkedAt, signature: planned.signature, ...planned.entry });
          lastEntries.set(item.id, { seq, signature: planned.signature });
        }
        results.push(resultOf(row, after, planned.entry !== null));
      }
      answers.push(results);
    }
    await writeRows(trx, [...updated].map((id) => byId.get(id)!));
    for (let from = 0; from < history.length; from += HISTORY_ROWS_PER_INSERT) {
      await trx.insertInto('job_history').values(history.slice(from, from + HISTORY_ROWS_PER_INSERT)).execute();
    }
    if (options.inTransaction) for (const results of answers) for (const result of results) if (result.tracked) await options.inTransaction(trx, result);
    await options.beforeCommit?.(trx);
    return answers;
  });
}

/** History rows per `insert` (8 parameters each: far below PostgreSQL's 65 535). */
const HISTORY_ROWS_PER_INSERT = 1000;

interface NewHistoryEntry {
  readonly job_id: number;
  readonly seq: number;
  readonly at: Date;
  readonly signature: string;
  readonly state: string;
  readonly raw_status: string;
  readonly progress: string | null;
  readonly message: string | null;
}

/** The columns an observation may change, as `writeRows` writes them. */
const OBSERVED_COLUMNS = [
  'outcome', 'state', 'raw_status', 'done', 'final', 'checked_at', 'changed_at', 'first_seen_at', 'started_at', 'finished_at', 'not_found_since', 'final_at',
] as const;

/** Writes the observed columns of each row as it is in memory, in one statement for all of them. */
async function writeRows(trx: Transaction<Database>, rows: readonly TrackedJobRow[]): Promise<void> {
  if (rows.length === 0) return;
  const payload = JSON.stringify(rows.map((row) => ({ id: row.id, ...Object.fromEntries(OBSERVED_COLUMNS.map((column) => [column, row[column]])) })));
  await sql`
    update tracked_jobs as t set
      outcome = v.outcome, state = v.state, raw_status = v.raw_status, done = v.done, final = v.final,
      checked_at = v.checked_at, changed_at = v.changed_at, first_seen_at = v.first_seen_at, started_at = v.started_at,
      finished_at = v.finished_at, not_found_since = v.not_found_since, final_at = v.final_at
    from jsonb_to_recordset(${payload}::jsonb) as v(
      id bigint, outcome jsonb, state text, raw_status text, done boolean, final boolean, checked_at timestamptz, changed_at timestamptz,
      first_seen_at timestamptz, started_at timestamptz, finished_at timestamptz, not_found_since timestamptz, final_at timestamptz)
    where t.id = v.id`.execute(trx);
}

/** The row with an observation's patch applied, as the database would answer it after the update. */
function applied(row: TrackedJobRow, patch: Updateable<TrackedJobsTable>): TrackedJobRow {
  const { outcome, ...columns } = patch;
  return { ...row, ...(columns as Partial<TrackedJobRow>), outcome: outcome === undefined ? row.outcome : outcome === null ? null : (JSON.parse(outcome as string) as unknown) };
}

/** A job's last history entry, as far as "is this news" needs it. */
interface LastEntry {
  readonly seq: number;
  readonly signature: string;
}

/** An answer that changed nothing but the time the job was last asked about (see `markChecked`). */
export interface CheckedMark {
  readonly id: number;
  readonly at: Date;
  /**
   * True when the answer confirmed the stored snapshot (its `checkedAt` moves too); false for a
   * provider failure of a job seen before, which only moves `checked_at` (the stored snapshot
   * was not confirmed by it).
   */
  readonly confirmed: boolean;
}

/**
 * The tracker's bookkeeping for answers that changed nothing: ONE statement for any number of
 * jobs, moving `checked_at` (and the stored outcome's `checkedAt`) forward, never back, and
 * leaving final jobs alone. Answers the rows it moved.
 */
export async function markChecked(db: Db, marks: readonly CheckedMark[]): Promise<number> {
  if (marks.length === 0) return 0;
  const payload = JSON.stringify(marks.map((mark) => ({ id: mark.id, at: mark.at.toISOString(), confirmed: mark.confirmed })));
  const result = await sql`
    update tracked_jobs as t set
      checked_at = v.at::timestamptz,
      outcome = case when v.confirmed and t.outcome is not null then jsonb_set(t.outcome, '{checkedAt}', to_jsonb(v.at)) else t.outcome end
    from jsonb_to_recordset(${payload}::jsonb) as v(id bigint, at text, confirmed boolean)
    where t.id = v.id and not t.final and (t.checked_at is null or t.checked_at < v.at::timestamptz)`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** What one observation changes: the row's patch, and the history entry when it is news. */
interface PlannedObservation {
  readonly patch: Updateable<TrackedJobsTable>;
  readonly entry: { state: string; raw_status: string; progress: string | null; message: string | null } | null;
  readonly signature: string;
}

function unchangedResult(row: TrackedJobRow): ObservationResult {
  return { tracked: true, changed: false, previousState: row.state as JobState | null, becameFinal: false, job: trackedJobOf(row) };
}

function resultOf(before: TrackedJobRow, after: TrackedJobRow, changed: boolean): ObservationResult {
  return { tracked: true, changed, previousState: before.state as JobState | null, becameFinal: !before.final && after.final, job: trackedJobOf(after) };
}

/** One observation of one locked row, read and written on its own (`recordObservation`). */
async function applyObservation(
  trx: Transaction<Database>,
  row: TrackedJobRow,
  outcome: JobOutcome,
  signature: string,
  notFoundGraceMs: number,
): Promise<{ result: ObservationResult }> {
  if (isStale(row, outcome)) return { result: unchangedResult(row) };
  const last = await trx.selectFrom('job_history').select(['seq', 'signature']).where('job_id', '=', row.id).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const planned = planObservation(row, outcome, signature, notFoundGraceMs, last ?? null)!;
  const updated = await trx.updateTable('tracked_jobs').set(planned.patch).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
  if (planned.entry) {
    await trx
      .insertInto('job_history')
      .values({ job_id: row.id, seq: (last?.seq ?? 0) + 1, at: outcome.checkedAt, signature, ...planned.entry })
      .execute();
  }
  return { result: resultOf(row, updated, planned.entry !== null) };
}

/** A done job keeps its result; an answer older than the last one recorded must not move it back. */
function isStale(row: TrackedJobRow, outcome: JobOutcome): boolean {
  return row.done || (row.checked_at !== null && outcome.checkedAt.getTime() < row.checked_at.getTime());
}

/**
 * What an observation changes (see the header), decided from the row and the job's last history
 * entry alone; null when it changes nothing.
 */
function planObservation(
  row: TrackedJobRow,
  outcome: JobOutcome,
  signature: string,
  notFoundGraceMs: number,
  last: LastEntry | null,
): PlannedObservation | null {
  if (isStale(row, outcome)) return null;
  const at = outcome.checkedAt;
  const news = last?.signature !== signature;

  let patch: Updateable<TrackedJobsTable>;
  let entry: PlannedObservation['entry'] = null;
  if (!isFailure(outcome)) {
    patch = {
      outcome: outcomeToJson(outcome),
      state: outcome.state,
      raw_status: outcome.rawStatus,
      done: outcome.done,
      final: outcome.done,
      checked_at: at,
      first_seen_at: row.first_seen_at ?? at,
      started_at: row.started_at ?? (NOT_STARTED.has(outcome.state) ? null : at),
      finished_at: row.finished_at ?? (outcome.done ? at : null),
      not_found_since: null,
    };
    if (news) {
      entry = {
        state: outcome.state,
        raw_status: outcome.rawStatus,
        progress: outcome.progress ? JSON.stringify(outcome.progress) : null,
        message: outcome.message,
      };
    }
  } else if (outcome.failure === 'NOT_FOUND') {
    const seen = row.first_seen_at !== null;
    const since = row.not_found_since ?? at;
    patch = {
      outcome: outcomeToJson(outcome),
      checked_at: at,
      not_found_since: seen ? null : since,
      final: seen || at.getTime() - since.getTime() >= notFoundGraceMs,
    };
    if (seen && news) entry = { state: row.state ?? 'UNKNOWN', raw_status: 'not found', progress: null, message: outcome.message };
  } else {
    const hadSnapshot = row.first_seen_at !== null;
    patch = hadSnapshot ? { checked_at: at } : { outcome: outcomeToJson(outcome), checked_at: at };
  }

  const final = patch.final ?? row.final;
  patch.final_at = final ? (row.final_at ?? at) : null;
  if (entry) patch.changed_at = at;
  return { patch, entry, signature };
}

/** One observed change of a tracked job. */
export interface HistoryEntry {
  readonly seq: number;
  readonly state: JobState;
  readonly rawStatus: string;
  readonly progress: { readonly completed: number; readonly total: number; readonly percent: number } | null;
  readonly message: string | null;
  readonly at: Date;
}

export const DEFAULT_HISTORY_PAGE_SIZE = 100;

/**
 * A tracked job's history, oldest first. Pages forward with `first`/`after` (backward with
 * `last`/`before`); throws `CURSOR_INVALID` for a cursor of another job or list.
 */
export async function history(db: Db, jobId: number, args: PageArgs = {}): Promise<Connection<HistoryEntry>> {
  const request = pageRequest(args, DEFAULT_HISTORY_PAGE_SIZE);
  const cursorSeq = request.cursor === null ? null : decodeCursor(request.cursor, ['history', String(jobId)], 1)[0]!;
  const forward = request.direction === 'forward';
  const rowsQuery = db
    .selectFrom('job_history')
    .selectAll()
    .where('job_id', '=', jobId)
    .$if(cursorSeq !== null, (query) => query.where('seq', forward ? '>' : '<', cursorSeq!))
    .orderBy('seq', forward ? 'asc' : 'desc')
    .limit(request.size + 1);
  const [rows, count] = await Promise.all([
    rowsQuery.execute(),
    db.selectFrom('job_history').select((eb) => eb.fn.countAll<number>().as('count')).where('job_id', '=', jobId).executeTakeFirstOrThrow(),
  ]);
  const more = rows.length > request.size;
  const page = rows.slice(0, request.size);
  if (!forward) page.reverse();
  const edges = page.map((row) => ({
    cursor: encodeCursor(['history', String(jobId), row.seq]),
    node: {
      seq: row.seq,
      state: row.state as JobState,
      rawStatus: row.raw_status,
      progress: row.progress as HistoryEntry['progress'],
      message: row.message,
      at: row.at,
    },
  }));
  // Sequence numbers are dense (1, 2, …) so what lies behind the cursor needs no query.
  const behind = cursorSeq !== null && count.count > 0 && (forward || cursorSeq <= count.count);
  return {
    edges,
    pageInfo: {
      hasNextPage: forward ? more : behind,
      hasPreviousPage: forward ? behind : more,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: count.count,
  };
}
