/**
 * `totalCount` of `trackedJobs`: the per-group and per-label counts kept by triggers stay equal to
 * counting the rows through tracking, relabelling, observations, untracking, retention, truncation and compaction (on
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
  // One label: answered by the per-label counts.
  { filter: { labels: ['a'] } },
  { filter: { labels: ['b', 'b'] } },
  { filter: { labels: ['gone'] } },
  { filter: { done: false, labels: ['b'] } },
  { filter: { providers: ['ZENDESK'], states: ['RUNNING'], labels: ['a'] }, visibleProviders: ['ZENDESK'] },
  { filter: { labels: ['a'] }, visibleProviders: ['SAYMON'] },
  // Answered by counting rows, not groups:
  { filter: { labels: ['a', 'b'] } },
  { filter: { labels: ['a'], search: 'z-1' } },
  { filter: { search: 'z-' } },
  { filter: { search: 'b' } },
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

  /** Rows of both counts tables (per group, per label and group). */
  async function deltaRows(): Promise<number> {
    const { rows } = await sql<{ rows: number | string }>`
      select (select count(*) from tracked_job_counts) + (select count(*) from tracked_job_label_counts) as rows`.execute(current().database.db);
    return Number(rows[0]!.rows);
  }

  it('stay exact through tracking, observations, untracking, retention and compaction', async () => {
    const zendesk = Array.from({ length: 12 }, (_, index) => ref('ZENDESK_JOB_STATUS', `z-${index}`, index % 4 === 0 ? 'eu' : 'default'));
    const others = [ref('IMAGEKIT_BULK_JOB', 'ik-1'), ref('IMAGEKIT_PURGE_REQUEST', 'p-1'), ref('SAYMON_BULK_OP', 's-1')];
    await registry().trackJobs(zendesk.slice(0, 6), ['a']);
    await registry().trackJobs([...zendesk.slice(6), ...others], ['b']);
    // Tracking again (an upsert that updates labels only) changes no group count, only label counts.
    await registry().trackJobs(zendesk.slice(0, 3), ['b']);
    await expectCountsExact();
    // Relabelling: one label dropped, one added, one kept.
    await registry().setLabels(zendesk[7]!, ['gone', 'a']);
    await registry().setLabels(zendesk[7]!, ['a']);
    await registry().setLabels(others[2]!, []);
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
    // One row per group (and per label and group) left: a handful here.
    expect(await deltaRows()).toBeLessThan(before);
    expect(await deltaRows()).toBeLessThanOrEqual(20);
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
    const upgraded = await migrator.migrateToLatest();
    expect(upgraded.error).toBeUndefined();
    expect(upgraded.results?.map((result) => result.migrationName)).toEqual(['0003-listing-counts', '0004-webhook-claim-index', '0005-label-counts']);
    await expectCountsExact();
    expect(await registry().countTrackedJobs({ filter: { providers: ['ZENDESK'] } })).toBe(2);
  });

  it('of one label read the label counts, never the jobs; several labels count the jobs', async () => {
    await registry().trackJobs([ref('ZENDESK_JOB_STATUS', 'z-1'), ref('SAYMON_BULK_OP', 's-1')], ['a', 'b']);
    const statements: string[] = [];
    const recorder: KyselyPlugin = {
      transformQuery({ node }): RootOperationNode {
        statements.push(JSON.stringify(node));
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    const recorded = createRegistry(current().database.db.withPlugin(recorder), { clock, catalog: providerCatalog });
    expect(await recorded.countTrackedJobs({ filter: { labels: ['a'], providers: ['ZENDESK'] } })).toBe(1);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain('"tracked_job_label_counts"');
    expect(statements[0]).not.toContain('"tracked_jobs"');
    statements.length = 0;
    expect(await recorded.countTrackedJobs({ filter: { labels: ['a', 'b'] } })).toBe(2);
    expect(statements[0]).toContain('"tracked_jobs"');
  });

  it('of labels and search find labels through a GIN index without a pending list', async () => {
    // fastupdate on (the default) keeps new entries in a list every search reads whole until a
    // vacuum merges it, which PGlite never runs by itself.
    const { rows } = await sql<{ options: string[] | null }>`
      select reloptions as options from pg_class where relname = 'tracked_jobs_labels'`.execute(current().database.db);
    expect(rows[0]?.options).toContain('fastupdate=off');
  });

  it('are empty after the table is truncated', async () => {
    await registry().trackJobs([ref('ZENDESK_JOB_STATUS', 'z-1'), ref('SAYMON_BULK_OP', 's-1')], ['a']);
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
