import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { providerCatalog } from '../../src/providers/catalog.js';
import type { JobUpdate } from '../../src/jobs/job-feed.js';
import { type JobOutcome, type JobRef, isFailure } from '../../src/jobs/model.js';
import { createJobService, type JobServiceOptions } from '../../src/jobs/service.js';
import { silentLogger } from '../../src/logger.js';
import { scriptedZendesk, zendeskSnapshot } from '../support/scripted-client.js';
import { memorySharedLevel, scriptedCoordinator } from '../support/shared-level.js';
import { waitFor } from '../support/wait.js';

const ref = (nativeId: string): JobRef => ({ kind: 'ZENDESK_JOB_STATUS', account: 'default', nativeId });

function setup(sharing?: JobServiceOptions['sharing'], deliverySlice?: number) {
  const client = scriptedZendesk();
  const jobs = createJobService({
    catalog: providerCatalog,
    sharing,
    clients: [client],
    clock: { now: () => Date.now() },
    logger: silentLogger,
    cache: { ttlMs: 100, doneTtlMs: 60_000, maxEntries: 1000 },
    poll: { intervalMs: 1000, maxIntervalMs: 1000 },
    random: () => 0.5,
    deliverySlice,
  });
  return { client, jobs };
}

/** Reads a stream in the background, keeping what arrived. */
function collect(stream: AsyncIterableIterator<JobUpdate>) {
  const updates: JobUpdate[] = [];
  const finished = (async () => {
    for await (const update of stream) updates.push(update);
  })();
  return { updates, finished };
}

const describeUpdate = ({ result, previousState }: JobUpdate) =>
  `${result.ref.nativeId}:${previousState ?? '-'}→${isFailure(result) ? result.failure : result.state}`;

describe('job feed', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends every job now, then each change with the state it replaces, then completes', async () => {
    const { client, jobs } = setup();
    client.answer('a', (r) => zendeskSnapshot(r, 'queued'));
    client.answer('b', (r) => zendeskSnapshot(r, 'completed', 100));
    const { updates, finished } = collect(jobs.feed.updates([ref('a'), ref('b'), ref('a')]));
    await vi.advanceTimersByTimeAsync(0);
    expect(updates.map(describeUpdate)).toEqual(['a:-→QUEUED', 'b:-→COMPLETED']);

    client.answer('a', (r) => zendeskSnapshot(r, 'working', 40));
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(1000); // unchanged: no event
    client.answer('a', (r) => zendeskSnapshot(r, 'working', 80));
    await vi.advanceTimersByTimeAsync(1000);
    client.answer('a', (r) => zendeskSnapshot(r, 'completed', 100));
    await vi.advanceTimersByTimeAsync(1000);
    await finished;
    expect(updates.map(describeUpdate)).toEqual([
      'a:-→QUEUED',
      'b:-→COMPLETED',
      'a:QUEUED→RUNNING',
      'a:RUNNING→RUNNING',
      'a:RUNNING→COMPLETED',
    ]);
    expect(jobs.feed.stats()).toEqual({ streams: 0, topics: 0, listeners: 0 });
    expect(jobs.poller.stats()).toEqual({ watched: 0, scheduled: 0, timers: 0 });
  });

  it('hands streams that last reported the same state one update object per event, and others their own', async () => {
    const { client, jobs } = setup();
    client.answer('a', (r) => zendeskSnapshot(r, 'queued'));
    const first = collect(jobs.feed.updates([ref('a')]));
    await vi.advanceTimersByTimeAsync(0);
    client.answer('a', (r) => ({ failure: 'UNAVAILABLE', ref: r, message: 'down', retryAfterMs: null, checkedAt: new Date() }));
    await vi.advanceTimersByTimeAsync(1000);
    // Joins while the job is failing: it has seen no state yet.
    const second = collect(jobs.feed.updates([ref('a')]));
    await vi.advanceTimersByTimeAsync(0);
    client.answer('a', (r) => zendeskSnapshot(r, 'working', 40));
    await vi.advanceTimersByTimeAsync(1000);
    client.answer('a', (r) => zendeskSnapshot(r, 'working', 80));
    await vi.advanceTimersByTimeAsync(1000);

    expect(first.updates.map(describeUpdate)).toEqual(['a:-→QUEUED', 'a:QUEUED→UNAVAILABLE', 'a:QUEUED→RUNNING', 'a:RUNNING→RUNNING']);
    expect(second.updates.map(describeUpdate)).toEqual(['a:-→UNAVAILABLE', 'a:-→RUNNING', 'a:RUNNING→RUNNING']);
    expect(second.updates[1]).not.toBe(first.updates[2]);
    expect(second.updates[2]).toBe(first.updates[3]);
  });

  it('reports provider trouble once, and the job again when it recovers', async () => {
    const { client, jobs } = setup();
    const { updates } = collect(jobs.feed.updates([ref('a')]));
    await vi.advanceTimersByTimeAsync(0);
    const down = (r: JobRef): JobOutcome => ({ failure: 'UNAVAILABLE', ref: r, message: 'down', retryAfterMs: null, checkedAt: new Date() });
    client.answer('a', down);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(1000);
    client.answer('a', (r) => zendeskSnapshot(r, 'working'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(updates.map(describeUpdate)).toEqual(['a:-→RUNNING', 'a:RUNNING→UNAVAILABLE', 'a:RUNNING→RUNNING']);
  });

  it('completes at once when every job is already final, and for jobs not found', async () => {
    const { client, jobs } = setup();
    client.answer('gone', (r) => ({ failure: 'NOT_FOUND', ref: r, message: 'gone', retryAfterMs: null, checkedAt: new Date() }));
    const { updates, finished } = collect(jobs.feed.updates([ref('gone')]));
    await vi.advanceTimersByTimeAsync(0);
    await finished;
    expect(updates.map(describeUpdate)).toEqual(['gone:-→NOT_FOUND']);
    expect(jobs.poller.stats().watched).toBe(0);
  });

  it('releases every watch, listener and timer after 1,000 subscribe/unsubscribe cycles', async () => {
    const { client, jobs } = setup();
    for (let i = 0; i < 1000; i += 1) {
      const stream = jobs.feed.updates([ref(`job-${i % 7}`), ref('shared')]);
      await stream.next();
      await stream.return?.();
    }
    await vi.advanceTimersByTimeAsync(5000);
    expect(jobs.feed.stats()).toEqual({ streams: 0, topics: 0, listeners: 0 });
    expect(jobs.poller.stats()).toEqual({ watched: 0, scheduled: 0, timers: 0 });
    expect(client.calls.length).toBeLessThan(1000);
  });

  it('shares one poll between fifty streams on one job', async () => {
    const { client, jobs } = setup();
    const streams = Array.from({ length: 50 }, () => collect(jobs.feed.updates([ref('a')])));
    await vi.advanceTimersByTimeAsync(0);
    const before = client.calls.length;
    client.answer('a', (r) => zendeskSnapshot(r, 'working', 50));
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.calls.length - before).toBe(1);
    expect(streams.every((stream) => stream.updates.length === 2)).toBe(true);
    expect(jobs.feed.stats().topics).toBe(1);
  });
});

describe('job feed under a large fan-out', () => {
  it('hands out one event to many streams in slices, letting the event loop run between them', async () => {
    const { jobs } = setup(undefined, 50);
    const streams = Array.from({ length: 300 }, () => collect(jobs.feed.updates([ref('a'), ref('b')])));
    await waitFor(() => streams.every((stream) => stream.updates.length === 2), { what: 'the first updates' });
    const delivered = () => streams.reduce((sum, stream) => sum + stream.updates.length - 2, 0);

    // What one poll answer changing two jobs publishes: 600 deliveries.
    for (const [id, progress] of [['a', 10], ['b', 20]] as const) {
      const outcome = zendeskSnapshot(ref(id), 'working', progress);
      jobs.pubsub.publish('job', `ZENDESK_JOB_STATUS:default:${id}`, { key: `ZENDESK_JOB_STATUS:default:${id}`, outcome });
    }
    // Each turn of the event loop (a `setImmediate`, as a poll's timer or an upstream answer gets
    // one) sees the fan-out further along, never all of it at once.
    const seenEachTurn: number[] = [];
    while (delivered() < 600 && seenEachTurn.length < 1000) {
      await new Promise((resolve) => setImmediate(resolve));
      seenEachTurn.push(delivered());
    }
    expect(delivered()).toBe(600);
    expect(seenEachTurn.filter((count) => count > 0 && count < 600).length).toBeGreaterThanOrEqual(5);
    // Nothing lost, nothing twice, every stream in the order of the events.
    for (const { updates } of streams) expect(updates.slice(2).map(describeUpdate)).toEqual(['a:RUNNING→RUNNING', 'b:RUNNING→RUNNING']);
    jobs.stop();
  });
});

describe('job feed after an interrupted event channel', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('catches every stream up on resync, never with anything older than it reported', async () => {
    const shared = memorySharedLevel();
    const coordinator = scriptedCoordinator();
    coordinator.answer('ZENDESK_JOB_STATUS:default:a', 'elsewhere'); // another instance polls, and its events are lost
    const { client, jobs } = setup({ statuses: shared.statuses, coordinator });
    const streams = [collect(jobs.feed.updates([ref('a')])), collect(jobs.feed.updates([ref('a'), ref('b')]))];
    await vi.advanceTimersByTimeAsync(0);
    const key = 'ZENDESK_JOB_STATUS:default:a';
    const old = shared.kept.get(key)!;

    await vi.advanceTimersByTimeAsync(5000);
    const newer = zendeskSnapshot(ref('a'), 'working', 60);
    shared.kept.set(key, { outcome: newer, expiresAt: Date.now() + 1000 });
    await jobs.feed.resync();
    await vi.advanceTimersByTimeAsync(0);
    for (const { updates } of streams) expect(updates.filter((u) => u.result.ref.nativeId === 'a').map(describeUpdate)).toEqual(['a:-→RUNNING', 'a:RUNNING→RUNNING']);

    // A stale answer (checked before what was reported) is no news, even though it differs.
    shared.kept.set(key, { outcome: { ...old.outcome, checkedAt: new Date(0) }, expiresAt: Date.now() + 1000 });
    await jobs.feed.resync();
    await vi.advanceTimersByTimeAsync(0);
    for (const { updates } of streams) expect(updates.filter((u) => u.result.ref.nativeId === 'a')).toHaveLength(2);
    expect(client.calls.flatMap((call) => call.ids).filter((id) => id === 'a')).toHaveLength(1); // the first load only
    jobs.stop();
  });
});
