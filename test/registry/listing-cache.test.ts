/**
 * `trackedJobs` pages from the response cache, over real HTTP, on PGlite and on PostgreSQL: a
 * repeated page is answered without executing it, but never once the database has changed, by
 * this instance's own writes or by another connection's (another instance on the same
 * PostgreSQL, here a plain `pg` client), never across caller scopes, and never for a page that
 * asks the status store. The same page asked by many at once is executed once.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryDatabase } from '../../src/registry/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createPostgresDatabase, openTestPglite, postgresAvailable, type ScratchPostgres } from '../support/database.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';

const FULL_KEY = 'full-key-7a0c52e19d';
const ZENDESK_KEY = 'zendesk-key-31be0d7f4a';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

const LIST = `query List($first: Int, $labels: [String!]) {
  trackedJobs(first: $first, filter: { labels: $labels }) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { __typename ... on Job { nativeId state tracking { labels history { edges { node { state } } } } } } }
  }
}`;

const withPostgres = await postgresAvailable();

for (const database of ['pglite', 'postgres'] as const) {
  describe.runIf(database === 'pglite' || withPostgres)(`trackedJobs pages from the response cache (${database})`, () => {
    const jobs = new Map<string, Record<string, unknown>>();
    let dir: string;
    let providers: FakeProviders;
    let api: TestApp;
    let scratch: ScratchPostgres | undefined;
    let embedded: RegistryDatabase | undefined;
    /** Writes as another connection would: a `pg` client on PostgreSQL, the database handle itself on PGlite (one session). */
    let writeElsewhere: (nativeId: string, labels: string[]) => Promise<void>;
    let closeElsewhere = async () => {};

    const list = async (variables: Record<string, unknown> = {}, key = FULL_KEY) => {
      const { status, body } = await api.request<any, Record<string, unknown>>(LIST, variables, bearer(key));
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      return body.data.trackedJobs;
    };
    const lookups = async () => {
      const metric = await api.app.server.metrics.registry.getSingleMetric('jsg_response_cache_lookups_total')!.get();
      const count = (result: string) => metric.values.find((value) => value.labels.result === result)?.value ?? 0;
      return { hit: count('hit'), miss: count('miss') };
    };
    const labelsOf = (page: any) => Object.fromEntries(page.edges.map((edge: any) => [edge.node.nativeId, edge.node.tracking.labels]));

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'jsg-listing-cache-'));
      const jobsConfig = join(dir, 'jobs.json');
      await writeFile(jobsConfig, JSON.stringify({ apiKeys: [{ name: 'zendesk-only', key: ZENDESK_KEY, providers: ['ZENDESK'] }] }));
      providers = await startFakeProviders(jobs);
      providers.upstream.on('GET', /^\/ik\/v1\/bulkJobs\//, (request) => ({
        body: { jobId: request.path.split('/').pop(), type: 'COPY_FOLDER', status: 'Completed' },
      }));
      // No polling during the tests: every change to the database is one a test makes.
      const env: Record<string, string> = { ...providers.env, API_KEYS: FULL_KEY, JOBS_CONFIG: jobsConfig, POLL_INTERVAL_MS: '600000', POLL_MAX_INTERVAL_MS: '600000' };
      if (database === 'postgres') {
        scratch = await createPostgresDatabase();
        api = await startTestApp({ ...env, DATABASE_URL: scratch.url });
        const client = new pg.Client({ connectionString: scratch.url });
        await client.connect();
        writeElsewhere = async (nativeId, labels) => {
          await client.query('update tracked_jobs set labels = $1 where native_id = $2', [labels, nativeId]);
        };
        closeElsewhere = () => client.end();
      } else {
        embedded = await openTestPglite();
        api = await startTestApp(env, undefined, { database: embedded });
        writeElsewhere = async (nativeId, labels) => {
          await sql`update tracked_jobs set labels = ${labels} where native_id = ${nativeId}`.execute(embedded!.db);
        };
      }
      for (const id of ['L-1', 'L-2', 'L-3']) jobs.set(id, zendeskJob(id, 'completed'));
      const tracked = await api.request(
        'mutation { trackJobs(refs: [{ kind: ZENDESK_JOB_STATUS, id: "L-1" }, { kind: ZENDESK_JOB_STATUS, id: "L-2" }, { kind: ZENDESK_JOB_STATUS, id: "L-3" }, { kind: IMAGEKIT_BULK_JOB, id: "ik-1" }], labels: ["team"]) { __typename } }',
        {},
        bearer(FULL_KEY),
      );
      expect(tracked.body.errors).toBeUndefined();
    }, 60_000);
    afterAll(async () => {
      await closeElsewhere();
      await api?.close();
      await embedded?.close();
      await scratch?.drop();
      await providers?.upstream.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('answers a repeated page from the cache, the same as executing it', async () => {
      const first = await list();
      const before = await lookups();
      const again = await list();
      expect(await lookups()).toEqual({ hit: before.hit + 1, miss: before.miss });
      expect(again).toEqual(first);
      expect(first.totalCount).toBe(4);
    });

    it("executes the page again after the service's own writes: a mutation", async () => {
      await list();
      const labelled = await api.request('mutation { setJobLabels(id: "' + (await idOf('L-2')) + '", labels: ["team", "urgent"]) { __typename } }', {}, bearer(FULL_KEY));
      expect(labelled.body.errors).toBeUndefined();
      const before = await lookups();
      expect(labelsOf(await list())['L-2']).toEqual(['team', 'urgent']);
      expect((await lookups()).miss).toBe(before.miss + 1);
    });

    it("executes the page again after another connection's write, which this instance never heard of", async () => {
      await list();
      await list();
      await writeElsewhere('L-3', ['team', 'written-elsewhere']);
      const page = await list();
      expect(labelsOf(page)['L-3']).toEqual(['team', 'written-elsewhere']);
      // And once the database is still again, the new page is cached in its turn.
      const before = await lookups();
      expect(await list()).toEqual(page);
      expect((await lookups()).hit).toBe(before.hit + 1);
    });

    it('keeps the page through a writing statement that changed no row (the dispatcher claims nothing every second)', async () => {
      const page = await list();
      await writeElsewhere('no-such-job', ['team']);
      const before = await lookups();
      expect(await list()).toEqual(page);
      expect(await lookups()).toEqual({ hit: before.hit + 1, miss: before.miss });
    });

    it("never answers one caller scope's page to another", async () => {
      expect((await list()).totalCount).toBe(4);
      const zendeskOnly = await list({}, ZENDESK_KEY);
      expect(zendeskOnly.totalCount).toBe(3);
      expect(zendeskOnly.edges.map((edge: any) => edge.node.__typename)).toEqual(['ZendeskJobStatus', 'ZendeskJobStatus', 'ZendeskJobStatus']);
    });

    it('executes a page asked by many at once only once', async () => {
      const before = await lookups();
      const pages = await Promise.all(Array.from({ length: 12 }, () => list({ first: 2, labels: ['team'] })));
      const after = await lookups();
      for (const page of pages) expect(page).toEqual(pages[0]);
      expect(after.hit + after.miss).toBe(before.hit + before.miss + 12);
      // One execution; a second only if a background write moved the snapshot in between.
      expect(after.miss - before.miss).toBeLessThanOrEqual(2);
    });

    it('never caches a page that asks the status store (purgeRequest), nor a failed one', async () => {
      const before = await lookups();
      await api.request('{ trackedJobs { edges { node { ... on ImageKitBulkJob { purgeRequest { __typename } } } } } }', {}, bearer(FULL_KEY));
      await api.request('{ trackedJobs { edges { node { ... on ImageKitBulkJob { purgeRequest { __typename } } } } } }', {}, bearer(FULL_KEY));
      expect(await lookups()).toEqual(before);
      const bad = await api.request('{ trackedJobs(after: "not-a-cursor") { totalCount } }', {}, bearer(FULL_KEY));
      expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const again = await api.request('{ trackedJobs(after: "not-a-cursor") { totalCount } }', {}, bearer(FULL_KEY));
      expect(again.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect((await lookups()).hit).toBe(before.hit);
    });

    async function idOf(nativeId: string): Promise<string> {
      const page = await api.request<any, Record<string, never>>('{ trackedJobs(first: 100) { edges { node { ... on Job { id nativeId } } } } }', {}, bearer(FULL_KEY));
      return page.body.data.trackedJobs.edges.find((edge: any) => edge.node.nativeId === nativeId).node.id;
    }
  });
}
