/**
 * Upstream economy (issue 14): batch calls stay batched when watchers arrive at different times,
 * and each account's calls are paced to what the provider advertises, shedding what cannot wait.
 * Counts, never timings: the poller runs under fake timers; the pacing tests go through real HTTP
 * against a loopback fake provider that enforces a hard limit and counts its 429s.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { providerCatalog } from '../src/providers/catalog.js';
import { createJobPubSub } from '../src/jobs/events.js';
import type { JobRef } from '../src/jobs/model.js';
import { Poller } from '../src/jobs/poller.js';
import { StatusStore } from '../src/jobs/status-store.js';
import { scriptedZendesk, zendeskSnapshot } from './support/scripted-client.js';

const clock = { now: () => Date.now() };
const zendeskRef = (nativeId: string): JobRef => ({ kind: 'ZENDESK_JOB_STATUS', account: 'default', nativeId });

/** A small deterministic PRNG (mulberry32), so jitter is realistic and the counts repeatable. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('batch alignment', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** 60 Zendesk jobs, each watched by its own client, one every 67 ms; answers the show_many calls made. */
  async function staggered(intervalMs: number, maxIntervalMs: number) {
    const client = scriptedZendesk();
    const store = new StatusStore({ catalog: providerCatalog, clients: [client], clock, cache: { ttlMs: 100, doneTtlMs: 60_000, maxEntries: 1000 } });
    const poller = new Poller({ store, pubsub: createJobPubSub(), clock, intervalMs, maxIntervalMs, random: seeded(14) });
    const start = Date.now();
    for (let i = 0; i < 60; i++) {
      poller.watch(zendeskRef(`job-${i}`));
      await vi.advanceTimersByTimeAsync(67);
    }
    const callsBetween = (fromMs: number, toMs: number) => client.calls.filter((call) => call.at - start >= fromMs && call.at - start < toMs);
    return { client, poller, start, callsBetween };
  }

  it('at a fixed interval, sends within 1.15x the minimum number of show_many calls', async () => {
    const { callsBetween, poller } = await staggered(2000, 2000);
    await vi.advanceTimersByTimeAsync(70_000);
    // A minute once everyone watches: 60 jobs fit one call, so the minimum is one call per 2 s.
    const calls = callsBetween(10_000, 70_000);
    expect(calls.length).toBeLessThanOrEqual(Math.floor(1.15 * 30));
    // Every job is still polled at least once per interval (give or take the jitter).
    for (let i = 0; i < 60; i++) {
      const polls = calls.filter((call) => call.ids.includes(`job-${i}`)).length;
      expect(polls).toBeGreaterThanOrEqual(Math.floor(60_000 / 2200));
    }
    poller.stop();
  });

  it('with the default growth (2 s to 30 s), converges onto shared calls: at most 6 a minute', async () => {
    const { callsBetween, poller } = await staggered(2000, 30_000);
    await vi.advanceTimersByTimeAsync(180_000);
    expect(callsBetween(60_000, 120_000).length).toBeLessThanOrEqual(6);
    expect(callsBetween(120_000, 180_000).length).toBeLessThanOrEqual(6);
    // The first minute, while intervals grow, costs about what one job alone would.
    expect(callsBetween(0, 60_000).length).toBeLessThanOrEqual(12);
    poller.stop();
  });

  it('never pulls single-id calls forward', async () => {
    const calls: string[] = [];
    const imagekit = {
      provider: 'IMAGEKIT' as const,
      account: 'default',
      kinds: ['IMAGEKIT_BULK_JOB' as const],
      sandbox: false,
      batchSize: 1,
      async fetchStatuses(kind: 'IMAGEKIT_BULK_JOB', ids: readonly string[]) {
        calls.push(...ids);
        return new Map(ids.map((nativeId) => [nativeId, zendeskSnapshot({ kind, account: 'default', nativeId }, 'working')]));
      },
    };
    const store = new StatusStore({ catalog: providerCatalog, clients: [imagekit], clock, cache: { ttlMs: 100, doneTtlMs: 60_000, maxEntries: 1000 } });
    const poller = new Poller({ store, pubsub: createJobPubSub(), clock, intervalMs: 2000, maxIntervalMs: 2000, random: () => 0.5 });
    for (let i = 0; i < 10; i++) {
      poller.watch({ kind: 'IMAGEKIT_BULK_JOB', account: 'default', nativeId: `ik-${i}` });
      await vi.advanceTimersByTimeAsync(67);
    }
    await vi.advanceTimersByTimeAsync(20_000 - 670);
    // Each job once per 2 s from its own start, never more.
    for (let i = 0; i < 10; i++) expect(calls.filter((id) => id === `ik-${i}`)).toHaveLength(Math.floor((20_000 - 67 * i) / 2000));
    poller.stop();
  });
});
