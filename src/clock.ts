/**
 * The one clock. Everything that reads time takes a `Clock` so tests can drive it;
 * timers stay on Node's own functions, which vitest's fake timers replace.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
