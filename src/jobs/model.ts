/**
 * The domain's vocabulary: what a job is, how it is named, and what we know of it.
 * Everything above the provider modules speaks only these types; wire shapes stop at `providers/`.
 */

/**
 * The providers and kinds of the contract. The runtime lists, the kind → provider map, labels and
 * status-word tables are the provider modules' (`providers/catalog.ts`); the domain only names them.
 */
export type Provider = 'IMAGEKIT' | 'SAYMON' | 'ZENDESK';
export type JobKind = 'IMAGEKIT_BULK_JOB' | 'IMAGEKIT_PURGE_REQUEST' | 'SAYMON_BULK_OP' | 'ZENDESK_JOB_STATUS';

export const JOB_STATES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'UNKNOWN'] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * The longest wait a provider may impose (`Retry-After`, `X-RateLimit-Reset`): one hour. A longer
 * one is taken as this: an account paused for years (or until a restart, or in Redis beyond it)
 * helps nobody, and waits past 2^31-1 ms fit neither a timer nor a GraphQL `Int`.
 */
export const MAX_PROVIDER_WAIT_MS = 60 * 60 * 1000;

export const DEFAULT_ACCOUNT = 'default';

/** A job as the provider names it: kind, the provider's own id, and the configured account. */
export interface JobRef {
  readonly kind: JobKind;
  readonly nativeId: string;
  readonly account: string;
}

/**
 * One string per job, used as cache key, pub/sub topic and poll-registry key.
 * The native id comes last so that it may contain any character.
 */
export function refKey(ref: JobRef): string {
  return `${ref.kind}:${ref.account}:${ref.nativeId}`;
}

/** Names one provider account; rate-limit pauses and concurrency limits are per account. */
export function accountKey(provider: Provider, account: string): string {
  return `${provider}:${account}`;
}

export interface JobProgress {
  readonly completed: number;
  readonly total: number;
  /** 0..100, rounded to two decimals. */
  readonly percent: number;
}

/** Builds a progress value, or null when the provider gave nothing usable. */
export function progressOf(completed: number | null | undefined, total: number | null | undefined): JobProgress | null {
  if (completed == null || total == null || !Number.isFinite(completed) || !Number.isFinite(total) || total <= 0) {
    return null;
  }
  const percent = Math.round(Math.min(100, Math.max(0, (completed / total) * 100)) * 100) / 100;
  return { completed, total, percent };
}

/** One per-item result of a Zendesk job, normalized (ids kept as strings: they may exceed 2^53). */
export interface ZendeskJobResult {
  readonly id: string | null;
  readonly index: number | null;
  readonly action: string | null;
  readonly success: boolean | null;
  readonly status: string | null;
  readonly error: string | null;
  readonly details: string | null;
  readonly title: string | null;
  readonly externalId: string | null;
}

export type ImageKitBulkJobType = 'COPY_FOLDER' | 'MOVE_FOLDER' | 'RENAME_FOLDER' | 'UNKNOWN';

/** What only one kind of job carries, discriminated by `kind`. */
export type JobDetails =
  | { readonly kind: 'IMAGEKIT_BULK_JOB'; readonly type: ImageKitBulkJobType; readonly purgeRequestId: string | null }
  | { readonly kind: 'IMAGEKIT_PURGE_REQUEST' }
  | { readonly kind: 'SAYMON_BULK_OP'; readonly finished: boolean }
  | {
      readonly kind: 'ZENDESK_JOB_STATUS';
      readonly url: string | null;
      readonly total: number | null;
      readonly jobType: string | null;
      /** At most the first `MAX_RESULTS_KEPT` (1000) of the provider's results. */
      readonly results: readonly ZendeskJobResult[] | null;
      /** How many results the provider answered (null with no list; absent: as many as `results`); more than `results` holds when some were dropped. */
      readonly resultsTotal?: number | null;
    };

/** What the provider said of one job at one moment, normalized. */
export interface JobSnapshot {
  readonly ref: JobRef;
  readonly state: JobState;
  /** The provider's own word, e.g. "Pending", "working", "true" for SAYMON finished. */
  readonly rawStatus: string;
  /** Terminal: the state will not change again. */
  readonly done: boolean;
  readonly progress: JobProgress | null;
  readonly message: string | null;
  /** When the provider was asked. */
  readonly checkedAt: Date;
  readonly details: JobDetails;
}

/**
 * Why a job has no snapshot. `NOT_FOUND` is the job's own fault; every other code is the
 * provider's or the configuration's and maps to the schema's `ProviderError`.
 */
export const JOB_ERROR_CODES = [
  'NOT_FOUND',
  'NOT_CONFIGURED',
  'UNAUTHORIZED',
  'RATE_LIMITED',
  'TIMEOUT',
  'UNAVAILABLE',
  'BAD_RESPONSE',
] as const;
export type JobErrorCode = (typeof JOB_ERROR_CODES)[number];
export type ProviderErrorCode = Exclude<JobErrorCode, 'NOT_FOUND'>;

/** A failure for one job (or for every job of one account), carried as a value, never thrown past the store. */
export interface JobFailure {
  readonly failure: JobErrorCode;
  readonly ref: JobRef;
  /** Safe to show to users: never contains a secret or a raw upstream body. */
  readonly message: string;
  /** How long the provider asked us to wait, when it said so. */
  readonly retryAfterMs: number | null;
  readonly checkedAt: Date;
  /**
   * Only on `NOT_FOUND`: the job was never seen and its grace (`NOT_FOUND_GRACE_MS`) has not
   * passed, so watchers keep watching. Set by `NotFoundGrace` on what the poller publishes and
   * the feed reports; the store's answers never carry it.
   */
  readonly provisional?: boolean;
}

/** What the store answers for one ref. */
export type JobOutcome = JobSnapshot | JobFailure;

export function isFailure(outcome: JobOutcome): outcome is JobFailure {
  return 'failure' in outcome;
}

/** A terminal outcome ends a subscription's interest in the job; a provisional not found does not. */
export function isFinal(outcome: JobOutcome): boolean {
  return isFailure(outcome) ? outcome.failure === 'NOT_FOUND' && outcome.provisional !== true : outcome.done;
}

/**
 * What a watcher would notice of an outcome: state, progress, message, or which failure.
 * Two outcomes with the same signature are the same news, whenever they were checked.
 */
export function outcomeSignature(outcome: JobOutcome): string {
  if (isFailure(outcome)) return `failure:${outcome.failure}${outcome.provisional ? ':provisional' : ''}`;
  const progress = outcome.progress ? `${outcome.progress.completed}/${outcome.progress.total}` : '-';
  return `${outcome.state}|${outcome.done}|${progress}|${outcome.message ?? ''}`;
}
