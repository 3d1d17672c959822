import { describe, expect, it } from 'vitest';
import { imagekitBulkPlan } from '../../src/sandbox/lifecycle.js';
import { basic, call, imagekitAuth, json, started } from './support.js';

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
});
