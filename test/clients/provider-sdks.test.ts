/**
 * `SANDBOX_PORT` with the official provider SDKs: the sandbox listens on a known loopback port and
 * accepts the fixed development credentials, so `@imagekit/nodejs` (with `baseURL`) and
 * `node-zendesk` (with `endpointUri`) create jobs there the way users do with the real APIs; the
 * API then reads those jobs. SAYMON has no official SDK: its credentials are checked over HTTP.
 */
import { createServer } from 'node:net';
import ImageKit from '@imagekit/nodejs';
import { createClient as createZendeskClient } from 'node-zendesk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_CREDENTIALS } from '../../src/sandbox/index.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** A port free right now: the sandbox must listen on the one it is told, not an ephemeral one. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

let api: TestApp;
let port: number;
beforeAll(async () => {
  port = await freePort();
  api = await startTestApp({ SANDBOX_PORT: String(port) });
});
afterAll(async () => {
  await api?.close();
});

interface JobRow {
  __typename: string;
  nativeId?: string;
  state?: string;
  type?: string;
  total?: number;
}

async function readJobs(refs: { kind: string; id: string }[]): Promise<JobRow[]> {
  const literal = refs.map((ref) => `{ kind: ${ref.kind}, id: ${JSON.stringify(ref.id)} }`).join(', ');
  const { body } = await api.request<{ jobs: JobRow[] }, never>(
    `{ jobs(refs: [${literal}]) { __typename ... on Job { nativeId state } ... on ImageKitBulkJob { type } ... on ZendeskJobStatus { total } ... on Error { message } } }`,
  );
  expect(body.errors).toBeUndefined();
  return body.data!.jobs;
}

describe('SANDBOX_PORT', () => {
  it('serves the three providers on that port', () => {
    const origin = `http://127.0.0.1:${port}`;
    expect(api.app.sandbox!.baseUrls).toEqual({ imagekit: `${origin}/imagekit`, saymon: `${origin}/saymon`, zendesk: `${origin}/zendesk` });
    expect(api.app.sandbox!.credentials).toEqual(DEVELOPMENT_CREDENTIALS);
  });

  it('lets the official ImageKit SDK create bulk jobs and purges that the API then reads', async () => {
    const imagekit = new ImageKit({ privateKey: 'private_sandbox', baseURL: api.app.sandbox!.baseUrls.imagekit, maxRetries: 0 });
    const renamed = await imagekit.folders.rename({ folderPath: '/demo', newFolderName: 'demo-2', purgeCache: true });
    const copied = await imagekit.folders.copy({ sourceFolderPath: '/demo-2', destinationPath: '/backup' });
    const purge = await imagekit.cache.invalidation.create({ url: 'https://ik.imagekit.io/demo/logo.png' });
    // The SDK reads them back too, as it would from ImageKit.
    expect(await imagekit.folders.job.get(copied.jobId!)).toMatchObject({ jobId: copied.jobId, type: 'COPY_FOLDER' });

    const jobs = await readJobs([
      { kind: 'IMAGEKIT_BULK_JOB', id: renamed.jobId! },
      { kind: 'IMAGEKIT_BULK_JOB', id: copied.jobId! },
      { kind: 'IMAGEKIT_PURGE_REQUEST', id: purge.requestId! },
    ]);
    expect(jobs).toMatchObject([
      { __typename: 'ImageKitBulkJob', nativeId: renamed.jobId, type: 'RENAME_FOLDER' },
      { __typename: 'ImageKitBulkJob', nativeId: copied.jobId, type: 'COPY_FOLDER' },
      { __typename: 'PurgeRequest', nativeId: purge.requestId },
    ]);
  });

  it('refuses the ImageKit SDK with another key', async () => {
    const imagekit = new ImageKit({ privateKey: 'private_wrong', baseURL: api.app.sandbox!.baseUrls.imagekit, maxRetries: 0 });
    await expect(imagekit.folders.copy({ sourceFolderPath: '/a', destinationPath: '/b' })).rejects.toMatchObject({ status: 403 });
  });

  it('lets node-zendesk start ticket and user jobs that the API then reads', async () => {
    const zendesk = createZendeskClient({
      username: 'sandbox@example.com',
      token: 'sandbox',
      endpointUri: `${api.app.sandbox!.baseUrls.zendesk}/api/v2`,
    });
    const tickets = (await zendesk.tickets.updateMany([101, 102, 103], { ticket: { status: 'solved' } })) as unknown as { result: { job_status?: { id: string } } };
    const users = (await zendesk.users.createMany({ users: [{ name: 'Ada', email: 'ada@example.com' }] } as never)) as unknown as { result: { job_status?: { id: string } } };
    const ticketJob = tickets.result.job_status?.id ?? (tickets.result as { id?: string }).id;
    const userJob = users.result.job_status?.id ?? (users.result as { id?: string }).id;
    expect(ticketJob).toMatch(/^V3-/);
    expect(userJob).toMatch(/^V3-/);
    const status = (await zendesk.jobstatuses.show(ticketJob!)) as unknown as { result: { job_status?: { job_type?: string } } };
    expect(status.result.job_status?.job_type ?? (status.result as { job_type?: string }).job_type).toBe('bulk_update');

    const jobs = await readJobs([
      { kind: 'ZENDESK_JOB_STATUS', id: ticketJob! },
      { kind: 'ZENDESK_JOB_STATUS', id: userJob! },
    ]);
    expect(jobs).toMatchObject([
      { __typename: 'ZendeskJobStatus', nativeId: ticketJob, total: 3 },
      { __typename: 'ZendeskJobStatus', nativeId: userJob, total: 1 },
    ]);
  });

  it('accepts Bearer sandbox at Zendesk and the SAYMON development credentials', async () => {
    const { zendesk, saymon } = api.app.sandbox!.baseUrls;
    const bearer = await fetch(`${zendesk}/api/v2/job_statuses.json`, { headers: { authorization: 'Bearer sandbox' } });
    expect(bearer.status).toBe(200);
    const basic = await fetch(`${saymon}/node/api/bulk/any-op/status`, {
      headers: { authorization: `Basic ${Buffer.from('sandbox:sandbox').toString('base64')}` },
    });
    const token = await fetch(`${saymon}/node/api/bulk/any-op/status?api-token=sandbox`);
    expect([basic.status, token.status]).toEqual([200, 200]);
  });
});
