/**
 * The single-process `PollCoordinator` (the port is declared in `ports.ts`): every job this
 * instance watches is its own to poll.
 */
import type { PollCoordinator } from './ports.js';

/** The single-process coordinator: every job is this instance's. */
export const localPollCoordinator: PollCoordinator = {
  watch() {},
  unwatch() {},
  finish() {},
  claim: (keys) => Promise.resolve(new Map(keys.map((key) => [key, 'mine']))),
};
