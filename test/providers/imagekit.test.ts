import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobOutcome } from '../../src/jobs/model.js';
import type { ImageKitAccount } from '../../src/providers/descriptor.js';
import type { UpstreamOptions } from '../../src/providers/http.js';
import { createProviderClient } from '../../src/providers/catalog.js';
import { failure, snapshot } from '../support/outcomes.js';
import { type FakeUpstream, sequence, startFakeUpstream } from '../support/fake-upstream.js';

const PRIVATE_KEY = 'private_s3cr3tKeyValue';
const OPTIONS: UpstreamOptions = { timeoutMs: 1000, retries: 2, retryBaseMs: 1, maxRetryWaitMs: 1000, concurrency: 4 };
const NOW = Date.parse('2025-03-01T12:00:00Z');

let up: FakeUpstream;
beforeEach(async () => {
  up = await startFakeUpstream();
});
afterEach(() => up.close());

function client(overrides: { baseUrl?: string; options?: Partial<UpstreamOptions> } = {}) {
  const account: ImageKitAccount = {
    provider: 'IMAGEKIT',
    name: 'default',
    baseUrl: overrides.baseUrl ?? up.url,
    privateKey: PRIVATE_KEY,
    sandbox: false,
  };
  return createProviderClient(account, { options: { ...OPTIONS, ...overrides.options }, clock: { now: () => NOW } });
}

async function bulkJob(id: string, c = client()): Promise<JobOutcome> {
  return (await c.fetchStatuses('IMAGEKIT_BULK_JOB', [id])).get(id)!;
}
async function purge(id: string, c = client()): Promise<JobOutcome> {
  return (await c.fetchStatuses('IMAGEKIT_PURGE_REQUEST', [id])).get(id)!;
}

describe('ImageKit client', () => {
  it('describes itself', () => {
    const c = client();
    expect(c).toMatchObject({ provider: 'IMAGEKIT', account: 'default', sandbox: false, kinds: ['IMAGEKIT_BULK_JOB', 'IMAGEKIT_PURGE_REQUEST'] });
  });

  it('authenticates with Basic base64("<private key>:")', async () => {
    up.on('GET', '/v1/bulkJobs/j1', { body: { jobId: 'j1', type: 'COPY_FOLDER', status: 'Pending' } });
    await bulkJob('j1');
    expect(up.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${PRIVATE_KEY}:`).toString('base64')}`);
  });

  it('keeps a base URL path prefix', async () => {
    up.on('GET', '/imagekit/v1/files/purge/r1', { body: { status: 'Completed' } });
    expect(snapshot(await purge('r1', client({ baseUrl: `${up.url}/imagekit` }))).state).toBe('COMPLETED');
  });

  it('URL-encodes ids in the path', async () => {
    up.on('GET', /^\/v1\/bulkJobs\//, { status: 404, body: { message: 'The requested job does not exist.' } });
    await bulkJob('a/b?c');
    expect(up.requests[0]!.path).toBe('/v1/bulkJobs/a%2Fb%3Fc');
  });

  it.each([
    ['Pending', 'RUNNING', false],
    ['Completed', 'COMPLETED', true],
    ['Archived', 'UNKNOWN', false],
  ] as const)('maps bulk job status %s to %s (done: %s)', async (status, state, done) => {
    up.on('GET', '/v1/bulkJobs/5d5b1a9b4c8c4c0001f3e4a2', {
      body: { jobId: '5d5b1a9b4c8c4c0001f3e4a2', type: 'MOVE_FOLDER', status, somethingNew: { x: 1 } },
    });
    expect(await bulkJob('5d5b1a9b4c8c4c0001f3e4a2')).toEqual({
      ref: { kind: 'IMAGEKIT_BULK_JOB', nativeId: '5d5b1a9b4c8c4c0001f3e4a2', account: 'default' },
      state,
      rawStatus: status,
      done,
      progress: null,
      message: null,
      checkedAt: new Date(NOW),
      details: { kind: 'IMAGEKIT_BULK_JOB', type: 'MOVE_FOLDER', purgeRequestId: null },
    });
  });

  it('maps the job type, unknown ones to UNKNOWN, and keeps the purge request id', async () => {
    up.on('GET', '/v1/bulkJobs/a', { body: { jobId: 'a', type: 'RENAME_FOLDER', status: 'Completed', purgeRequestId: 'p1' } });
    up.on('GET', '/v1/bulkJobs/b', { body: { jobId: 'b', type: 'EXPLODE_FOLDER', status: 'Pending' } });
    up.on('GET', '/v1/bulkJobs/c', { body: { status: 'Pending' } });
    const answers = await client().fetchStatuses('IMAGEKIT_BULK_JOB', ['a', 'b', 'c']);
    expect(snapshot(answers.get('a')!).details).toEqual({ kind: 'IMAGEKIT_BULK_JOB', type: 'RENAME_FOLDER', purgeRequestId: 'p1' });
    expect(snapshot(answers.get('b')!).details).toEqual({ kind: 'IMAGEKIT_BULK_JOB', type: 'UNKNOWN', purgeRequestId: null });
    expect(snapshot(answers.get('c')!).details).toEqual({ kind: 'IMAGEKIT_BULK_JOB', type: 'UNKNOWN', purgeRequestId: null });
  });

  it('treats a 207 partial success as completed, with its message', async () => {
    const message = 'Folder renamed successfully but purging cache on nested files failed.';
    up.on('GET', '/v1/bulkJobs/r', { status: 207, body: { jobId: 'r', type: 'RENAME_FOLDER', status: 'Partial success', message, help: 'x' } });
    expect(snapshot(await bulkJob('r'))).toMatchObject({ state: 'COMPLETED', done: true, rawStatus: 'Partial success', message });
  });

  it.each([
    ['Pending', 'RUNNING', false],
    ['Completed', 'COMPLETED', true],
  ] as const)('maps purge status %s to %s (done: %s)', async (status, state, done) => {
    up.on('GET', '/v1/files/purge/req-1', { body: { status } });
    expect(await purge('req-1')).toEqual({
      ref: { kind: 'IMAGEKIT_PURGE_REQUEST', nativeId: 'req-1', account: 'default' },
      state,
      rawStatus: status,
      done,
      progress: null,
      message: null,
      checkedAt: new Date(NOW),
      details: { kind: 'IMAGEKIT_PURGE_REQUEST' },
    });
  });

  it('answers NOT_FOUND for a bulk job 404 and a purge 400', async () => {
    up.on('GET', '/v1/bulkJobs/gone', { status: 404, body: { message: 'The requested job does not exist.', help: '' } });
    up.on('GET', '/v1/files/purge/gone', { status: 400, body: { message: 'No request found for this requestId.', help: '' } });
    expect(failure(await bulkJob('gone'))).toEqual({
      failure: 'NOT_FOUND',
      ref: { kind: 'IMAGEKIT_BULK_JOB', nativeId: 'gone', account: 'default' },
      message: 'ImageKit account "default" has no bulk job "gone"',
      retryAfterMs: null,
      checkedAt: new Date(NOW),
    });
    expect(failure(await purge('gone'))).toMatchObject({ failure: 'NOT_FOUND', message: 'ImageKit account "default" has no purge request "gone"' });
    expect(up.requests).toHaveLength(2);
  });

  it('answers BAD_RESPONSE for an unexpected 4xx on bulk jobs and for a body without status', async () => {
    up.on('GET', '/v1/bulkJobs/odd', { status: 400, body: { message: 'Your request is invalid' } });
    up.on('GET', '/v1/bulkJobs/empty', { body: { jobId: 'empty' } });
    expect(failure(await bulkJob('odd'))).toMatchObject({ failure: 'BAD_RESPONSE', message: 'ImageKit account "default" answered 400 unexpectedly' });
    expect(failure(await bulkJob('empty'))).toMatchObject({ failure: 'BAD_RESPONSE' });
    expect(up.requests).toHaveLength(2);
  });

  it('asks once per distinct id', async () => {
    up.on('GET', /^\/v1\/bulkJobs\//, (request) => ({ body: { jobId: request.path.split('/').pop(), status: 'Pending' } }));
    const answers = await client().fetchStatuses('IMAGEKIT_BULK_JOB', ['a', 'b', 'a', 'a', 'b']);
    expect([...answers.keys()].sort()).toEqual(['a', 'b']);
    expect(up.requests.map((r) => r.path).sort()).toEqual(['/v1/bulkJobs/a', '/v1/bulkJobs/b']);
  });

  it('bounds concurrency per account across callers', async () => {
    up.on('GET', /^\/v1\/bulkJobs\//, { delayMs: 15, body: { status: 'Pending' } });
    const c = client({ options: { concurrency: 2 } });
    const ids = Array.from({ length: 10 }, (_, i) => `job-${i}`);
    const [first, second] = await Promise.all([
      c.fetchStatuses('IMAGEKIT_BULK_JOB', ids.slice(0, 5)),
      c.fetchStatuses('IMAGEKIT_BULK_JOB', ids.slice(5)),
    ]);
    expect(first.size + second.size).toBe(10);
    expect(up.requests).toHaveLength(10);
    expect(up.maxInFlight).toBe(2);
  });

  it('classifies upstream failures per id, the others resolving', async () => {
    up.on('GET', '/v1/bulkJobs/ok', { body: { status: 'Completed' } });
    up.on('GET', '/v1/bulkJobs/limited', { status: 429, headers: { 'x-ratelimit-reset': '30000' }, body: { message: 'rate limited' } });
    up.on('GET', '/v1/bulkJobs/broken', { status: 503, body: { message: 'We have experienced an internal error' } });
    up.on('GET', '/v1/bulkJobs/flaky', sequence({ status: 500 }, { body: { status: 'Pending' } }));
    const answers = await client().fetchStatuses('IMAGEKIT_BULK_JOB', ['ok', 'limited', 'broken', 'flaky']);
    expect(snapshot(answers.get('ok')!).state).toBe('COMPLETED');
    expect(failure(answers.get('limited')!)).toMatchObject({ failure: 'RATE_LIMITED', retryAfterMs: 30_000 });
    expect(failure(answers.get('broken')!)).toMatchObject({ failure: 'UNAVAILABLE', message: 'ImageKit account "default" answered 503' });
    expect(snapshot(answers.get('flaky')!).state).toBe('RUNNING');
  });

  it('answers NOT_CONFIGURED for a kind it does not serve', async () => {
    const answers = await client().fetchStatuses('ZENDESK_JOB_STATUS', ['x']);
    expect(failure(answers.get('x')!)).toMatchObject({ failure: 'NOT_CONFIGURED' });
    expect(up.requests).toHaveLength(0);
  });

  it('never puts the private key or an upstream body in a failure message', async () => {
    const body = { message: `Your request contains expired private API key ${PRIVATE_KEY}` };
    up.on('GET', '/v1/bulkJobs/401', { status: 401, body });
    up.on('GET', '/v1/bulkJobs/403', { status: 403, body });
    up.on('GET', '/v1/bulkJobs/429', { status: 429, body, headers: { 'x-ratelimit-reset': '99999' } });
    up.on('GET', '/v1/bulkJobs/500', { status: 500, body });
    up.on('GET', '/v1/bulkJobs/418', { status: 418, body });
    up.on('GET', '/v1/bulkJobs/garbage', { body: `not json ${PRIVATE_KEY}` });
    up.on('GET', '/v1/bulkJobs/hang', { hang: true });
    const ids = ['401', '403', '429', '500', '418', 'garbage', 'hang', 'missing'];
    const answers = await client({ options: { timeoutMs: 200 } }).fetchStatuses('IMAGEKIT_BULK_JOB', ids);
    const failures = ids.map((id) => failure(answers.get(id)!));
    expect(failures.map((f) => f.failure)).toEqual([
      'UNAUTHORIZED',
      'UNAUTHORIZED',
      'RATE_LIMITED',
      'UNAVAILABLE',
      'BAD_RESPONSE',
      'BAD_RESPONSE',
      'TIMEOUT',
      'NOT_FOUND',
    ]);
    const encoded = Buffer.from(`${PRIVATE_KEY}:`).toString('base64');
    for (const { message } of failures) {
      expect(message).toMatch(/^ImageKit account "default" /);
      expect(message).not.toContain(PRIVATE_KEY);
      expect(message).not.toContain(encoded);
      expect(message).not.toContain('expired');
    }
  });
});
