/**
 * When to try a delivery again, when to give up, and when a webhook has failed long enough to
 * be disabled: the contract's rules as pure functions of attempts, outcomes and time.
 *
 * The first attempt is immediate; after each failure the next waits about 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h and 10 h (eight attempts over about 28 hours), then the delivery is `GAVE_UP`.
 * Each wait is jittered by ±20 %, so deliveries that failed together (a receiver's outage) do not
 * come back together.
 *
 * A webhook whose deliveries have all failed for {@link DISABLE_AFTER_FAILING_MS} (5 days) is
 * disabled, as is one whose receiver answered `410 Gone`.
 */

/** The waits after the 1st, 2nd, … failed attempt. */
export const RETRY_DELAYS_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/** The first attempt and one per retry delay. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** Each wait is multiplied by a factor in [1 − JITTER, 1 + JITTER]. */
export const JITTER = 0.2;

/** Failing this long without a single success disables a webhook. */
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 3_600_000;

/** A source of numbers in [0, 1), `Math.random` by default. */
export type Random = () => number;

/**
 * When the next attempt is due, given how many attempts have been made: `now` when none has,
 * after a jittered retry delay otherwise, and null once {@link MAX_ATTEMPTS} have been made
 * (give up).
 */
export function nextAttemptAt(
  attempts: number,
  now: number,
  random: Random = Math.random,
  delays: readonly number[] = RETRY_DELAYS_MS,
): number | null {
  if (attempts <= 0) return now;
  const delay = delays[attempts - 1];
  if (delay === undefined) return null;
  const factor = 1 + (Math.min(Math.max(random(), 0), 1) * 2 - 1) * JITTER;
  return now + Math.round(delay * factor);
}

/** The delivery statuses of the schema that an attempt can lead to. */
export type AttemptStatus = 'DELIVERED' | 'FAILED' | 'GAVE_UP';

/** A delivery after one more attempt. */
export interface AfterAttempt {
  readonly status: AttemptStatus;
  /** When to try again; null when delivered or given up. */
  readonly nextAttemptAt: number | null;
}

/**
 * Where a delivery stands after an attempt.
 * @param attempts attempts made, this one included.
 * @param outcome the attempt's result; `gone` (410) gives up at once, the webhook being disabled.
 * @param delays the retry waits; {@link RETRY_DELAYS_MS} unless configured (`WEBHOOK_RETRY_DELAYS_MS`).
 */
export function afterAttempt(
  attempts: number,
  outcome: { readonly ok: boolean; readonly gone?: boolean },
  now: number,
  random: Random = Math.random,
  delays: readonly number[] = RETRY_DELAYS_MS,
): AfterAttempt {
  if (outcome.ok) return { status: 'DELIVERED', nextAttemptAt: null };
  if (outcome.gone) return { status: 'GAVE_UP', nextAttemptAt: null };
  const next = nextAttemptAt(attempts, now, random, delays);
  return next === null ? { status: 'GAVE_UP', nextAttemptAt: null } : { status: 'FAILED', nextAttemptAt: next };
}

/**
 * Since when a webhook has been failing, after an attempt: null after a success, the first
 * failure's time kept across failures, `now` at a first failure.
 */
export function failingSinceAfter(failingSince: number | null, ok: boolean, now: number): number | null {
  if (ok) return null;
  return failingSince ?? now;
}

/**
 * Why a webhook must be disabled after an attempt, or null if it stays enabled: the receiver
 * answered 410 Gone, or it has been failing for {@link DISABLE_AFTER_FAILING_MS}.
 */
export function disabledReason({
  failingSince,
  gone = false,
  now,
}: {
  readonly failingSince: number | null;
  readonly gone?: boolean;
  readonly now: number;
}): string | null {
  if (gone) return 'the receiver answered 410 Gone';
  if (failingSince !== null && now - failingSince >= DISABLE_AFTER_FAILING_MS) {
    return 'every delivery failed for 5 days';
  }
  return null;
}
