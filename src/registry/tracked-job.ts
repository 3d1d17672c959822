/**
 * What the registry knows of one tracked job, as the rest of the service reads it, and the
 * mapping from a `tracked_jobs` row. Outcomes are stored as JSON; reading one back restores its
 * dates, so a stored snapshot is again a `JobOutcome`.
 */
import type { Selectable } from 'kysely';
import type { JobKind, JobOutcome, JobRef, JobState, Provider } from '../jobs/model.js';
import type { TrackedJobsTable } from './schema.js';

export interface TrackedJob {
  /** The registry's own id: stable for as long as the job is tracked; history hangs off it. */
  readonly id: number;
  readonly ref: JobRef;
  readonly provider: Provider;
  readonly trackedAt: Date;
  /** The API key's name; null when the API is open. */
  readonly trackedBy: string | null;
  readonly labels: readonly string[];
  /** Of the last snapshot; null until the provider first answered with one. */
  readonly state: JobState | null;
  readonly rawStatus: string | null;
  readonly done: boolean;
  /** Done, or not found past the grace: the tracker stops polling it. */
  readonly final: boolean;
  /** The last outcome: the last snapshot, or a failure while no snapshot was ever had. */
  readonly outcome: JobOutcome | null;
  readonly checkedAt: Date | null;
  /** When the last change was observed (the tracking time until the first). */
  readonly changedAt: Date;
  readonly firstSeenAt: Date | null;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  /** Since when a job never seen has answered "not found"; null once it was seen. */
  readonly notFoundSince: Date | null;
  readonly finalAt: Date | null;
}

export type TrackedJobRow = Selectable<TrackedJobsTable>;

export function trackedJobOf(row: TrackedJobRow): TrackedJob {
  return {
    id: row.id,
    ref: { kind: row.kind as JobKind, account: row.account, nativeId: row.native_id },
    provider: row.provider as Provider,
    trackedAt: row.tracked_at,
    trackedBy: row.tracked_by,
    labels: row.labels,
    state: row.state as JobState | null,
    rawStatus: row.raw_status,
    done: row.done,
    final: row.final,
    outcome: row.outcome == null ? null : outcomeFromJson(row.outcome),
    checkedAt: row.checked_at,
    changedAt: row.changed_at,
    firstSeenAt: row.first_seen_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    notFoundSince: row.not_found_since,
    finalAt: row.final_at,
  };
}

/**
 * A whole `tracked_jobs` row as one JSON array, in this column order: what pages of the list read
 * (`trackedJobOfJson` maps it back). One value per row instead of twenty is the cheaper read by
 * far: PGlite's protocol parser copies and decodes every field on its own (most of a page's CPU
 * on the embedded database), and node-postgres parses eight timestamps per row with a regular
 * expression where `new Date` of an ISO string is native (BENCHMARKS.md, "Registry: listing").
 */
export const TRACKED_JOB_JSON_COLUMNS = [
  'id', 'provider', 'kind', 'account', 'native_id', 'tracked_at', 'tracked_by', 'labels', 'state', 'raw_status',
  'done', 'final', 'outcome', 'checked_at', 'changed_at', 'first_seen_at', 'started_at', 'finished_at', 'not_found_since', 'final_at',
] as const satisfies readonly (keyof TrackedJobRow)[];

type JsonRow = [
  id: number, provider: string, kind: string, account: string, nativeId: string, trackedAt: string, trackedBy: string | null,
  labels: string[], state: string | null, rawStatus: string | null, done: boolean, final: boolean, outcome: unknown,
  checkedAt: string | null, changedAt: string, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null,
  notFoundSince: string | null, finalAt: string | null,
];

/**
 * A row read as {@link TRACKED_JOB_JSON_COLUMNS}: the same job as {@link trackedJobOf} of the
 * row. Timestamps arrive as PostgreSQL's JSON text of them (ISO 8601 with an offset); `new Date`
 * keeps their milliseconds, as node-postgres and PGlite do for a timestamp column.
 */
export function trackedJobOfJson(value: unknown): TrackedJob {
  const [id, provider, kind, account, nativeId, trackedAt, trackedBy, labels, state, rawStatus, done, final, outcome, checkedAt, changedAt, firstSeenAt, startedAt, finishedAt, notFoundSince, finalAt] =
    value as JsonRow;
  return {
    id,
    ref: { kind: kind as JobKind, account, nativeId },
    provider: provider as Provider,
    trackedAt: new Date(trackedAt),
    trackedBy,
    labels,
    state: state as JobState | null,
    rawStatus,
    done,
    final,
    outcome: outcome == null ? null : outcomeFromJson(outcome),
    checkedAt: dateOrNull(checkedAt),
    changedAt: new Date(changedAt),
    firstSeenAt: dateOrNull(firstSeenAt),
    startedAt: dateOrNull(startedAt),
    finishedAt: dateOrNull(finishedAt),
    notFoundSince: dateOrNull(notFoundSince),
    finalAt: dateOrNull(finalAt),
  };
}

function dateOrNull(value: string | null): Date | null {
  return value === null ? null : new Date(value);
}

/** An outcome as stored: JSON with `checkedAt` as an ISO string. */
export function outcomeToJson(outcome: JobOutcome): string {
  return JSON.stringify(outcome);
}

/** A stored outcome read back: its `checkedAt` a Date again. */
export function outcomeFromJson(value: unknown): JobOutcome {
  const stored = value as JobOutcome & { checkedAt: string | Date };
  return { ...stored, checkedAt: stored.checkedAt instanceof Date ? stored.checkedAt : new Date(stored.checkedAt) } as JobOutcome;
}

const DATE_FIELDS = ['trackedAt', 'checkedAt', 'changedAt', 'firstSeenAt', 'startedAt', 'finishedAt', 'notFoundSince', 'finalAt'] as const;

/** Undoes JSON's damage to a tracked job that crossed Redis in an event (dates as strings). */
export function reviveTrackedJob(value: unknown): TrackedJob {
  const job = value as Record<string, unknown>;
  const revived: Record<string, unknown> = { ...job };
  for (const field of DATE_FIELDS) {
    const at = job[field];
    revived[field] = at == null || at instanceof Date ? at : new Date(at as string);
  }
  if (job.outcome != null) revived.outcome = outcomeFromJson(job.outcome);
  return revived as unknown as TrackedJob;
}
