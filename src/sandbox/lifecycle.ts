/**
 * How a simulated job moves, as pure functions of its id, the moment the sandbox first saw it and
 * the clock's `now`. Nothing here keeps state: the same id first seen at the same moment has the same
 * whole life, so tests and demos are repeatable and two sandboxes agree.
 *
 * Every per-job choice (durations, type, size, failure) comes from a SHA-256 of the kind and id, so
 * ids look random to the simulation yet behave the same on every run. Durations are multiplied by
 * `timeScale` (1: roughly 10–40 s per job; tests pass small values, 0 makes every job done at once).
 */
import { createHash } from 'node:crypto';
import type { JobKind } from '../jobs/model.js';

/** When a job was first seen, the moment asked about, and the duration multiplier. */
export interface LifecycleInput {
  readonly id: string;
  /** Milliseconds since the epoch, from the sandbox's clock. */
  readonly firstSeen: number;
  readonly now: number;
  readonly timeScale: number;
}

/**
 * Ids containing "missing" or "notfound" (any case) do not exist at their provider. This is the only
 * not-found rule, so demos can ask for a missing job by name and every other id is predictable.
 */
export function isMissingId(id: string): boolean {
  const lower = id.toLowerCase();
  return lower.includes('missing') || lower.includes('notfound');
}

/** Ids containing "fail" (any case) always take their provider's unhappy ending, where it has one. */
export function isFailingId(id: string): boolean {
  return id.toLowerCase().includes('fail');
}

/** Eight numbers in [0, 1) drawn from the hash of kind and id; each decision uses its own slot. */
export function unitsOf(kind: JobKind, id: string): readonly number[] {
  const digest = createHash('sha256').update(`${kind}\u0000${id}`).digest();
  return Array.from({ length: 8 }, (_, slot) => digest.readUInt32BE(slot * 4) / 2 ** 32);
}

function slot(units: readonly number[], index: number): number {
  return units[index] ?? 0;
}

/** A duration between `minMs` and `maxMs` picked by one hash slot, scaled. */
function span(unit: number, minMs: number, maxMs: number, timeScale: number): number {
  return (minMs + unit * (maxMs - minMs)) * timeScale;
}

// ---------------------------------------------------------------------------------------------
// ImageKit bulk jobs: Pending → Completed, or 207 "Partial success" for renames whose purge failed.

export type ImageKitBulkType = 'COPY_FOLDER' | 'MOVE_FOLDER' | 'RENAME_FOLDER';

/** What the creating request fixed; absent for ids the sandbox only ever saw asked about. */
export interface ImageKitBulkSpec {
  readonly type: ImageKitBulkType;
  /** `purgeCache: true` on a rename. */
  readonly purge: boolean;
}

export interface ImageKitBulkPlan {
  readonly type: ImageKitBulkType;
  /** The rename also purges the CDN cache; the job then names its purge request. */
  readonly purge: boolean;
  /** Ends in "Partial success" (only renames that purge: it is the purge that fails). */
  readonly partial: boolean;
  readonly pendingMs: number;
}

const BULK_TYPES: readonly ImageKitBulkType[] = ['COPY_FOLDER', 'MOVE_FOLDER', 'RENAME_FOLDER'];

/**
 * The life of one bulk job. Unknown ids get a type by hash (a third each); "fail" ids are renames
 * that purge and end in partial success; half of the other renames purge, and a quarter of those
 * end in partial success.
 */
export function imagekitBulkPlan(id: string, spec: ImageKitBulkSpec | undefined, timeScale: number): ImageKitBulkPlan {
  const units = unitsOf('IMAGEKIT_BULK_JOB', id);
  const failing = isFailingId(id);
  const type = spec?.type ?? (failing ? 'RENAME_FOLDER' : (BULK_TYPES[Math.floor(slot(units, 0) * 3)] ?? 'COPY_FOLDER'));
  const purge = type === 'RENAME_FOLDER' && (spec ? spec.purge : failing || slot(units, 1) < 0.5);
  const partial = purge && (failing || slot(units, 2) < 0.25);
  return { type, purge, partial, pendingMs: span(slot(units, 3), 8_000, 35_000, timeScale) };
}

export type ImageKitBulkStatus = 'Pending' | 'Completed' | 'Partial success';

export function imagekitBulkStatusAt(plan: ImageKitBulkPlan, input: LifecycleInput): ImageKitBulkStatus {
  if (input.now - input.firstSeen < plan.pendingMs) return 'Pending';
  return plan.partial ? 'Partial success' : 'Completed';
}

/**
 * The purge request a purging rename names. Derived from the job id so that asking for the same
 * job twice (or after a restart) names the same purge request.
 */
export function purgeRequestIdOf(jobId: string): string {
  return createHash('sha256').update(`purge-of\u0000${jobId}`).digest('hex').slice(0, 24);
}

// ---------------------------------------------------------------------------------------------
// ImageKit purge requests: Pending → Completed.

export function purgeStatusAt(input: LifecycleInput): 'Pending' | 'Completed' {
  const pendingMs = span(slot(unitsOf('IMAGEKIT_PURGE_REQUEST', input.id), 0), 5_000, 25_000, input.timeScale);
  return input.now - input.firstSeen < pendingMs ? 'Pending' : 'Completed';
}

// ---------------------------------------------------------------------------------------------
// SAYMON bulk operations: finished false → true (the API says nothing else).

export function saymonFinishedAt(input: LifecycleInput): boolean {
  const runMs = span(slot(unitsOf('SAYMON_BULK_OP', input.id), 0), 8_000, 35_000, input.timeScale);
  return input.now - input.firstSeen >= runMs;
}

// ---------------------------------------------------------------------------------------------
// Zendesk job statuses: queued → working (progress rising) → completed, or failed part-way.

export type ZendeskAction = 'create' | 'update' | 'delete';

/** The records a bulk job works on: organizations, tickets or users. */
export type ZendeskResource = 'organization' | 'ticket' | 'user';

/** Item ids as Zendesk prints them: numbers, or strings for ids beyond 2^53 a caller sent us. */
export type ZendeskItemId = number | string;

/** What the creating request fixed; absent for ids the sandbox only ever saw asked about. */
export interface ZendeskJobSpec {
  readonly action: ZendeskAction;
  /** The records the job works on; generated for creations. */
  readonly itemIds: readonly ZendeskItemId[];
  /** What kind of record; organizations when absent (ids only ever asked about). */
  readonly resource?: ZendeskResource;
}

export interface ZendeskJobPlan {
  readonly action: ZendeskAction;
  readonly total: number;
  readonly itemIds: readonly ZendeskItemId[];
  readonly queuedMs: number;
  readonly workingMs: number;
  /** Fraction of the working time after which the job fails; null when it completes. */
  readonly failAfter: number | null;
}

const ZENDESK_ACTIONS: readonly ZendeskAction[] = ['create', 'update', 'delete'];

/**
 * The life of one Zendesk job: queued 2–6 s, working 10–34 s, then completed. About one job in
 * eight (by hash), and every id containing "fail", fails instead, somewhere between 30 % and 80 %
 * of its working time. Unknown ids work on 2–50 organizations with an action picked by hash.
 */
export function zendeskJobPlan(id: string, spec: ZendeskJobSpec | undefined, timeScale: number): ZendeskJobPlan {
  const units = unitsOf('ZENDESK_JOB_STATUS', id);
  const action = spec?.action ?? ZENDESK_ACTIONS[Math.floor(slot(units, 0) * 3)] ?? 'update';
  const itemIds = spec?.itemIds.length ? spec.itemIds : organizationIds(id, 2 + Math.floor(slot(units, 1) * 49));
  const fails = isFailingId(id) || slot(units, 2) < 1 / 8;
  return {
    action,
    total: itemIds.length,
    itemIds,
    queuedMs: span(slot(units, 3), 2_000, 6_000, timeScale),
    workingMs: span(slot(units, 4), 10_000, 34_000, timeScale),
    failAfter: fails ? 0.3 + slot(units, 5) * 0.5 : null,
  };
}

/**
 * Plausible organization ids (14 digits, like the recorded ones), distinct and stable per job id.
 * Also used for the records a `create_many` job creates.
 */
export function organizationIds(seed: string, count: number): ZendeskItemId[] {
  const base = 19_850_000_000_000 + Math.floor(slot(unitsOf('ZENDESK_JOB_STATUS', `items\u0000${seed}`), 0) * 2 ** 20) * 1024;
  return Array.from({ length: count }, (_, index) => base + index * 128);
}

export type ZendeskPhase =
  | { readonly status: 'queued' }
  /** `progress` counts items done: at least 1, below `total` while more remain. */
  | { readonly status: 'working'; readonly progress: number }
  | { readonly status: 'completed'; readonly progress: number; readonly endedAt: number }
  /** `failedIndex` is the item that failed; the items before it (`progress` of them) succeeded. */
  | { readonly status: 'failed'; readonly progress: number; readonly failedIndex: number; readonly endedAt: number };

export function zendeskPhaseAt(plan: ZendeskJobPlan, input: LifecycleInput): ZendeskPhase {
  const elapsed = input.now - input.firstSeen;
  if (elapsed < plan.queuedMs) return { status: 'queued' };
  const worked = elapsed - plan.queuedMs;
  if (plan.failAfter !== null && worked >= plan.failAfter * plan.workingMs) {
    // The item that fails is the one after those done; it is never counted as done.
    const failedIndex = Math.min(progressAfter(plan, plan.failAfter), plan.total - 1);
    return {
      status: 'failed',
      progress: failedIndex,
      failedIndex,
      endedAt: input.firstSeen + plan.queuedMs + plan.failAfter * plan.workingMs,
    };
  }
  if (worked >= plan.workingMs) {
    return { status: 'completed', progress: plan.total, endedAt: input.firstSeen + plan.queuedMs + plan.workingMs };
  }
  return { status: 'working', progress: progressAfter(plan, plan.workingMs > 0 ? worked / plan.workingMs : 1) };
}

/** Items done after a fraction of the working time: from 1 up to `total - 1` (the last one completes the job). */
function progressAfter(plan: ZendeskJobPlan, fraction: number): number {
  const upTo = Math.max(0, plan.total - 2);
  return 1 + Math.min(upTo, Math.floor(fraction * (plan.total - 1)));
}
