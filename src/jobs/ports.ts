/**
 * What the domain needs from outside, declared here where it is used: the provider clients
 * (`providers/` implements them), the facts about kinds it needs for messages and account keys
 * (`providers/catalog.ts`), who polls which job (`cluster/` in cluster mode), and the shared
 * status level and rate-limit pauses (`cluster/`'s Redis map). `app.ts` plugs the implementations in.
 *
 * The shared level is best effort by contract: reads that cannot be answered are misses, writes
 * that fail are dropped. A query must never fail because the shared level is away; it goes to the
 * provider instead.
 */
import type { JobKind, JobOutcome, JobRef, Provider } from './model.js';

/** One client per configured provider account, answering statuses for batches of native ids. */
export interface ProviderClient {
  readonly provider: Provider;
  readonly account: string;
  readonly kinds: readonly JobKind[];
  readonly sandbox: boolean;
  /**
   * How many ids one upstream call answers (Zendesk `show_many`: 100; one-id APIs: 1). The store
   * hands the client batches of at most this size, so each call's answers are delivered as soon as
   * that call returns instead of waiting for the slowest call of a large ask.
   */
  readonly batchSize: number;
  /**
   * Asks the provider for the status of every id (all of one kind this client serves).
   * Never rejects: every id in the input has an entry in the answer, a snapshot or a failure.
   * Duplicates in the input are asked once.
   */
  fetchStatuses(kind: JobKind, nativeIds: readonly string[]): Promise<Map<string, JobOutcome>>;
  /** The rate limit the provider advertised on its latest answer; absent or null: none seen. */
  rateLimit?(): AdvertisedLimit | null;
  /** The account's configured ceiling (`maxRequestsPerMinute`); absent or null: none. */
  readonly maxRequestsPerMinute?: number | null;
}

/**
 * What a provider advertised about its rate limit on one answer (ImageKit `X-RateLimit-*`,
 * Zendesk `X-Rate-Limit*` and `ratelimit-*`), for the pacer (`pacer.ts`).
 */
export interface AdvertisedLimit {
  /** Calls allowed per window. */
  readonly limit: number;
  readonly windowMs: number;
  /** Calls left in the current window, when the provider says. */
  readonly remaining: number | null;
  /** When the current window ends (epoch ms), when the provider says. */
  readonly resetAt: number | null;
  /** When the answer carrying it arrived (epoch ms). */
  readonly at: number;
}

/** What the store must know of kinds and providers; `providers/catalog.ts` answers it. */
export interface KindCatalog {
  /** Which provider serves the kind. */
  providerOf(kind: JobKind): Provider;
  /** How messages name the provider: `ImageKit`, `SAYMON`, `Zendesk`. */
  labelOf(provider: Provider): string;
}

/**
 * The answer for one due job:
 * - `mine`: this instance polls it, as it did last time;
 * - `new`: this instance polls it from now on, but was not the cluster's poller until now (first
 *   claim, takeover from a dead instance, or the first claim after the coordinator lost track).
 *   What it publishes next may be news to subscribers elsewhere, so it publishes it regardless.
 * - `elsewhere`: another instance polls it; ask again after the base interval.
 */
export type PollClaim = 'mine' | 'new' | 'elsewhere';

/**
 * Who polls a job. A single process polls everything it watches (`localPollCoordinator`); in a
 * cluster each watched job is polled by one instance at a time, and the poller asks before every poll.
 */
export interface PollCoordinator {
  /** The job became watched on this instance. */
  watch(key: string): void;
  /** Nobody here watches the job any more: stop claiming it, let another instance have it. */
  unwatch(key: string): void;
  /** The job is final: it will never be polled again by anyone, so stop holding it. */
  finish(key: string): void;
  /**
   * Decides, for each due job (by ref key), whether this instance polls it now. Never rejects:
   * a coordinator that cannot reach its peers answers `mine`, since polling twice is better than
   * not at all.
   */
  claim(keys: readonly string[]): Promise<ReadonlyMap<string, PollClaim>>;
}

/** One remembered answer and the moment (store clock, epoch ms) it stops being fresh. */
export interface SharedStatus {
  readonly outcome: JobOutcome;
  readonly expiresAt: number;
}

export interface SharedStatuses {
  /** The fresh answers known for these ref keys; missing keys are unknown (or unreachable). Never rejects. */
  read(keys: readonly string[]): Promise<ReadonlyMap<string, SharedStatus>>;
  /** Remembers an answer for `ttlMs`. Fire and forget. */
  write(key: string, status: SharedStatus, ttlMs: number): void;
}

export interface SharedPauses {
  /** Epoch ms until which each account (by account key) must be left alone; absent: not paused. Never rejects. */
  read(accountKeys: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /** Tells every instance to leave an account alone until `untilMs` (`waitMs` from now). Fire and forget. */
  write(accountKey: string, untilMs: number, waitMs: number): void;
}

/**
 * Told of every poll answer, on the instance that polled (the lease holder), so that a recorder
 * (the registry's tracker) writes each observed change once cluster-wide. `outcome` is the
 * provider's answer as it came (a not found is not yet judged against the grace); `previous` is
 * what this poller last saw of the job (undefined before its first answer here). Must not throw
 * and is not awaited: a slow recorder never delays polling.
 */
export interface PollObserver {
  observed(ref: JobRef, outcome: JobOutcome, previous: JobOutcome | undefined): void;
}
