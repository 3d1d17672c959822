import type { Clock } from '../../src/clock.js';

/** A clock that moves only when told to: lifecycles and TTLs without sleeping. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(ms: number): void;
}

export function manualClock(start = Date.UTC(2024, 0, 15, 12, 0, 0)): ManualClock {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
    set(ms) {
      now = ms;
    },
  };
}
