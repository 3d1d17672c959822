/**
 * Nothing acknowledged is lost with the embedded default: a child process on an on-disk PGlite
 * data dir answers `trackJobs`, is killed with SIGKILL, and a new process on the same dir lists
 * the job, keeps its history and polls it again. A second live process on the same dir is refused.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildInstance, startChildInstance } from '../support/cluster.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';
import { migratedDataDir } from '../support/pglite-template.js';
import { waitFor } from '../support/wait.js';

let dir: string;
let providers: FakeProviders;
let jobs: Map<string, Record<string, unknown>>;
const children: ChildInstance[] = [];

const post = async (url: string, query: string, variables: Record<string, unknown> = {}) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data?: any; errors?: unknown[] };
};

beforeAll(async () => {
  // The run's migrated data directory, copied: the first process resumes it rather than paying
  // initdb (test/registry/database.test.ts creates one from nothing).
  dir = await migratedDataDir('jsg-persist-');
  jobs = new Map();
  providers = await startFakeProviders(jobs);
}, 60_000);
afterAll(async () => {
  for (const child of children) await child.kill();
  await providers?.upstream.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kill -9 on the embedded database', () => {
  it('keeps an answered trackJobs and its history, and resumes polling after a restart', async () => {
    const env = { ...providers.env, DATA_DIR: dir, POLL_INTERVAL_MS: '30', POLL_MAX_INTERVAL_MS: '60', CACHE_TTL_MS: '1' };
    jobs.set('K-1', zendeskJob('K-1', 'queued'));
    const first = await startChildInstance(env);
    children.push(first);
    const tracked = await post(first.url, 'mutation { trackJobs(refs: [{ kind: ZENDESK_JOB_STATUS, id: "K-1" }], labels: ["kept"]) { __typename } }');
    expect(tracked.errors).toBeUndefined();
    await first.kill();

    const second = await startChildInstance(env);
    children.push(second);
    const listed = await post(second.url, '{ trackedJobs { totalCount edges { node { ... on Job { nativeId tracking { labels history { totalCount } } } } } } }');
    expect(listed.data.trackedJobs.totalCount).toBe(1);
    expect(listed.data.trackedJobs.edges[0].node).toMatchObject({ nativeId: 'K-1', tracking: { labels: ['kept'], history: { totalCount: 1 } } });

    // Polled again by the new process, with nobody subscribed.
    providers.upstream.requests.length = 0;
    jobs.set('K-1', zendeskJob('K-1', 'completed'));
    await waitFor(
      async () => (await post(second.url, '{ trackedJobs(filter: { done: true }) { totalCount } }')).data.trackedJobs.totalCount === 1,
      { what: 'the restarted tracker to record completion', timeoutMs: 10_000 },
    );
    expect(providers.requestsTo('/zd').length).toBeGreaterThan(0);

    // One process per data dir.
    await expect(startChildInstance(env)).rejects.toThrow(/DATA_DIR .* is in use by process/);
  }, 60_000);
});
