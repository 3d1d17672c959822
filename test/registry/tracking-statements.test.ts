/**
 * What a `trackJobs` costs the database: its refs' rows and first answers are written in a few
 * statements whatever their number, not several per ref (a 500-ref call was ~2 000 statements,
 * seconds of the embedded database's CPU: `npm run bench -- --scenario tracked` took minutes to
 * set up). Statements counted through a Kysely plugin, never timed.
 */
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { openTestPglite } from '../support/database.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';

const REFS = 120;

describe('trackJobs', () => {
  const statements: string[] = [];
  let recording = false;
  const recorder: KyselyPlugin = {
    transformQuery({ node }): RootOperationNode {
      const text = JSON.stringify(node);
      // The registry's own tables (the webhook dispatcher polls its own meanwhile).
      if (recording && /tracked_jobs|job_history/.test(text)) statements.push(text);
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  let api: TestApp;
  let providers: FakeProviders;

  beforeAll(async () => {
    const jobs = new Map(Array.from({ length: REFS }, (_, index) => [`s-${index}`, zendeskJob(`s-${index}`, index % 2 ? 'working' : 'completed')]));
    providers = await startFakeProviders(jobs);
    const database = await openTestPglite();
    api = await startTestApp(providers.env, undefined, { database: { ...database, db: database.db.withPlugin(recorder) } });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await providers?.upstream.close();
  });

  async function track(ids: readonly string[]): Promise<string[]> {
    statements.length = 0;
    recording = true;
    try {
      const refs = ids.map((id) => `{ kind: ZENDESK_JOB_STATUS, id: "${id}" }`).join(', ');
      const { body } = (await api.request(`mutation { trackJobs(refs: [${refs}], labels: ["s"]) { __typename ... on Job { state tracking { labels } } } }`, {})) as {
        body: { data?: { trackJobs: { __typename: string; state: string; tracking: { labels: string[] } }[] }; errors?: unknown };
      };
      expect(body.errors).toBeUndefined();
      expect(body.data!.trackJobs).toHaveLength(ids.length);
      expect(body.data!.trackJobs.every((job) => job.__typename === 'ZendeskJobStatus' && job.tracking.labels.includes('s'))).toBe(true);
      return body.data!.trackJobs.map((job) => job.state);
    } finally {
      recording = false;
    }
  }

  it(`writes ${REFS} new refs and their first answers in a few statements`, async () => {
    const states = await track(Array.from({ length: REFS }, (_, index) => `s-${index}`));
    expect(states.filter((state) => state === 'RUNNING')).toHaveLength(REFS / 2);
    // The upsert, the locked rows, their last history entries, one update, one history insert:
    // never a statement per ref.
    expect(statements.length).toBeLessThanOrEqual(6);
    const history = (await api.request('{ trackedJobs(first: 1, filter: { search: "s-1" }) { edges { node { ... on Job { tracking { history { totalCount } } } } } } }', {})) as {
      body: { data: { trackedJobs: { edges: { node: { tracking: { history: { totalCount: number } } } }[] } } };
    };
    expect(history.body.data.trackedJobs.edges[0]?.node.tracking.history.totalCount).toBe(1);
  });

  it('tracks them again (labels merged, no news) in as few', async () => {
    await track(Array.from({ length: REFS }, (_, index) => `s-${index}`));
    expect(statements.length).toBeLessThanOrEqual(6);
  });
});
