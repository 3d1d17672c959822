/**
 * Access control end to end: API keys over HTTP, SSE and WebSocket, and keys limited to some
 * providers, whose other refs are refused one by one, never by failing the whole request.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { JobKind } from '../../src/jobs/model.js';
import { encodeJobGlobalId } from '../../src/schema/global-id.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';
import { JobQuery, JobsQuery, JobUpdatesSubscription, NodesQuery, ProvidersQuery } from '../support/operations.js';
import { subscribeSse, subscribeWs, wsClient } from '../support/subscribers.js';
import { waitFor } from '../support/wait.js';

const FULL_KEY = 'full-key-6a1f0c9e';
const ZENDESK_KEY = 'zendesk-key-93b2d7aa';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const ref = (kind: JobKind, id: string) => ({ kind, id });

let dir: string;
let providers: FakeProviders;
let api: TestApp;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jsg-access-'));
  const jobsConfig = join(dir, 'jobs.json');
  await writeFile(jobsConfig, JSON.stringify({ apiKeys: [{ name: 'zendesk-only', key: ZENDESK_KEY, providers: ['ZENDESK'] }] }));
  providers = await startFakeProviders(new Map([['V3-done', zendeskJob('V3-done', 'completed')]]));
  providers.upstream.on('GET', '/ik/v1/bulkJobs/ik-1', { body: { jobId: 'ik-1', type: 'COPY_FOLDER', status: 'Completed' } });
  api = await startTestApp({ ...providers.env, API_KEYS: FULL_KEY, JOBS_CONFIG: jobsConfig, CACHE_TTL_MS: '1' });
});
afterAll(async () => {
  await api.close();
  await providers.upstream.close();
  await rm(dir, { recursive: true, force: true });
});

const clients: ReturnType<typeof wsClient>[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  providers.upstream.requests.length = 0;
});

function newClient(key: string) {
  const client = wsClient(api.url, { authorization: `Bearer ${key}` });
  clients.push(client);
  return client;
}

/** Opens a raw graphql-transport-ws socket, sends connection_init with `payload`, and answers how it ended. */
function connectionInit(payload: unknown): Promise<{ acknowledged: boolean; closeCode: number | null }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(api.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type !== 'connection_ack') return;
      socket.close();
      resolve({ acknowledged: true, closeCode: null });
    });
    socket.once('close', (code) => resolve({ acknowledged: false, closeCode: code }));
  });
}

describe('API keys over HTTP', () => {
  it('refuses a request without a valid key with 401, a clear message and WWW-Authenticate', async () => {
    const cases: { headers: Record<string, string>; message: RegExp }[] = [
      { headers: {}, message: /requires an API key.*Authorization: Bearer <key>/ },
      { headers: { authorization: `Basic ${Buffer.from(`x:${FULL_KEY}`).toString('base64')}` }, message: /must be "Bearer <key>"/ },
      { headers: bearer('not-a-key'), message: /API key is not valid/ },
      { headers: bearer(`${FULL_KEY}x`), message: /API key is not valid/ },
    ];
    for (const { headers, message } of cases) {
      const response = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ jobs(refs: [{ kind: SAYMON_BULK_OP, id: "s" }]) { __typename } }' }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      const body = (await response.json()) as { errors: { message: string }[] };
      expect(body.errors[0]!.message).toMatch(message);
    }
    expect(providers.upstream.requests).toHaveLength(0);
  });

  it('refuses SSE subscriptions and GET queries without a key', async () => {
    const sse = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { jobUpdates(refs: [{ kind: SAYMON_BULK_OP, id: "s" }]) { at } }' }),
    });
    expect(sse.status).toBe(401);
    const get = await fetch(`${api.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'x-graphql-yoga-csrf': '1' } });
    expect(get.status).toBe(401);
  });

  it('lets in a request carrying any configured key', async () => {
    for (const key of [FULL_KEY, ZENDESK_KEY]) {
      const { status, body } = await api.request('{ __typename }', undefined, bearer(key));
      expect(status).toBe(200);
      expect(body.data).toEqual({ __typename: 'Query' });
    }
  });

  it('keeps /health, /ready, /metrics and the GraphiQL page open to callers without a key', async () => {
    for (const path of ['/health', '/ready', '/metrics']) expect((await fetch(`${api.app.server.origin}${path}`)).status).toBe(200);
    const page = await fetch(api.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });
});

describe('API keys over WebSocket', () => {
  it('closes a connection_init without a valid key with 4403 Forbidden', async () => {
    expect(await connectionInit({})).toEqual({ acknowledged: false, closeCode: 4403 });
    expect(await connectionInit({ authorization: 'Bearer wrong' })).toEqual({ acknowledged: false, closeCode: 4403 });
    expect(await connectionInit({ authorization: FULL_KEY })).toEqual({ acknowledged: false, closeCode: 4403 });
  });

  it('acknowledges a connection_init carrying a key', async () => {
    expect(await connectionInit({ authorization: `Bearer ${FULL_KEY}` })).toEqual({ acknowledged: true, closeCode: null });
    expect(await connectionInit({ authorization: `Bearer ${ZENDESK_KEY}` })).toEqual({ acknowledged: true, closeCode: null });
  });
});

describe('keys limited to some providers', () => {
  it('answers each ref the key may not read as UNAUTHORIZED, resolves the others, and never asks that provider', async () => {
    const { status, body } = await api.request(
      JobsQuery,
      { refs: [ref('IMAGEKIT_BULK_JOB', 'ik-1'), ref('ZENDESK_JOB_STATUS', 'V3-done'), ref('SAYMON_BULK_OP', 's-1')] },
      bearer(ZENDESK_KEY),
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const [imagekit, zendesk, saymon] = body.data!.jobs;
    expect(imagekit).toMatchObject({ __typename: 'ProviderError', code: 'UNAUTHORIZED', provider: 'IMAGEKIT', nativeId: 'ik-1' });
    expect(imagekit).toMatchObject({ errorMessage: 'This API key may not read IMAGEKIT jobs' });
    expect(zendesk).toMatchObject({ __typename: 'ZendeskJobStatus', state: 'COMPLETED' });
    expect(saymon).toMatchObject({ __typename: 'ProviderError', code: 'UNAUTHORIZED', provider: 'SAYMON' });
    expect(providers.requestsTo('/ik')).toHaveLength(0);
    expect(providers.requestsTo('/saymon')).toHaveLength(0);

    const single = await api.request(JobQuery, { ref: ref('IMAGEKIT_BULK_JOB', 'ik-1') }, bearer(ZENDESK_KEY));
    expect(single.body.data!.job).toMatchObject({ __typename: 'ProviderError', code: 'UNAUTHORIZED' });
  });

  it('lets an unlimited key read every provider', async () => {
    const { body } = await api.request(JobsQuery, { refs: [ref('IMAGEKIT_BULK_JOB', 'ik-1'), ref('ZENDESK_JOB_STATUS', 'V3-done')] }, bearer(FULL_KEY));
    expect(body.data!.jobs.map((job) => job.__typename)).toEqual(['ImageKitBulkJob', 'ZendeskJobStatus']);
  });

  it('lists only the accounts the key may read', async () => {
    const limited = await api.request(ProvidersQuery, undefined, bearer(ZENDESK_KEY));
    expect(limited.body.data!.providers.map((account) => account.provider)).toEqual(['ZENDESK']);
    const full = await api.request(ProvidersQuery, undefined, bearer(FULL_KEY));
    expect(full.body.data!.providers.map((account) => account.provider)).toEqual(['IMAGEKIT', 'SAYMON', 'ZENDESK']);
  });

  it('answers node ids of other providers with null and an error at that position only', async () => {
    const ids = [encodeJobGlobalId('ImageKitBulkJob', 'default:ik-1'), encodeJobGlobalId('ZendeskJobStatus', 'default:V3-done')];
    const { status, body } = await api.request(NodesQuery, { ids }, bearer(ZENDESK_KEY));
    expect(status).toBe(200);
    expect(body.data!.nodes[0]).toBeNull();
    expect(body.data!.nodes[1]).toMatchObject({ __typename: 'ZendeskJobStatus', nativeId: 'V3-done' });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ message: 'This API key may not read IMAGEKIT jobs', path: ['nodes', 0] });
    expect(providers.requestsTo('/ik')).toHaveLength(0);
  });

  it.each([
    ['WebSocket', (refs: ReturnType<typeof ref>[]) => subscribeWs(newClient(ZENDESK_KEY), JobUpdatesSubscription, { refs })],
    ['SSE', (refs: ReturnType<typeof ref>[]) => subscribeSse(api.url, JobUpdatesSubscription, { refs }, bearer(ZENDESK_KEY))],
  ])('decides per ref when a %s subscription starts, then streams the rest', async (_transport, subscribe) => {
    const sub = subscribe([ref('IMAGEKIT_BULK_JOB', 'ik-1'), ref('ZENDESK_JOB_STATUS', 'V3-done')]);
    await sub.completed;
    expect(sub.errors).toEqual([]);
    const results = sub.events.map((event) => event.jobUpdates.result);
    expect(results).toHaveLength(2);
    expect(results).toContainEqual(expect.objectContaining({ __typename: 'ProviderError', code: 'UNAUTHORIZED', nativeId: 'ik-1' }));
    expect(results).toContainEqual(expect.objectContaining({ __typename: 'ZendeskJobStatus', nativeId: 'V3-done', done: true }));
    expect(providers.requestsTo('/ik')).toHaveLength(0);
  });

  it('completes a subscription at once when the key may read none of its refs, watching nothing', async () => {
    const sub = subscribeWs(newClient(ZENDESK_KEY), JobUpdatesSubscription, { refs: [ref('SAYMON_BULK_OP', 'never')] });
    await sub.completed;
    expect(sub.events.map((event) => event.jobUpdates.result)).toEqual([expect.objectContaining({ code: 'UNAUTHORIZED', provider: 'SAYMON' })]);
    await waitFor(() => api.app.server.jobs.poller.stats().watched === 0, { what: 'no watch taken' });
    expect(providers.requestsTo('/saymon')).toHaveLength(0);
  });
});
