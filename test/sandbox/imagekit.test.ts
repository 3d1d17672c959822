import { describe, expect, it } from 'vitest';
import { createProviderClient } from '../../src/providers/catalog.js';
import { startImageKitJob } from '../../src/providers/imagekit/starts.js';
import type { ImageKitStartRequest } from '../../src/providers/imagekit/start-request.js';
import { imagekitBulkPlan } from '../../src/sandbox/lifecycle.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { advanceUntil, basic, call, imagekitAuth, json, started } from './support.js';

/** Every ImageKit job is done 35 s after it was first seen (time scale 1). */
const ALL_DONE_MS = 35_000;

describe('sandbox ImageKit', () => {
  it('refuses a request without the private key with 401, and a wrong key with 403', async () => {
    const { sandbox } = await started();
    const url = `${sandbox.baseUrls.imagekit}/v1/bulkJobs/5d5b1a9b4c8c4c0001f3e4a2`;

    const missing = await call(url);
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ message: 'Your request does not contain private API key.', help: expect.any(String) });

    const wrong = await call(url, { headers: { authorization: basic('private_wrong', '') } });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toEqual({ message: 'Your account cannot be authenticated.', help: expect.any(String) });

    const bearer = await call(url, { headers: { authorization: `Bearer ${sandbox.credentials.imagekitPrivateKey}` } });
    expect(bearer.status).toBe(401);
  });

  it('accepts the private key as Basic username with any password', async () => {
    const { sandbox } = await started();
    const url = `${sandbox.baseUrls.imagekit}/v1/bulkJobs/5d5b1a9b4c8c4c0001f3e4a2`;
    expect((await call(url, { headers: imagekitAuth(sandbox) })).status).toBe(200);
    expect((await call(url, { headers: { authorization: basic(sandbox.credentials.imagekitPrivateKey, 'ignored') } })).status).toBe(200);
    expect(sandbox.credentials.imagekitPrivateKey).toMatch(/^private_/);
  });

  it('moves a bulk job from Pending to its end once enough time has passed', async () => {
    const { sandbox, clock } = await started();
    const url = `${sandbox.baseUrls.imagekit}/v1/bulkJobs/5d5b1a9b4c8c4c0001f3e4a2`;
    const first = await call(url, { headers: imagekitAuth(sandbox) });
    expect(first.body).toMatchObject({ jobId: '5d5b1a9b4c8c4c0001f3e4a2', status: 'Pending' });
    expect(['COPY_FOLDER', 'MOVE_FOLDER', 'RENAME_FOLDER']).toContain(first.body.type);

    clock.advance(ALL_DONE_MS);
    const last = await call(url, { headers: imagekitAuth(sandbox) });
    expect(last.body.type).toBe(first.body.type);
    expect(['Completed', 'Partial success']).toContain(last.body.status);
    expect(last.status).toBe(last.body.status === 'Completed' ? 200 : 207);
  });

  it('answers a "fail" rename with 207 Partial success and a purge request id that has its own status', async () => {
    const { sandbox, clock } = await started();
    const url = `${sandbox.baseUrls.imagekit}/v1/bulkJobs/rename-fail-1`;
    const pending = await call(url, { headers: imagekitAuth(sandbox) });
    expect(pending.status).toBe(200);
    expect(pending.body).toEqual({ jobId: 'rename-fail-1', type: 'RENAME_FOLDER', status: 'Pending', purgeRequestId: expect.stringMatching(/^[0-9a-f]{24}$/) });

    clock.advance(ALL_DONE_MS);
    const done = await call(url, { headers: imagekitAuth(sandbox) });
    expect(done.status).toBe(207);
    expect(done.body).toEqual({
      jobId: 'rename-fail-1',
      type: 'RENAME_FOLDER',
      status: 'Partial success',
      purgeRequestId: pending.body.purgeRequestId,
      message: 'Folder renamed successfully but purging cache on nested files failed.',
      help: expect.any(String),
    });

    const purgeUrl = `${sandbox.baseUrls.imagekit}/v1/files/purge/${pending.body.purgeRequestId}`;
    expect((await call(purgeUrl, { headers: imagekitAuth(sandbox) })).body).toEqual({ status: 'Pending' });
    clock.advance(25_000);
    expect((await call(purgeUrl, { headers: imagekitAuth(sandbox) })).body).toEqual({ status: 'Completed' });
  });

  it('moves a purge request from Pending to Completed', async () => {
    const { sandbox, clock } = await started();
    const url = `${sandbox.baseUrls.imagekit}/v1/files/purge/598821f949c0a938d57563bd`;
    const first = await call(url, { headers: imagekitAuth(sandbox) });
    expect(first).toMatchObject({ status: 200, body: { status: 'Pending' } });
    clock.advance(25_000);
    expect((await call(url, { headers: imagekitAuth(sandbox) })).body).toEqual({ status: 'Completed' });
  });

  it('answers 404 for a missing bulk job and 400 for a missing purge request', async () => {
    const { sandbox } = await started();
    const job = await call(`${sandbox.baseUrls.imagekit}/v1/bulkJobs/job-missing-1`, { headers: imagekitAuth(sandbox) });
    expect(job.status).toBe(404);
    expect(job.body).toEqual({ message: 'The requested job does not exist.', help: expect.any(String) });

    const purge = await call(`${sandbox.baseUrls.imagekit}/v1/files/purge/NotFound-1`, { headers: imagekitAuth(sandbox) });
    expect(purge.status).toBe(400);
    expect(purge.body).toEqual({ message: 'No request found for this requestId.', help: expect.any(String) });
  });

  it('creates copy and move jobs (200) and rename jobs (202) whose statuses are then served', async () => {
    const { sandbox, clock } = await started();
    const base = sandbox.baseUrls.imagekit;
    const auth = imagekitAuth(sandbox);

    const copy = await call(`${base}/v1/bulkJobs/copyFolder`, json('POST', { sourceFolderPath: '/a', destinationPath: '/b', includeVersions: true }, auth));
    const move = await call(`${base}/v1/bulkJobs/moveFolder`, json('POST', { sourceFolderPath: '/a', destinationPath: '/c' }, auth));
    const rename = await call(`${base}/v1/bulkJobs/renameFolder`, json('POST', { folderPath: '/c', newFolderName: 'd', purgeCache: true }, auth));
    const plainRename = await call(`${base}/v1/bulkJobs/renameFolder`, json('POST', { folderPath: '/d', newFolderName: 'e' }, auth));
    expect([copy.status, move.status, rename.status, plainRename.status]).toEqual([200, 200, 202, 202]);
    for (const created of [copy, move, rename, plainRename]) expect(created.body).toEqual({ jobId: expect.stringMatching(/^[0-9a-f]{24}$/) });

    const status = (jobId: string) => call(`${base}/v1/bulkJobs/${jobId}`, { headers: auth });
    expect((await status(copy.body.jobId)).body).toEqual({ jobId: copy.body.jobId, type: 'COPY_FOLDER', status: 'Pending' });
    expect((await status(move.body.jobId)).body).toEqual({ jobId: move.body.jobId, type: 'MOVE_FOLDER', status: 'Pending' });
    expect((await status(rename.body.jobId)).body).toMatchObject({ type: 'RENAME_FOLDER', status: 'Pending', purgeRequestId: expect.any(String) });
    expect((await status(plainRename.body.jobId)).body).not.toHaveProperty('purgeRequestId');

    clock.advance(ALL_DONE_MS);
    expect((await status(copy.body.jobId)).body.status).toBe('Completed');
    const renamed = await status(rename.body.jobId);
    const expected = imagekitBulkPlan(rename.body.jobId, { type: 'RENAME_FOLDER', purge: true }, 1).partial ? 'Partial success' : 'Completed';
    expect(renamed.body.status).toBe(expected);
  });

  it('creates purge requests (201) that then have a status', async () => {
    const { sandbox, clock } = await started();
    const auth = imagekitAuth(sandbox);
    const created = await call(`${sandbox.baseUrls.imagekit}/v1/files/purge`, json('POST', { url: 'https://ik.imagekit.io/demo/a.jpg' }, auth));
    expect(created).toMatchObject({ status: 201, body: { requestId: expect.stringMatching(/^[0-9a-f]{24}$/) } });
    const url = `${sandbox.baseUrls.imagekit}/v1/files/purge/${created.body.requestId}`;
    expect((await call(url, { headers: auth })).body).toEqual({ status: 'Pending' });
    clock.advance(25_000);
    expect((await call(url, { headers: auth })).body).toEqual({ status: 'Completed' });
  });

  it('answers bad creation bodies with 400 and a message', async () => {
    const { sandbox } = await started();
    const auth = imagekitAuth(sandbox);
    const notJson = await call(`${sandbox.baseUrls.imagekit}/v1/bulkJobs/copyFolder`, { method: 'POST', body: '{"sourceFolderPath":', headers: auth });
    expect(notJson).toMatchObject({ status: 400, body: { message: expect.any(String), help: expect.any(String) } });
    const incomplete = await call(`${sandbox.baseUrls.imagekit}/v1/bulkJobs/moveFolder`, json('POST', { sourceFolderPath: '/a' }, auth));
    expect(incomplete).toMatchObject({ status: 400, body: { message: expect.stringContaining('destinationPath') } });
    const noBody = await call(`${sandbox.baseUrls.imagekit}/v1/files/purge`, { method: 'POST', headers: auth });
    expect(noBody.status).toBe(400);
  });

  it('moves every started job from Pending to Completed over the time scale', async () => {
    const { sandbox, clock } = await started({ timeScale: 0.01 });
    const base = sandbox.baseUrls.imagekit;
    const auth = imagekitAuth(sandbox);
    const copy = await call(`${base}/v1/bulkJobs/copyFolder`, json('POST', { sourceFolderPath: '/a', destinationPath: '/b' }, auth));
    const move = await call(`${base}/v1/bulkJobs/moveFolder`, json('POST', { sourceFolderPath: '/b', destinationPath: '/c' }, auth));
    const rename = await call(`${base}/v1/bulkJobs/renameFolder`, json('POST', { folderPath: '/c', newFolderName: 'd' }, auth));
    const purge = await call(`${base}/v1/files/purge`, json('POST', { url: 'https://ik.imagekit.io/demo/a.jpg' }, auth));
    const urls = [
      ...[copy, move, rename].map((created) => `${base}/v1/bulkJobs/${created.body.jobId}`),
      `${base}/v1/files/purge/${purge.body.requestId}`,
    ];
    const statuses = async () => Promise.all(urls.map(async (url) => (await call(url, { headers: auth })).body.status));
    expect(await statuses()).toEqual(['Pending', 'Pending', 'Pending', 'Pending']);
    // Without purge, nothing can end in partial success: at most 350 ms at this scale.
    const steps = await advanceUntil(clock, 50, 8, async () => (await statuses()).every((status) => status === 'Completed'));
    expect(steps).toBeGreaterThan(0);
  });

  it('gives a purging rename a purge request that completes once the rename is done', async () => {
    const { sandbox, clock } = await started({ timeScale: 0.01 });
    const base = sandbox.baseUrls.imagekit;
    const auth = imagekitAuth(sandbox);
    const rename = await call(`${base}/v1/bulkJobs/renameFolder`, json('POST', { folderPath: '/c', newFolderName: 'd', purgeCache: true }, auth));
    const job = await call(`${base}/v1/bulkJobs/${rename.body.jobId}`, { headers: auth });
    expect(job.body).toMatchObject({ type: 'RENAME_FOLDER', status: 'Pending', purgeRequestId: expect.stringMatching(/^[0-9a-f]{24}$/) });
    const purgeUrl = `${base}/v1/files/purge/${job.body.purgeRequestId}`;
    expect((await call(purgeUrl, { headers: auth })).body).toEqual({ status: 'Pending' });

    await advanceUntil(clock, 50, 8, async () => (await call(`${base}/v1/bulkJobs/${rename.body.jobId}`, { headers: auth })).body.status !== 'Pending');
    await advanceUntil(clock, 50, 6, async () => (await call(purgeUrl, { headers: auth })).body.status === 'Completed');
  });

  describe('refuses recognisable starts the way ImageKit does', () => {
    const copy = (sourceFolderPath: string, destinationPath = '/dest') => ['copyFolder', { sourceFolderPath, destinationPath }] as const;
    const move = (sourceFolderPath: string, destinationPath = '/dest') => ['moveFolder', { sourceFolderPath, destinationPath }] as const;
    const rename = (folderPath: string, newFolderName = 'renamed') => ['renameFolder', { folderPath, newFolderName }] as const;
    it.each([
      ['a source ending in /locked', copy('/photos/locked'), 423, undefined, 'A bulk job is running on given folder path'],
      ['a destination ending in /locked', move('/photos', '/archive/locked'), 423, undefined, 'Destination folder path is already locked'],
      ['a rename of a folder ending in /locked', rename('/photos/Locked'), 423, undefined, 'A bulk job is running'],
      ['the same source and destination', copy('/photos/2024', '/photos/2024/'), 400, 'SAME_SOURCE_AND_DESTINATION', 'cannot be the same'],
      ['a move onto itself', move('/photos', 'photos'), 400, 'SAME_SOURCE_AND_DESTINATION', 'cannot be the same'],
      ['a rename to its own name', rename('/photos/a', 'a'), 400, 'SAME_SOURCE_AND_DESTINATION', 'current name'],
      ['a source containing "empty"', copy('/an-empty-folder'), 404, 'NO_FILES_FOLDER', 'No files & folder found'],
      ['a source ending in /nothing', move('/photos/nothing'), 404, 'NO_FILES_FOLDER', 'No files & folder found'],
      ['a rename of an empty folder', rename('/EMPTY'), 404, 'NO_FILES_FOLDER', 'No files & folder found'],
      ['a rename onto a name containing "exists"', rename('/photos', 'already-exists'), 409, undefined, 'already exists'],
      ['the root as source', copy('/'), 400, 'SOURCE_IS_ROOT', 'root folder'],
      ['the root as folder to rename', rename('//'), 400, 'SOURCE_IS_ROOT', 'root folder'],
      ['a missing field', ['copyFolder', { sourceFolderPath: '/a' }] as const, 400, 'MISSING_PARAMETER', 'destinationPath'],
      ['an empty field', ['renameFolder', { folderPath: '/a', newFolderName: '' }] as const, 400, 'MISSING_PARAMETER', 'newFolderName'],
    ] as const)('%s', async (_name, [endpoint, body], status, reason, message) => {
      const { sandbox } = await started();
      const answer = await call(`${sandbox.baseUrls.imagekit}/v1/bulkJobs/${endpoint}`, json('POST', body, imagekitAuth(sandbox)));
      expect(answer.status).toBe(status);
      expect(answer.body).toEqual({ ...(reason && { reason }), message: expect.stringContaining(message), help: expect.any(String) });
    });

    it('refuses purges of a missing or non-http(s) URL', async () => {
      const { sandbox } = await started();
      const url = `${sandbox.baseUrls.imagekit}/v1/files/purge`;
      const auth = imagekitAuth(sandbox);
      expect(await call(url, json('POST', {}, auth))).toMatchObject({ status: 400, body: { reason: 'MISSING_PARAMETER' } });
      expect(await call(url, json('POST', { url: 'ftp://ik.imagekit.io/a.jpg' }, auth))).toMatchObject({ status: 400, body: { reason: 'INVALID_PARAMETER' } });
    });

    it('starts what no trigger matches', async () => {
      const { sandbox } = await started();
      const auth = imagekitAuth(sandbox);
      const answer = await call(`${sandbox.baseUrls.imagekit}/v1/bulkJobs/copyFolder`, json('POST', { sourceFolderPath: '/photos/locked-out', destinationPath: '/b' }, auth));
      expect(answer).toMatchObject({ status: 200, body: { jobId: expect.any(String) } });
    });
  });

  describe('through the ImageKit client', () => {
    function clientOf(sandbox: Sandbox) {
      const account = { provider: 'IMAGEKIT', name: 'default', baseUrl: sandbox.baseUrls.imagekit, privateKey: sandbox.credentials.imagekitPrivateKey, sandbox: true } as const;
      return createProviderClient(account, { options: { timeoutMs: 2000, retries: 0, retryBaseMs: 1, maxRetryWaitMs: 1000, concurrency: 4 } });
    }

    it('starts jobs, the purging rename with its purge request id', async () => {
      const { sandbox } = await started();
      const client = clientOf(sandbox);
      const renamed = await startImageKitJob(client, { action: 'RENAME_FOLDER', folderPath: '/a', newFolderName: 'b', purgeCache: true });
      expect(renamed).toEqual({ started: { kind: 'IMAGEKIT_BULK_JOB', nativeId: expect.stringMatching(/^[0-9a-f]{24}$/), purgeRequestId: expect.stringMatching(/^[0-9a-f]{24}$/) } });
      const purged = await startImageKitJob(client, { action: 'PURGE_CACHE', url: 'https://ik.imagekit.io/demo/a.jpg' });
      expect(purged).toEqual({ started: { kind: 'IMAGEKIT_PURGE_REQUEST', nativeId: expect.any(String), purgeRequestId: null } });
    });

    it.each([
      [{ action: 'COPY_FOLDER', sourceFolderPath: '/x/locked', destinationPath: '/y' }, 'LOCKED', 423],
      [{ action: 'MOVE_FOLDER', sourceFolderPath: '/x', destinationPath: '/x' }, 'SAME_SOURCE_AND_DESTINATION', 400],
      [{ action: 'COPY_FOLDER', sourceFolderPath: '/empty', destinationPath: '/y' }, 'NO_FILES_FOLDER', 404],
      [{ action: 'RENAME_FOLDER', folderPath: '/x', newFolderName: 'exists' }, 'CONFLICT', 409],
      [{ action: 'MOVE_FOLDER', sourceFolderPath: '/', destinationPath: '/y' }, 'SOURCE_IS_ROOT', 400],
    ] satisfies [ImageKitStartRequest, string, number][])('answers %j with a rejection %s', async (request, reason, httpStatus) => {
      const { sandbox } = await started();
      expect(await startImageKitJob(clientOf(sandbox), request)).toEqual({ rejected: { reason, httpStatus, message: expect.any(String) } });
    });
  });
});
