import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UpstreamExchange, UpstreamOptions } from '../../src/providers/http.js';
import { type UpstreamConfig, createUpstream, retryAfterOf } from '../../src/providers/http.js';
import { type FakeUpstream, sequence, startFakeUpstream } from '../support/fake-upstream.js';

const OPTIONS: UpstreamOptions = { timeoutMs: 1000, retries: 2, retryBaseMs: 1, maxRetryWaitMs: 1000, concurrency: 4 };

let up: FakeUpstream;
let exchanges: UpstreamExchange[];

beforeEach(async () => {
  up = await startFakeUpstream();
  exchanges = [];
});
afterEach(() => up.close());

function upstream(overrides: Partial<UpstreamConfig> = {}) {
  return createUpstream({
    provider: 'ZENDESK',
    label: 'Zendesk',
    account: 'default',
    baseUrl: up.url,
    auth: { headers: { authorization: 'Bearer sekrit' } },
    options: OPTIONS,
    onExchange: (exchange) => exchanges.push(exchange),
    ...overrides,
  });
}

const ROUTE = '/things/{id}';
const get = (path = '/things/1') => upstream().request({ route: ROUTE, path });

describe('the request ofetch sends', () => {
  it('keeps a base path prefix and the path’s .json, without double slashes, and encodes query values', async () => {
    up.on('GET', '/zendesk/api/v2/job_statuses/show_many.json', { body: {} });
    for (const baseUrl of [`${up.url}/zendesk`, `${up.url}/zendesk/`]) {
      const result = await upstream({ baseUrl, auth: { query: { 'api-token': 't&x=1' } } }).request({
        route: '/api/v2/job_statuses/show_many.json',
        path: '/api/v2/job_statuses/show_many.json',
        query: { ids: 'a,b c' },
      });
      expect(result).toMatchObject({ ok: true, status: 200 });
    }
    expect(up.requests.map((request) => [request.path, request.query])).toEqual([
      ['/zendesk/api/v2/job_statuses/show_many.json', { 'api-token': 't&x=1', ids: 'a,b c' }],
      ['/zendesk/api/v2/job_statuses/show_many.json', { 'api-token': 't&x=1', ids: 'a,b c' }],
    ]);
  });

  it('sends a POST body as JSON with its content type', async () => {
    up.on('POST', '/session', { body: { ok: true } });
    const result = await upstream().request({ route: '/session', path: '/session', method: 'POST', body: { a: [1, 'two'] } });
    expect(result).toMatchObject({ ok: true, status: 200, body: { ok: true } });
    expect(up.requests[0]!.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(up.requests[0]!.body)).toEqual({ a: [1, 'two'] });
  });
});

describe('retryAfterOf', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads Retry-After seconds, Retry-After dates and X-RateLimit-Reset milliseconds, the larger winning', () => {
    expect(retryAfterOf(new Headers({ 'retry-after': '30' }), now)).toBe(30_000);
    expect(retryAfterOf(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:10 GMT' }), now)).toBe(10_000);
    expect(retryAfterOf(new Headers({ 'retry-after': 'Tue, 31 Dec 2024 00:00:00 GMT' }), now)).toBe(0);
    expect(retryAfterOf(new Headers({ 'x-ratelimit-reset': '1500' }), now)).toBe(1500);
    expect(retryAfterOf(new Headers({ 'retry-after': '2', 'x-ratelimit-reset': '1500' }), now)).toBe(2000);
    expect(retryAfterOf(new Headers({ 'retry-after': '1', 'x-ratelimit-reset': '1500' }), now)).toBe(1500);
    expect(retryAfterOf(new Headers({ 'retry-after': 'soon' }), now)).toBeNull();
    expect(retryAfterOf(new Headers(), now)).toBeNull();
  });
});

describe('createUpstream', () => {
  it('sends the auth headers and query, and keeps the base URL’s path prefix', async () => {
    up.on('GET', '/zendesk/things/1', { body: { ok: true } });
    const result = await upstream({ baseUrl: `${up.url}/zendesk/`, auth: { headers: { authorization: 'Bearer t' }, query: { k: 'v' } } }).request({
      route: ROUTE,
      path: '/things/1',
    });
    expect(result).toMatchObject({ ok: true, status: 200, body: { ok: true } });
    expect(up.requests[0]).toMatchObject({ path: '/zendesk/things/1', query: { k: 'v' } });
    expect(up.requests[0]!.headers.authorization).toBe('Bearer t');
  });

  it('returns 404 and other 4xx to the caller, parsed when JSON and as text when not, without retrying', async () => {
    up.on('GET', '/things/1', { status: 404, body: { error: 'RecordNotFound' } });
    up.on('GET', '/things/2', { status: 400, body: 'bad id' });
    expect(await get('/things/1')).toMatchObject({ ok: true, status: 404, body: { error: 'RecordNotFound' } });
    expect(await get('/things/2')).toMatchObject({ ok: true, status: 400, body: 'bad id' });
    expect(up.requests).toHaveLength(2);
  });

  it('classifies 401 and 403 as UNAUTHORIZED, without retrying', async () => {
    up.on('GET', '/things/1', { status: 401, body: { error: "Couldn't authenticate you" } });
    up.on('GET', '/things/2', { status: 403, body: { error: 'Forbidden' } });
    expect(await get('/things/1')).toEqual({
      ok: false,
      code: 'UNAUTHORIZED',
      message: 'Zendesk account "default" rejected our credentials (401)',
      retryAfterMs: null,
      status: 401,
    });
    expect(await get('/things/2')).toMatchObject({ ok: false, code: 'UNAUTHORIZED', status: 403 });
    expect(up.requests).toHaveLength(2);
  });

  it('retries a 503 and succeeds', async () => {
    up.on('GET', '/things/1', sequence({ status: 503 }, { body: { ok: 1 } }));
    expect(await get()).toMatchObject({ ok: true, status: 200, body: { ok: 1 } });
    expect(up.requests).toHaveLength(2);
  });

  it('gives up on a lasting 503 after exactly 1 + retries calls', async () => {
    up.on('GET', '/things/1', { status: 503, body: { message: 'internal error' } });
    expect(await get()).toEqual({
      ok: false,
      code: 'UNAVAILABLE',
      message: 'Zendesk account "default" answered 503',
      retryAfterMs: null,
      status: 503,
    });
    expect(up.requests).toHaveLength(1 + OPTIONS.retries);
  });

  it('does not retry a 400', async () => {
    up.on('GET', '/things/1', { status: 400, body: { message: 'nope' } });
    await get();
    expect(up.requests).toHaveLength(1);
  });

  it('reports a 429 asking for longer than maxRetryWaitMs without retrying', async () => {
    up.on('GET', '/things/1', { status: 429, headers: { 'retry-after': '30' }, body: 'Too many requests' });
    expect(await get()).toEqual({
      ok: false,
      code: 'RATE_LIMITED',
      message: 'Zendesk account "default" is rate limited (429); retry after 30000 ms',
      retryAfterMs: 30_000,
      status: 429,
    });
    expect(up.requests).toHaveLength(1);
  });

  it('retries a 429 with Retry-After: 0 and succeeds', async () => {
    up.on('GET', '/things/1', sequence({ status: 429, headers: { 'retry-after': '0' } }, { body: { ok: 1 } }));
    expect(await get()).toMatchObject({ ok: true, status: 200 });
    expect(up.requests).toHaveLength(2);
  });

  it('honours X-RateLimit-Reset in milliseconds, waiting before the retry', async () => {
    up.on('GET', '/things/1', sequence({ status: 429, headers: { 'x-ratelimit-reset': '60' } }, { body: { ok: 1 } }));
    const started = performance.now();
    expect(await get()).toMatchObject({ ok: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(up.requests).toHaveLength(2);
  });

  it('reports X-RateLimit-Reset beyond maxRetryWaitMs, and the larger of both headers', async () => {
    up.on('GET', '/things/1', { status: 429, headers: { 'x-ratelimit-reset': '45000' } });
    up.on('GET', '/things/2', { status: 429, headers: { 'x-ratelimit-reset': '45000', 'retry-after': '60' } });
    expect(await get('/things/1')).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 45_000 });
    expect(await get('/things/2')).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 60_000 });
    expect(up.requests).toHaveLength(2);
  });

  it('reports a lasting short 429 after 1 + retries calls', async () => {
    up.on('GET', '/things/1', { status: 429, headers: { 'retry-after': '0' } });
    expect(await get()).toMatchObject({ ok: false, code: 'RATE_LIMITED', retryAfterMs: 0 });
    expect(up.requests).toHaveLength(1 + OPTIONS.retries);
  });

  it('times out a hanging upstream once, without retrying', async () => {
    up.on('GET', '/things/1', { hang: true });
    const result = await upstream({ options: { ...OPTIONS, timeoutMs: 200 } }).request({ route: ROUTE, path: '/things/1' });
    expect(result).toEqual({
      ok: false,
      code: 'TIMEOUT',
      message: 'Zendesk account "default" did not answer within 200 ms',
      retryAfterMs: null,
      status: null,
    });
    expect(up.requests).toHaveLength(1);
    expect(exchanges.map((e) => e.outcome)).toEqual(['timeout']);
  });

  it('times out a body that never ends', async () => {
    up.on('GET', '/things/1', { body: { job_statuses: [] }, hangBody: true });
    const result = await upstream({ options: { ...OPTIONS, timeoutMs: 200 } }).request({ route: ROUTE, path: '/things/1' });
    expect(result).toMatchObject({ ok: false, code: 'TIMEOUT' });
    expect(up.requests).toHaveLength(1);
  });

  it('classifies a refused connection as UNAVAILABLE, retried, with no URL in the message', async () => {
    const gone = await startFakeUpstream();
    await gone.close();
    const result = await upstream({ baseUrl: gone.url, auth: { query: { 'api-token': 'tok-123' } } }).request({ route: ROUTE, path: '/things/1' });
    expect(result).toMatchObject({ ok: false, code: 'UNAVAILABLE', status: null });
    expect(!result.ok && result.message).toMatch(/^Zendesk account "default" could not be reached/);
    expect(!result.ok && result.message).not.toContain('127.0.0.1');
    expect(!result.ok && result.message).not.toContain('tok-123');
    expect(exchanges.map((e) => e.outcome)).toEqual(['network', 'network', 'network']);
  });

  it('classifies a 2xx that is not JSON as BAD_RESPONSE', async () => {
    up.on('GET', '/things/1', { body: '{"job_statuses": [' , headers: { 'content-type': 'application/json' } });
    up.on('GET', '/things/2', { body: '<html>proxy login</html>', headers: { 'content-type': 'text/html' } });
    expect(await get('/things/1')).toMatchObject({
      ok: false,
      code: 'BAD_RESPONSE',
      message: 'Zendesk account "default" answered 200 with a body that is not JSON',
    });
    expect(await get('/things/2')).toMatchObject({ ok: false, code: 'BAD_RESPONSE' });
    expect(up.requests).toHaveLength(2);
  });

  it('reports one exchange per attempt with the route template, never the path', async () => {
    up.on('GET', '/things/secret-id', sequence({ status: 502 }, { body: {} }));
    await get('/things/secret-id');
    expect(exchanges).toHaveLength(2);
    expect(exchanges.map(({ provider, account, route, outcome }) => ({ provider, account, route, outcome }))).toEqual([
      { provider: 'ZENDESK', account: 'default', route: ROUTE, outcome: '502' },
      { provider: 'ZENDESK', account: 'default', route: ROUTE, outcome: '200' },
    ]);
    for (const exchange of exchanges) expect(exchange.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('never retries a POST', async () => {
    up.on('POST', '/session', { status: 503 });
    const result = await upstream().request({ route: '/session', path: '/session', method: 'POST', body: { a: 1 } });
    expect(result).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
    expect(up.requests).toHaveLength(1);
    expect(up.requests[0]).toMatchObject({ body: '{"a":1}' });
    expect(up.requests[0]!.headers['content-type']).toBe('application/json');
  });
});
