/**
 * Observability end to end: Prometheus metrics after real traffic, request ids in responses and
 * log lines, and no configured secret in any log line, error or response across a run full of
 * failures.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { JobKind } from '../src/jobs/model.js';
import { createLogger, REDACTED } from '../src/logger.js';
import { encodeJobGlobalId } from '../src/schema/global-id.js';
import { startTestApp, type TestApp } from './support/app.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from './support/fake-providers.js';
import { captureLogs } from './support/logs.js';
import { sample } from './support/prometheus.js';
import { JobQuery, JobsQuery, JobUpdatesSubscription, NodeQuery } from './support/operations.js';
import { subscribeSse, subscribeWs, wsClient } from './support/subscribers.js';
import { waitFor } from './support/wait.js';

const ref = (kind: JobKind, id: string, account?: string) => ({ kind, id, ...(account ? { account } : {}) });


describe('metrics', () => {
  let providers: FakeProviders;
  let api: TestApp;
  const clients: ReturnType<typeof wsClient>[] = [];

  beforeAll(async () => {
    providers = await startFakeProviders(new Map([['V3-working', zendeskJob('V3-working', 'working')]]));
    providers.upstream.on('GET', '/ik/v1/bulkJobs/slow', { delayMs: 100, body: { jobId: 'slow', type: 'COPY_FOLDER', status: 'Pending' } });
    providers.upstream.on('GET', '/saymon/node/api/bulk/down/status', { status: 503, body: 'down' });
    api = await startTestApp({ ...providers.env, CACHE_TTL_MS: '60000', POLL_INTERVAL_MS: '30', POLL_MAX_INTERVAL_MS: '60', UPSTREAM_RETRIES: '0' });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await api.close();
    await providers.upstream.close();
  });

  const scrape = async () => {
    const response = await fetch(`${api.app.server.origin}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  it('counts upstream requests by provider, account, route and outcome, with latency histograms', async () => {
    await api.request(JobsQuery, { refs: [ref('IMAGEKIT_BULK_JOB', 'slow'), ref('SAYMON_BULK_OP', 'down'), ref('ZENDESK_JOB_STATUS', 'V3-working')] });
    const text = await scrape();
    const imagekit = { provider: 'IMAGEKIT', account: 'default', route: '/v1/bulkJobs/{jobId}', outcome: '200' };
    expect(sample(text, 'jsg_upstream_requests_total', imagekit)).toBe(1);
    expect(sample(text, 'jsg_upstream_requests_total', { provider: 'SAYMON', route: '/node/api/bulk/{id}/status', outcome: '503' })).toBe(1);
    expect(sample(text, 'jsg_upstream_requests_total', { provider: 'ZENDESK', route: '/api/v2/job_statuses/show_many.json', outcome: '200' })).toBe(1);
    expect(sample(text, 'jsg_upstream_request_duration_seconds_count', imagekit)).toBe(1);
    expect(sample(text, 'jsg_upstream_request_duration_seconds_sum', imagekit)).toBeGreaterThanOrEqual(0.09);
    expect(sample(text, 'jsg_upstream_request_duration_seconds_bucket', { ...imagekit, le: '0.05' })).toBe(0);
    expect(sample(text, 'jsg_upstream_request_duration_seconds_bucket', { ...imagekit, le: '+Inf' })).toBe(1);
  });

  it('counts status-store hits, misses and coalesced asks', async () => {
    const before = await scrape();
    const variables = { ref: ref('IMAGEKIT_BULK_JOB', 'coalesce-me') };
    providers.upstream.on('GET', '/ik/v1/bulkJobs/coalesce-me', { delayMs: 100, body: { jobId: 'coalesce-me', type: 'MOVE_FOLDER', status: 'Pending' } });
    const first = api.request(JobQuery, variables);
    await waitFor(() => providers.upstream.inFlight === 1, { what: 'the first ask in flight' });
    await Promise.all([first, api.request(JobQuery, variables)]);
    await api.request(JobQuery, variables);
    const after = await scrape();
    const delta = (result: string) => sample(after, 'jsg_status_lookups_total', { result })! - (sample(before, 'jsg_status_lookups_total', { result }) ?? 0);
    expect({ miss: delta('miss'), coalesced: delta('coalesced'), hit: delta('hit') }).toEqual({ miss: 1, coalesced: 1, hit: 1 });
  });

  it('shows watched jobs, polls, open subscriptions and WebSocket connections while a subscription runs', async () => {
    const client = wsClient(api.url);
    clients.push(client);
    const sse = subscribeSse(api.url, JobUpdatesSubscription, { refs: [ref('ZENDESK_JOB_STATUS', 'V3-working')] });
    const ws = subscribeWs(client, JobUpdatesSubscription, { refs: [ref('ZENDESK_JOB_STATUS', 'V3-working')] });
    await waitFor(() => ws.events.length > 0 && sse.events.length > 0, { what: 'both streams started' });
    await waitFor(() => api.app.server.jobs.poller.pollCount > 0, { what: 'a poll' });
    const text = await scrape();
    expect(sample(text, 'jsg_poller_watched_jobs')).toBe(1);
    expect(sample(text, 'jsg_poller_polls_total')).toBeGreaterThan(0);
    expect(sample(text, 'jsg_subscriptions_active')).toBe(2);
    expect(sample(text, 'jsg_websocket_connections')).toBe(1);
    expect(sample(text, 'jsg_graphql_operations_total', { type: 'subscription', name: 'JobUpdates', outcome: 'ok' })).toBe(2);
    ws.stop();
    sse.stop();
    await waitFor(() => api.app.server.jobs.feed.stats().streams === 0, { what: 'streams closed' });
    expect(sample(await scrape(), 'jsg_subscriptions_active')).toBe(0);
  });

  it('counts and times GraphQL operations by type, name and outcome, and documents refused before running', async () => {
    await api.request(JobsQuery, { refs: [] });
    await api.request(NodeQuery, { id: encodeJobGlobalId('SaymonBulkOp', 'default:down') });
    await api.request('{ nope }');
    await api.request('{ jobs(refs: [ }');
    const text = await scrape();
    expect(sample(text, 'jsg_graphql_operations_total', { type: 'query', name: 'Jobs', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'jsg_graphql_operations_total', { type: 'query', name: 'Node', outcome: 'error' })).toBe(1);
    expect(sample(text, 'jsg_graphql_operation_duration_seconds_count', { type: 'query', name: 'Jobs' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'jsg_graphql_invalid_documents_total', { phase: 'validate' })).toBe(1);
    expect(sample(text, 'jsg_graphql_invalid_documents_total', { phase: 'parse' })).toBe(1);
    expect(sample(text, 'jsg_http_responses_total', { path: '/graphql', status: '400' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('keeps operation names from growing the label set without bound', async () => {
    for (let i = 0; i < 120; i++) await api.request(`query Name${i} { __typename }`);
    const names = new Set([...(await scrape()).matchAll(/jsg_graphql_operations_total\{[^}]*name="([^"]+)"/g)].map((match) => match[1]));
    expect(names.size).toBeLessThanOrEqual(101);
    expect(names).toContain('other');
  });
});

describe('request ids', () => {
  it('echoes a sensible x-request-id, makes one up otherwise, and puts it on every log line of the request', async () => {
    const logs = captureLogs();
    const api = await startTestApp({ API_KEYS: 'id-test-key', LOG_LEVEL: 'debug' }, logs.logger);
    try {
      const given = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'req-7f3a' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(given.status).toBe(401);
      expect(given.headers.get('x-request-id')).toBe('req-7f3a');
      const made = await api.request('{ __typename }', undefined, { authorization: 'Bearer id-test-key', 'x-request-id': 'not ok; has spaces' });
      expect(made.status).toBe(200);
      // A document not asked before: executed by yoga (a cached answer is written before yoga logs anything).
      const generated = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer id-test-key' },
        body: JSON.stringify({ query: 'query Generated { __typename }' }),
      });
      const id = generated.headers.get('x-request-id')!;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);

      await waitFor(() => logs.entries().some((entry) => entry.reqId === id && entry.msg === 'request'), { what: 'the access log line' });
      const refused = logs.entries().filter((entry) => entry.reqId === 'req-7f3a');
      expect(refused.map((entry) => entry.msg)).toEqual(expect.arrayContaining(['request refused: no valid API key', 'request']));
      const served = logs.entries().filter((entry) => entry.reqId === id);
      expect(served.some((entry) => entry.component === 'yoga')).toBe(true);
      expect(served.find((entry) => entry.msg === 'request')).toMatchObject({ method: 'POST', path: '/graphql', status: 200 });
      expect(logs.entries().some((entry) => entry.reqId === 'not ok; has spaces')).toBe(false);
    } finally {
      await api.close();
    }
  });
});

describe('secrets', () => {
  const SECRETS = {
    IMAGEKIT_PRIVATE_KEY: 'private_Zq8wImageKitSecret',
    SAYMON_PASSWORD: 'saymon-Pw-3k9x"quoted\\slash',
    ZENDESK_API_TOKEN: 'zdTokenR2d2c3poSecret',
    API_KEYS: 'api-key-one-Jx81,api-key-two-Lm42',
    SAYMON_TOKEN: 'saymonQueryTokenW7v5',
    FILE_API_KEY: 'file-api-key-Hh66',
  };
  let dir: string;
  let providers: FakeProviders;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jsg-secrets-'));
    providers = await startFakeProviders(new Map([['V3-ok', zendeskJob('V3-ok', 'working')]]));
  });
  afterAll(async () => {
    await providers.upstream.close();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    providers.upstream.requests.length = 0;
  });

  /** A loopback port nothing listens on. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  it('never appear in log lines, errors or responses, whatever fails', async () => {
    const { upstream, env } = providers;
    const jobsConfig = join(dir, 'jobs.json');
    await writeFile(
      jobsConfig,
      JSON.stringify({
        saymon: {
          tok: { baseUrl: `${upstream.url}/saymon`, apiToken: { env: 'SAYMON_TOKEN' } },
          gone: { baseUrl: `http://127.0.0.1:${await closedPort()}/saymon`, apiToken: { env: 'SAYMON_TOKEN' } },
        },
        apiKeys: [{ name: 'from-file', key: { env: 'FILE_API_KEY' }, providers: ['ZENDESK'] }],
      }),
    );
    const secrets = Object.values(SECRETS).flatMap((value) => value.split(','));
    const logs = captureLogs(secrets, 'trace');
    const api = await startTestApp(
      {
        ...env,
        ...SECRETS,
        JOBS_CONFIG: jobsConfig,
        LOG_LEVEL: 'trace',
        UPSTREAM_TIMEOUT_MS: '150',
        UPSTREAM_RETRIES: '1',
        POLL_INTERVAL_MS: '20',
        POLL_MAX_INTERVAL_MS: '40',
      },
      logs.logger,
    );
    expect(api.app.accounts.length).toBe(5);
    const responses: string[] = [];
    const record = async (response: Response) => {
      responses.push(JSON.stringify([...response.headers]), await response.text());
      return response;
    };
    const key = { authorization: 'Bearer api-key-one-Jx81' };
    const send = (query: string, variables?: unknown, headers: Record<string, string> = key) =>
      fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) }).then(record);

    upstream.on('GET', '/ik/v1/bulkJobs/unauthorized', { status: 401, body: { message: 'Your request contains invalid private key' } });
    upstream.on('GET', '/ik/v1/bulkJobs/crash', { status: 500, body: `stack trace mentioning ${SECRETS.IMAGEKIT_PRIVATE_KEY}` });
    upstream.on('GET', '/ik/v1/bulkJobs/hang', { hang: true });
    upstream.on('GET', '/saymon/node/api/bulk/garbage/status', { body: `{"finished": ${SECRETS.SAYMON_TOKEN}` });
    upstream.on('GET', '/saymon/node/api/bulk/echo/status', (request) => ({ status: 400, body: { error: `bad token ${request.query['api-token']}` } }));
    upstream.on('GET', '/zd/api/v2/job_statuses/show_many.json', { status: 403, body: { error: 'Forbidden', token: SECRETS.ZENDESK_API_TOKEN } });

    const { print } = await import('graphql');
    await send(print(JobsQuery), {
      refs: [
        ref('IMAGEKIT_BULK_JOB', 'unauthorized'),
        ref('IMAGEKIT_BULK_JOB', 'crash'),
        ref('IMAGEKIT_BULK_JOB', 'hang'),
        ref('SAYMON_BULK_OP', 'garbage', 'tok'),
        ref('SAYMON_BULK_OP', 'echo', 'tok'),
        ref('SAYMON_BULK_OP', 'anything', 'gone'),
        ref('SAYMON_BULK_OP', 'x', 'default'),
        ref('ZENDESK_JOB_STATUS', 'V3-ok'),
      ],
    });
    await send(print(JobsQuery), { refs: [ref('IMAGEKIT_BULK_JOB', 'unauthorized')] }, { authorization: `Bearer ${SECRETS.FILE_API_KEY}` });
    await send(print(NodeQuery), { id: encodeJobGlobalId('PurgeRequest', 'default:crash') });
    await send(print(NodeQuery), { id: 'bm90LWFuLWlk' });
    await send('{ jobs(refs: [ }');
    await send('{ __typename }', undefined, { authorization: 'Bearer api-key-one-Jx8' });
    await send('{ __typename }', undefined, { authorization: `Basic ${SECRETS.IMAGEKIT_PRIVATE_KEY}` });
    await send(`{ ${'a { '.repeat(20)}b${' }'.repeat(20)} }`);

    const sse = subscribeSse(api.url, JobUpdatesSubscription, { refs: [ref('SAYMON_BULK_OP', 'echo', 'tok'), ref('IMAGEKIT_BULK_JOB', 'crash')] }, key);
    await waitFor(() => upstream.requests.filter((request) => request.path.endsWith('/echo/status')).length >= 3, { what: 'a few failing polls' });
    sse.stop();
    responses.push(JSON.stringify(sse.events), JSON.stringify(sse.errors));

    const refusedSocket = new WebSocket(api.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    refusedSocket.once('open', () => refusedSocket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${SECRETS.SAYMON_TOKEN}` } })));
    const reason = await new Promise<string>((resolve) => refusedSocket.once('close', (_code, why) => resolve(String(why))));
    responses.push(reason);
    await api.close();

    // The failures really happened, and were logged…
    expect(responses.join('\n')).toMatch(/UNAUTHORIZED/);
    expect(responses.join('\n')).toMatch(/TIMEOUT/);
    expect(responses.join('\n')).toMatch(/ECONNREFUSED/);
    expect(logs.lines.length).toBeGreaterThan(20);
    // …and no secret, nor its JSON-escaped form, made it out.
    const everything = [...logs.lines, ...responses].join('\n');
    for (const secret of secrets) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(JSON.stringify(secret).slice(1, -1));
    }
  });

  it('are cut out of any log line by value, as a second line of defence', () => {
    const lines: string[] = [];
    const secret = 'pw-"with"-\\escapes';
    const logger = createLogger('info', { destination: { write: (line: string) => void lines.push(line) }, secrets: [secret, 'tok3n'] });
    logger.info({ url: 'https://saymon.example/api?api-token=tok3n' }, `login with ${secret}`);
    logger.error({ err: new Error(`upstream said tok3n and ${secret}`) }, 'failed');
    logger.info({ nested: { deep: [{ value: `x${secret}y` }] } }, 'nested');
    const text = lines.join('');
    expect(text).not.toContain('tok3n');
    expect(text).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(text.split(REDACTED).length).toBeGreaterThanOrEqual(7);
    expect(lines.map((line) => JSON.parse(line) as { msg: string }).map((entry) => entry.msg)).toEqual([`login with ${REDACTED}`, 'failed', 'nested']);
  });
});
