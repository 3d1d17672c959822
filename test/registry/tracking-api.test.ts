/**
 * Tracking through GraphQL over HTTP against loopback fake providers: trackJobs, Job.tracking
 * and its history, the tracker polling with nobody subscribed, trackedJobs with every filter and
 * both directions, untrack, labels, bad input and API key capabilities.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';
import { waitFor } from '../support/wait.js';

const FULL_KEY = 'full-key-0123456789';
const READER_KEY = 'reader-key-0123456789';
const ZENDESK_KEY = 'zendesk-key-0123456789';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const zd = (id: string) => ({ kind: 'ZENDESK_JOB_STATUS', id });

const TRACK = `mutation Track($refs: [JobRef!]!, $labels: [String!]) {
  trackJobs(refs: $refs, labels: $labels) { __typename ... on Job { id nativeId state tracking { trackedBy labels firstSeenAt } } }
}`;
const TRACKING = `query Tracking($ref: JobRef!) {
  job(ref: $ref) { ... on Job { state tracking { trackedAt trackedBy labels firstSeenAt startedAt finishedAt durationMs
    history { totalCount edges { node { state rawStatus at } } } } } }
}`;
const LIST = `query List($filter: TrackedJobFilter, $orderBy: TrackedJobOrder, $first: Int, $after: String, $last: Int, $before: String) {
  trackedJobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { __typename ... on Job { nativeId state } ... on Error { message } } }
  }
}`;

type Body = { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };

let dir: string;
let providers: FakeProviders;
let jobs: Map<string, Record<string, unknown>>;
let api: TestApp;
const gql = async (query: string, variables: Record<string, unknown> = {}, key = FULL_KEY): Promise<{ status: number; body: Body }> =>
  api.request(query, variables as never, bearer(key)) as never;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jsg-tracking-'));
  const jobsConfig = join(dir, 'jobs.json');
  await writeFile(
    jobsConfig,
    JSON.stringify({
      apiKeys: [
        { name: 'reader', key: READER_KEY, can: ['read'] },
        { name: 'zendesk-only', key: ZENDESK_KEY, providers: ['ZENDESK'] },
      ],
    }),
  );
  jobs = new Map();
  providers = await startFakeProviders(jobs);
  providers.upstream.on('GET', /^\/ik\/v1\/bulkJobs\//, (request) => ({
    body: { jobId: request.path.split('/').pop(), type: 'COPY_FOLDER', status: 'Completed' },
  }));
  api = await startTestApp({
    ...providers.env,
    API_KEYS: FULL_KEY,
    JOBS_CONFIG: jobsConfig,
    POLL_INTERVAL_MS: '30',
    POLL_MAX_INTERVAL_MS: '60',
    CACHE_TTL_MS: '1',
    NOT_FOUND_GRACE_MS: '0',
    // Beside the rest of the suite on 2 cores, the tracker's writes of the previous tests' jobs
    // can hold the one embedded connection for a while: a registry call must not time out here.
    REGISTRY_TIMEOUT_MS: '30000',
    // Likewise the upstream: a tracked ref's first answer must not be shed (RATE_LIMITED) or time out
    // behind the previous tests' polls on a loaded machine.
    UPSTREAM_TIMEOUT_MS: '10000',
    UPSTREAM_QUEUE_MS: '20000',
  });
});
afterAll(async () => {
  await api?.close();
  await providers?.upstream.close();
  await rm(dir, { recursive: true, force: true });
});
describe('trackJobs and Job.tracking', () => {
  beforeEach(() => {
    jobs.clear();
    providers.upstream.requests.length = 0;
  });

  it('tracks refs in order, records the first sighting, and polls with nobody subscribed until done', async () => {
    jobs.set('T-1', zendeskJob('T-1', 'queued'));
    const tracked = await gql(TRACK, { refs: [zd('T-1'), zd('T-missing')], labels: ['nightly', 'eu'] });
    expect(tracked.status).toBe(200);
    expect(tracked.body.errors).toBeUndefined();
    const [first, second] = tracked.body.data.trackJobs;
    expect(first).toMatchObject({ __typename: 'ZendeskJobStatus', nativeId: 'T-1', state: 'QUEUED', tracking: { trackedBy: 'key1', labels: ['nightly', 'eu'] } });
    expect(first.tracking.firstSeenAt).not.toBeNull();
    expect(second).toMatchObject({ __typename: 'JobNotFoundError' });

    jobs.set('T-1', zendeskJob('T-1', 'working'));
    await waitFor(async () => (await gql(TRACKING, { ref: zd('T-1') })).body.data.job.tracking.history.totalCount === 2, { what: 'the RUNNING entry' });
    jobs.set('T-1', zendeskJob('T-1', 'completed'));
    await waitFor(async () => (await gql(TRACKING, { ref: zd('T-1') })).body.data.job.tracking.finishedAt, { what: 'the done entry' });
    const { body } = await gql(TRACKING, { ref: zd('T-1') });
    const tracking = body.data.job.tracking;
    expect(tracking.history.edges.map((edge: any) => edge.node.state)).toEqual(['QUEUED', 'RUNNING', 'COMPLETED']);
    expect(tracking.history.totalCount).toBe(3);
    expect(tracking.durationMs).toBe(Date.parse(tracking.finishedAt) - Date.parse(tracking.startedAt));
    // Done: the tracker lets go, and the poller stops asking.
    await waitFor(() => !api.app.registry.tracker.isWatching({ kind: 'ZENDESK_JOB_STATUS', account: 'default', nativeId: 'T-1' }), { what: 'release' });
    expect(api.app.server.jobs.poller.stats().scheduled).toBe(0);
  });

  it('asks upstream as for watched jobs: one show_many per 100 tracked Zendesk jobs per poll', async () => {
    const ids = Array.from({ length: 150 }, (_, index) => `B-${index}`);
    for (const id of ids) jobs.set(id, zendeskJob(id, 'working'));
    const tracked = await gql(TRACK, { refs: ids.map(zd) });
    expect(tracked.body.errors).toBeUndefined();
    await waitFor(() => providers.requestsTo('/zd').length >= 6, { what: 'three poll rounds' });
    const sizes = providers.requestsTo('/zd').map((request) => (request.query.ids ?? '').split(',').length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    // Nothing changed: history holds only the first sighting of each job.
    const listed = await gql(LIST, { filter: { search: 'B-1' }, first: 1 });
    expect(listed.body.errors).toBeUndefined();
    const one = await gql(TRACKING, { ref: zd(listed.body.data.trackedJobs.edges[0].node.nativeId) });
    expect(one.body.data.job.tracking.history.totalCount).toBe(1);
  });

  it('untracks by global id (never cancelling), and replaces labels', async () => {
    jobs.set('U-1', zendeskJob('U-1', 'working'));
    const tracked = await gql(TRACK, { refs: [zd('U-1')], labels: ['a'] });
    expect(tracked.body.data.trackJobs[0]).toMatchObject({ __typename: 'ZendeskJobStatus' });
    const id = tracked.body.data.trackJobs[0].id;
    const relabelled = await gql('mutation($id: ID!, $labels: [String!]!) { setJobLabels(id: $id, labels: $labels) { ... on Job { tracking { labels } } } }', { id, labels: ['b', 'c'] });
    expect(relabelled.body.errors).toBeUndefined();
    expect(relabelled.body.data.setJobLabels.tracking.labels).toEqual(['b', 'c']);
    const gone = await gql('mutation($ids: [ID!]!) { untrackJobs(ids: $ids) }', { ids: [id, id] });
    expect(gone.body.data.untrackJobs).toEqual([id]);
    expect((await gql(TRACKING, { ref: zd('U-1') })).body.data.job.tracking).toBeNull();
    expect((await gql('mutation($ids: [ID!]!) { untrackJobs(ids: $ids) }', { ids: [id] })).body.data.untrackJobs).toEqual([]);
    const missing = await gql('mutation($id: ID!) { setJobLabels(id: $id, labels: []) { __typename } }', { id });
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('trackedJobs', () => {
  beforeAll(async () => {
    const states = ['queued', 'working', 'completed', 'failed'];
    for (let index = 0; index < 8; index += 1) jobs.set(`L-${index}`, zendeskJob(`L-${index}`, states[index % 4]!));
    for (let index = 0; index < 8; index += 1) {
      await gql(TRACK, { refs: [zd(`L-${index}`)], labels: index % 2 === 0 ? ['even'] : ['odd', `n${index}`] });
    }
    await gql(TRACK, { refs: [{ kind: 'IMAGEKIT_BULK_JOB', id: 'ik-L' }], labels: ['even'] });
  });

  it('lists newest first with every filter', async () => {
    const ids = async (filter: Record<string, unknown>, key = FULL_KEY) =>
      (await gql(LIST, { filter, first: 50 }, key)).body.data.trackedJobs.edges.map((edge: any) => edge.node.nativeId);
    expect((await gql(LIST, { filter: { search: 'L-' } })).body.data.trackedJobs.totalCount).toBe(8);
    expect(await ids({ search: 'L-' })).toEqual(['L-7', 'L-6', 'L-5', 'L-4', 'L-3', 'L-2', 'L-1', 'L-0']);
    expect(await ids({ labels: ['even'] })).toEqual(['ik-L', 'L-6', 'L-4', 'L-2', 'L-0']);
    expect(await ids({ labels: ['odd', 'n3'] })).toEqual(['L-3']);
    expect(await ids({ providers: ['IMAGEKIT'] })).toEqual(['ik-L']);
    expect(await ids({ kinds: ['IMAGEKIT_BULK_JOB'] })).toEqual(['ik-L']);
    expect(await ids({ accounts: ['nope'] })).toEqual([]);
    expect(await ids({ states: ['FAILED'], search: 'L-' })).toEqual(['L-7', 'L-3']);
    expect(await ids({ done: false, search: 'L-' })).toEqual(['L-5', 'L-4', 'L-1', 'L-0']);
    expect(await ids({ search: 'n5' })).toEqual(['L-5']);
    const all = (await gql(LIST, { filter: { search: 'L-' }, orderBy: 'TRACKED_ASC', first: 50 })).body.data.trackedJobs.edges;
    expect(all.map((edge: any) => edge.node.nativeId)).toEqual(['L-0', 'L-1', 'L-2', 'L-3', 'L-4', 'L-5', 'L-6', 'L-7']);
    const { body } = await gql(`query FirstLabels { trackedJobs(first: 1, filter: { search: "L-" }) { edges { node { ... on Job { tracking { labels } } } } } }`);
    expect(body.data.trackedJobs.edges[0].node.tracking.labels).toEqual(['odd', 'n7']);
    const after = Date.parse((await gql(TRACKING, { ref: zd('L-5') })).body.data.job.tracking.trackedAt);
    expect(await ids({ search: 'L-', trackedAfter: new Date(after).toISOString() })).toEqual(['L-7', 'L-6']);
    expect(await ids({ search: 'L-', trackedBefore: new Date(after).toISOString() })).toEqual(['L-4', 'L-3', 'L-2', 'L-1', 'L-0']);
    // A key limited to Zendesk never sees the ImageKit job, whatever it asks.
    expect(await ids({ labels: ['even'] }, ZENDESK_KEY)).toEqual(['L-6', 'L-4', 'L-2', 'L-0']);
    expect(await ids({ providers: ['IMAGEKIT'] }, ZENDESK_KEY)).toEqual([]);
  });

  it('pages forward and backward with stable cursors', async () => {
    const page = async (args: Record<string, unknown>) => (await gql(LIST, { filter: { search: 'L-' }, ...args })).body.data.trackedJobs;
    const first = await page({ first: 3 });
    expect(first.edges.map((edge: any) => edge.node.nativeId)).toEqual(['L-7', 'L-6', 'L-5']);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await page({ first: 3, after: first.pageInfo.endCursor });
    expect(second.edges.map((edge: any) => edge.node.nativeId)).toEqual(['L-4', 'L-3', 'L-2']);
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const back = await page({ last: 2, before: second.pageInfo.startCursor });
    expect(back.edges.map((edge: any) => edge.node.nativeId)).toEqual(['L-6', 'L-5']);
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const tail = await page({ last: 2 });
    expect(tail.edges.map((edge: any) => edge.node.nativeId)).toEqual(['L-1', 'L-0']);
    expect(tail.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('refuses bad input with 400 and a code', async () => {
    const refused = async (query: string, variables: Record<string, unknown>) => {
      const { status, body } = await gql(query, variables);
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      return body.errors![0]!.message;
    };
    const labels = (list: string[]) => refused(TRACK, { refs: [zd('L-0')], labels: list });
    expect(await labels(Array.from({ length: 11 }, (_, index) => `l${index}`))).toMatch(/at most 10 labels/);
    expect(await labels([''])).toMatch(/label 1 is empty/);
    expect(await labels(['x'.repeat(129)])).toMatch(/129 characters/);
    expect(await labels(['bad\u0007label'])).toMatch(/control character/);
    expect(await refused(LIST, { after: 'not-a-cursor' })).toMatch(/cursor/);
    expect(await refused(LIST, { first: 501 })).toMatch(/at most|between 0 and 500/);
    expect(await refused(LIST, { last: 501 })).toMatch(/between 0 and 500/);
  });
});

describe('capabilities', () => {
  it('answers FORBIDDEN to a key without "track", and lets it read', async () => {
    const { body } = await gql(TRACK, { refs: [zd('L-0')] }, READER_KEY);
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await gql(LIST, { first: 1 }, READER_KEY)).body.errors).toBeUndefined();
  });

  it('keeps a key to the providers it may read: no tracking, no relabelling of others', async () => {
    const tracked = await gql(TRACK, { refs: [{ kind: 'IMAGEKIT_BULK_JOB', id: 'ik-Z' }] }, ZENDESK_KEY);
    expect(tracked.body.data.trackJobs[0]).toMatchObject({ __typename: 'ProviderError' });
    expect((await gql(LIST, { filter: { search: 'ik-Z' } })).body.data.trackedJobs.totalCount).toBe(0);
    const ikId = Buffer.from('ImageKitBulkJob:default:ik-L').toString('base64');
    const relabel = await gql('mutation($id: ID!) { setJobLabels(id: $id, labels: ["x"]) { __typename } }', { id: ikId }, ZENDESK_KEY);
    expect(relabel.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await gql('mutation($ids: [ID!]!) { untrackJobs(ids: $ids) }', { ids: [ikId] }, ZENDESK_KEY)).body.data.untrackJobs).toEqual([]);
    expect((await gql(LIST, { filter: { search: 'ik-L' } })).body.data.trackedJobs.totalCount).toBe(1);
  });
});
