/**
 * `totalCount` of `trackedJobs`: the per-group counts kept by triggers stay equal to counting
 * the rows through tracking, observations, untracking, retention, truncation and compaction (on
 * PGlite and PostgreSQL); and over GraphQL the count is asked of the database only when the
 * query selects `totalCount` (statements counted through a Kysely plugin, never timed).
 */
import { type KyselyPlugin, Migrator, type RootOperationNode, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TrackedJobFilter } from '../../src/registry/listing.js';
import { migrationProvider } from '../../src/registry/migrations.js';
import { createRegistry } from '../../src/registry/registry.js';
import { providerCatalog } from '../../src/providers/catalog.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';
import { describeEachDatabase, openTestPglite } from '../support/database.js';
import { manualClock } from '../support/manual-clock.js';
import { observed, ref } from '../support/outcomes.js';


const FILTERS: readonly { filter: TrackedJobFilter; visibleProviders?: ('IMAGEKIT' | 'SAYMON' | 'ZENDESK')[] }[] = [
  { filter: {} },
  { filter: { providers: ['ZENDESK'] } },
  { filter: { providers: [] } },
  { filter: { kinds: ['IMAGEKIT_BULK_JOB', 'SAYMON_BULK_OP'] } },
  { filter: { accounts: ['eu'] } },
  { filter: { states: ['RUNNING'] } },
  { filter: { states: ['COMPLETED', 'QUEUED'] } },
  { filter: { done: true } },
  { filter: { done: false } },
  { filter: { providers: ['ZENDESK'], done: false, states: ['RUNNING'] } },
  { filter: {}, visibleProviders: ['IMAGEKIT'] },
  { filter: { providers: ['ZENDESK', 'IMAGEKIT'] }, visibleProviders: ['ZENDESK'] },
  // Answered by counting rows, not groups:
  { filter: { labels: ['a'] } },
  { filter: { search: 'z-' } },
  { filter: { done: false, labels: ['b'] } },
];

await describeEachDatabase('listing counts', (current) => {
  const clock = manualClock();
  const registry = () => createRegistry(current().database.db, { clock, catalog: providerCatalog });

  /** What `totalCount` must be: the rows of the same list, read whole. */
  async function expectCountsExact(): Promise<void> {
    for (const { filter, visibleProviders } of FILTERS) {
      const listed = await registry().listTrackedJobPage({ filter, visibleProviders, first: 500 });
      const counted = await registry().countTrackedJobs({ filter, visibleProviders });
      expect(counted, JSON.stringify({ filter, visibleProviders })).toBe(listed.edges.length);
    }
  }

  async function deltaRows(): Promise<number> {
    const { rows } = await sql<{ rows: number | string }>`select count(*) as rows from tracked_job_counts`.execute(current().database.db);
    return Number(rows[0]!.rows);
  }

  it('stay exact through tracking, observations, untracking, retention and compaction', async () => {
    const zendesk = Array.from({ length: 12 }, (_, index) => ref('ZENDESK_JOB_STATUS', `z-${index}`, index % 4 === 0 ? 'eu' : 'default'));
    const others = [ref('IMAGEKIT_BULK_JOB', 'ik-1'), ref('IMAGEKIT_PURGE_REQUEST', 'p-1'), ref('SAYMON_BULK_OP', 's-1')];
    await registry().trackJobs(zendesk.slice(0, 6), ['a']);
    await registry().trackJobs([...zendesk.slice(6), ...others], ['b']);
    // Tracking again (an upsert that updates labels only) changes no count.
    await registry().trackJobs(zendesk.slice(0, 3), ['b']);
    await expectCountsExact();

    for (const [index, job] of zendesk.entries()) {
      clock.advance(1000);
      await registry().recordObservation(job, observed(job, index % 3 === 0 ? 'COMPLETED' : 'RUNNING', index % 3 === 0, clock.now()));
    }
    clock.advance(1000);
    await registry().recordObservation(zendesk[1]!, observed(zendesk[1]!, 'COMPLETED', true, clock.now()));
    // An observation that changes nothing counted (a later check of the same state).
    clock.advance(1000);
    await registry().recordObservation(zendesk[2]!, observed(zendesk[2]!, 'RUNNING', false, clock.now()));
    await expectCountsExact();

    expect(await registry().untrackJobs([zendesk[4]!, others[0]!])).toHaveLength(2);
    clock.advance(60_000);
    expect(await registry().sweepFinished(30_000)).toBeGreaterThan(0);
    await expectCountsExact();

    const before = await deltaRows();
    expect(await registry().compactCounts()).toBe(before);
    // One row per group left: at most a handful here.
    expect(await deltaRows()).toBeLessThan(before);
    expect(await deltaRows()).toBeLessThanOrEqual(8);
    await expectCountsExact();
    // Compacting again changes nothing; tracking afterwards counts on top.
    await registry().compactCounts();
    await registry().trackJobs([ref('ZENDESK_JOB_STATUS', 'z-late')], ['a']);
    await expectCountsExact();
  });

  it('count the jobs tracked before the migration that added them', async () => {
    const { db } = current().database;
    const migrator = new Migrator({ db, provider: migrationProvider });
    expect((await migrator.migrateTo('0002-webhooks')).error).toBeUndefined();
    await registry().trackJobs([ref('ZENDESK_JOB_STATUS', 'z-old'), ref('SAYMON_BULK_OP', 's-old'), ref('ZENDESK_JOB_STATUS', 'z-eu', 'eu')], ['a']);
    const upgraded = await migrator.migrateTo('0003-listing-counts');
    expect(upgraded.error).toBeUndefined();
    expect(upgraded.results?.map((result) => result.migrationName)).toEqual(['0003-listing-counts']);
    await expectCountsExact();
    expect(await registry().countTrackedJobs({ filter: { providers: ['ZENDESK'] } })).toBe(2);
  });

  it('are empty after the table is truncated', async () => {
    await registry().trackJobs([ref('ZENDESK_JOB_STATUS', 'z-1'), ref('SAYMON_BULK_OP', 's-1')]);
    await sql`truncate tracked_jobs cascade`.execute(current().database.db);
    expect(await deltaRows()).toBe(0);
    expect(await registry().countTrackedJobs({})).toBe(0);
  });
});

describe('trackedJobs over GraphQL counts only when totalCount is selected', () => {
  /** The statements that count tracked jobs: `count(*)` of the jobs, or a sum of the group counts. */
  const counting: string[] = [];
  const recorder: KyselyPlugin = {
    transformQuery({ node }): RootOperationNode {
      const text = JSON.stringify(node);
      if (/"tracked_jobs"|"tracked_job_counts"/.test(text) && /"func":"count"|sum\(jobs\)/.test(text)) counting.push(text);
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  let api: TestApp;
  let providers: FakeProviders;

  beforeAll(async () => {
    providers = await startFakeProviders(new Map([['c-1', zendeskJob('c-1', 'working')], ['c-2', zendeskJob('c-2', 'completed')]]));
    const database = await openTestPglite();
    api = await startTestApp(providers.env, undefined, { database: { ...database, db: database.db.withPlugin(recorder) } });
    const tracked = await api.request('mutation { trackJobs(refs: [{ kind: ZENDESK_JOB_STATUS, id: "c-1" }, { kind: ZENDESK_JOB_STATUS, id: "c-2" }]) { __typename } }', {});
    expect(tracked.body).toEqual({ data: { trackJobs: [{ __typename: 'ZendeskJobStatus' }, { __typename: 'ZendeskJobStatus' }] } });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await providers?.upstream.close();
  });
  beforeEach(() => {
    counting.length = 0;
  });

  async function list(selection: string): Promise<Record<string, unknown>> {
    const { body } = (await api.request(`query { trackedJobs(first: 10, filter: { search: "c-" }) { ${selection} } }`, {})) as {
      body: { data?: { trackedJobs: Record<string, unknown> }; errors?: unknown };
    };
    expect(body.errors).toBeUndefined();
    return body.data!.trackedJobs;
  }

  it('runs no count for edges and pageInfo alone', async () => {
    const page = await list('edges { cursor } pageInfo { hasNextPage }');
    expect(page.edges).toHaveLength(2);
    expect(counting).toHaveLength(0);
  });

  it('runs one count when selected, even twice under aliases or in a fragment', async () => {
    const page = await list('totalCount again: totalCount ... on TrackedJobConnection { totalCount } edges { cursor }');
    expect(page).toMatchObject({ totalCount: 2, again: 2 });
    expect(counting).toHaveLength(1);
  });

  it('runs none when @skip leaves it out', async () => {
    const { body } = (await api.request('query($skip: Boolean!) { trackedJobs(first: 10) { totalCount @skip(if: $skip) edges { cursor } } }', { skip: true })) as {
      body: { data: { trackedJobs: Record<string, unknown> } };
    };
    expect(body.data.trackedJobs).not.toHaveProperty('totalCount');
    expect(counting).toHaveLength(0);
  });
});
