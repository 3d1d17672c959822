/**
 * The start mutations over real HTTP against a loopback fake ImageKit that counts POSTs: the
 * exact POST, one POST whatever goes wrong, idempotency keys (concurrent duplicates included),
 * refusals as data with nothing tracked, input checks before any call, scopes, and tracking.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../support/fake-upstream.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { waitFor } from '../support/wait.js';
import { startResettingServer } from '../support/resetting-server.js';

const PRIVATE_KEY = 'private_startTestKey';
const BASIC = `Basic ${Buffer.from(`${PRIVATE_KEY}:`).toString('base64')}`;
const FULL_KEY = 'full-key-0123456789';
const TRACK_ONLY_KEY = 'track-only-key-0123';
const ZENDESK_STARTER_KEY = 'zendesk-starter-key';
const STARTER_KEY = 'starter-key-0123456';

type Body = { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };

const RESULT = `
  __typename
  ... on Job { id nativeId account state rawStatus done tracking { labels trackedBy } }
  ... on ImageKitBulkJob { type purgeRequest { nativeId state } }
  ... on JobRejectedError { reason httpStatus provider account rejection: message }
  ... on ProviderError { code failure: message }`;

const COPY = `mutation Copy($input: CopyImageKitFolderInput!) { copyImageKitFolder(input: $input) { ${RESULT} } }`;
const MOVE = `mutation Move($input: MoveImageKitFolderInput!) { moveImageKitFolder(input: $input) { ${RESULT} } }`;
const RENAME = `mutation Rename($input: RenameImageKitFolderInput!) { renameImageKitFolder(input: $input) { ${RESULT} } }`;
const PURGE = `mutation Purge($input: PurgeImageKitCacheInput!) { purgeImageKitCache(input: $input) { ${RESULT} } }`;
const TRACKED = `{ trackedJobs(first: 50) { totalCount edges { node { __typename ... on Job { kind nativeId state tracking { labels trackedBy } } } } } }`;

let up: FakeUpstream;
let api: TestApp;
let dir: string;
let counter = 0;

const ask = async (query: string, variables: Record<string, unknown> = {}, key = FULL_KEY): Promise<{ status: number; body: Body }> =>
  api.request(query, variables as never, { authorization: `Bearer ${key}` }) as never;
const posts = () => up.requests.filter((request) => request.method === 'POST');

/** A fake ImageKit that starts jobs with fresh ids and reports them Completed. */
function imageKitStarting(): void {
  const started = (field: string, status = 200) => () => ({ status, body: { [field]: `${field}-${++counter}` } });
  up.on('POST', '/v1/bulkJobs/copyFolder', started('jobId'));
  up.on('POST', '/v1/bulkJobs/moveFolder', started('jobId'));
  up.on('POST', '/v1/bulkJobs/renameFolder', started('jobId', 202));
  up.on('POST', '/v1/files/purge', started('requestId', 201));
  up.on('GET', /^\/v1\/bulkJobs\//, (request) => ({
    body: { jobId: request.path.split('/').pop(), type: 'COPY_FOLDER', status: 'Completed', ...(request.path.includes('purging') && { purgeRequestId: 'purge-of-rename' }) },
  }));
  up.on('GET', /^\/v1\/files\/purge\//, () => ({ body: { status: 'Completed' } }));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jsg-start-'));
  const jobsConfig = join(dir, 'jobs.json');
  await writeFile(
    jobsConfig,
    JSON.stringify({
      apiKeys: [
        { name: 'tracker', key: TRACK_ONLY_KEY },
        { name: 'zendesk-starter', key: ZENDESK_STARTER_KEY, providers: ['ZENDESK'], can: ['read', 'track', 'start'] },
        { name: 'starter', key: STARTER_KEY, can: ['read', 'start'] },
      ],
    }),
  );
  up = await startFakeUpstream();
  api = await startTestApp({
    IMAGEKIT_PRIVATE_KEY: PRIVATE_KEY,
    IMAGEKIT_BASE_URL: up.url,
    API_KEYS: FULL_KEY,
    JOBS_CONFIG: jobsConfig,
    UPSTREAM_TIMEOUT_MS: '300',
    UPSTREAM_RETRIES: '3',
    CACHE_TTL_MS: '1',
    POLL_INTERVAL_MS: '30',
    POLL_MAX_INTERVAL_MS: '60',
  });
});
afterAll(async () => {
  await api.close();
  await up.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  up.reset();
  imageKitStarting();
  // Each test starts from an empty registry.
  const { body } = await ask(`{ trackedJobs(first: 100) { edges { node { ... on Job { id } } } } }`);
  if (!body.data) throw new Error(JSON.stringify(body));
  const ids = (body.data!.trackedJobs.edges as { node: { id: string } }[]).map((edge) => edge.node.id);
  if (ids.length > 0) await ask(`mutation($ids: [ID!]!) { untrackJobs(ids: $ids) }`, { ids });
});

describe('starting jobs', () => {
  it.each([
    ['copy', COPY, { sourceFolderPath: '/products/2024', destinationPath: '/archive', includeVersions: true }, '/v1/bulkJobs/copyFolder', { sourceFolderPath: '/products/2024', destinationPath: '/archive', includeVersions: true }, 'ImageKitBulkJob'],
    ['move', MOVE, { sourceFolderPath: '/a', destinationPath: '/b' }, '/v1/bulkJobs/moveFolder', { sourceFolderPath: '/a', destinationPath: '/b' }, 'ImageKitBulkJob'],
    ['rename', RENAME, { folderPath: '/old', newFolderName: 'new' }, '/v1/bulkJobs/renameFolder', { folderPath: '/old', newFolderName: 'new', purgeCache: false }, 'ImageKitBulkJob'],
    ['purge', PURGE, { url: 'https://ik.imagekit.io/demo/a.jpg' }, '/v1/files/purge', { url: 'https://ik.imagekit.io/demo/a.jpg' }, 'PurgeRequest'],
  ])('%s: one POST with the exact path, JSON body and Basic auth; the job is tracked with its labels', async (_name, document, input, path, wire, typename) => {
    const { status, body } = await ask(document, { input: { ...input, labels: ['nightly'] } });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const result = Object.values(body.data!)[0] as Record<string, any>;
    expect(result).toMatchObject({ __typename: typename, account: 'default', state: 'COMPLETED', tracking: { labels: ['nightly'], trackedBy: 'key1' } });
    expect(posts()).toHaveLength(1);
    expect(posts()[0]).toMatchObject({ path });
    expect(JSON.parse(posts()[0]!.body)).toEqual(wire);
    expect(posts()[0]!.headers.authorization).toBe(BASIC);
    const tracked = await ask(TRACKED);
    expect(tracked.body.data!.trackedJobs.edges.map((edge: any) => edge.node.nativeId)).toEqual([result.nativeId]);
  });

  it('rename with purgeCache tracks the purge request too, reachable as purgeRequest', async () => {
    up.on('POST', '/v1/bulkJobs/renameFolder', () => ({ status: 202, body: { jobId: 'purging-rename' } }));
    const { body } = await ask(RENAME, { input: { folderPath: '/old', newFolderName: 'new', purgeCache: true } });
    expect(body.data!.renameImageKitFolder).toMatchObject({ nativeId: 'purging-rename', purgeRequest: { nativeId: 'purge-of-rename', state: 'COMPLETED' } });
    expect(JSON.parse(posts()[0]!.body)).toEqual({ folderPath: '/old', newFolderName: 'new', purgeCache: true });
    const tracked = await ask(TRACKED);
    expect(tracked.body.data!.trackedJobs.edges.map((edge: any) => `${edge.node.kind} ${edge.node.nativeId}`).sort()).toEqual([
      'IMAGEKIT_BULK_JOB purging-rename',
      'IMAGEKIT_PURGE_REQUEST purge-of-rename',
    ]);
    expect(posts()).toHaveLength(1);
  });

  it('answers the job RUNNING from the start itself when its first status cannot be read', async () => {
    up.on('GET', /^\/v1\/bulkJobs\//, { status: 404, body: { message: 'not yet' } });
    const { body } = await ask(COPY, { input: { sourceFolderPath: '/a', destinationPath: '/b' } });
    expect(body.data!.copyImageKitFolder).toMatchObject({ __typename: 'ImageKitBulkJob', state: 'RUNNING', rawStatus: 'Pending', done: false, type: 'COPY_FOLDER' });
    expect((await ask(TRACKED)).body.data!.trackedJobs.totalCount).toBe(1);
    // Its last known status is the not found (no Job id to find it by in the next test's clean-up).
    await ask(`mutation($ids: [ID!]!) { untrackJobs(ids: $ids) }`, { ids: [body.data!.copyImageKitFolder.id] });
  });
});

describe('never retried', () => {
  it('sends one POST under a 500 and answers ProviderError', async () => {
    up.on('POST', '/v1/bulkJobs/copyFolder', { status: 500, body: { message: 'boom' } });
    const { body } = await ask(COPY, { input: { sourceFolderPath: '/a', destinationPath: '/b' } });
    expect(body.data!.copyImageKitFolder).toMatchObject({ __typename: 'ProviderError', code: 'UNAVAILABLE' });
    expect(posts()).toHaveLength(1);
    expect((await ask(TRACKED)).body.data!.trackedJobs).toMatchObject({ totalCount: 0 });
  });

  it('sends one POST under a timeout and says the job may have started', async () => {
    up.on('POST', '/v1/bulkJobs/moveFolder', { hang: true });
    const { body } = await ask(MOVE, { input: { sourceFolderPath: '/a', destinationPath: '/b' } });
    expect(body.data!.moveImageKitFolder).toMatchObject({ __typename: 'ProviderError', code: 'TIMEOUT', failure: expect.stringMatching(/may have started/) });
    expect(posts()).toHaveLength(1);
  });

  it('sends one POST when the connection is reset', async () => {
    const resetting = await startResettingServer();
    const other = await startTestApp({ IMAGEKIT_PRIVATE_KEY: PRIVATE_KEY, IMAGEKIT_BASE_URL: resetting.url, UPSTREAM_RETRIES: '3' });
    try {
      const { body } = await other.request<any, any>(COPY, { input: { sourceFolderPath: '/a', destinationPath: '/b' } });
      expect(body.data.copyImageKitFolder).toMatchObject({ __typename: 'ProviderError', failure: expect.stringMatching(/may have started/) });
      expect(resetting.requests()).toEqual(['POST /v1/bulkJobs/copyFolder']);
    } finally {
      await other.close();
      await resetting.close();
    }
  });
});

describe('idempotency keys', () => {
  const input = (key: string | undefined, extra: Record<string, unknown> = {}) => ({ input: { sourceFolderPath: '/a', destinationPath: '/b', idempotencyKey: key, ...extra } });

  it('10 parallel calls with one key send one POST and all answer the same job', async () => {
    up.on('POST', '/v1/bulkJobs/copyFolder', () => ({ delayMs: 50, body: { jobId: `job-${++counter}` } }));
    const answers = await Promise.all(Array.from({ length: 10 }, () => ask(COPY, input('parallel-key'))));
    expect(posts()).toHaveLength(1);
    const ids = new Set(answers.map(({ body }) => body.data!.copyImageKitFolder.nativeId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^job-/);
    // Later, too: no second POST.
    expect((await ask(COPY, input('parallel-key'))).body.data!.copyImageKitFolder.nativeId).toBe([...ids][0]);
    expect(posts()).toHaveLength(1);
  });

  it('different keys, or none, start again', async () => {
    await ask(COPY, input('key-a'));
    await ask(COPY, input('key-b'));
    await ask(COPY, input(undefined));
    await ask(COPY, input(undefined));
    expect(posts()).toHaveLength(4);
  });

  it('refuses a key reused with another input or operation, without a POST', async () => {
    await ask(COPY, input('reused-key'));
    const other = await ask(COPY, input('reused-key', { destinationPath: '/elsewhere' }));
    expect(other.status).toBe(409);
    expect(other.body.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    const move = await ask(MOVE, input('reused-key'));
    expect(move.body.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(posts()).toHaveLength(1);
  });

  it('a refusal releases the key: a retry starts again', async () => {
    up.on('POST', '/v1/bulkJobs/copyFolder', { status: 423, body: { message: 'A bulk job is running on given folder path' } });
    expect((await ask(COPY, input('retry-key'))).body.data!.copyImageKitFolder.__typename).toBe('JobRejectedError');
    up.on('POST', '/v1/bulkJobs/copyFolder', { body: { jobId: 'after-refusal' } });
    expect((await ask(COPY, input('retry-key'))).body.data!.copyImageKitFolder.nativeId).toBe('after-refusal');
    expect(posts()).toHaveLength(2);
  });

  it('a timeout keeps the key: the same key answers TIMEOUT again without a POST', async () => {
    up.on('POST', '/v1/bulkJobs/copyFolder', { hang: true });
    expect((await ask(COPY, input('timeout-key'))).body.data!.copyImageKitFolder.code).toBe('TIMEOUT');
    const again = await ask(COPY, input('timeout-key'));
    expect(again.body.data!.copyImageKitFolder).toMatchObject({ code: 'TIMEOUT', failure: expect.stringMatching(/may have started/) });
    expect(posts()).toHaveLength(1);
  });

  it('refuses an empty or over-long key before any call', async () => {
    for (const key of ['', 'k'.repeat(256)]) {
      const { status, body } = await ask(COPY, input(key));
      expect(status).toBe(400);
      expect(body.errors?.[0]?.message).toMatch(/idempotencyKey/);
    }
    expect(posts()).toHaveLength(0);
  });
});

describe('refusals are data', () => {
  it.each([
    [400, { reason: 'SAME_SOURCE_AND_DESTINATION', message: 'same' }, 'SAME_SOURCE_AND_DESTINATION'],
    [404, { message: 'No files in folder' }, 'NO_FILES_FOLDER'],
    [409, { message: 'Folder with name x already exists.' }, 'CONFLICT'],
    [423, { message: 'A bulk job is running on given folder path' }, 'LOCKED'],
  ])('%s → JobRejectedError %s, nothing tracked', async (status, wire, reason) => {
    up.on('POST', '/v1/bulkJobs/renameFolder', { status, body: wire });
    const { body } = await ask(RENAME, { input: { folderPath: '/old', newFolderName: 'new' } });
    expect(body.data!.renameImageKitFolder).toMatchObject({ __typename: 'JobRejectedError', reason, httpStatus: status, provider: 'IMAGEKIT', account: 'default' });
    expect(posts()).toHaveLength(1);
    expect((await ask(TRACKED)).body.data!.trackedJobs.totalCount).toBe(0);
  });

  it('answers auth trouble as ProviderError', async () => {
    up.on('POST', '/v1/files/purge', { status: 401, body: { message: 'Your request does not contain private API key.' } });
    const { body } = await ask(PURGE, { input: { url: 'https://ik.imagekit.io/demo/a.jpg' } });
    expect(body.data!.purgeImageKitCache).toMatchObject({ __typename: 'ProviderError', code: 'UNAUTHORIZED' });
  });
});

describe('inputs are checked before any call', () => {
  it.each([
    ['an empty path', COPY, { sourceFolderPath: '', destinationPath: '/b' }, /sourceFolderPath must not be empty/],
    ['a path over 1 024 characters', MOVE, { sourceFolderPath: '/a', destinationPath: `/${'x'.repeat(1024)}` }, /destinationPath is 1025 characters/],
    ['a non-http(s) purge URL', PURGE, { url: 'ftp://example.com/a.jpg' }, /http\(s\)/],
    ['an unknown account', COPY, { account: 'nope', sourceFolderPath: '/a', destinationPath: '/b' }, /No ImageKit account named "nope"/],
    ['invalid labels', COPY, { sourceFolderPath: '/a', destinationPath: '/b', labels: [''] }, /label/i],
  ])('%s is a 400', async (_name, document, input, message) => {
    const { status, body } = await ask(document, { input });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(message);
    expect(up.requests).toHaveLength(0);
  });
});

describe('scopes', () => {
  it('needs the start capability and read access to IMAGEKIT', async () => {
    for (const key of [TRACK_ONLY_KEY, ZENDESK_STARTER_KEY]) {
      const { body } = await ask(COPY, { input: { sourceFolderPath: '/a', destinationPath: '/b' } }, key);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(up.requests).toHaveLength(0);
    const { body } = await ask(COPY, { input: { sourceFolderPath: '/a', destinationPath: '/b' } }, STARTER_KEY);
    expect(body.data!.copyImageKitFolder).toMatchObject({ __typename: 'ImageKitBulkJob', tracking: { trackedBy: 'starter' } });
    expect(posts()).toHaveLength(1);
  });
});

describe('the registry', () => {
  it('answers REGISTRY_UNAVAILABLE before any POST when it is away', async () => {
    const other = await startTestApp({ IMAGEKIT_PRIVATE_KEY: PRIVATE_KEY, IMAGEKIT_BASE_URL: up.url });
    try {
      await other.app.registry.close();
      for (const key of [undefined, 'away-key']) {
        const { body } = await other.request<any, any>(COPY, { input: { sourceFolderPath: '/a', destinationPath: '/b', idempotencyKey: key } });
        expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'REGISTRY_UNAVAILABLE' });
      }
      expect(posts()).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});

describe('the sandbox', () => {
  it('tracks a started job until it is COMPLETED in trackedJobs, and answers refusals', async () => {
    const sandbox = await startTestApp({ POLL_INTERVAL_MS: '20', POLL_MAX_INTERVAL_MS: '40', CACHE_TTL_MS: '1' }, undefined, { sandboxTimeScale: 0.005 });
    try {
      const { body } = await sandbox.request<any, any>(RENAME, { input: { folderPath: '/demo/old', newFolderName: 'new', purgeCache: true, labels: ['demo'] } });
      expect(body.data.renameImageKitFolder).toMatchObject({ __typename: 'ImageKitBulkJob', type: 'RENAME_FOLDER' });
      await waitFor(
        async () => {
          const listed = await sandbox.request<any, any>(TRACKED);
          const nodes = listed.body.data.trackedJobs.edges.map((edge: any) => edge.node);
          return nodes.length === 2 && nodes.every((node: any) => node.state === 'COMPLETED');
        },
        { timeoutMs: 10_000, what: 'the rename and its purge to complete' },
      );
      const locked = await sandbox.request<any, any>(COPY, { input: { sourceFolderPath: '/demo/locked', destinationPath: '/b' } });
      expect(locked.body.data.copyImageKitFolder).toMatchObject({ __typename: 'JobRejectedError', httpStatus: 423 });
      const same = await sandbox.request<any, any>(MOVE, { input: { sourceFolderPath: '/demo/a', destinationPath: '/demo/a/' } });
      expect(same.body.data.moveImageKitFolder).toMatchObject({ __typename: 'JobRejectedError', httpStatus: 400, reason: 'SAME_SOURCE_AND_DESTINATION' });
    } finally {
      await sandbox.close();
    }
  });
});

