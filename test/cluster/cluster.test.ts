/**
 * Cluster mode end to end: several instances on one Redis, each with its own simulator, real
 * graphql-ws subscribers spread over them. Counts upstream calls per instance and deliveries per
 * subscriber.
 */
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Instance, clusterEnv, startChildInstance, startInstance } from '../support/cluster.js';
import { zendeskJob } from '../support/fake-providers.js';
import { JobQuery, JobUpdatesSubscription } from '../support/operations.js';
import { deleteKeysUnder, inspector, keysUnder, REDIS_URL, redisAvailable, uniquePrefix } from '../support/redis.js';
import { type Subscriber, subscribeWs, wsClient } from '../support/subscribers.js';
import { waitFor } from '../support/wait.js';

const available = await redisAvailable();

type Update = { jobUpdates: { previousState?: string | null; result: Record<string, unknown> } };

describe.runIf(available)('cluster mode', () => {
  let redis: Redis;
  let prefix: string;
  const instances: Instance[] = [];
  const clients: ReturnType<typeof wsClient>[] = [];
  const jobs = new Map<string, Record<string, unknown>>();

  beforeAll(() => {
    redis = inspector();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    await Promise.all(instances.splice(0).map((instance) => instance.close()));
    await deleteKeysUnder(redis, prefix);
  });
  afterAll(() => {
    redis.disconnect();
  });

  async function start(count: number, env: Record<string, string> = {}): Promise<Instance[]> {
    const started = await Promise.all(Array.from({ length: count }, () => startInstance(jobs, clusterEnv(REDIS_URL, prefix, env))));
    instances.push(...started);
    return started;
  }

  function subscribe(url: string, id: string): Subscriber<Update> {
    const client = wsClient(url);
    clients.push(client);
    return subscribeWs(client, JobUpdatesSubscription, { refs: [{ kind: 'ZENDESK_JOB_STATUS', id }] }) as Subscriber<Update>;
  }

  const seen = (subscriber: Subscriber<Update>) =>
    subscriber.events.map(({ jobUpdates: { result } }) => `${String(result.state)}${result.progress ? ` ${(result.progress as { completed: number }).completed}` : ''}`);

  it('delivers every change to subscribers on every instance, polling the job from one instance, one upstream call per poll', async () => {
    prefix = uniquePrefix();
    const id = `cluster-${prefix}`;
    jobs.set(id, zendeskJob(id, 'queued'));
    // A long cache TTL: subscriptions starting later are answered from the shared cache, so the
    // only upstream calls besides the first instance's first answer are polls.
    const cluster = await start(3, { CACHE_TTL_MS: '60000' });
    const first = subscribe(cluster[0]!.api.url, id);
    await waitFor(() => first.events.length === 1, { what: 'the first subscriber’s initial event' });
    const subscribers = [first, subscribe(cluster[0]!.api.url, id), subscribe(cluster[1]!.api.url, id), subscribe(cluster[2]!.api.url, id)];
    const allSaw = (count: number) => waitFor(() => subscribers.every((subscriber) => subscriber.events.length >= count), { what: `${count} events everywhere` });
    await allSaw(1);

    jobs.set(id, zendeskJob(id, 'working', { total: 10, progress: 3 }));
    await allSaw(2);
    jobs.set(id, zendeskJob(id, 'working', { total: 10, progress: 7 }));
    await allSaw(3);
    // Let a few unchanged polls happen too.
    const polled = cluster.reduce((sum, instance) => sum + instance.polls(), 0);
    await waitFor(() => cluster.reduce((sum, instance) => sum + instance.polls(), 0) >= polled + 3, { what: 'more polls' });
    jobs.set(id, zendeskJob(id, 'completed', { total: 10, progress: 10 }));
    await Promise.all(subscribers.map((subscriber) => subscriber.completed));

    for (const subscriber of subscribers) {
      expect(subscriber.errors).toEqual([]);
      expect(seen(subscriber)).toEqual(['QUEUED', 'RUNNING 3', 'RUNNING 7', 'COMPLETED 10']);
    }
    const polls = cluster.map((instance) => instance.polls());
    expect(polls.filter((count) => count > 0)).toHaveLength(1);
    // Each instance's upstream calls: its polls, plus the very first answer on instance 0.
    expect(cluster.map((instance) => instance.zendeskCallsFor(id))).toEqual(polls.map((count, index) => count + (index === 0 ? 1 : 0)));
  });

  it('shows on /metrics which instance holds the poll lease, and that Redis is connected', async () => {
    prefix = uniquePrefix();
    const id = `metrics-${prefix}`;
    jobs.set(id, zendeskJob(id, 'working'));
    const cluster = await start(2);
    const sub = subscribe(cluster[0]!.api.url, id);
    subscribe(cluster[1]!.api.url, id);
    await sub.received(1);
    const scrape = async (url: string) => {
      const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      return { connected: value('jsg_cluster_redis_connected'), leases: value('jsg_cluster_leases_held') };
    };
    await waitFor(async () => cluster.some((instance) => instance.polls() > 0), { what: 'a first poll' });
    const scraped = await Promise.all(cluster.map((instance) => scrape(instance.api.url)));
    expect(scraped.map((metrics) => metrics.connected)).toEqual([1, 1]);
    expect(scraped.map((metrics) => metrics.leases).sort()).toEqual([0, 1]);
  });

  it('leaves a handful of keys behind, every one expiring', async () => {
    prefix = uniquePrefix();
    const id = `hygiene-${prefix}`;
    jobs.set(id, zendeskJob(id, 'working'));
    jobs.set(`${id}-b`, zendeskJob(`${id}-b`, 'working'));
    const cluster = await start(2);
    const subscribers = [subscribe(cluster[0]!.api.url, id), subscribe(cluster[1]!.api.url, id), subscribe(cluster[1]!.api.url, `${id}-b`)];
    await waitFor(() => subscribers.every((subscriber) => subscriber.events.length >= 1), { what: 'initial events' });
    await waitFor(() => cluster.some((instance) => instance.polls() >= 3), { what: 'polls' });
    const during = await keysUnder(redis, prefix);
    expect([...during.values()].every((ttl) => ttl > 0)).toBe(true);
    expect(await cluster[0]!.api.app.cluster!.watchedJobs()).toEqual([`ZENDESK_JOB_STATUS:default:${id}`, `ZENDESK_JOB_STATUS:default:${id}-b`]);

    subscribers[2]!.stop();
    jobs.set(id, zendeskJob(id, 'completed'));
    await Promise.all(subscribers.slice(0, 2).map((subscriber) => subscriber.completed));
    await Promise.all(instances.splice(0).map((instance) => instance.close()));

    // What may stay: the two jobs' statuses (TTLs), and a done job's lease left to lapse.
    const left = await keysUnder(redis, prefix);
    expect(left.size).toBeLessThanOrEqual(3);
    for (const [key, ttl] of left) {
      expect(key).toMatch(new RegExp(`^${prefix}(status|lease):`));
      // -1 would be a key that never expires; 0 or -2 is one expiring (or gone) as we look.
      expect(ttl).not.toBe(-1);
    }
  });

  it('answers a query on any instance from what another instance fetched', async () => {
    prefix = uniquePrefix();
    const id = `shared-${prefix}`;
    jobs.set(id, zendeskJob(id, 'working', { total: 4, progress: 1 }));
    const [a, b] = await start(2, { CACHE_TTL_MS: '60000' });
    const ref = { kind: 'ZENDESK_JOB_STATUS' as const, id };
    const fromA = await a!.api.request(JobQuery, { ref });
    const fromB = await b!.api.request(JobQuery, { ref });
    expect(fromB.body).toEqual(fromA.body);
    expect(fromB.body.data?.job).toMatchObject({ __typename: 'ZendeskJobStatus', state: 'RUNNING' });
    expect([a!.zendeskCallsFor(id), b!.zendeskCallsFor(id)]).toEqual([1, 0]);
  });

  it('never shares provider trouble: another instance asks its provider itself', async () => {
    prefix = uniquePrefix();
    const id = `trouble-${prefix}`;
    const [a, b] = await start(2, { CACHE_TTL_MS: '60000', UPSTREAM_RETRIES: '0' });
    a!.providers.upstream.on('GET', '/zd/api/v2/job_statuses/show_many.json', { status: 503, body: { error: 'down' } });
    jobs.set(id, zendeskJob(id, 'working'));
    const ref = { kind: 'ZENDESK_JOB_STATUS' as const, id };
    expect((await a!.api.request(JobQuery, { ref })).body.data?.job).toMatchObject({ __typename: 'ProviderError', code: 'UNAVAILABLE' });
    expect((await b!.api.request(JobQuery, { ref })).body.data?.job).toMatchObject({ __typename: 'ZendeskJobStatus' });
    expect(b!.zendeskCallsFor(id)).toBe(1);
  });

  it('leaves an account alone on every instance once one was told to slow down', async () => {
    prefix = uniquePrefix();
    const [a, b] = await start(2);
    a!.providers.upstream.on('GET', '/zd/api/v2/job_statuses/show_many.json', { status: 429, headers: { 'retry-after': '30' }, body: {} });
    const asked = (id: string) => ({ ref: { kind: 'ZENDESK_JOB_STATUS' as const, id } });
    expect((await a!.api.request(JobQuery, asked(`x-${prefix}`))).body.data?.job).toMatchObject({ code: 'RATE_LIMITED' });
    const other = await b!.api.request(JobQuery, asked(`y-${prefix}`));
    expect(other.body.data?.job).toMatchObject({ __typename: 'ProviderError', code: 'RATE_LIMITED' });
    expect(b!.providers.requestsTo('/zd')).toHaveLength(0);
    const ttl = await redis.pttl(`${prefix}pause:ZENDESK:default`);
    expect(ttl).toBeGreaterThan(20_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('moves polling to another instance at once when the holder shuts down', async () => {
    prefix = uniquePrefix();
    const id = `handover-${prefix}`;
    jobs.set(id, zendeskJob(id, 'working', { total: 10, progress: 1 }));
    const [holder] = await start(1, { REDIS_LEASE_MS: '60000' });
    const early = subscribe(holder!.api.url, id);
    await waitFor(() => holder!.polls() > 0, { what: 'the first instance polling' });
    const [heir] = await start(1, { REDIS_LEASE_MS: '60000' });
    const late = subscribe(heir!.api.url, id);
    await waitFor(() => late.events.length === 1 && early.events.length === 1, { what: 'initial events' });
    expect(heir!.polls()).toBe(0);

    await holder!.close();
    // Released on shutdown: the heir takes over long before the (one minute) lease would lapse.
    await waitFor(() => heir!.polls() > 0, { what: 'the heir polling', timeoutMs: 5000 });
    jobs.set(id, zendeskJob(id, 'completed', { total: 10, progress: 10 }));
    await late.completed;
    expect(seen(late)).toEqual(['RUNNING 1', 'COMPLETED 10']);
  });

  // A child process's start included: seconds on an idle machine, many more on a loaded one.
  it('moves polling to another instance within the lease time when the holder dies', { timeout: 90_000 }, async () => {
    prefix = uniquePrefix();
    const id = `crash-${prefix}`;
    const leaseMs = 2000;
    jobs.set(id, zendeskJob(id, 'working', { total: 10, progress: 1 }));
    const env = clusterEnv(REDIS_URL, prefix, { REDIS_LEASE_MS: String(leaseMs) });
    const [heir] = await start(1, { REDIS_LEASE_MS: String(leaseMs) });
    // The doomed instance runs in a child process, on an upstream of its own that this test watches.
    const doomedUpstream = await startInstanceUpstream();
    const doomed = await startChildInstance({ ...doomedUpstream.env, ...env });
    try {
      const early = subscribe(doomed.url, id);
      await waitFor(async () => (await redis.get(`${prefix}lease:ZENDESK_JOB_STATUS:default:${id}`)) === doomed.instanceId, {
        what: 'the child holding the lease',
        timeoutMs: 10_000,
      });
      const late = subscribe(heir!.api.url, id);
      await waitFor(() => late.events.length === 1 && early.events.length === 1, { what: 'initial events' });
      expect(heir!.polls()).toBe(0);

      await doomed.kill();
      const callsAtDeath = doomedUpstream.calls(id);
      // Lapse (at most the lease time after the last renewal) plus one claim interval, with slack for a loaded machine.
      await waitFor(() => heir!.polls() > 0, { what: 'the heir polling', timeoutMs: leaseMs + 1500 });
      expect(await redis.get(`${prefix}lease:ZENDESK_JOB_STATUS:default:${id}`)).toBe(heir!.api.app.cluster!.instanceId);
      jobs.set(id, zendeskJob(id, 'completed', { total: 10, progress: 10 }));
      await late.completed;
      expect(seen(late)).toEqual(['RUNNING 1', 'COMPLETED 10']);
      expect(doomedUpstream.calls(id)).toBe(callsAtDeath);
    } finally {
      await doomed.kill();
      await doomedUpstream.close();
    }
  });

  /** A simulator for an instance that is not started in this process. */
  async function startInstanceUpstream() {
    const { startFakeProviders } = await import('../support/fake-providers.js');
    const providers = await startFakeProviders(jobs);
    return {
      env: providers.env,
      calls: (id: string) => providers.requestsTo('/zd').filter((request) => (request.query.ids ?? '').split(',').includes(id)).length,
      close: () => providers.upstream.close(),
    };
  }
});
