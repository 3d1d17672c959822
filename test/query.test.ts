/**
 * The query path end to end: GraphQL over real HTTP, the real provider clients, a fake upstream
 * on loopback answering as ImageKit, SAYMON and Zendesk do.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProviders, startFakeProviders, zendeskJob, CREDENTIALS } from './support/fake-providers.js';
import { startTestApp, type TestApp } from './support/app.js';
import { JobQuery, JobsQuery, NodeQuery, NodesQuery, ProvidersQuery } from './support/operations.js';
import { sequence } from './support/fake-upstream.js';
import { waitFor } from './support/wait.js';
import type { JobKind } from '../src/jobs/model.js';

const zendeskJobs = new Map<string, Record<string, unknown>>();
let providers: FakeProviders;
let api: TestApp;

beforeAll(async () => {
  providers = await startFakeProviders(zendeskJobs);
  // CACHE_TTL_MS=1 keeps tests independent of each other's answers; coalescing tests set their own.
  // The test default upstream timeout (1 s): at 300 ms the file's first answers, from a cold
  // server on a loaded machine, timed out (every job a ProviderError TIMEOUT).
  api = await startTestApp({ ...providers.env, CACHE_TTL_MS: '1', UPSTREAM_RETRIES: '2' });
});
afterAll(async () => {
  await api.close();
  await providers.upstream.close();
});
afterEach(() => {
  providers.upstream.requests.length = 0;
});

const ref = (kind: JobKind, id: string, account?: string) => ({ kind, id, ...(account ? { account } : {}) });

describe('jobs of every kind', () => {
  it('maps each provider word to the contract state, with every field', async () => {
    const { upstream } = providers;
    upstream.on('GET', '/ik/v1/bulkJobs/ik-pending', { body: { jobId: 'ik-pending', type: 'COPY_FOLDER', status: 'Pending' } });
    upstream.on('GET', '/ik/v1/bulkJobs/ik-done', {
      body: { jobId: 'ik-done', type: 'RENAME_FOLDER', status: 'Completed', purgeRequestId: 'purge-1', novelField: 1 },
    });
    upstream.on('GET', '/ik/v1/bulkJobs/ik-partial', {
      status: 207,
      body: { jobId: 'ik-partial', type: 'RENAME_FOLDER', status: 'Partial success', message: 'Folder renamed successfully but purging cache on nested files failed.', help: 'x' },
    });
    upstream.on('GET', '/ik/v1/files/purge/purge-1', { body: { status: 'Completed' } });
    upstream.on('GET', '/ik/v1/files/purge/purge-2', { body: { status: 'Pending' } });
    upstream.on('GET', '/saymon/node/api/bulk/s-running/status', { body: { finished: false } });
    upstream.on('GET', '/saymon/node/api/bulk/s-done/status', { body: { finished: true } });
    zendeskJobs.set('V3-queued', zendeskJob('V3-queued', 'queued'));
    zendeskJobs.set('V3-working', zendeskJob('V3-working', 'working', { total: 30, progress: 17, message: 'Deleting Organization #17', job_type: 'bulk_delete' }));
    zendeskJobs.set('V3-completed', zendeskJob('V3-completed', 'completed', {
      total: 2,
      progress: 2,
      results: [
        { action: 'delete', id: 19856666514068, status: 'Deleted', success: true },
        { index: 1, error: 'PermissionDenied', details: 'no', success: false, external_id: 'ext-1', title: 'T' },
      ],
    }));
    zendeskJobs.set('V3-failed', zendeskJob('V3-failed', 'failed', { message: 'boom' }));
    zendeskJobs.set('V3-killed', zendeskJob('V3-killed', 'killed'));
    zendeskJobs.set('V3-odd', zendeskJob('V3-odd', 'paused'));

    const { status, body } = await api.request(JobsQuery, {
      refs: [
        ref('IMAGEKIT_BULK_JOB', 'ik-pending'),
        ref('IMAGEKIT_BULK_JOB', 'ik-done'),
        ref('IMAGEKIT_BULK_JOB', 'ik-partial'),
        ref('IMAGEKIT_PURGE_REQUEST', 'purge-2'),
        ref('SAYMON_BULK_OP', 's-running'),
        ref('SAYMON_BULK_OP', 's-done'),
        ref('ZENDESK_JOB_STATUS', 'V3-queued'),
        ref('ZENDESK_JOB_STATUS', 'V3-working'),
        ref('ZENDESK_JOB_STATUS', 'V3-completed'),
        ref('ZENDESK_JOB_STATUS', 'V3-failed'),
        ref('ZENDESK_JOB_STATUS', 'V3-killed'),
        ref('ZENDESK_JOB_STATUS', 'V3-odd'),
      ],
    });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const jobs = body.data!.jobs;
    const summary = jobs.map((job) => ('state' in job ? `${job.__typename}:${job.rawStatus}:${job.state}:${job.done}` : job.__typename));
    expect(summary).toEqual([
      'ImageKitBulkJob:Pending:RUNNING:false',
      'ImageKitBulkJob:Completed:COMPLETED:true',
      'ImageKitBulkJob:Partial success:COMPLETED:true',
      'PurgeRequest:Pending:RUNNING:false',
      'SaymonBulkOp:false:RUNNING:false',
      'SaymonBulkOp:true:COMPLETED:true',
      'ZendeskJobStatus:queued:QUEUED:false',
      'ZendeskJobStatus:working:RUNNING:false',
      'ZendeskJobStatus:completed:COMPLETED:true',
      'ZendeskJobStatus:failed:FAILED:true',
      'ZendeskJobStatus:killed:CANCELLED:true',
      'ZendeskJobStatus:paused:UNKNOWN:false',
    ]);
    expect(jobs[1]).toMatchObject({ type: 'RENAME_FOLDER', provider: 'IMAGEKIT', account: 'default', nativeId: 'ik-done', purgeRequest: { nativeId: 'purge-1', state: 'COMPLETED' } });
    expect(jobs[2]).toMatchObject({ message: 'Folder renamed successfully but purging cache on nested files failed.' });
    expect(jobs[5]).toMatchObject({ finished: true, provider: 'SAYMON', progress: null });
    expect(jobs[7]).toMatchObject({
      progress: { completed: 17, total: 30, percent: 56.67 },
      message: 'Deleting Organization #17',
      jobType: 'bulk_delete',
      total: 30,
      results: null,
      url: 'https://example.zendesk.com/api/v2/job_statuses/V3-working.json',
    });
    expect(jobs[8]).toMatchObject({
      results: [
        { id: '19856666514068', action: 'delete', status: 'Deleted', success: true, index: null },
        { id: null, index: 1, error: 'PermissionDenied', details: 'no', success: false, externalId: 'ext-1', title: 'T' },
      ],
    });
    for (const job of jobs) {
      if ('checkedAt' in job) expect(Date.parse(job.checkedAt as string)).toBeGreaterThan(Date.now() - 60_000);
    }
  });

  it('keeps order and duplicates, asking each distinct job once', async () => {
    providers.upstream.on('GET', /^\/saymon\/node\/api\/bulk\/dup-\d\/status$/, { body: { finished: false } });
    zendeskJobs.set('V3-dup', zendeskJob('V3-dup', 'working'));
    const refs = [
      ref('SAYMON_BULK_OP', 'dup-1'),
      ref('ZENDESK_JOB_STATUS', 'V3-dup'),
      ref('SAYMON_BULK_OP', 'dup-2'),
      ref('SAYMON_BULK_OP', 'dup-1'),
      ref('ZENDESK_JOB_STATUS', 'V3-dup'),
    ];
    const { body } = await api.request(JobsQuery, { refs });
    expect(body.data!.jobs.map((job) => ('nativeId' in job ? job.nativeId : null))).toEqual(['dup-1', 'V3-dup', 'dup-2', 'dup-1', 'V3-dup']);
    expect(providers.requestsTo('/saymon').map((request) => request.path).sort()).toEqual([
      '/saymon/node/api/bulk/dup-1/status',
      '/saymon/node/api/bulk/dup-2/status',
    ]);
    expect(providers.requestsTo('/zd')).toHaveLength(1);
  });

  it('asks Zendesk through show_many in chunks of at most 100, missing ids not found', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `V3-chunk-${i}`);
    for (const id of ids.slice(0, 240)) zendeskJobs.set(id, zendeskJob(id, 'working'));
    const { body } = await api.request(JobsQuery, { refs: ids.map((id) => ref('ZENDESK_JOB_STATUS', id)) });
    const calls = providers.requestsTo('/zd');
    expect(calls.map((call) => call.path)).toEqual(Array(3).fill('/zd/api/v2/job_statuses/show_many.json'));
    expect(calls.map((call) => call.query.ids!.split(',').length).sort()).toEqual([100, 100, 50]);
    expect(new Set(calls.flatMap((call) => call.query.ids!.split(','))).size).toBe(250);
    const types = body.data!.jobs.map((job) => job.__typename);
    expect(types.slice(0, 240).every((type) => type === 'ZendeskJobStatus')).toBe(true);
    expect(body.data!.jobs[245]).toMatchObject({ __typename: 'JobNotFoundError', kind: 'ZENDESK_JOB_STATUS', nativeId: 'V3-chunk-245', account: 'default' });
  });

  it('answers a job the provider does not know as JobNotFoundError, for every kind', async () => {
    providers.upstream.on('GET', '/ik/v1/bulkJobs/gone', { status: 404, body: { message: 'The requested job does not exist.', help: '' } });
    providers.upstream.on('GET', '/ik/v1/files/purge/gone', { status: 400, body: { message: 'No request found for this requestId.', help: '' } });
    providers.upstream.on('GET', '/saymon/node/api/bulk/gone/status', { status: 404, body: { code: 'NotFound', message: 'no' } });
    const { body } = await api.request(JobsQuery, {
      refs: (['IMAGEKIT_BULK_JOB', 'IMAGEKIT_PURGE_REQUEST', 'SAYMON_BULK_OP', 'ZENDESK_JOB_STATUS'] as const).map((kind) => ref(kind, 'gone')),
    });
    expect(body.data!.jobs.map((job) => job.__typename)).toEqual(Array(4).fill('JobNotFoundError'));
    expect(body.data!.jobs[1]).toMatchObject({ kind: 'IMAGEKIT_PURGE_REQUEST', nativeId: 'gone', account: 'default' });
  });
});

describe('one bad job never spoils the rest', () => {
  it('isolates a provider that is down, hanging, rate limited or answering garbage', async () => {
    const { upstream } = providers;
    upstream.on('GET', '/ik/v1/bulkJobs/down', { status: 503, body: { message: 'We have experienced an internal error while processing your request.' } });
    upstream.on('GET', '/ik/v1/bulkJobs/hang', { hang: true });
    upstream.on('GET', '/saymon/node/api/bulk/garbage/status', { body: '{"finished": tru' , headers: { 'content-type': 'application/json' } });
    upstream.on('GET', '/saymon/node/api/bulk/fine/status', { body: { finished: true } });
    const { status, body } = await api.request(JobsQuery, {
      refs: [
        ref('IMAGEKIT_BULK_JOB', 'down'),
        ref('SAYMON_BULK_OP', 'fine'),
        ref('IMAGEKIT_BULK_JOB', 'hang'),
        ref('SAYMON_BULK_OP', 'garbage'),
      ],
    });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const [down, fine, hang, garbage] = body.data!.jobs;
    expect(down).toMatchObject({ __typename: 'ProviderError', provider: 'IMAGEKIT', account: 'default', code: 'UNAVAILABLE' });
    expect(fine).toMatchObject({ __typename: 'SaymonBulkOp', state: 'COMPLETED' });
    expect(hang).toMatchObject({ __typename: 'ProviderError', code: 'TIMEOUT' });
    expect(garbage).toMatchObject({ __typename: 'ProviderError', provider: 'SAYMON', code: 'BAD_RESPONSE' });
    expect(providers.requestsTo('/ik').filter((r) => r.path.endsWith('/down'))).toHaveLength(3);
  });

  it('answers a persistently rate-limited account with its reset, and leaves it alone until then', async () => {
    const local = await startFakeProviders();
    local.upstream.on('GET', '/ik/v1/bulkJobs/limited', { status: 429, headers: { 'x-ratelimit-reset': '60000' }, body: { message: 'Too many' } });
    const server = await startTestApp(local.env);
    try {
      const limited = await server.request(JobQuery, { ref: ref('IMAGEKIT_BULK_JOB', 'limited') });
      expect(limited.body.data!.job).toMatchObject({ __typename: 'ProviderError', code: 'RATE_LIMITED', retryAfterMs: 60000 });
      expect(local.requestsTo('/ik')).toHaveLength(1);
      const paused = await server.request(JobsQuery, { refs: [ref('IMAGEKIT_PURGE_REQUEST', 'other'), ref('SAYMON_BULK_OP', 'elsewhere')] });
      expect(paused.body.data!.jobs[0]).toMatchObject({ __typename: 'ProviderError', code: 'RATE_LIMITED', provider: 'IMAGEKIT' });
      expect((paused.body.data!.jobs[0] as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(50_000);
      expect(paused.body.data!.jobs[1]).toMatchObject({ __typename: 'JobNotFoundError' });
      expect(local.requestsTo('/ik')).toHaveLength(1);
    } finally {
      await server.close();
      await local.upstream.close();
    }
  });

  it('answers absurd rate-limit waits and counts as valid Ints: waits bounded to an hour, no "Unexpected error"', async () => {
    const local = await startFakeProviders(
      new Map([['V3-huge', zendeskJob('V3-huge', 'completed', { total: 2 ** 40, progress: 2 ** 40, results: Array.from({ length: 1500 }, (_, i) => ({ id: 2 ** 60 + i, success: true })) })]]),
    );
    local.upstream.on('GET', '/ik/v1/bulkJobs/decade', { status: 429, headers: { 'retry-after': String(10 * 365 * 24 * 3600) } });
    local.upstream.on('GET', '/saymon/node/api/bulk/forever/status', { status: 429, headers: { 'x-ratelimit-reset': '100000000000000000000' } });
    const server = await startTestApp({ ...local.env, UPSTREAM_RETRIES: '0' });
    try {
      const limited = await server.request(JobsQuery, { refs: [ref('IMAGEKIT_BULK_JOB', 'decade'), ref('SAYMON_BULK_OP', 'forever')] });
      expect(limited.body.errors).toBeUndefined();
      expect(limited.body.data!.jobs).toEqual([
        expect.objectContaining({ __typename: 'ProviderError', code: 'RATE_LIMITED', retryAfterMs: 3_600_000 }),
        expect.objectContaining({ __typename: 'ProviderError', code: 'RATE_LIMITED', retryAfterMs: 3_600_000 }),
      ]);
      const huge = await server.request(`query { job(ref: { kind: ZENDESK_JOB_STATUS, id: "V3-huge" }) {
        ... on ZendeskJobStatus { state total progress { total } resultsTotal resultsTruncated results { id } } } }`);
      expect(huge.body.errors).toBeUndefined();
      const { job } = huge.body.data as { job: { state: string; total: null; progress: null; resultsTotal: number; resultsTruncated: boolean; results: unknown[] } };
      expect(job).toMatchObject({ state: 'COMPLETED', total: null, progress: null, resultsTotal: 1500, resultsTruncated: true });
      expect(job.results).toHaveLength(1000);
    } finally {
      await server.close();
      await local.upstream.close();
    }
  });

  it('retries a transient 429 and 5xx, and succeeds', async () => {
    providers.upstream.on('GET', '/saymon/node/api/bulk/flaky/status', sequence(
      { status: 429, headers: { 'retry-after': '0' }, body: { code: 'TooMany', message: 'slow' } },
      { status: 502, body: 'Bad Gateway' },
      { body: { finished: true } },
    ));
    const { body } = await api.request(JobQuery, { ref: ref('SAYMON_BULK_OP', 'flaky') });
    expect(body.data!.job).toMatchObject({ __typename: 'SaymonBulkOp', finished: true });
    expect(providers.requestsTo('/saymon')).toHaveLength(3);
  });

  it('says UNAUTHORIZED when the provider refuses the credentials, and never shows them', async () => {
    zendeskJobs.clear();
    providers.upstream.on('GET', '/zd/api/v2/job_statuses/show_many.json', { status: 401, body: { error: "Couldn't authenticate you" } });
    const { body } = await api.request(JobQuery, { ref: ref('ZENDESK_JOB_STATUS', 'V3-x') });
    expect(body.data!.job).toMatchObject({ __typename: 'ProviderError', provider: 'ZENDESK', code: 'UNAUTHORIZED' });
    const text = JSON.stringify(body);
    for (const secret of Object.values(CREDENTIALS).filter((value) => value.includes('s3cr3t'))) expect(text).not.toContain(secret);
    expect(providers.requestsTo('/zd')).toHaveLength(1);
    expect(providers.requestsTo('/zd')[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from(`${CREDENTIALS.ZENDESK_EMAIL}/token:${CREDENTIALS.ZENDESK_API_TOKEN}`).toString('base64')}`,
    );
  });

  it('answers an account nobody configured as NOT_CONFIGURED', async () => {
    const { body } = await api.request(JobsQuery, { refs: [ref('SAYMON_BULK_OP', 'x', 'elsewhere')] });
    expect(body.data!.jobs[0]).toMatchObject({ __typename: 'ProviderError', code: 'NOT_CONFIGURED', account: 'elsewhere', provider: 'SAYMON' });
    expect(providers.upstream.requests).toHaveLength(0);
  });
});

describe('global ids', () => {
  it('round-trip through node and nodes', async () => {
    providers.upstream.on('GET', '/saymon/node/api/bulk/node-1/status', { body: { finished: false } });
    providers.upstream.on('GET', '/ik/v1/files/purge/node-2', { body: { status: 'Completed' } });
    providers.upstream.on('GET', '/ik/v1/files/purge/node-gone', { status: 400, body: { message: 'No request found for this requestId.' } });
    const { body } = await api.request(JobsQuery, { refs: [ref('SAYMON_BULK_OP', 'node-1'), ref('IMAGEKIT_PURGE_REQUEST', 'node-2'), ref('IMAGEKIT_PURGE_REQUEST', 'node-gone')] });
    const [first, second] = body.data!.jobs as { id: string }[];
    const one = await api.request(NodeQuery, { id: first!.id });
    expect(one.body.data!.node).toMatchObject({ __typename: 'SaymonBulkOp', id: first!.id, nativeId: 'node-1', state: 'RUNNING' });
    const goneId = Buffer.from('PurgeRequest:default:node-gone').toString('base64');
    const many = await api.request(NodesQuery, { ids: [second!.id, first!.id, goneId] });
    expect(many.body.data!.nodes).toMatchObject([
      { __typename: 'PurgeRequest', nativeId: 'node-2', account: 'default', kind: 'IMAGEKIT_PURGE_REQUEST' },
      { __typename: 'SaymonBulkOp', nativeId: 'node-1' },
      null,
    ]);
  });

  it('refuses a malformed global id with a 400 that says so', async () => {
    for (const id of ['not-base64!', Buffer.from('User:1').toString('base64'), Buffer.from('SaymonBulkOp:no-account').toString('base64')]) {
      const { status, body } = await api.request(NodeQuery, { id });
      expect(status).toBe(400);
      expect(body.errors![0]!.message).toMatch(/^Invalid global id/);
    }
  });
});

describe('bad input', () => {
  it('refuses more than 500 refs, empty and oversized ids with a 400', async () => {
    const cases = [
      { refs: Array.from({ length: 501 }, (_, i) => ref('SAYMON_BULK_OP', `id-${i}`)), message: /Too many refs: 501 given, at most 500/ },
      { refs: [ref('SAYMON_BULK_OP', '')], message: /must not be empty/ },
      { refs: [ref('SAYMON_BULK_OP', 'x'.repeat(300))], message: /at most 256/ },
    ];
    for (const { refs, message } of cases) {
      const { status, body } = await api.request(JobsQuery, { refs });
      expect(status).toBe(400);
      expect(body.errors![0]!.message).toMatch(message);
    }
    expect(providers.upstream.requests).toHaveLength(0);
  });

  it('refuses an unknown kind, a syntax error and an oversized body, and stays up', async () => {
    const unknownKind = await api.request('{ job(ref: { kind: FTP_JOB, id: "1" }) { __typename } }');
    expect(unknownKind.status).toBe(400);
    expect(unknownKind.body.errors![0]!.message).toMatch(/FTP_JOB/);
    const syntax = await api.request('{ jobs(refs: [ }');
    expect(syntax.status).toBe(400);
    const huge = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename }`, padding: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    const after = await api.request(ProvidersQuery);
    expect(after.status).toBe(200);
  });
});

describe('providers', () => {
  it('lists every configured account with its kinds', async () => {
    const { body } = await api.request(ProvidersQuery);
    expect(body.data!.providers).toEqual([
      { provider: 'IMAGEKIT', account: 'default', sandbox: false, kinds: ['IMAGEKIT_BULK_JOB', 'IMAGEKIT_PURGE_REQUEST'] },
      { provider: 'SAYMON', account: 'default', sandbox: false, kinds: ['SAYMON_BULK_OP'] },
      { provider: 'ZENDESK', account: 'default', sandbox: false, kinds: ['ZENDESK_JOB_STATUS'] },
    ]);
  });
});

describe('coalescing across requests', () => {
  it('serves 100 concurrent identical queries with one or two upstream calls', async () => {
    const local = await startFakeProviders(new Map([['V3-hot', zendeskJob('V3-hot', 'working')]]));
    local.upstream.on('GET', '/ik/v1/bulkJobs/hot', { delayMs: 50, body: { jobId: 'hot', type: 'MOVE_FOLDER', status: 'Pending' } });
    // A TTL no loaded machine outlasts while the hundred requests arrive: a call after expiry
    // would be a miss, not a coalescing failure.
    const server = await startTestApp({ ...local.env, CACHE_TTL_MS: '60000' });
    try {
      const variables = { refs: [ref('IMAGEKIT_BULK_JOB', 'hot'), ref('ZENDESK_JOB_STATUS', 'V3-hot')] };
      const answers = await Promise.all(Array.from({ length: 100 }, () => server.request(JobsQuery, variables)));
      expect(answers.every((answer) => answer.body.data?.jobs[0]?.__typename === 'ImageKitBulkJob')).toBe(true);
      expect(local.requestsTo('/ik').length).toBeLessThanOrEqual(2);
      expect(local.requestsTo('/zd').length).toBeLessThanOrEqual(2);
    } finally {
      await server.close();
      await local.upstream.close();
    }
  });

  it('with CACHE_STALE_MS, answers an expired running status at once and refreshes it behind the scenes', async () => {
    const jobs = new Map([['V3-stale', zendeskJob('V3-stale', 'working', { total: 10, progress: 1 })]]);
    const local = await startFakeProviders(jobs);
    const server = await startTestApp({ ...local.env, CACHE_TTL_MS: '1', CACHE_STALE_MS: '60000' });
    const progress = async () => {
      const { body } = await server.request(JobQuery, { ref: ref('ZENDESK_JOB_STATUS', 'V3-stale') });
      return (body.data?.job as { progress?: { completed: number } }).progress?.completed;
    };
    try {
      expect(await progress()).toBe(1);
      jobs.set('V3-stale', zendeskJob('V3-stale', 'working', { total: 10, progress: 5 }));
      const answeredAt = Date.now();
      await waitFor(() => Date.now() > answeredAt + 2, { what: 'the cached status to expire' });
      // Expired: the last status comes back at once, and one refresh goes upstream.
      expect(await progress()).toBe(1);
      await waitFor(() => local.requestsTo('/zd').length === 2, { what: 'the background refresh' });
      await waitFor(async () => (await progress()) === 5, { what: 'the refreshed status' });
    } finally {
      await server.close();
      await local.upstream.close();
    }
  });
});
