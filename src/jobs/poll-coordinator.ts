/**
 * Who polls a job. A single process polls everything it watches; in a cluster each watched job is
 * polled by one instance at a time, and the poller asks its coordinator before every poll.
 */

/**
 * The answer for one due job:
 * - `mine`: this instance polls it, as it did last time;
 * - `new`: this instance polls it from now on, but was not the cluster's poller until now (first
 *   claim, takeover from a dead instance, or the first claim after the coordinator lost track).
 *   What it publishes next may be news to subscribers elsewhere, so it publishes it regardless.
 * - `elsewhere`: another instance polls it; ask again after the base interval.
 */
export type PollClaim = 'mine' | 'new' | 'elsewhere';

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

/** The single-process coordinator: every job is this instance's. */
export const localPollCoordinator: PollCoordinator = {
  watch() {},
  unwatch() {},
  finish() {},
  claim: (keys) => Promise.resolve(new Map(keys.map((key) => [key, 'mine']))),
};
