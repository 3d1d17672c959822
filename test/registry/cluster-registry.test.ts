/**
 * Two instances on one PostgreSQL registry (a fresh database) and one Redis (a unique prefix):
 * a job tracked on one is watched by both, each change is written to history once, the live
 * list sees the events on both instances, and `REDIS_URL` without a PostgreSQL registry is refused.
 */
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/logger.js';
import { clusterEnv, type Instance, startInstance } from '../support/cluster.js';
import { createPostgresDatabase, postgresAvailable, type ScratchPostgres } from '../support/database.js';
import { zendeskJob } from '../support/fake-providers.js';
import { deleteKeysUnder, inspector, REDIS_URL, redisAvailable, uniquePrefix } from '../support/redis.js';
import { subscribeSse } from '../support/subscribers.js';
import { waitFor } from '../support/wait.js';

const available = (await redisAvailable()) && (await postgresAvailable());

describe.runIf(available)('registry in cluster mode', () => {
  const prefix = uniquePrefix();
  const jobs = new Map<string, Record<string, unknown>>();
  let scratch: ScratchPostgres;
  let instances: Instance[] = [];

  beforeAll(async () => {
    scratch = await createPostgresDatabase();
    const env = clusterEnv(REDIS_URL, prefix, { DATABASE_URL: scratch.url });
    // Started together: migrations run once under the advisory lock.
    instances = await Promise.all([startInstance(jobs, env), startInstance(jobs, env)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.close()));
    const redis = inspector();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
    await scratch?.drop();
  });

  it('writes each change once, with events on both instances, and both let go when done', async () => {
    const [a, b] = instances as [Instance, Instance];
    const live = subscribeSse<any, unknown>(b.api.url, parse('subscription { trackedJobUpdates { type previousState job { ... on Job { nativeId state } } } }') as never, {});
    try {
      jobs.set('C-1', zendeskJob('C-1', 'queued'));
      await waitFor(
        async () => {
          if (live.events.length === 0) await a.api.request('mutation { trackJobs(refs: [{ kind: ZENDESK_JOB_STATUS, id: "C-1" }]) { __typename } }');
          return live.events.some((event) => event.trackedJobUpdates.type === 'TRACKED');
        },
        { what: 'TRACKED on the other instance' },
      );
      await waitFor(() => b.api.app.registry.tracker.watched === 1, { what: 'the other instance to watch the job' });
      jobs.set('C-1', zendeskJob('C-1', 'working'));
      await waitFor(() => live.events.some((event) => event.trackedJobUpdates.type === 'CHANGED'), { what: 'CHANGED on instance b' });
      jobs.set('C-1', zendeskJob('C-1', 'completed'));
      await waitFor(() => live.events.filter((event) => event.trackedJobUpdates.type === 'CHANGED').length >= 2, { what: 'the done change' });
      const history = await b.api.request('{ job(ref: { kind: ZENDESK_JOB_STATUS, id: "C-1" }) { ... on Job { tracking { history { edges { node { state } } } } } } }');
      expect((history.body.data as any).job.tracking.history.edges.map((edge: any) => edge.node.state)).toEqual(['QUEUED', 'RUNNING', 'COMPLETED']);
      const changed = live.events.filter((event) => event.trackedJobUpdates.type === 'CHANGED').map((event) => event.trackedJobUpdates.previousState);
      expect(changed).toEqual(['QUEUED', 'RUNNING']);
      // Both released it once done.
      await waitFor(() => a.api.app.registry.tracker.watched === 0 && b.api.app.registry.tracker.watched === 0, { what: 'both trackers to let go' });
    } finally {
      live.stop();
    }
  }, 60_000);

  it('refuses REDIS_URL with the embedded database, naming both variables', async () => {
    await expect(startApp(loadConfig({ REDIS_URL, DATABASE_URL: 'memory:', PORT: '0', LOG_LEVEL: 'silent' }), silentLogger)).rejects.toThrow(
      /REDIS_URL needs DATABASE_URL=postgres/,
    );
  });
});
