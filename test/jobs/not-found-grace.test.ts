/**
 * Fresh jobs may 404 briefly: the poller keeps polling a never-seen job through its not founds
 * until NOT_FOUND_GRACE_MS has passed since the first, and the feed keeps its ref open until then;
 * a job seen before that disappears is final at once. Fake timers, a scripted Zendesk.
 */
import { providerCatalog } from '../../src/providers/catalog.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobUpdate } from '../../src/jobs/job-feed.js';
import { type JobOutcome, type JobRef, isFailure } from '../../src/jobs/model.js';
import { createJobService } from '../../src/jobs/service.js';
import { silentLogger } from '../../src/logger.js';
import { scriptedZendesk, zendeskSnapshot } from '../support/scripted-client.js';

const ref = (nativeId: string): JobRef => ({ kind: 'ZENDESK_JOB_STATUS', account: 'default', nativeId });
const notFound = (r: JobRef): JobOutcome => ({ failure: 'NOT_FOUND', ref: r, message: 'gone', retryAfterMs: null, checkedAt: new Date() });

function setup() {
  const client = scriptedZendesk();
  const jobs = createJobService({
    catalog: providerCatalog,
    clients: [client],
    clock: { now: () => Date.now() },
    logger: silentLogger,
    cache: { ttlMs: 100, doneTtlMs: 60_000, maxEntries: 1000 },
    poll: { intervalMs: 1000, maxIntervalMs: 8000, notFoundGraceMs: 10_000 },
    random: () => 0.5,
  });
  return { client, jobs };
}

function collect(stream: AsyncIterableIterator<JobUpdate>) {
  const updates: string[] = [];
  let done = false;
  void (async () => {
    for await (const { result } of stream) updates.push(isFailure(result) ? result.failure : result.state);
    done = true;
  })();
  return { updates, done: () => done };
}

describe('not found grace', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => void vi.useRealTimers());

  it('keeps polling a never-seen job through the grace, at the base interval, and only then completes', async () => {
    const { client, jobs } = setup();
    client.answer('fresh', notFound);
    const stream = collect(jobs.feed.updates([ref('fresh')]));
    await vi.advanceTimersByTimeAsync(9_000);
    expect(stream.done()).toBe(false);
    expect(stream.updates).toEqual(['NOT_FOUND']);
    // The first load, then one poll a second (no backoff: the job may appear any moment).
    expect(client.calls.length).toBeGreaterThanOrEqual(9);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(stream.done()).toBe(true);
    expect(stream.updates).toEqual(['NOT_FOUND']);
    expect(jobs.poller.stats()).toEqual({ watched: 0, scheduled: 0, timers: 0 });
  });

  it('follows a fresh job that appears within the grace', async () => {
    const { client, jobs } = setup();
    client.answer('late', notFound);
    const stream = collect(jobs.feed.updates([ref('late')]));
    await vi.advanceTimersByTimeAsync(3_000);
    client.answer('late', (r) => zendeskSnapshot(r, 'working'));
    await vi.advanceTimersByTimeAsync(1_000);
    client.answer('late', (r) => zendeskSnapshot(r, 'completed'));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(stream.updates).toEqual(['NOT_FOUND', 'RUNNING', 'COMPLETED']);
    expect(stream.done()).toBe(true);
  });

  it('ends at once for a job seen before that disappears', async () => {
    const { client, jobs } = setup();
    const stream = collect(jobs.feed.updates([ref('seen')]));
    await vi.advanceTimersByTimeAsync(0);
    client.answer('seen', notFound);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(stream.updates).toEqual(['RUNNING', 'NOT_FOUND']);
    expect(stream.done()).toBe(true);
    const calls = client.calls.length;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(client.calls.length).toBe(calls);
  });
});
