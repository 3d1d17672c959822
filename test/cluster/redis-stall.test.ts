/**
 * Cluster mode when Redis hangs rather than goes away: a private `redis-server` stopped with
 * SIGSTOP keeps its sockets open and answers nothing. Command timeouts count as losing Redis:
 * `/ready` says 503 and the connection gauge 0, the instance polls at its own cadence (no poll
 * waits on Redis), its subscribers get every change, and all is back once Redis runs again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Instance, clusterEnv, startInstance } from '../support/cluster.js';
import { zendeskJob } from '../support/fake-providers.js';
import { JobUpdatesSubscription } from '../support/operations.js';
import { sample } from '../support/prometheus.js';
import { freePort, type PrivateRedis, privateRedis, redisAvailable, uniquePrefix } from '../support/redis.js';
import { type Subscriber, subscribeWs, wsClient } from '../support/subscribers.js';
import { waitFor } from '../support/wait.js';

const available = await redisAvailable();
const COMMAND_TIMEOUT_MS = 300;

type Update = { jobUpdates: { result: Record<string, unknown> } };

describe.runIf(available)('cluster mode when Redis hangs', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function health(instance: Instance): Promise<{ ready: number; connected: number | undefined }> {
    const origin = instance.api.app.server.origin;
    const ready = (await fetch(`${origin}/ready`)).status;
    const connected = sample(await (await fetch(`${origin}/metrics`)).text(), 'jsg_cluster_redis_connected');
    return { ready, connected };
  }

  it('reports Redis lost while it hangs, keeps polling at its cadence, and resumes when it answers again', async () => {
    const redis: PrivateRedis = privateRedis(await freePort());
    await redis.start();
    cleanups.push(() => redis.stop());
    const jobs = new Map<string, Record<string, unknown>>();
    const id = 'V3-redis-stall';
    const setProgress = (progress: number) => jobs.set(id, zendeskJob(id, progress >= 10 ? 'completed' : 'working', { total: 10, progress }));
    setProgress(1);
    const instance = await startInstance(
      jobs,
      clusterEnv(redis.url, uniquePrefix(), {
        POLL_INTERVAL_MS: '20',
        POLL_MAX_INTERVAL_MS: '40',
        REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
        REDIS_LEASE_MS: '3000',
      }),
    );
    cleanups.push(() => instance.close());
    const client = wsClient(instance.api.url);
    cleanups.push(() => client.dispose());
    const subscriber = subscribeWs(client, JobUpdatesSubscription, { refs: [{ kind: 'ZENDESK_JOB_STATUS', id }] }) as Subscriber<Update>;
    const progressSeen = () => subscriber.events.map(({ jobUpdates: { result } }) => (result.progress as { completed: number } | null)?.completed);
    await waitFor(() => progressSeen().includes(1), { what: 'the first event' });
    expect(await health(instance)).toEqual({ ready: 200, connected: 1 });

    redis.pause();
    cleanups.push(() => redis.resume());
    await waitFor(async () => (await health(instance)).ready === 503, { what: '/ready 503 while Redis hangs', timeoutMs: 10_000 });
    expect(await health(instance)).toEqual({ ready: 503, connected: 0 });
    const problems = ((await (await fetch(`${instance.api.app.server.origin}/ready`)).json()) as { problems: string[] }).problems;
    expect(problems.join()).toMatch(/did not answer within 300 ms/);

    // Polls no longer wait on Redis: had each waited out its command timeouts (three per tick),
    // 20 polls would take over 18 s; at the poll interval they take well under the deadline.
    const before = instance.polls();
    await waitFor(() => instance.polls() >= before + 20, { what: '20 more polls while Redis hangs', timeoutMs: 6000 });
    setProgress(2);
    await waitFor(() => progressSeen().includes(2), { what: 'a change while Redis hangs', timeoutMs: 3000 });

    redis.resume();
    await waitFor(async () => (await health(instance)).ready === 200, { what: '/ready 200 again', timeoutMs: 10_000 });
    expect(await health(instance)).toEqual({ ready: 200, connected: 1 });
    setProgress(10);
    await subscriber.completed;
    expect(subscriber.errors).toEqual([]);
    expect(progressSeen()).toEqual([1, 2, 10]);
  });
});
