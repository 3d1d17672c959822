/**
 * What the status store may share with other instances (Redis in cluster mode): a second cache
 * level and the per-account rate-limit pauses. Both are best effort by contract: reads that
 * cannot be answered are misses, writes that fail are dropped. A query must never fail because
 * the shared level is away; it goes to the provider instead.
 */
import type { JobOutcome } from './model.js';

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
