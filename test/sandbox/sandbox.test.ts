import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import { manualClock } from '../support/manual-clock.js';
import { call, imagekitAuth, json, saymonAuth, started, zendeskAuth } from './support.js';

describe('sandbox server', () => {
  it('serves the three providers on one loopback origin under path prefixes', async () => {
    const { sandbox } = await started();
    const origin = new URL(sandbox.baseUrls.imagekit).origin;
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.baseUrls).toEqual({ imagekit: `${origin}/imagekit`, saymon: `${origin}/saymon`, zendesk: `${origin}/zendesk` });

    // Without its prefix, a provider path is not served.
    const bare = await call(`${origin}/api/v2/job_statuses/V3-a.json`, { headers: zendeskAuth(sandbox) });
    expect(bare.status).toBe(404);
  });

  it('offers one default sandbox account per provider, with credentials that work', async () => {
    const { sandbox } = await started();
    const accounts = sandbox.accounts();
    expect(accounts).toEqual([
      { provider: 'IMAGEKIT', name: 'default', baseUrl: sandbox.baseUrls.imagekit, privateKey: sandbox.credentials.imagekitPrivateKey, sandbox: true },
      {
        provider: 'SAYMON',
        name: 'default',
        baseUrl: sandbox.baseUrls.saymon,
        auth: { scheme: 'basic', login: sandbox.credentials.saymonLogin, password: sandbox.credentials.saymonPassword },
        sandbox: true,
      },
      {
        provider: 'ZENDESK',
        name: 'default',
        baseUrl: sandbox.baseUrls.zendesk,
        auth: { scheme: 'token', email: sandbox.credentials.zendeskEmail, apiToken: sandbox.credentials.zendeskApiToken },
        sandbox: true,
      },
    ]);
  });

  it('uses given credentials and invents the others, differently on each start', async () => {
    const { sandbox: one } = await started({ credentials: { imagekitPrivateKey: 'private_fixed', zendeskEmail: undefined } });
    const { sandbox: two } = await started();
    expect(one.credentials.imagekitPrivateKey).toBe('private_fixed');
    expect(one.credentials.zendeskEmail).toMatch(/@/);
    expect(one.credentials.zendeskApiToken).not.toBe(two.credentials.zendeskApiToken);
    expect(two.credentials.imagekitPrivateKey).toMatch(/^private_/);
  });

  it('logs every request with provider, method, path, query and status', async () => {
    const { sandbox } = await started();
    await call(`${sandbox.baseUrls.zendesk}/api/v2/job_statuses/show_many.json?ids=V3-a,V3-b`, { headers: zendeskAuth(sandbox) });
    await call(`${sandbox.baseUrls.zendesk}/api/v2/job_statuses/V3-a.json`);
    await call(`${sandbox.baseUrls.imagekit}/v1/bulkJobs/abc`, { headers: imagekitAuth(sandbox) });
    await call(`${sandbox.baseUrls.saymon}/node/api/bulk/objects`, json('POST', { bulk: [] }, saymonAuth(sandbox)));
    expect(sandbox.requests).toEqual([
      { provider: 'ZENDESK', method: 'GET', path: '/api/v2/job_statuses/show_many.json', query: { ids: 'V3-a,V3-b' }, status: 200 },
      { provider: 'ZENDESK', method: 'GET', path: '/api/v2/job_statuses/V3-a.json', query: {}, status: 401 },
      { provider: 'IMAGEKIT', method: 'GET', path: '/v1/bulkJobs/abc', query: {}, status: 200 },
      { provider: 'SAYMON', method: 'POST', path: '/node/api/bulk/objects', query: {}, status: 200 },
    ]);
    expect(sandbox.requests.filter((entry) => entry.provider === 'ZENDESK')).toHaveLength(2);
  });

  it('keeps only the newest entries of the request log past its bound', async () => {
    const { sandbox } = await started({ maxLoggedRequests: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) await call(`${sandbox.baseUrls.imagekit}/v1/bulkJobs/${id}`, { headers: imagekitAuth(sandbox) });
    expect(sandbox.requests.map((entry) => entry.path)).toEqual(['/v1/bulkJobs/c', '/v1/bulkJobs/d', '/v1/bulkJobs/e']);
  });

  it('gives the same id, first seen at the same moment, the same life in two sandboxes', async () => {
    const { sandbox: one, clock: clockOne } = await started();
    const { sandbox: two, clock: clockTwo } = await started();
    const path = '/api/v2/job_statuses/V3-0123456789abcdef0123456789abcdef.json';
    const strip = (body: { job_status: Record<string, unknown> }) => ({ ...body.job_status, url: undefined });
    for (let step = 0; step < 45; step += 1) {
      const [a, b] = await Promise.all([
        call(`${one.baseUrls.zendesk}${path}`, { headers: zendeskAuth(one) }),
        call(`${two.baseUrls.zendesk}${path}`, { headers: zendeskAuth(two) }),
      ]);
      expect(strip(a.body)).toEqual(strip(b.body));
      clockOne.advance(1_000);
      clockTwo.advance(1_000);
    }
  });

  it('starts a job\'s life when it is first seen, not when the sandbox starts', async () => {
    const { sandbox, clock } = await started();
    clock.advance(3_600_000);
    const url = `${sandbox.baseUrls.saymon}/node/api/bulk/late-bulk/status`;
    expect((await call(url, { headers: saymonAuth(sandbox) })).body).toEqual({ finished: false });
  });

  it('shrinks every duration by timeScale', async () => {
    const { sandbox, clock } = await started({ timeScale: 0.001 });
    const url = `${sandbox.baseUrls.zendesk}/api/v2/job_statuses/V3-fast.json`;
    expect((await call(url, { headers: zendeskAuth(sandbox) })).body.job_status.status).toBe('queued');
    clock.advance(40);
    expect(['completed', 'failed']).toContain((await call(url, { headers: zendeskAuth(sandbox) })).body.job_status.status);
    await expect(startSandbox({ timeScale: -1 })).rejects.toThrow(RangeError);
  });

  it('names demo jobs, one per kind, that exist and end well', async () => {
    const { sandbox, clock } = await started();
    expect(sandbox.demoRefs.map((ref) => ref.kind)).toEqual(['IMAGEKIT_BULK_JOB', 'IMAGEKIT_PURGE_REQUEST', 'SAYMON_BULK_OP', 'ZENDESK_JOB_STATUS']);
    const id = (kind: string) => sandbox.demoRefs.find((ref) => ref.kind === kind)?.nativeId ?? '';
    const urls = {
      bulk: `${sandbox.baseUrls.imagekit}/v1/bulkJobs/${id('IMAGEKIT_BULK_JOB')}`,
      purge: `${sandbox.baseUrls.imagekit}/v1/files/purge/${id('IMAGEKIT_PURGE_REQUEST')}`,
      saymon: `${sandbox.baseUrls.saymon}/node/api/bulk/${id('SAYMON_BULK_OP')}/status`,
      zendesk: `${sandbox.baseUrls.zendesk}/api/v2/job_statuses/${id('ZENDESK_JOB_STATUS')}.json`,
    };
    const read = async () => ({
      bulk: await call(urls.bulk, { headers: imagekitAuth(sandbox) }),
      purge: await call(urls.purge, { headers: imagekitAuth(sandbox) }),
      saymon: await call(urls.saymon, { headers: saymonAuth(sandbox) }),
      zendesk: await call(urls.zendesk, { headers: zendeskAuth(sandbox) }),
    });
    const first = await read();
    expect(Object.values(first).map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    clock.advance(40_000);
    const last = await read();
    expect(last.bulk).toMatchObject({ status: 200, body: { type: 'RENAME_FOLDER', status: 'Completed', purgeRequestId: expect.any(String) } });
    expect(last.purge.body).toEqual({ status: 'Completed' });
    expect(last.saymon.body).toEqual({ finished: true });
    expect(last.zendesk.body.job_status).toMatchObject({ status: 'completed' });
    // Fixed across starts, so documentation can name them.
    const { sandbox: again } = await started();
    expect(again.demoRefs).toEqual(sandbox.demoRefs);
  });

  it('answers unknown routes, bad encodings and oversized bodies with JSON errors and stays up', async () => {
    const { sandbox } = await started();
    const origin = new URL(sandbox.baseUrls.imagekit).origin;
    const unknown = await call(`${origin}/nowhere`);
    expect(unknown.status).toBe(404);
    expect((await call(`${sandbox.baseUrls.imagekit}/v2/whatever`, { headers: imagekitAuth(sandbox) })).status).toBe(404);
    expect(await call(`${sandbox.baseUrls.zendesk}/api/v2/tickets.json`, { headers: zendeskAuth(sandbox) })).toMatchObject({
      status: 404,
      body: { error: 'InvalidEndpoint' },
    });
    expect((await call(`${sandbox.baseUrls.imagekit}/v1/bulkJobs/%E0%A4%A`, { headers: imagekitAuth(sandbox) })).status).toBe(400);
    const huge = 'x'.repeat(2 * 1024 * 1024);
    expect((await call(`${sandbox.baseUrls.imagekit}/v1/files/purge`, { method: 'POST', body: huge, headers: imagekitAuth(sandbox) })).status).toBe(413);

    const after = await call(`${sandbox.baseUrls.imagekit}/v1/bulkJobs/abc`, { headers: imagekitAuth(sandbox) });
    expect(after.status).toBe(200);
    expect(after.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('closes with keep-alive connections open, and stops answering', async () => {
    const sandbox = await startSandbox({ clock: manualClock() });
    const url = new URL(`${sandbox.baseUrls.imagekit}/v1/bulkJobs/abc`);
    const agentless = await new Promise<number>((resolve, reject) => {
      const req = request(url, { headers: { ...imagekitAuth(sandbox), connection: 'keep-alive' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(agentless).toBe(200);
    await sandbox.close();
    await sandbox.close();
    await expect(fetch(url)).rejects.toThrow();
  });
});
