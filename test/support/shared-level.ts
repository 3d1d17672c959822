/**
 * In-memory stand-ins for what cluster mode shares through Redis, for unit tests of the domain:
 * several stores (one per pretend instance) sharing one `MemorySharedLevel`, and a coordinator
 * whose answers a test scripts.
 */
import type { PollClaim, PollCoordinator } from '../../src/jobs/ports.js';
import type { SharedPauses, SharedStatus, SharedStatuses } from '../../src/jobs/ports.js';

export interface MemorySharedLevel {
  readonly statuses: SharedStatuses;
  readonly pauses: SharedPauses;
  /** Every status written: key, status and TTL, in order. */
  readonly writes: { key: string; status: SharedStatus; ttlMs: number }[];
  /** What is kept, by ref key (expiry is the store's business here). */
  readonly kept: Map<string, SharedStatus>;
  readonly paused: Map<string, number>;
  /** While true, every read rejects (a shared level breaking its promise). */
  failing: boolean;
}

export function memorySharedLevel(): MemorySharedLevel {
  const kept = new Map<string, SharedStatus>();
  const paused = new Map<string, number>();
  const writes: MemorySharedLevel['writes'] = [];
  const level: MemorySharedLevel = {
    kept,
    paused,
    writes,
    failing: false,
    statuses: {
      read: async (keys) => {
        if (level.failing) throw new Error('shared level down');
        return new Map(keys.flatMap((key) => (kept.has(key) ? [[key, kept.get(key)!] as const] : [])));
      },
      write: (key, status, ttlMs) => {
        writes.push({ key, status, ttlMs });
        kept.set(key, status);
      },
    },
    pauses: {
      read: async (keys) => {
        if (level.failing) throw new Error('shared level down');
        return new Map(keys.flatMap((key) => (paused.has(key) ? [[key, paused.get(key)!] as const] : [])));
      },
      write: (key, untilMs) => {
        paused.set(key, untilMs);
      },
    },
  };
  return level;
}

export interface ScriptedCoordinator extends PollCoordinator {
  /** Each claim: when (Date.now()) and the keys asked. */
  readonly claims: { at: number; keys: string[] }[];
  readonly events: string[];
  /** What the next claims answer for a key (default `mine`). */
  answer(key: string, claim: PollClaim): void;
}

export function scriptedCoordinator(): ScriptedCoordinator {
  const answers = new Map<string, PollClaim>();
  const claims: ScriptedCoordinator['claims'] = [];
  const events: string[] = [];
  return {
    claims,
    events,
    answer: (key, claim) => answers.set(key, claim),
    watch: (key) => events.push(`watch ${key}`),
    unwatch: (key) => events.push(`unwatch ${key}`),
    finish: (key) => events.push(`finish ${key}`),
    claim: async (keys) => {
      claims.push({ at: Date.now(), keys: [...keys] });
      return new Map(keys.map((key) => [key, answers.get(key) ?? 'mine']));
    },
  };
}
