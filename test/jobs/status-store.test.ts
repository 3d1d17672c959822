import { describe, expect, it } from 'vitest';
import { providerCatalog } from '../../src/providers/catalog.js';
import type { JobRef, JobSnapshot } from '../../src/jobs/model.js';
import { StatusStore } from '../../src/jobs/status-store.js';
import { scriptedZendesk, zendeskSnapshot } from '../support/scripted-client.js';
import { memorySharedLevel } from '../support/shared-level.js';
import { waitFor } from '../support/wait.js';

const ref = (nativeId: string, account = 'default'): JobRef => ({ kind: 'ZENDESK_JOB_STATUS', account, nativeId });

function setup(maxEntries = 1000, staleMs = 0) {
  let now = 1_000_000;
  const clock = { now: () => now };
  const client = scriptedZendesk();
  const lookups: string[] = [];
  const store = new StatusStore({
    catalog: providerCatalog,
    clients: [client],
    clock,
    cache: { ttlMs: 1000, doneTtlMs: 60_000, maxEntries, staleMs },
    onLookup: (result) => lookups.push(result),
  });
  return { store, client, lookups, advance: (ms: number) => (now += ms) };
}

describe('status store', () => {
  it('shares one upstream call between concurrent asks for the same job', async () => {
    const { store, client, lookups } = setup();
    const answers = await Promise.all([store.load([ref('a')]), store.load([ref('a'), ref('b')]), store.refresh([ref('a')])]);
    expect(client.calls).toHaveLength(2);
    expect(client.calls.flatMap((call) => call.ids).sort()).toEqual(['a', 'b']);
    expect(answers.flat().map((outcome) => outcome.ref.nativeId)).toEqual(['a', 'a', 'b', 'a']);
    expect(lookups).toEqual(['miss', 'coalesced', 'miss', 'coalesced']);
  });

  it('reuses a running status for the cache TTL and a done one much longer', async () => {
    const { store, client, advance } = setup();
    client.answer('done', (r) => zendeskSnapshot(r, 'completed', 100));
    await store.load([ref('running'), ref('done')]);
    advance(999);
    await store.load([ref('running'), ref('done')]);
    expect(client.calls).toHaveLength(1);
    advance(2);
    await store.load([ref('running'), ref('done')]);
    expect(client.calls.map((call) => call.ids)).toEqual([['running', 'done'], ['running']]);
  });

  it('with a stale window, answers an expired running status at once and refreshes it once behind the scenes', async () => {
    const { store, client, lookups, advance } = setup(1000, 5000);
    client.answer('a', (r) => zendeskSnapshot(r, 'working', 10));
    client.answer('gone', (r) => ({ failure: 'NOT_FOUND', ref: r, message: 'no such job', retryAfterMs: null, checkedAt: new Date() }));
    await store.load([ref('a'), ref('gone')]);
    client.latencyMs = 20;
    client.answer('a', (r) => zendeskSnapshot(r, 'working', 20));
    advance(1001);

    const stale = await Promise.all([store.load([ref('a')]), store.load([ref('a')])]);
    expect(stale.flat().map((outcome) => (outcome as JobSnapshot).progress?.completed)).toEqual([10, 10]);
    expect(lookups.slice(2)).toEqual(['stale', 'stale']);
    // One refresh for both, already on its way.
    expect(client.calls.map((call) => call.ids)).toEqual([['a', 'gone'], ['a']]);
    await waitFor(() => (store.peek(ref('a')) as JobSnapshot | undefined)?.progress?.completed === 20, { what: 'the background refresh' });
    const [fresh] = await store.load([ref('a')]);
    expect((fresh as JobSnapshot).progress?.completed).toBe(20);
    expect(lookups.at(-1)).toBe('hit');

    // Not-found is never served stale, nor anything past the window.
    await store.load([ref('gone')]);
    expect(lookups.at(-1)).toBe('miss');
    advance(1000 + 5000 + 1);
    client.answer('a', (r) => zendeskSnapshot(r, 'working', 30));
    const [late] = await store.load([ref('a')]);
    expect((late as JobSnapshot).progress?.completed).toBe(30);
    expect(lookups.at(-1)).toBe('miss');
  });

  it('never remembers provider trouble', async () => {
    const { store, client } = setup();
    client.answer('a', (r) => ({ failure: 'UNAVAILABLE', ref: r, message: 'down', retryAfterMs: null, checkedAt: new Date() }));
    await store.load([ref('a')]);
    await store.load([ref('a')]);
    expect(client.calls).toHaveLength(2);
  });

  it('answers an unknown account as not configured without asking anyone', async () => {
    const { store, client } = setup();
    const [outcome] = await store.load([ref('a', 'nope')]);
    expect(outcome).toMatchObject({ failure: 'NOT_CONFIGURED', message: 'No Zendesk account named "nope" is configured' });
    const [imagekit] = await store.load([{ kind: 'IMAGEKIT_BULK_JOB', account: 'default', nativeId: 'x' }]);
    expect(imagekit).toMatchObject({ failure: 'NOT_CONFIGURED' });
    expect(client.calls).toHaveLength(0);
  });

  it('leaves a rate-limited account alone until its reset', async () => {
    const { store, client, advance } = setup();
    client.answer('a', (r) => ({ failure: 'RATE_LIMITED', ref: r, message: '429', retryAfterMs: 5000, checkedAt: new Date() }));
    await store.load([ref('a')]);
    advance(4000);
    const [paused] = await store.load([ref('b')]);
    expect(paused).toMatchObject({ failure: 'RATE_LIMITED', retryAfterMs: 1000 });
    expect(client.calls).toHaveLength(1);
    advance(1000);
    await store.load([ref('b')]);
    expect(client.calls).toHaveLength(2);
  });

  it('forgets the least recently used jobs beyond its size', async () => {
    const { store } = setup(2);
    await store.load([ref('a'), ref('b'), ref('c')]);
    expect(store.size).toBe(2);
    expect(store.peek(ref('a'))).toBeUndefined();
  });
});

describe('status store with a shared level (cluster mode)', () => {
  /** Two stores, as on two instances, each with its own upstream client, sharing one level. */
  function cluster() {
    let now = 1_000_000;
    const clock = { now: () => now };
    const shared = memorySharedLevel();
    const instance = () => {
      const client = scriptedZendesk();
      const store = new StatusStore({
        catalog: providerCatalog,
        clients: [client],
        clock,
        cache: { ttlMs: 1000, doneTtlMs: 60_000, maxEntries: 1000 },
        sharedStatuses: shared.statuses,
        sharedPauses: shared.pauses,
      });
      return { client, store };
    };
    return { a: instance(), b: instance(), shared, advance: (ms: number) => (now += ms) };
  }

  it('serves what another instance fetched instead of asking upstream again', async () => {
    const { a, b } = cluster();
    const [fetched] = await a.store.load([ref('x')]);
    const [reused] = await b.store.load([ref('x')]);
    expect(reused).toEqual(fetched);
    expect(a.client.calls).toHaveLength(1);
    expect(b.client.calls).toHaveLength(0);
    // Now remembered locally too: no second trip to the shared level needed.
    expect(b.store.peek(ref('x'))).toEqual(fetched);
  });

  it('shares answers with the same TTL rules as its own cache, and provider trouble never', async () => {
    const { a, shared } = cluster();
    a.client.answer('done', (r) => zendeskSnapshot(r, 'completed', 100));
    a.client.answer('gone', (r) => ({ failure: 'NOT_FOUND', ref: r, message: 'no such job', retryAfterMs: null, checkedAt: new Date() }));
    a.client.answer('down', (r) => ({ failure: 'UNAVAILABLE', ref: r, message: 'down', retryAfterMs: null, checkedAt: new Date() }));
    await a.store.load([ref('running'), ref('done'), ref('gone'), ref('down')]);
    expect(shared.writes.map(({ key, ttlMs }) => `${key.split(':')[2]} ${ttlMs}`)).toEqual(['running 1000', 'done 60000', 'gone 1000']);
    expect(shared.writes[0]!.status.expiresAt).toBe(1_000_000 + 1000);
  });

  it('treats an expired shared answer as a miss', async () => {
    const { a, b, advance } = cluster();
    await a.store.load([ref('x')]);
    advance(1001);
    await b.store.load([ref('x')]);
    expect(b.client.calls).toHaveLength(1);
  });

  it('asks upstream for a poll (refresh) and tells the others what it heard', async () => {
    const { a, b, shared } = cluster();
    await a.store.load([ref('x')]);
    b.client.answer('x', (r) => zendeskSnapshot(r, 'working', 40));
    const [polled] = await b.store.refresh([ref('x')]);
    expect(b.client.calls).toHaveLength(1);
    expect(shared.kept.get('ZENDESK_JOB_STATUS:default:x')?.outcome).toEqual(polled);
  });

  it('reloads past its own memory, from the shared level', async () => {
    const { a, b } = cluster();
    await b.store.load([ref('x')]);
    a.client.answer('x', (r) => zendeskSnapshot(r, 'working', 70));
    const [newer] = await a.store.refresh([ref('x')]);
    expect(await b.store.load([ref('x')])).not.toEqual([newer]);
    expect(await b.store.reload([ref('x')])).toEqual([newer]);
    expect(b.client.calls).toHaveLength(1);
  });

  it('goes straight to the provider when the shared level fails', async () => {
    const { a, shared } = cluster();
    shared.failing = true;
    const [outcome] = await a.store.load([ref('x')]);
    expect(outcome).toMatchObject({ state: 'RUNNING' });
    expect(a.client.calls).toHaveLength(1);
  });

  it('leaves an account alone when another instance was told to', async () => {
    const { a, b, shared } = cluster();
    a.client.answer('x', (r) => ({ failure: 'RATE_LIMITED', ref: r, message: '429', retryAfterMs: 30_000, checkedAt: new Date() }));
    await a.store.load([ref('x')]);
    expect(shared.paused.get('ZENDESK:default')).toBe(1_000_000 + 30_000);
    const [paused] = await b.store.load([ref('y')]);
    expect(paused).toMatchObject({ failure: 'RATE_LIMITED', retryAfterMs: 30_000 });
    expect(b.client.calls).toHaveLength(0);
    expect(b.store.pauseRemainingMs('ZENDESK', 'default')).toBe(30_000);
  });

  it('learns shared pauses on demand, for the poller', async () => {
    const { b, shared } = cluster();
    shared.paused.set('ZENDESK:default', 1_000_000 + 5000);
    expect(b.store.pauseRemainingMs('ZENDESK', 'default')).toBe(0);
    await b.store.syncPauses([ref('y')]);
    expect(b.store.pauseRemainingMs('ZENDESK', 'default')).toBe(5000);
  });
});
