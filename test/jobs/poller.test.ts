import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { providerCatalog } from '../../src/providers/catalog.js';
import { createJobPubSub, type JobEvent } from '../../src/jobs/events.js';
import type { JobOutcome, JobRef } from '../../src/jobs/model.js';
import type { ProviderClient } from '../../src/jobs/ports.js';
import { Poller } from '../../src/jobs/poller.js';
import { StatusStore } from '../../src/jobs/status-store.js';
import { scriptedZendesk, zendeskSnapshot } from '../support/scripted-client.js';
import { memorySharedLevel, scriptedCoordinator } from '../support/shared-level.js';

const clock = { now: () => Date.now() };

function setup({ intervalMs = 1000, maxIntervalMs = 8000 } = {}) {
  const client = scriptedZendesk();
  const store = new StatusStore({ catalog: providerCatalog, clients: [client], clock, cache: { ttlMs: 100, doneTtlMs: 60_000, maxEntries: 1000 } });
  const pubsub = createJobPubSub();
  const events: JobEvent[] = [];
  const poller = new Poller({ store, pubsub, clock, intervalMs, maxIntervalMs, random: () => 0.5 });
  return { client, store, pubsub, poller, events };
}

/** Single-id calls (an ImageKit-like account) at a fixed 10 s interval, every job's due time jittered apart from `seed`. */
function singleIdSetup(seed: number) {
  const client = { ...scriptedZendesk(), batchSize: 1 };
  const store = new StatusStore({ catalog: providerCatalog, clients: [client], clock, cache: { ttlMs: 100, doneTtlMs: 60_000, maxEntries: 20_000 } });
  const random = () => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647);
  const poller = new Poller({ store, pubsub: createJobPubSub(), clock, intervalMs: 10_000, maxIntervalMs: 10_000, random });
  return { client, store, poller };
}

const ref = (nativeId: string): JobRef => ({ kind: 'ZENDESK_JOB_STATUS', account: 'default', nativeId });

/** Offsets between consecutive upstream calls, relative to the start. */
function gaps(calls: { at: number }[], start: number): number[] {
  return calls.map((call, i) => call.at - (i === 0 ? start : calls[i - 1]!.at));
}

describe('poller', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('grows the interval by half while nothing changes, up to the maximum', async () => {
    const { client, poller } = setup();
    const start = Date.now();
    poller.watch(ref('a'));
    await vi.advanceTimersByTimeAsync(40_000);
    expect(gaps(client.calls, start).slice(0, 7)).toEqual([1000, 1500, 2250, 3375, 5063, 7595, 8000]);
  });

  // The tracked bench's "restarted" row once showed 1.94 × the minimum calls over one interval
  // right after a restart (BENCHMARKS.md, "Registry: tracking"). Resuming is no double poll:
  it('polls jobs watched with a known outcome, as the tracker resumes them, once per interval', async () => {
    const { client, poller } = setup({ intervalMs: 10_000, maxIntervalMs: 10_000 });
    const refs = Array.from({ length: 250 }, (_, index) => ref(`r-${index}`));
    for (const each of refs) poller.watch(each, zendeskSnapshot(each, 'working', 0));
    expect(client.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(35_000);
    // Three rounds of ceil(250 / 100) show_many calls, each job in exactly one call per round.
    // Three rounds of ceil(250 / 100) show_many calls: the minimum. (A call that is not full takes
    // jobs due later in their interval along, for free: that moves no call count.)
    expect(client.calls).toHaveLength(9);
    expect(client.calls.map((call) => Math.floor((call.at - 1_000_000) / 10_000))).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3]);
    const polled = new Set(client.calls.slice(0, 3).flatMap((call) => call.ids));
    expect(polled.size).toBe(250);
  });

  // … but a round that ran late (the event loop of a starting, saturated service) is followed by
  // the next one an interval after it was DUE, so sooner: one interval right after the stall can
  // hold two rounds, while the calls per interval over any longer window stay at the minimum.
  it('takes jobs due within a hundredth of their interval in one tick, without polling any more often', async () => {
    const { client, poller } = singleIdSetup(7);
    const refs = Array.from({ length: 1000 }, (_, index) => ref(`single-${index}`));
    for (const each of refs) poller.watch(each, zendeskSnapshot(each, 'working', 0));
    await vi.advanceTimersByTimeAsync(35_000);
    poller.stop();
    // Every job once per interval (the first poll an interval after the watch): exactly the minimum…
    expect(client.calls).toHaveLength(3000);
    for (const each of refs.slice(0, 50)) expect(client.calls.filter((call) => call.ids[0] === each.nativeId)).toHaveLength(3);
    // …in at most one tick per 50 ms (a hundredth of 10 s), where a tick per due time made ~1 000.
    const ticks = new Set(client.calls.map((call) => call.at));
    expect(ticks.size).toBeLessThanOrEqual(3 * (10_000 / 50 + 1));
  });

  // Watching, ticking and settling once scanned every watched job: at ten thousand jobs that was
  // a third of a busy service's CPU (BENCHMARKS.md, "Registry: tracking"). The store's batch size
  // is what the poller asked of each job it looked at; now it asks once per watch.
  it('looks at the jobs that are due, not at every watched job, on each tick', async () => {
    const { client, store, poller } = singleIdSetup(11);
    const looks = vi.spyOn(store, 'batchSizeFor');
    const refs = Array.from({ length: 5000 }, (_, index) => ref(`many-${index}`));
    for (const each of refs) poller.watch(each, zendeskSnapshot(each, 'working', 0));
    await vi.advanceTimersByTimeAsync(25_000);
    poller.stop();
    expect(client.calls).toHaveLength(10_000);
    expect(looks).toHaveBeenCalledTimes(5000);
  });

  it('after a late round, polls the next one an interval after the late one was due', async () => {
    const { client, poller } = setup({ intervalMs: 10_000, maxIntervalMs: 10_000 });
    const start = Date.now();
    poller.watch(ref('a'), zendeskSnapshot(ref('a'), 'working', 0));
    // The first round is due at +10 s; its timer fires only at +18 s (a stalled event loop: the
    // wall clock moved 8 s more than the timers).
    vi.setSystemTime(start + 8_000);
    await vi.advanceTimersByTimeAsync(12_500);
    expect(gaps(client.calls, start)).toEqual([18_000, 2_000]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(gaps(client.calls, start).slice(2)).toEqual([10_000, 10_000, 10_000]);
  });

  it('counts each interval from when the poll was due, not from the slow answer', async () => {
    const { client, poller } = setup({ maxIntervalMs: 1000 });
    client.latencyMs = 300;
    const start = Date.now();
    poller.watch(ref('a'));
    await vi.advanceTimersByTimeAsync(4500);
    expect(gaps(client.calls, start)).toEqual([1000, 1000, 1000, 1000]);
  });

  it('resets the interval when the job changes', async () => {
    const { client, poller } = setup();
    const start = Date.now();
    poller.watch(ref('a'));
    await vi.advanceTimersByTimeAsync(2500); // polls at +1000 and +2500: unchanged, interval now 2250
    let progress = 10;
    client.answer('a', (r) => zendeskSnapshot(r, 'working', (progress += 10)));
    await vi.advanceTimersByTimeAsync(2250 + 1000 + 1000);
    expect(gaps(client.calls, start)).toEqual([1000, 1500, 2250, 1000, 1000]);
  });

  it('polls a job once per interval however many watch it, and all due jobs in one call', async () => {
    const { client, poller } = setup();
    const releases = Array.from({ length: 50 }, () => poller.watch(ref('a')));
    poller.watch(ref('b'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.calls).toHaveLength(1);
    expect(client.calls[0]!.ids.sort()).toEqual(['a', 'b']);
    releases.forEach((release) => release());
    expect(poller.stats().watched).toBe(1);
  });

  it('stops polling a job when it is done, and publishes the final outcome', async () => {
    const { client, poller, pubsub } = setup();
    const received: JobEvent[] = [];
    const subscription = pubsub.subscribe('job', 'ZENDESK_JOB_STATUS:default:a');
    void (async () => {
      for await (const event of subscription) received.push(event);
    })();
    poller.watch(ref('a'));
    await vi.advanceTimersByTimeAsync(1000);
    client.answer('a', (r) => zendeskSnapshot(r, 'completed', 100));
    await vi.advanceTimersByTimeAsync(1500);
    const callsWhenDone = client.calls.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.calls).toHaveLength(callsWhenDone);
    expect(received.map((event) => ('state' in event.outcome ? event.outcome.state : event.outcome.failure))).toEqual([
      'RUNNING',
      'COMPLETED',
    ]);
    expect(poller.stats()).toEqual({ watched: 1, scheduled: 0, timers: 0 });
    await subscription.return();
  });

  it('stops polling when the last watcher leaves, leaving no timer behind', async () => {
    const { client, poller } = setup();
    const first = poller.watch(ref('a'));
    const second = poller.watch(ref('a'));
    await vi.advanceTimersByTimeAsync(1000);
    first();
    first(); // releasing twice is harmless
    await vi.advanceTimersByTimeAsync(1500);
    expect(client.calls).toHaveLength(2);
    second();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.calls).toHaveLength(2);
    expect(poller.stats()).toEqual({ watched: 0, scheduled: 0, timers: 0 });
  });

  it('backs off on errors and honours the wait a provider asks for', async () => {
    const { client, poller } = setup();
    const start = Date.now();
    client.answer('a', (r) => ({ failure: 'UNAVAILABLE', ref: r, message: 'down', retryAfterMs: null, checkedAt: new Date() }));
    poller.watch(ref('a'));
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000);
    client.answer('a', (r) => ({ failure: 'UNAVAILABLE', ref: r, message: 'busy', retryAfterMs: 20_000, checkedAt: new Date() }));
    await vi.advanceTimersByTimeAsync(8000 + 20_000);
    expect(gaps(client.calls, start)).toEqual([1000, 2000, 4000, 8000, 20_000]);
  });

  it('pauses every job of a rate-limited account until its reset, without asking', async () => {
    const { client, poller } = setup();
    const start = Date.now();
    client.answer('a', (r) => ({ failure: 'RATE_LIMITED', ref: r, message: 'slow down', retryAfterMs: 30_000, checkedAt: new Date() }));
    poller.watch(ref('a'));
    poller.watch(ref('b'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.calls).toHaveLength(1);
    client.answer('a', (r) => zendeskSnapshot(r, 'working'));
    await vi.advanceTimersByTimeAsync(29_000);
    expect(client.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.calls.length).toBeGreaterThanOrEqual(2);
    expect(client.calls[1]!.at - start).toBe(31_000);
  });

  it('bounds a wait beyond any timer to an hour: the job is asked again, no timer overflows', async () => {
    // A client that does not bound its waits (ours do); 1e12 ms is past setTimeout's 2^31-1.
    const { client, poller, store } = setup();
    const start = Date.now();
    client.answer('a', (r) => ({ failure: 'RATE_LIMITED', ref: r, message: 'slow down', retryAfterMs: 1e12, checkedAt: new Date() }));
    poller.watch(ref('a'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.calls).toHaveLength(1);
    expect(store.pauseRemainingMs('ZENDESK', 'default')).toBe(3_600_000);
    client.answer('a', (r) => zendeskSnapshot(r, 'working'));
    await vi.advanceTimersByTimeAsync(2 * 3_600_000);
    expect(client.calls.length).toBeGreaterThanOrEqual(2);
    expect(client.calls[1]!.at - start).toBeLessThanOrEqual(1000 + 1.1 * 3_600_000);
  });
});

describe('poller in a cluster', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function clusterSetup() {
    const client = scriptedZendesk();
    const shared = memorySharedLevel();
    const store = new StatusStore({
      catalog: providerCatalog,
      clients: [client],
      clock,
      cache: { ttlMs: 100, doneTtlMs: 60_000, maxEntries: 1000 },
      sharedStatuses: shared.statuses,
      sharedPauses: shared.pauses,
    });
    const pubsub = createJobPubSub();
    const coordinator = scriptedCoordinator();
    const poller = new Poller({ store, pubsub, clock, intervalMs: 1000, maxIntervalMs: 8000, random: () => 0.5, coordinator });
    const published: string[] = [];
    const subscription = pubsub.subscribe('job', 'ZENDESK_JOB_STATUS:default:a');
    void (async () => {
      for await (const event of subscription) published.push('state' in event.outcome ? `${event.outcome.state} ${event.outcome.progress?.completed}` : event.outcome.failure);
    })();
    return { client, shared, coordinator, poller, published, done: () => subscription.return() };
  }

  it('leaves a job another instance polls alone, and keeps asking for it at the base interval', async () => {
    const { client, coordinator, poller, done } = clusterSetup();
    coordinator.answer('ZENDESK_JOB_STATUS:default:a', 'elsewhere');
    const start = Date.now();
    poller.watch(ref('a'));
    await vi.advanceTimersByTimeAsync(4000);
    expect(client.calls).toHaveLength(0);
    expect(poller.pollCount).toBe(0);
    expect(gaps(coordinator.claims, start)).toEqual([1000, 1000, 1000, 1000]);
    // The holder dies; this instance takes over at its next claim.
    coordinator.answer('ZENDESK_JOB_STATUS:default:a', 'new');
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.calls).toHaveLength(1);
    await done();
  });

  it('publishes the first answer after a takeover even when it saw the same before', async () => {
    const { coordinator, poller, published, done } = clusterSetup();
    poller.watch(ref('a'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(published).toEqual(['RUNNING undefined']);
    await vi.advanceTimersByTimeAsync(1500);
    expect(published).toHaveLength(1); // unchanged: nothing to say
    coordinator.answer('ZENDESK_JOB_STATUS:default:a', 'new');
    await vi.advanceTimersByTimeAsync(2250);
    expect(published).toEqual(['RUNNING undefined', 'RUNNING undefined']);
    await done();
  });

  it('tells its coordinator what it watches, what it no longer watches, and what is final', async () => {
    const { client, coordinator, poller, done } = clusterSetup();
    const release = poller.watch(ref('a'));
    poller.watch(ref('b'))();
    client.answer('a', (r) => zendeskSnapshot(r, 'completed', 100));
    await vi.advanceTimersByTimeAsync(1000);
    release();
    expect(coordinator.events).toEqual([
      'watch ZENDESK_JOB_STATUS:default:a',
      'watch ZENDESK_JOB_STATUS:default:b',
      'unwatch ZENDESK_JOB_STATUS:default:b',
      'finish ZENDESK_JOB_STATUS:default:a',
      'unwatch ZENDESK_JOB_STATUS:default:a',
    ]);
    await done();
  });

  it('waits out a pause another instance was told about, without asking', async () => {
    const { client, shared, poller, done } = clusterSetup();
    const start = Date.now();
    shared.paused.set('ZENDESK:default', start + 10_000);
    poller.watch(ref('a'));
    await vi.advanceTimersByTimeAsync(9000);
    expect(client.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.calls.map((call) => call.at - start)).toEqual([10_000]);
    await done();
  });

  it('publishes each job as soon as its own upstream call returns, not after the slowest of the tick', async () => {
    const zendesk = scriptedZendesk();
    let releaseImageKit!: () => void;
    const imagekitAnswered = new Promise<void>((resolve) => (releaseImageKit = resolve));
    const imagekit: ProviderClient = {
      provider: 'IMAGEKIT',
      account: 'default',
      kinds: ['IMAGEKIT_BULK_JOB'],
      sandbox: false,
      batchSize: 1,
      async fetchStatuses(kind, ids) {
        await imagekitAnswered;
        return new Map(ids.map((nativeId) => [nativeId, { ...zendeskSnapshot({ kind, account: 'default', nativeId }, 'working'), details: { kind: 'IMAGEKIT_BULK_JOB', type: 'COPY_FOLDER', purgeRequestId: null } } as JobOutcome]));
      },
    };
    const store = new StatusStore({ catalog: providerCatalog, clients: [zendesk, imagekit], clock, cache: { ttlMs: 100, doneTtlMs: 60_000, maxEntries: 1000 } });
    const pubsub = createJobPubSub();
    const published: string[] = [];
    const poller = new Poller({ store, pubsub, clock, intervalMs: 1000, maxIntervalMs: 8000, random: () => 0.5 });
    for (const key of ['ZENDESK_JOB_STATUS:default:z', 'IMAGEKIT_BULK_JOB:default:i']) {
      void (async () => {
        for await (const event of pubsub.subscribe('job', key)) published.push(event.key);
      })();
    }
    poller.watch(ref('z'));
    poller.watch({ kind: 'IMAGEKIT_BULK_JOB', account: 'default', nativeId: 'i' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(published).toEqual(['ZENDESK_JOB_STATUS:default:z']);
    releaseImageKit();
    await vi.advanceTimersByTimeAsync(0);
    expect(published).toEqual(['ZENDESK_JOB_STATUS:default:z', 'IMAGEKIT_BULK_JOB:default:i']);
    poller.stop();
  });
});
