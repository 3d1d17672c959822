/**
 * The list of tracked jobs the board shows, as a pure reducer: pages from `trackedJobs`, live
 * events from `trackedJobUpdates`, and local removals after `untrackJobs`.
 *
 * Rows are keyed by kind, account and native id, not by global id, because a tracked job whose
 * last status is an error (`JobNotFoundError`, `ProviderError`) carries no id. Events that arrive
 * before the first page are held and applied after it, so nothing seen while loading is lost; an
 * event never replaces a job status that was checked later than its own (a page may be fresher
 * than an event delivered just before it).
 */
import { PROVIDER_OF_KIND, TYPENAME_OF_KIND } from './enums.js';
import type { JobResultFieldsFragment, JobState, TrackedJobEventType } from './gql/graphql.js';

export type JobResult = JobResultFieldsFragment;
/** A result that is a job (not an error about one). */
export type TrackedJob = Extract<JobResult, { id: string }>;

export interface TrackedJobEvent {
  readonly type: TrackedJobEventType;
  readonly job: JobResult;
}

export interface JobsPage {
  readonly results: readonly JobResult[];
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
  readonly totalCount: number;
}

export interface JobsState {
  /** Newest tracked first. */
  readonly rows: readonly JobResult[];
  /** The first page has arrived for the current filters. */
  readonly loaded: boolean;
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
  readonly totalCount: number;
  /** Events received before the first page, applied when it comes. */
  readonly held: readonly TrackedJobEvent[];
  /** Only jobs in this state are listed (the live subscription is not filtered by state). */
  readonly state: JobState | null;
}

export type JobsAction =
  /** New filters (`keepRows: false`) or a reload after reconnecting (rows stay until the page). */
  | { readonly type: 'reset'; readonly state: JobState | null; readonly keepRows: boolean }
  | { readonly type: 'page'; readonly page: JobsPage; readonly append: boolean }
  | { readonly type: 'event'; readonly event: TrackedJobEvent }
  | { readonly type: 'removed'; readonly ids: readonly string[] };

export function initialJobsState(state: JobState | null = null): JobsState {
  return { rows: [], loaded: false, hasNextPage: false, endCursor: null, totalCount: 0, held: [], state };
}

export function isJob(result: JobResult): result is TrackedJob {
  return 'id' in result;
}

/** One row per job, whatever its last result. */
export function rowKeyOf(result: JobResult): string {
  return `${result.kind}:${result.account}:${result.nativeId}`;
}

/**
 * The job's global id. Error results carry none; theirs is built the server's way
 * (base64 of `<type>:<account>:<native id>`) so that such a row can still be untracked.
 */
export function globalIdOf(result: JobResult): string {
  if (isJob(result)) return result.id;
  const text = `${TYPENAME_OF_KIND[result.kind]}:${result.account}:${result.nativeId}`;
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function providerOf(result: JobResult): TrackedJob['provider'] {
  return 'provider' in result ? result.provider : PROVIDER_OF_KIND[result.kind];
}

/** The jobs list after `action`. */
export function jobsReducer(current: JobsState, action: JobsAction): JobsState {
  switch (action.type) {
    case 'reset':
      return action.keepRows ? { ...current, loaded: false, held: [], state: action.state } : initialJobsState(action.state);
    case 'page':
      return withPage(current, action.page, action.append);
    case 'event':
      if (!current.loaded) return { ...current, held: [...current.held, action.event] };
      return applyEvent(current, action.event);
    case 'removed': {
      const ids = new Set(action.ids);
      return removeWhere(current, (row) => ids.has(globalIdOf(row)));
    }
  }
}

function withPage(current: JobsState, page: JobsPage, append: boolean): JobsState {
  const base = append ? current.rows : [];
  const known = new Set(base.map(rowKeyOf));
  const rows = [...base, ...page.results.filter((result) => !known.has(rowKeyOf(result)))];
  let next: JobsState = {
    ...current,
    rows,
    loaded: true,
    hasNextPage: page.hasNextPage,
    endCursor: page.endCursor,
    totalCount: page.totalCount,
    held: [],
  };
  if (!append) for (const event of current.held) next = applyEvent(next, event);
  return next;
}

/** TRACKED adds (or refreshes) a row, CHANGED updates it in place, UNTRACKED removes it. */
function applyEvent(current: JobsState, event: TrackedJobEvent): JobsState {
  const key = rowKeyOf(event.job);
  if (event.type === 'UNTRACKED' || !inState(event.job, current.state)) {
    return removeWhere(current, (row) => rowKeyOf(row) === key);
  }
  const index = current.rows.findIndex((row) => rowKeyOf(row) === key);
  if (index < 0) {
    return { ...current, rows: insertNewestFirst(current.rows, event.job), totalCount: current.totalCount + 1 };
  }
  const existing = current.rows[index]!;
  if (checkedLater(existing, event.job)) return current;
  const rows = current.rows.slice();
  rows[index] = event.job;
  return { ...current, rows };
}

function inState(result: JobResult, state: JobState | null): boolean {
  return state === null || (isJob(result) && result.state === state);
}

/** True when `existing` reports a status checked after `incoming`'s. */
function checkedLater(existing: JobResult, incoming: JobResult): boolean {
  if (!isJob(existing) || !isJob(incoming)) return false;
  return Date.parse(existing.checkedAt) > Date.parse(incoming.checkedAt);
}

function trackedAtOf(result: JobResult): number {
  return isJob(result) && result.tracking ? Date.parse(result.tracking.trackedAt) : Number.POSITIVE_INFINITY;
}

/** Inserts before the first row tracked earlier; a row without a tracking time goes first. */
function insertNewestFirst(rows: readonly JobResult[], result: JobResult): JobResult[] {
  const at = trackedAtOf(result);
  const index = rows.findIndex((row) => trackedAtOf(row) < at);
  const next = rows.slice();
  next.splice(index < 0 ? next.length : index, 0, result);
  return next;
}

function removeWhere(current: JobsState, drop: (row: JobResult) => boolean): JobsState {
  const rows = current.rows.filter((row) => !drop(row));
  if (rows.length === current.rows.length) return current;
  return { ...current, rows, totalCount: Math.max(0, current.totalCount - (current.rows.length - rows.length)) };
}
