import { describe, expect, it } from 'vitest';
import {
  DISABLE_AFTER_FAILING_MS,
  MAX_ATTEMPTS,
  afterAttempt,
  disabledReason,
  failingSinceAfter,
  nextAttemptAt,
} from '../../src/webhooks/schedule.js';

const now = 1_700_000_000_000;
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const middle = () => 0.5;

describe('nextAttemptAt', () => {
  it('is immediate for the first attempt, then about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then gives up', () => {
    const waits = Array.from({ length: MAX_ATTEMPTS + 1 }, (_, attempts) => {
      const at = nextAttemptAt(attempts, now, middle);
      return at === null ? null : at - now;
    });
    expect(waits).toEqual([0, 5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, 10 * H, null]);
    expect(MAX_ATTEMPTS).toBe(8);
    expect(nextAttemptAt(20, now, middle)).toBeNull();
  });

  it('jitters each wait by at most ±20 %', () => {
    expect(nextAttemptAt(1, now, () => 0)).toBe(now + 4 * S);
    expect(nextAttemptAt(1, now, () => 0.999_999_9)).toBe(now + 6 * S);
    expect(nextAttemptAt(4, now, () => 0.25)).toBe(now + 1.8 * H);
    expect(nextAttemptAt(7, now, () => 0.75)).toBe(now + 11 * H);
  });
});

describe('afterAttempt', () => {
  it('delivered on success, failed with a next attempt, given up after the last or on 410', () => {
    expect(afterAttempt(1, { ok: true }, now, middle)).toEqual({ status: 'DELIVERED', nextAttemptAt: null });
    expect(afterAttempt(1, { ok: false }, now, middle)).toEqual({ status: 'FAILED', nextAttemptAt: now + 5 * S });
    expect(afterAttempt(7, { ok: false }, now, middle)).toEqual({ status: 'FAILED', nextAttemptAt: now + 10 * H });
    expect(afterAttempt(8, { ok: false }, now, middle)).toEqual({ status: 'GAVE_UP', nextAttemptAt: null });
    expect(afterAttempt(1, { ok: false, gone: true }, now, middle)).toEqual({ status: 'GAVE_UP', nextAttemptAt: null });
  });
});

describe('disabling a failing webhook', () => {
  it('remembers since when it fails, forgets on success', () => {
    expect(failingSinceAfter(null, false, now)).toBe(now);
    expect(failingSinceAfter(now, false, now + H)).toBe(now);
    expect(failingSinceAfter(now, true, now + H)).toBeNull();
  });

  it('disables after 5 days of failures, or at once on 410 Gone', () => {
    expect(disabledReason({ failingSince: null, now })).toBeNull();
    expect(disabledReason({ failingSince: now, now: now + DISABLE_AFTER_FAILING_MS - 1 })).toBeNull();
    expect(disabledReason({ failingSince: now, now: now + DISABLE_AFTER_FAILING_MS })).toBe('every delivery failed for 5 days');
    expect(DISABLE_AFTER_FAILING_MS).toBe(5 * 24 * H);
    expect(disabledReason({ failingSince: null, gone: true, now })).toBe('the receiver answered 410 Gone');
  });
});
