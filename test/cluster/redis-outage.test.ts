/**
 * Cluster mode when Redis fails: at start (a clear error, or degraded with `REDIS_OPTIONAL=1`)
 * and while running (`/ready` 503, queries and subscriptions carry on, cluster mode resumes).
 * Each test runs its own `redis-server` on a free port, so that it may stop and start it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { type Instance, clusterEnv, startInstance } from '../support/cluster.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';
import { captureLogs } from '../support/logs.js';
import { JobQuery, JobUpdatesSubscription } from '../support/operations.js';
import { freePort, keysUnder, inspector, type PrivateRedis, privateRedis, redisAvailable, uniquePrefix } from '../support/redis.js';
import { type Subscriber, subscribeWs, wsClient } from '../support/subscribers.js';
import { waitFor } from '../support/wait.js';

// The private servers need the `redis-server` binary; where the shared Redis is missing, so is it.
const available = await redisAvailable();

type Update = { jobUpdates: { result: Record<string, unknown> } };

describe.runIf(available)('cluster mode when Redis fails', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const jobs = new Map<string, Record<string, unknown>>();

  async function startRedis(): Promise<PrivateRedis> {
    const redis = privateRedis(await freePort());
    await redis.start();
    cleanups.push(() => redis.stop());
    return redis;
  }

  function subscribe(url: string, id: string): Subscriber<Update> {
    const client = wsClient(url);
    cleanups.push(() => client.dispose());
    return subscribeWs(client, JobUpdatesSubscription, { refs: [{ kind: 'ZENDESK_JOB_STATUS', id }] }) as Subscriber<Update>;
  }

  const progressSeen = (subscriber: Subscriber<Update>) =>
    subscriber.events.map(({ jobUpdates: { result } }) => (result.progress as { completed: number } | null)?.completed ?? String(result.state));

  async function ready(url: string): Promise<{ status: number; body: { problems?: string[] } }> {
    const response = await fetch(url.replace(/\/graphql$/, '/ready'));
    return { status: response.status, body: (await response.json()) as { problems?: string[] } };
  }

  it('keeps serving while Redis is down, and resumes cluster mode when it returns', async () => {
    const redis = await startRedis();
    const prefix = uniquePrefix();
    const id = `outage-${prefix}`;
    const setProgress = (progress: number) => jobs.set(id, zendeskJob(id, progress >= 10 ? 'completed' : 'working', { total: 10, progress }));
    setProgress(1);
    const env = clusterEnv(redis.url, prefix);
    const cluster: Instance[] = [];
    for (let i = 0; i < 2; i += 1) {
      const instance = await startInstance(jobs, env);
      cluster.push(instance);
      cleanups.push(() => instance.close());
    }
    const subscribers = cluster.map((instance) => subscribe(instance.api.url, id));
    const allSaw = (progress: number, what: string) =>
      waitFor(() => subscribers.every((subscriber) => progressSeen(subscriber).includes(progress)), { what, timeoutMs: 8000 });
    await allSaw(1, 'initial events');
    setProgress(2);
    await allSaw(2, 'a change through Redis');
    expect((await ready(cluster[0]!.api.url)).status).toBe(200);

    await redis.stop();
    for (const instance of cluster) {
      const answer = await waitFor(async () => {
        const current = await ready(instance.api.url);
        return current.status === 503 && current;
      }, { what: '/ready 503' });
      expect(answer.body.problems?.join()).toMatch(/redis: not connected to redis:\/\/127\.0\.0\.1:\d+/);
    }
    // Queries go straight to the providers.
    const query = await cluster[1]!.api.request(JobQuery, { ref: { kind: 'ZENDESK_JOB_STATUS', id } });
    expect(query.body.data?.job).toMatchObject({ __typename: 'ZendeskJobStatus', state: 'RUNNING' });
    // Each instance polls for its own subscribers meanwhile.
    setProgress(3);
    await allSaw(3, 'a change while Redis is down');

    await redis.start();
    await waitFor(async () => cluster.every((instance) => instance.api.app.cluster!.connected()), { what: 'reconnection', timeoutMs: 8000 });
    for (const instance of cluster) expect((await ready(instance.api.url)).status).toBe(200);
    setProgress(4);
    await allSaw(4, 'a change after Redis returned');
    // One poller again: from here on, only one instance asks upstream.
    const before = cluster.map((instance) => instance.polls());
    await waitFor(() => cluster.reduce((sum, instance, index) => sum + instance.polls() - before[index]!, 0) >= 4, { what: 'more polls' });
    const pollers = cluster.filter((instance, index) => instance.polls() > before[index]!);
    expect(pollers).toHaveLength(1);

    setProgress(10);
    await Promise.all(subscribers.map((subscriber) => subscriber.completed));
    for (const subscriber of subscribers) {
      expect(subscriber.errors).toEqual([]);
      expect(progressSeen(subscriber)).toEqual([1, 2, 3, 4, 10]);
    }
  });

  it('stops start-up with one clear message naming REDIS_URL, without its password, when Redis cannot be reached', async () => {
    const port = await freePort();
    const start = startTestApp({ REDIS_URL: `redis://:pa55word@127.0.0.1:${port}/2`, REDIS_CONNECT_TIMEOUT_MS: '300' });
    await expect(start).rejects.toThrow(new RegExp(`^REDIS_URL: cannot connect to redis://127\\.0\\.0\\.1:${port}/2 \\(.*ECONNREFUSED.*\\)$`));
    await expect(start).rejects.not.toThrow(/pa55word/);
  });

  it('with REDIS_OPTIONAL=1 starts degraded, says so, serves, and joins the cluster once Redis appears', async () => {
    const port = await freePort();
    const prefix = uniquePrefix();
    const id = `optional-${prefix}`;
    jobs.set(id, zendeskJob(id, 'working', { total: 10, progress: 1 }));
    const providers: FakeProviders = await startFakeProviders(jobs);
    cleanups.push(() => providers.upstream.close());
    const logs = captureLogs([], 'info');
    const api: TestApp = await startTestApp(
      {
        ...providers.env,
        ...clusterEnv(`redis://127.0.0.1:${port}`, prefix),
        REDIS_OPTIONAL: '1',
        REDIS_CONNECT_TIMEOUT_MS: '300',
      },
      logs.logger,
    );
    cleanups.push(() => api.close());
    expect(logs.entries().some((entry) => entry.level === 50 && /REDIS_OPTIONAL=1.*DEGRADED/.test(String(entry.msg)))).toBe(true);
    expect((await ready(api.url)).status).toBe(200);
    expect(api.app.cluster!.connected()).toBe(false);

    const subscriber = subscribe(api.url, id);
    await waitFor(() => progressSeen(subscriber).includes(1), { what: 'initial event' });
    jobs.set(id, zendeskJob(id, 'working', { total: 10, progress: 2 }));
    await waitFor(() => progressSeen(subscriber).includes(2), { what: 'a change, degraded' });

    const redis = privateRedis(port);
    await redis.start();
    cleanups.push(() => redis.stop());
    await waitFor(() => api.app.cluster!.connected(), { what: 'Redis reached', timeoutMs: 8000 });
    const client = inspector(redis.url);
    cleanups.push(() => client.disconnect());
    await waitFor(async () => (await client.get(`${prefix}lease:ZENDESK_JOB_STATUS:default:${id}`)) === api.app.cluster!.instanceId, {
      what: 'the lease taken',
    });
    jobs.set(id, zendeskJob(id, 'completed', { total: 10, progress: 10 }));
    await subscriber.completed;
    expect(progressSeen(subscriber)).toEqual([1, 2, 10]);
    expect(logs.entries().some((entry) => /degraded mode over/.test(String(entry.msg)))).toBe(true);
    for (const ttl of (await keysUnder(client, prefix)).values()) expect(ttl).toBeGreaterThan(0);
  });
});
