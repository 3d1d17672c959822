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
import { Pacer } from '../src/jobs/pacer.js';
import { Poller } from '../src/jobs/poller.js';
import { StatusStore } from '../src/jobs/status-store.js';
import { createImageKitClient } from '../src/providers/imagekit/client.js';
import { IMAGEKIT } from '../src/providers/imagekit/descriptor.js';
import { rateLimitOf } from '../src/providers/http.js';
import { startTestApp } from './support/app.js';
import { startFakeUpstream } from './support/fake-upstream.js';
import { scriptedZendesk, zendeskSnapshot } from './support/scripted-client.js';
import { waitFor } from './support/wait.js';

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

// ----------------------------------------------------------------------------------------------
// Pacing and shedding, over real HTTP.


/**
 * A fake ImageKit that enforces a hard limit: at most `limit` requests in any `intervalMs`
 * (sliding), 429 past it; every answer carries `X-RateLimit-Limit` / `-Interval` / `-Reset`.
 */
async function limitedImageKit(limit: number, intervalMs: number) {
  const upstream = await startFakeUpstream();
  const arrivals: number[] = [];
  let rejected = 0;
  upstream.on('GET', /^\/v1\/bulkJobs\/[^/]+$/, (request) => {
    const now = Date.now();
    const recent = arrivals.filter((at) => at > now - intervalMs);
    const headers = {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-interval': String(intervalMs),
      'x-ratelimit-reset': String(recent.length ? Math.max(0, recent[0]! + intervalMs - now) : intervalMs),
    };
    if (recent.length >= limit) {
      rejected += 1;
      return { status: 429, headers, body: { message: 'rate limited' } };
    }
    arrivals.push(now);
    return { headers, body: { jobId: request.path.split('/').pop(), type: 'COPY_FOLDER', status: 'Pending' } };
  });
  return { upstream, rejected: () => rejected };
}

const UPSTREAM = { timeoutMs: 2000, retries: 0, retryBaseMs: 1, maxRetryWaitMs: 0, concurrency: 8 };
const ikRef = (nativeId: string): JobRef => ({ kind: 'IMAGEKIT_BULK_JOB', account: 'default', nativeId });

describe('pacing to the advertised limit', () => {
  let fake: Awaited<ReturnType<typeof limitedImageKit>> | undefined;
  afterEach(async () => {
    await fake?.upstream.close();
  });

  it('polls jobs whose demand exceeds the limit without a single 429, and still polls every job', async () => {
    fake = await limitedImageKit(5, 400);
    const client = createImageKitClient(
      { provider: 'IMAGEKIT', name: 'default', baseUrl: fake.upstream.url, privateKey: 'private_k', sandbox: false },
      { options: UPSTREAM },
      IMAGEKIT,
    );
    const store = new StatusStore({ catalog: providerCatalog, clients: [client], clock, cache: { ttlMs: 10, doneTtlMs: 60_000, maxEntries: 1000 } });
    // 12 jobs every 50 ms: 240 calls a second wanted, 12.5 allowed.
    const poller = new Poller({ store, pubsub: createJobPubSub(), clock, intervalMs: 50, maxIntervalMs: 50 });
    const ids = Array.from({ length: 12 }, (_, i) => `job-${i}`);
    for (const id of ids) poller.watch(ikRef(id));
    const polledTwice = () => ids.every((id) => fake!.upstream.requests.filter((r) => r.path.endsWith(`/${id}`)).length >= 2);
    await waitFor(polledTwice, { timeoutMs: 15_000, what: 'every job polled twice' });
    // Queries keep answering meanwhile (they take the reserve).
    const [answer] = await store.load([ikRef('queried')]);
    expect(answer).toMatchObject({ state: 'RUNNING' });
    poller.stop();
    store.pacer.stop();
    expect(fake.rejected()).toBe(0);
    expect(store.pacer.budgets()[0]).toMatchObject({ accountKey: 'IMAGEKIT:default', perMinute: 750 });
  });

  it('sheds a query ref that cannot get a turn within UPSTREAM_QUEUE_MS: RATE_LIMITED with retryAfterMs, no call, the rest resolves', async () => {
    fake = await limitedImageKit(2, 60_000);
    const app = await startTestApp({ IMAGEKIT_PRIVATE_KEY: 'private_k', IMAGEKIT_BASE_URL: fake.upstream.url, UPSTREAM_QUEUE_MS: '50', CACHE_TTL_MS: '60000' });
    try {
      const query = `query($refs: [JobRef!]!) { jobs(refs: $refs) { __typename ... on Job { nativeId state } ... on ProviderError { nativeId code retryAfterMs } } }`;
      const first = await app.request<{ jobs: Record<string, unknown>[] }, unknown>(query, { refs: [{ kind: 'IMAGEKIT_BULK_JOB', id: 'a' }, { kind: 'IMAGEKIT_BULK_JOB', id: 'b' }] });
      expect(first.body.data?.jobs.map((job) => job.__typename)).toEqual(['ImageKitBulkJob', 'ImageKitBulkJob']);
      expect(fake.upstream.requests).toHaveLength(2);
      // The window's two calls are spent: c cannot be asked within 50 ms; a is remembered.
      const second = await app.request<{ jobs: Record<string, unknown>[] }, unknown>(query, { refs: [{ kind: 'IMAGEKIT_BULK_JOB', id: 'a' }, { kind: 'IMAGEKIT_BULK_JOB', id: 'c' }] });
      const [a, c] = second.body.data!.jobs;
      expect(a).toMatchObject({ __typename: 'ImageKitBulkJob', nativeId: 'a' });
      expect(c).toMatchObject({ __typename: 'ProviderError', nativeId: 'c', code: 'RATE_LIMITED' });
      expect(c!.retryAfterMs).toBeGreaterThan(50);
      expect(fake.upstream.requests).toHaveLength(2);
      expect(fake.rejected()).toBe(0);
      const metrics = await (await fetch(`${app.app.server.origin}/metrics`)).text();
      expect(metrics).toMatch(/jsg_upstream_shed_total\{provider="IMAGEKIT",account="default"\} 1/);
      expect(metrics).toMatch(/jsg_upstream_budget\{provider="IMAGEKIT",account="default"\} 2/);
      expect(metrics).toMatch(/jsg_upstream_budget_used\{provider="IMAGEKIT",account="default"\} 2/);
    } finally {
      await app.close();
    }
  });
});


describe('the pacer on a busy event loop', () => {
  it('keeps each window longer by the event loop’s recent delay, at most a second', () => {
    let now = 1_000_000;
    let delayMs = 0;
    const pacer = new Pacer({ clock: { now: () => now }, loopDelayMs: () => delayMs });
    pacer.observe('IMAGEKIT:default', { limit: 5, windowMs: 400, remaining: null, resetAt: null, at: now });
    // Polls take 4 of 5 (one is kept for queries).
    for (let turn = 0; turn < 4; turn += 1) expect(pacer.tryTake('IMAGEKIT:default', 'poll', now)).toBe(true);
    expect(pacer.waitMs('IMAGEKIT:default', 'poll', now)).toBe(458);
    delayMs = 200;
    expect(pacer.waitMs('IMAGEKIT:default', 'poll', now)).toBe(658);
    now += 600;
    expect(pacer.tryTake('IMAGEKIT:default', 'poll', now)).toBe(false);
    delayMs = 60_000;
    expect(pacer.waitMs('IMAGEKIT:default', 'poll', now - 600)).toBe(1458);
    pacer.stop();
  });
});

describe('advertised limits and unannounced 429s', () => {
  it("reads Zendesk's X-Rate-Limit and ratelimit-* headers and ImageKit's X-RateLimit-*", () => {
    const now = 1_000_000;
    expect(rateLimitOf(new Headers({ 'x-rate-limit': '700', 'x-rate-limit-remaining': '698' }), now)).toEqual({
      limit: 700, windowMs: 60_000, remaining: 698, resetAt: null, at: now,
    });
    expect(rateLimitOf(new Headers({ 'ratelimit-limit': '100', 'ratelimit-remaining': '3', 'ratelimit-reset': '20', 'x-rate-limit': '700', 'x-rate-limit-remaining': '600' }), now)).toEqual({
      limit: 100, windowMs: 60_000, remaining: 3, resetAt: now + 20_000, at: now,
    });
    expect(rateLimitOf(new Headers({ 'x-ratelimit-limit': '10', 'x-ratelimit-interval': '1000', 'x-ratelimit-reset': '250' }), now)).toEqual({
      limit: 10, windowMs: 1000, remaining: null, resetAt: now + 250, at: now,
    });
    expect(rateLimitOf(new Headers({ 'content-type': 'application/json' }), now)).toBeNull();
  });

  it('backs off on its own after a 429 without Retry-After: the account pauses 1 s and the ref says so', async () => {
    const client = scriptedZendesk();
    const store = new StatusStore({ catalog: providerCatalog, clients: [client], clock, cache: { ttlMs: 1, doneTtlMs: 1, maxEntries: 10 } });
    const limited = (ref: JobRef) => ({ failure: 'RATE_LIMITED' as const, ref, message: 'slow down', retryAfterMs: null, checkedAt: new Date() });
    client.answer('a', limited);
    const [first] = await store.refresh([zendeskRef('a')]);
    expect(first).toMatchObject({ failure: 'RATE_LIMITED', retryAfterMs: 1000 });
    expect(store.pauseRemainingMs('ZENDESK', 'default')).toBeGreaterThan(900);
    expect(client.calls).toHaveLength(1);
  });
});
