/**
 * The response cache over real HTTP, with a manual clock: a repeated query is answered without
 * executing it, but never with anything the status store would not answer at that moment (an
 * expired status, one the poller replaced, another caller scope's answer, provider trouble, the
 * registry's tracking).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, isObjectType, isInterfaceType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheSourceOf, isStoreOnly } from '../../src/http/response-cache.js';
import { LoadedAnswers, createJobLoader } from '../../src/jobs/job-loader.js';
import type { JobKind, JobOutcome, JobRef } from '../../src/jobs/model.js';
import { silentLogger } from '../../src/logger.js';
import { schema } from '../../src/schema/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';
import { manualClock } from '../support/manual-clock.js';
import { JobQuery, JobsQuery } from '../support/operations.js';

const FULL_KEY = 'full-key-0c4e7d21';
const ZENDESK_KEY = 'zendesk-key-5b91fa03';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const ref = (kind: JobKind, id: string) => ({ kind, id });
const domainRef = (kind: JobKind, nativeId: string): JobRef => ({ kind, nativeId, account: 'default' });
const TTL_MS = 1000;

/** ImageKit bulk jobs by id: the status the fake answers, or an HTTP status to fail with. */
const imagekit = new Map<string, { status: string } | { httpStatus: number }>();
const zendeskJobs = new Map<string, Record<string, unknown>>();
const clock = manualClock();
let dir: string;
let providers: FakeProviders;
let api: TestApp;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jsg-response-cache-'));
  const jobsConfig = join(dir, 'jobs.json');
  await writeFile(jobsConfig, JSON.stringify({ apiKeys: [{ name: 'zendesk-only', key: ZENDESK_KEY, providers: ['ZENDESK'] }] }));
  providers = await startFakeProviders(zendeskJobs);
  providers.upstream.on('GET', /^\/ik\/v1\/bulkJobs\/[^/]+$/, (request) => {
    const id = decodeURIComponent(request.path.split('/').pop()!);
    const answer = imagekit.get(id);
    if (!answer) return { status: 404, body: { message: 'No bulk job found' } };
    if ('httpStatus' in answer) return { status: answer.httpStatus, body: { message: 'down' } };
    return { body: { jobId: id, type: 'COPY_FOLDER', status: answer.status } };
  });
  api = await startTestApp(
    { ...providers.env, API_KEYS: FULL_KEY, JOBS_CONFIG: jobsConfig, CACHE_TTL_MS: String(TTL_MS), UPSTREAM_RETRIES: '0' },
    silentLogger,
    { clock },
  );
});
afterAll(async () => {
  await api.close();
  await providers.upstream.close();
  await rm(dir, { recursive: true, force: true });
});

/** The response cache's hits and misses so far. */
async function lookups(): Promise<{ hit: number; miss: number }> {
  const metric = await api.app.server.metrics.registry.getSingleMetric('jsg_response_cache_lookups_total')!.get();
  const count = (result: string) => metric.values.find((value) => value.labels.result === result)?.value ?? 0;
  return { hit: count('hit'), miss: count('miss') };
}

const upstreamCalls = (id: string) => providers.upstream.requests.filter((request) => request.path.includes(id)).length;

function jobs(refs: { kind: JobKind; id: string }[], key = FULL_KEY) {
  return api.request(JobsQuery, { refs }, bearer(key));
}

describe('what the cache answers', () => {
  it('answers a repeated query without executing it while every status in it is fresh, and the new status once the TTL has passed', async () => {
    imagekit.set('ik-ttl', { status: 'Pending' });
    zendeskJobs.set('Z-ttl', zendeskJob('Z-ttl', 'working'));
    const refs = [ref('IMAGEKIT_BULK_JOB', 'ik-ttl'), ref('ZENDESK_JOB_STATUS', 'Z-ttl')];
    const first = await jobs(refs);
    expect(first.body.data!.jobs.map((job) => ('rawStatus' in job ? job.rawStatus : job.__typename))).toEqual(['Pending', 'working']);

    imagekit.set('ik-ttl', { status: 'Completed' });
    zendeskJobs.set('Z-ttl', zendeskJob('Z-ttl', 'completed'));
    const before = await lookups();
    const again = await jobs(refs);
    expect(again.body).toEqual(first.body);
    expect(await lookups()).toEqual({ hit: before.hit + 1, miss: before.miss });
    expect(upstreamCalls('ik-ttl')).toBe(1);

    clock.advance(TTL_MS);
    const later = await jobs(refs);
    expect(later.body.data!.jobs.map((job) => ('rawStatus' in job ? job.rawStatus : job.__typename))).toEqual(['Completed', 'completed']);
    expect(upstreamCalls('ik-ttl')).toBe(2);
  });

  it("serves the store's next answer (the poller's) at once, before the cached response's statuses expire", async () => {
    imagekit.set('ik-poll', { status: 'Pending' });
    const refs = [ref('IMAGEKIT_BULK_JOB', 'ik-poll')];
    await jobs(refs);
    await jobs(refs);
    imagekit.set('ik-poll', { status: 'Completed' });
    // What the poller does for a watched job: a new answer from upstream, remembered.
    await api.app.server.jobs.store.refresh([domainRef('IMAGEKIT_BULK_JOB', 'ik-poll')]);
    const after = await jobs(refs);
    expect(after.body.data!.jobs[0]).toMatchObject({ rawStatus: 'Completed', state: 'COMPLETED' });
  });

  it("never gives a key limited to one provider another key's cached answer, nor the other way round", async () => {
    imagekit.set('ik-scope', { status: 'Pending' });
    zendeskJobs.set('Z-scope', zendeskJob('Z-scope', 'working'));
    const refs = [ref('IMAGEKIT_BULK_JOB', 'ik-scope'), ref('ZENDESK_JOB_STATUS', 'Z-scope')];
    for (let round = 0; round < 2; round += 1) {
      const full = await jobs(refs, FULL_KEY);
      expect(full.body.data!.jobs.map((job) => job.__typename)).toEqual(['ImageKitBulkJob', 'ZendeskJobStatus']);
      const limited = await jobs(refs, ZENDESK_KEY);
      expect(limited.body.data!.jobs[0]).toMatchObject({ __typename: 'ProviderError', code: 'UNAUTHORIZED' });
      expect(limited.body.data!.jobs[1]).toMatchObject({ __typename: 'ZendeskJobStatus', rawStatus: 'working' });
    }
  });

  it('never caches an answer holding provider trouble: the next ask goes upstream again', async () => {
    imagekit.set('ik-down', { httpStatus: 500 });
    const refs = [ref('IMAGEKIT_BULK_JOB', 'ik-down')];
    const failed = await jobs(refs);
    expect(failed.body.data!.jobs[0]).toMatchObject({ __typename: 'ProviderError', code: 'UNAVAILABLE' });
    imagekit.set('ik-down', { status: 'Pending' });
    const recovered = await jobs(refs);
    expect(recovered.body.data!.jobs[0]).toMatchObject({ __typename: 'ImageKitBulkJob', rawStatus: 'Pending' });
    expect(upstreamCalls('ik-down')).toBe(2);
  });

  it('keeps a not-found answer exactly as long as the store does', async () => {
    const refs = [ref('IMAGEKIT_BULK_JOB', 'ik-late')];
    const missing = await jobs(refs);
    expect(missing.body.data!.jobs[0]).toMatchObject({ __typename: 'JobNotFoundError' });
    imagekit.set('ik-late', { status: 'Pending' });
    const before = await lookups();
    expect((await jobs(refs)).body).toEqual(missing.body);
    expect((await lookups()).hit).toBe(before.hit + 1);
    clock.advance(TTL_MS);
    const found = await jobs(refs);
    expect(found.body.data!.jobs[0]).toMatchObject({ __typename: 'ImageKitBulkJob', rawStatus: 'Pending' });
  });
});

describe('what the cache leaves alone', () => {
  it('shows the tracking a trackJobs just made, in the same query asked before and after', async () => {
    // Done: the tracker does not poll it, so the store keeps the answer the first query cached.
    imagekit.set('ik-track', { status: 'Completed' });
    const query = 'query Tracking($ref: JobRef!) { job(ref: $ref) { __typename ... on Job { state tracking { labels } } } }';
    const variables = { ref: ref('IMAGEKIT_BULK_JOB', 'ik-track') };
    const before = await api.request<{ job: { tracking: { labels: string[] } | null } }, typeof variables>(query, variables, bearer(FULL_KEY));
    expect(before.body.data!.job.tracking).toBeNull();
    const tracked = await api.request('mutation Track($refs: [JobRef!]!) { trackJobs(refs: $refs, labels: ["nightly"]) { __typename } }', { refs: [variables.ref] }, bearer(FULL_KEY));
    expect(tracked.body.errors).toBeUndefined();
    const after = await api.request<{ job: { tracking: { labels: string[] } | null } }, typeof variables>(query, variables, bearer(FULL_KEY));
    expect(after.body.data!.job.tracking).toEqual({ labels: ['nightly'] });
  });

  it('never looks up a mutation, however often the same one is sent', async () => {
    const before = await lookups();
    const mutation = 'mutation Untrack($ids: [ID!]!) { untrackJobs(ids: $ids) }';
    for (let round = 0; round < 3; round += 1) {
      const answer = await api.request(mutation, { ids: [] }, bearer(FULL_KEY));
      expect(answer.body.errors).toBeUndefined();
    }
    expect(await lookups()).toEqual(before);
  });

  it('caches the same job query (job, not jobs) too', async () => {
    imagekit.set('ik-one', { status: 'Pending' });
    const before = await lookups();
    await api.request(JobQuery, { ref: ref('IMAGEKIT_BULK_JOB', 'ik-one') }, bearer(FULL_KEY));
    await api.request(JobQuery, { ref: ref('IMAGEKIT_BULK_JOB', 'ik-one') }, bearer(FULL_KEY));
    expect(await lookups()).toEqual({ hit: before.hit + 1, miss: before.miss + 1 });
  });
});

describe("the loader's record of its answers", () => {
  it('keeps nothing until asked to (a subscription context lives as long as the subscription), then every answer', async () => {
    const answers = new LoadedAnswers();
    const outcome = (ref: JobRef) => ({ ...ref }) as unknown as JobOutcome;
    const loader = createJobLoader({ load: (refs) => Promise.resolve(refs.map(outcome)) }, answers);
    await loader.load(domainRef('SAYMON_BULK_OP', 'before'));
    expect(answers.refs).toEqual([]);
    answers.record();
    await loader.loadMany([domainRef('SAYMON_BULK_OP', 'a'), domainRef('SAYMON_BULK_OP', 'b')]);
    expect(answers.refs.map((ref) => ref.nativeId)).toEqual(['a', 'b']);
    expect(answers.outcomes).toHaveLength(2);
  });
});

describe('which documents are cacheable', () => {
  const storeOnly = (text: string) => isStoreOnly(schema, parse(text));

  it('lets through exactly these fields under jobs and job: the snapshot, its failures, no tracking', () => {
    const allowed: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type)) || type === schema.getQueryType()) continue;
      for (const field of Object.values(type.getFields())) {
        const selection = field.type.toString().replace(/[[\]!]/g, '');
        const leaf = isObjectType(schema.getType(selection)) || isInterfaceType(schema.getType(selection)) ? ' { __typename }' : '';
        const args = field.args.some((arg) => arg.type.toString().endsWith('!')) ? null : '';
        if (args === null) continue;
        if (storeOnly(`query { jobs(refs: []) { ... on ${type.name} { ${field.name}${leaf} } } }`)) allowed.push(`${type.name}.${field.name}`);
      }
    }
    const jobFields = ['id', 'kind', 'provider', 'account', 'nativeId', 'state', 'rawStatus', 'done', 'progress', 'message', 'checkedAt'];
    const forType = (type: string, extra: string[] = []) => [...jobFields, ...extra].map((field) => `${type}.${field}`);
    expect(allowed.sort()).toEqual(
      [
        ...forType('Job'),
        ...forType('ImageKitBulkJob', ['type', 'purgeRequest']),
        ...forType('PurgeRequest'),
        ...forType('SaymonBulkOp', ['finished']),
        ...forType('ZendeskJobStatus', ['url', 'total', 'jobType', 'results', 'resultsTotal', 'resultsTruncated']),
        ...['id', 'index', 'action', 'success', 'status', 'error', 'details', 'title', 'externalId'].map((field) => `ZendeskJobResult.${field}`),
        ...['completed', 'total', 'percent'].map((field) => `JobProgress.${field}`),
        'Error.message',
        ...['message', 'kind', 'nativeId', 'account'].map((field) => `JobNotFoundError.${field}`),
        ...['message', 'provider', 'account', 'kind', 'nativeId', 'code', 'retryAfterMs'].map((field) => `ProviderError.${field}`),
      ].sort(),
    );
  });

  it('refuses everything else: other root fields, mutations, subscriptions, directives that change delivery', () => {
    expect(storeOnly('query { jobs(refs: []) { __typename } }')).toBe(true);
    expect(storeOnly('query Q($r: JobRef!) { job(ref: $r) { __typename ... on Job { state @include(if: true) } } }')).toBe(true);
    expect(storeOnly('query { jobs(refs: []) { __typename } providers { account } }')).toBe(false);
    expect(storeOnly('query { node(id: "x") { id } }')).toBe(false);
    expect(storeOnly('query { trackedJobs { totalCount } }')).toBe(false);
    expect(storeOnly('query { __schema { queryType { name } } }')).toBe(false);
    expect(storeOnly('query { jobs(refs: []) { ... on Job { tracking { labels } } } }')).toBe(false);
    expect(storeOnly('mutation { trackJobs(refs: []) { __typename } }')).toBe(false);
    expect(storeOnly('subscription { jobUpdates(refs: []) { at } }')).toBe(false);
    expect(storeOnly('query { jobs(refs: []) { ... on Job @defer { state } } }')).toBe(false);
    // Another operation of the same document reading the registry: too careful, never wrong.
    expect(isStoreOnly(schema, parse('query A { jobs(refs: []) { __typename } } query B { trackedJobs { totalCount } }'), 'A')).toBe(false);
  });

  it('lets trackedJobs pages through as the registry\'s, alone and without what asks the store', () => {
    const source = (text: string) => cacheSourceOf(schema, parse(text));
    expect(source('query { trackedJobs { totalCount pageInfo { endCursor } edges { cursor node { ... on Job { state tracking { labels history { edges { node { at } } } } } } } } }')).toBe('registry');
    expect(source('query { trackedJobs { edges { node { ... on ImageKitBulkJob { purgeRequest { state } } } } } }')).toBe(null);
    expect(source('query { trackedJobs { totalCount } jobs(refs: []) { __typename } }')).toBe(null);
    expect(source('query { trackedJobs { totalCount } webhooks { id } }')).toBe(null);
    expect(source('query { trackedJobs { edges { node { ... on Job @defer { state } } } } }')).toBe(null);
    expect(source('subscription { trackedJobUpdates { type } }')).toBe(null);
    expect(source('query { jobs(refs: []) { __typename } }')).toBe('store');
  });
});
