/**
 * Starting ImageKit jobs against a loopback fake ImageKit: the exact POST, one POST whatever goes
 * wrong (a start is never retried), refusals as values, failures as for status calls.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageKitAccount } from '../../src/providers/descriptor.js';
import type { UpstreamOptions } from '../../src/providers/http.js';
import { createProviderClient } from '../../src/providers/catalog.js';
import { type ImageKitStartOutcome, imageKitStartsOf, startImageKitJob } from '../../src/providers/imagekit/starts.js';
import { type ImageKitStartRequest, pathProblem, purgeUrlProblem, startRequestProblem } from '../../src/providers/imagekit/start-request.js';
import type { SaymonAccount } from '../../src/providers/descriptor.js';
import { type FakeUpstream, startFakeUpstream } from '../support/fake-upstream.js';
import { startResettingServer } from '../support/resetting-server.js';

const PRIVATE_KEY = 'private_s3cr3tKeyValue';
/** Retries on, so that a start sent twice would show. */
const OPTIONS: UpstreamOptions = { timeoutMs: 1000, retries: 3, retryBaseMs: 1, maxRetryWaitMs: 1000, concurrency: 4 };
const BASIC = `Basic ${Buffer.from(`${PRIVATE_KEY}:`).toString('base64')}`;

const COPY: ImageKitStartRequest = { action: 'COPY_FOLDER', sourceFolderPath: '/products/2024', destinationPath: '/archive' };
const MOVE: ImageKitStartRequest = { action: 'MOVE_FOLDER', sourceFolderPath: '/a', destinationPath: '/b' };
const RENAME: ImageKitStartRequest = { action: 'RENAME_FOLDER', folderPath: '/old', newFolderName: 'new' };
const PURGE: ImageKitStartRequest = { action: 'PURGE_CACHE', url: 'https://ik.imagekit.io/demo/a.jpg' };

let up: FakeUpstream;
beforeEach(async () => {
  up = await startFakeUpstream();
});
afterEach(() => up.close());

function client(overrides: { baseUrl?: string; options?: Partial<UpstreamOptions> } = {}) {
  const account: ImageKitAccount = { provider: 'IMAGEKIT', name: 'media', baseUrl: overrides.baseUrl ?? up.url, privateKey: PRIVATE_KEY, sandbox: false };
  return createProviderClient(account, { options: { ...OPTIONS, ...overrides.options } });
}

async function start(request: ImageKitStartRequest, c = client()): Promise<ImageKitStartOutcome> {
  const outcome = await startImageKitJob(c, request);
  if ('invalid' in outcome) throw new Error(`unexpectedly invalid: ${outcome.invalid.message}`);
  return outcome;
}

const posts = () => up.requests.filter((request) => request.method === 'POST');

describe('starting ImageKit jobs', () => {
  it.each([
    ['copy', COPY, '/v1/bulkJobs/copyFolder', { sourceFolderPath: '/products/2024', destinationPath: '/archive', includeVersions: false }, 'jobId'],
    ['move', MOVE, '/v1/bulkJobs/moveFolder', { sourceFolderPath: '/a', destinationPath: '/b' }, 'jobId'],
    ['rename', RENAME, '/v1/bulkJobs/renameFolder', { folderPath: '/old', newFolderName: 'new', purgeCache: false }, 'jobId'],
    ['purge', PURGE, '/v1/files/purge', { url: 'https://ik.imagekit.io/demo/a.jpg' }, 'requestId'],
  ] as const)('%s: one POST to the exact path with the JSON body and Basic auth', async (_name, request, path, body, idField) => {
    up.on('POST', path, { status: 200, body: { [idField]: 'id-1' } });
    const outcome = await start(request);
    const kind = idField === 'jobId' ? 'IMAGEKIT_BULK_JOB' : 'IMAGEKIT_PURGE_REQUEST';
    expect(outcome).toEqual({ started: { kind, nativeId: 'id-1', purgeRequestId: null } });
    expect(up.requests).toHaveLength(1);
    const [sent] = up.requests;
    expect(sent).toMatchObject({ method: 'POST', path });
    expect(JSON.parse(sent!.body)).toEqual(body);
    expect(sent!.headers.authorization).toBe(BASIC);
    expect(sent!.headers['content-type']).toBe('application/json');
  });

  it('sends the flags a caller sets', async () => {
    up.on('POST', '/v1/bulkJobs/copyFolder', { body: { jobId: 'c' } });
    up.on('POST', '/v1/bulkJobs/renameFolder', { status: 202, body: { jobId: 'r' } });
    up.on('GET', '/v1/bulkJobs/r', { body: { jobId: 'r', type: 'RENAME_FOLDER', status: 'Pending', purgeRequestId: 'p' } });
    await start({ ...COPY, includeVersions: true });
    await start({ ...RENAME, purgeCache: true });
    expect(posts().map((request) => JSON.parse(request.body))).toEqual([
      { sourceFolderPath: '/products/2024', destinationPath: '/archive', includeVersions: true },
      { folderPath: '/old', newFolderName: 'new', purgeCache: true },
    ]);
  });

  it('keeps a base URL path prefix', async () => {
    up.on('POST', '/imagekit/v1/files/purge', { status: 201, body: { requestId: 'r1' } });
    expect(await start(PURGE, client({ baseUrl: `${up.url}/imagekit` }))).toMatchObject({ started: { nativeId: 'r1' } });
  });

  it.each([200, 201, 202])('accepts a %i with the id', async (status) => {
    up.on('POST', '/v1/bulkJobs/moveFolder', { status, body: { jobId: 'j', extra: { new: true } } });
    expect(await start(MOVE)).toEqual({ started: { kind: 'IMAGEKIT_BULK_JOB', nativeId: 'j', purgeRequestId: null } });
  });

  describe('a purging rename', () => {
    it('reads the purge request id from one follow-up status GET', async () => {
      up.on('POST', '/v1/bulkJobs/renameFolder', { status: 202, body: { jobId: 'r1' } });
      up.on('GET', '/v1/bulkJobs/r1', { body: { jobId: 'r1', type: 'RENAME_FOLDER', status: 'Pending', purgeRequestId: 'p1' } });
      expect(await start({ ...RENAME, purgeCache: true })).toEqual({ started: { kind: 'IMAGEKIT_BULK_JOB', nativeId: 'r1', purgeRequestId: 'p1' } });
      expect(up.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /v1/bulkJobs/renameFolder', 'GET /v1/bulkJobs/r1']);
    });

    it('takes the id from the POST answer when it is there, without a GET', async () => {
      up.on('POST', '/v1/bulkJobs/renameFolder', { status: 202, body: { jobId: 'r2', purgeRequestId: 'p2' } });
      expect(await start({ ...RENAME, purgeCache: true })).toMatchObject({ started: { nativeId: 'r2', purgeRequestId: 'p2' } });
      expect(up.requests).toHaveLength(1);
    });

    it('still answers started when the follow-up cannot name it (null), and never re-POSTs', async () => {
      up.on('POST', '/v1/bulkJobs/renameFolder', { status: 202, body: { jobId: 'r3' } });
      up.on('GET', '/v1/bulkJobs/r3', { status: 404, body: { message: 'The requested job does not exist.' } });
      expect(await start({ ...RENAME, purgeCache: true })).toEqual({ started: { kind: 'IMAGEKIT_BULK_JOB', nativeId: 'r3', purgeRequestId: null } });
      expect(posts()).toHaveLength(1);
    });

    it('asks nothing more for a rename without purge', async () => {
      up.on('POST', '/v1/bulkJobs/renameFolder', { status: 202, body: { jobId: 'r4' } });
      await start(RENAME);
      expect(up.requests).toHaveLength(1);
    });
  });

  describe('is never retried', () => {
    it.each([500, 502, 503])('sends one POST under a %i, and says the job may have started', async (status) => {
      up.on('POST', '/v1/bulkJobs/copyFolder', { status, body: { message: 'We have experienced an internal error' } });
      const outcome = await start(COPY);
      expect(outcome).toEqual({
        failed: { code: 'UNAVAILABLE', message: expect.stringContaining('may have started'), retryAfterMs: null, httpStatus: status, mayHaveStarted: true },
      });
      expect(up.requests).toHaveLength(1);
    });

    it('sends one POST under a 429, and reports the wait', async () => {
      up.on('POST', '/v1/files/purge', { status: 429, headers: { 'x-ratelimit-reset': '1' }, body: { message: 'Too many requests' } });
      expect(await start(PURGE)).toEqual({
        failed: { code: 'RATE_LIMITED', message: 'ImageKit account "media" is rate limited (429); retry after 1 ms', retryAfterMs: 1, httpStatus: 429, mayHaveStarted: false },
      });
      expect(up.requests).toHaveLength(1);
    });

    it('sends one POST under a timeout: TIMEOUT, saying the job may have started', async () => {
      up.on('POST', '/v1/bulkJobs/moveFolder', { hang: true });
      const outcome = await start(MOVE, client({ options: { timeoutMs: 100 } }));
      expect(outcome).toEqual({
        failed: {
          code: 'TIMEOUT',
          message: 'ImageKit account "media" did not answer within 100 ms; the job may have started: check before starting it again (a start is never retried)',
          retryAfterMs: null,
          httpStatus: null,
          mayHaveStarted: true,
        },
      });
      expect(up.requests).toHaveLength(1);
    });

    it('sends one POST when the connection is reset', async () => {
      const resetting = await startResettingServer();
      try {
        const outcome = await start(COPY, client({ baseUrl: resetting.url }));
        expect(outcome).toMatchObject({ failed: { code: 'UNAVAILABLE', httpStatus: null, mayHaveStarted: true } });
        expect('failed' in outcome && outcome.failed.message).toContain('may have started');
        expect(resetting.requests()).toEqual(['POST /v1/bulkJobs/copyFolder']);
      } finally {
        await resetting.close();
      }
    });
  });

  describe('refusals are values', () => {
    it.each([
      [400, { reason: 'SAME_SOURCE_AND_DESTINATION', message: 'Source and destination cannot be same.' }, 'SAME_SOURCE_AND_DESTINATION'],
      [400, { reason: 'SOURCE_IS_ROOT', message: 'Root folder cannot be the source.' }, 'SOURCE_IS_ROOT'],
      [400, { message: 'Your request contains invalid syntax.' }, 'INVALID'],
      [404, { reason: 'NO_FILES_FOLDER', message: 'No files & folder found at sourceFolderPath /a' }, 'NO_FILES_FOLDER'],
      [404, { message: 'No files & folder found at sourceFolderPath /a' }, 'NO_FILES_FOLDER'],
      [409, { message: 'Folder with name b already exists.' }, 'CONFLICT'],
      [423, { message: 'A bulk job is running on given folder path' }, 'LOCKED'],
      [422, 'not json at all', 'INVALID'],
    ] as const)('%i %j → rejected %s, one POST', async (status, body, reason) => {
      up.on('POST', '/v1/bulkJobs/moveFolder', { status, body: typeof body === 'string' ? body : { ...body, help: 'For support kindly contact us.' } });
      const outcome = await start(MOVE);
      expect(outcome).toEqual({ rejected: { reason, httpStatus: status, message: expect.stringMatching(/^ImageKit account "media" refused to move the folder/) } });
      if (typeof body !== 'string') expect('rejected' in outcome && outcome.rejected.message).toContain(body.message);
      expect(up.requests).toHaveLength(1);
    });

    it('keeps the provider message on one line, short, and without the private key', async () => {
      const message = `Locked\nby key ${PRIVATE_KEY} ${'x'.repeat(1000)}`;
      up.on('POST', '/v1/bulkJobs/copyFolder', { status: 423, body: { reason: 'weird reason!', message } });
      const outcome = await start(COPY);
      if (!('rejected' in outcome)) throw new Error('expected a rejection');
      expect(outcome.rejected.reason).toBe('LOCKED');
      expect(outcome.rejected.message).not.toContain(PRIVATE_KEY);
      expect(outcome.rejected.message).not.toContain('\n');
      expect(outcome.rejected.message.length).toBeLessThan(400);
      expect(outcome.rejected.message).toContain('ImageKit account "media" refused to copy the folder (423 LOCKED): Locked by key [redacted]');
    });
  });

  describe('failures as for status calls', () => {
    it.each([
      [401, 'UNAUTHORIZED'],
      [403, 'UNAUTHORIZED'],
    ] as const)('%i → %s, not started, without the upstream body', async (status, code) => {
      up.on('POST', '/v1/bulkJobs/copyFolder', { status, body: { message: `expired key ${PRIVATE_KEY}` } });
      const outcome = await start(COPY);
      expect(outcome).toEqual({ failed: { code, message: expect.any(String), retryAfterMs: null, httpStatus: status, mayHaveStarted: false } });
      expect(JSON.stringify(outcome)).not.toContain(PRIVATE_KEY);
      expect(up.requests).toHaveLength(1);
    });

    it.each([
      ['a 2xx without the id', { status: 200, body: { ok: true } }, 'answered 200 without a jobId'],
      ['a 2xx with an empty id', { status: 202, body: { jobId: '' } }, 'answered 202 without a jobId'],
      ['a 2xx that is not JSON', { status: 200, body: 'accepted' }, 'answered 200 with a body that is not JSON'],
      ['a redirect', { status: 302, headers: { location: 'http://elsewhere/' } }, 'redirect'],
    ])('%s → BAD_RESPONSE saying the job may have started', async (_name, reply, what) => {
      up.on('POST', '/v1/bulkJobs/renameFolder', reply);
      const outcome = await start(RENAME);
      expect(outcome).toMatchObject({ failed: { code: 'BAD_RESPONSE', mayHaveStarted: true } });
      const message = 'failed' in outcome ? outcome.failed.message : '';
      expect(message).toContain(what);
      expect(message).toContain('the job may have started');
      expect(up.requests).toHaveLength(1);
    });
  });

  describe('startImageKitJob', () => {
    it('sends nothing for a request that is certainly wrong', async () => {
      expect(await startImageKitJob(client(), { ...COPY, sourceFolderPath: '  ' })).toEqual({ invalid: { message: 'sourceFolderPath must not be empty' } });
      expect(await startImageKitJob(client(), { ...PURGE, url: 'ftp://ik.imagekit.io/a.jpg' })).toEqual({ invalid: { message: 'url must be an http(s) URL, not ftp' } });
      expect(up.requests).toHaveLength(0);
    });

    it('answers NOT_CONFIGURED for a client that is not ImageKit', async () => {
      const saymon: SaymonAccount = { provider: 'SAYMON', name: 'lab', baseUrl: up.url, auth: { scheme: 'token', token: 't' }, sandbox: false };
      const other = createProviderClient(saymon, { options: OPTIONS });
      expect(imageKitStartsOf(other)).toBeNull();
      expect(await startImageKitJob(other, COPY)).toMatchObject({ failed: { code: 'NOT_CONFIGURED', mayHaveStarted: false } });
      expect(up.requests).toHaveLength(0);
    });
  });
});

describe('start request checks', () => {
  it('accepts paths up to 1 024 characters and refuses empty, blank or longer ones', () => {
    expect(pathProblem('sourceFolderPath', `/${'a'.repeat(1023)}`)).toBeNull();
    expect(pathProblem('sourceFolderPath', `/${'a'.repeat(1024)}`)).toBe('sourceFolderPath is 1025 characters long; at most 1024 are allowed');
    expect(pathProblem('destinationPath', '')).toBe('destinationPath must not be empty');
    expect(pathProblem('destinationPath', ' \t')).toBe('destinationPath must not be empty');
  });

  it('accepts only absolute http(s) purge URLs', () => {
    expect(purgeUrlProblem('https://ik.imagekit.io/demo/a.jpg')).toBeNull();
    expect(purgeUrlProblem('http://cdn.example.com/a.jpg?tr=w-100')).toBeNull();
    expect(purgeUrlProblem('')).toBe('url must not be empty');
    expect(purgeUrlProblem('/demo/a.jpg')).toBe('url must be an absolute http(s) URL');
    expect(purgeUrlProblem('javascript:alert(1)')).toBe('url must be an http(s) URL, not javascript');
    expect(purgeUrlProblem('ftp://ik.imagekit.io/a.jpg')).toBe('url must be an http(s) URL, not ftp');
  });

  it('checks the fields of each action, first problem first', () => {
    expect(startRequestProblem(COPY)).toBeNull();
    expect(startRequestProblem({ ...COPY, sourceFolderPath: '', destinationPath: '' })).toBe('sourceFolderPath must not be empty');
    expect(startRequestProblem({ ...MOVE, destinationPath: 'x'.repeat(1025) })).toMatch(/^destinationPath is 1025 characters long/);
    expect(startRequestProblem({ ...RENAME, folderPath: '' })).toBe('folderPath must not be empty');
    expect(startRequestProblem({ ...RENAME, newFolderName: '' })).toBe('newFolderName must not be empty');
    expect(startRequestProblem({ ...PURGE, url: 'mailto:a@b.c' })).toBe('url must be an http(s) URL, not mailto');
  });
});

