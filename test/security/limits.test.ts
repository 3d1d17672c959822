/**
 * Limits against abuse, end to end: operation shape (graphql-armor), body size, CSRF, CORS,
 * production defaults, subscriptions per connection, and a stream of hostile requests the
 * server must refuse one by one while staying up.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { defaultQuery } from '../../src/http/graphiql-query.js';
import type { JobKind } from '../../src/jobs/model.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';
import { JobUpdatesSubscription, ProvidersQuery } from '../support/operations.js';
import { subscribeWs, wsClient } from '../support/subscribers.js';
import { waitFor } from '../support/wait.js';

const ref = (kind: JobKind, id: string) => ({ kind, id });

let providers: FakeProviders;
let api: TestApp;

beforeAll(async () => {
  providers = await startFakeProviders(new Map([['V3-working', zendeskJob('V3-working', 'working')]]));
  api = await startTestApp({ ...providers.env, MAX_SUBSCRIPTIONS_PER_CONNECTION: '2', POLL_INTERVAL_MS: '60000', POLL_MAX_INTERVAL_MS: '60000' });
});
afterAll(async () => {
  await api.close();
  await providers.upstream.close();
});

/** POSTs `query` and answers status and parsed body; `accept` defaults to what GraphQL clients send. */
async function post(url: string, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } };
}

const JOB_SELECTION = '__typename ... on Job { id kind state rawStatus done progress { completed total percent } message checkedAt }';

describe('operation limits (graphql-armor)', () => {
  const hostile = {
    depth: `{ ${'a { '.repeat(13)}b${' }'.repeat(13)} }`,
    cost: `{ ${Array.from({ length: 80 }, () => `jobs(refs: []) { ${JOB_SELECTION} ... on ZendeskJobStatus { results { id index action success status error details title externalId } } }`).join(' ')} }`,
    aliases: `{ ${Array.from({ length: 16 }, (_, i) => `p${i}: providers { provider }`).join(' ')} }`,
    tokens: `{ ${'__typename '.repeat(10_001)}}`,
    directives: `{ ${Array.from({ length: 51 }, () => '__typename @include(if: true)').join(' ')} }`,
  };
  const messages = {
    depth: /^Query depth limit of 12 exceeded, found 14\.$/,
    cost: /^Query Cost limit of 5000 exceeded, found \d+/,
    aliases: /^Aliases limit of 15 exceeded, found 16\.$/,
    tokens: /^Token limit of 10000 exceeded\.$/,
    directives: /^Directives limit of 50 exceeded, found 51\.$/,
  };

  it.each(Object.keys(hostile) as (keyof typeof hostile)[])('refuses an operation over the %s limit with a 400 that names the limit', async (limit) => {
    for (const accept of ['application/graphql-response+json', 'application/json']) {
      const { status, body } = await post(api.url, hostile[limit], { accept });
      // The token limit is met while parsing: yoga answers parse errors to application/json clients with 200.
      expect(status).toBe(limit === 'tokens' && accept === 'application/json' ? 200 : 400);
      expect(body.data).toBeUndefined();
      const refusal = body.errors!.find((error) => error.extensions?.code === 'QUERY_LIMIT_EXCEEDED');
      expect(refusal?.message).toMatch(messages[limit]);
    }
    expect(providers.upstream.requests).toHaveLength(0);
  });

  it("lets GraphiQL's opening query and every operation the tests and benchmarks send through", async () => {
    const documents = Object.values(JSON.parse(readFileSync(new URL('../gql/persisted-documents.json', import.meta.url), 'utf8')) as Record<string, string>);
    for (const query of [defaultQuery([{ kind: 'ZENDESK_JOB_STATUS', nativeId: 'V3-working' }]), ...documents]) {
      const { body } = await post(api.url, query);
      expect(body.errors?.filter((error) => error.extensions?.code === 'QUERY_LIMIT_EXCEEDED') ?? []).toEqual([]);
    }
  });

  it('takes each limit from the environment', async () => {
    const strict = await startTestApp({ ...providers.env, ARMOR_MAX_DEPTH: '2', ARMOR_MAX_ALIASES: '0' });
    try {
      expect((await post(strict.url, '{ providers { provider } }')).status).toBe(200);
      const deep = await post(strict.url, '{ jobs(refs: []) { ... on ImageKitBulkJob { purgeRequest { id } } } }');
      expect(deep.status).toBe(400);
      expect(deep.body.errors![0]!.message).toMatch(/^Query depth limit of 2 exceeded/);
      expect((await post(strict.url, '{ p: providers { provider } }')).body.errors![0]!.message).toMatch(/^Aliases limit of 0 exceeded/);
    } finally {
      await strict.close();
    }
  });
});

describe('request bodies', () => {
  /** Sends a chunked body (no Content-Length), as streaming clients do. */
  function postChunked(url: string, body: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      request.on('error', reject);
      for (let at = 0; at < body.length; at += 64 * 1024) request.write(body.slice(at, at + 64 * 1024));
      request.end();
    });
  }

  it('refuses a declared length over BODY_LIMIT_BYTES with 413 before reading it', async () => {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(1_100_000) } }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/at most 1048576 are accepted/);
  });

  it('refuses a chunked body once it grows past the limit, and accepts a small one', async () => {
    const huge = await postChunked(api.url, JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(1_100_000) } }));
    expect(huge.status).toBe(413);
    expect(huge.text).toMatch(/too large/i);
    const small = await postChunked(api.url, JSON.stringify({ query: '{ __typename }' }));
    expect(small.status).toBe(200);
  });

  it('closes a WebSocket that sends a message over the limit with 1009', async () => {
    const socket = new WebSocket(api.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const code = await new Promise<number>((resolve) => {
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(1_100_000) } })));
      socket.once('close', (closeCode) => resolve(closeCode));
    });
    expect(code).toBe(1009);
  });
});

describe('browsers', () => {
  it('refuses form and text/plain posts without a CSRF-prevention header with a 403 that says so', async () => {
    const query = encodeURIComponent('{ __typename }');
    const form = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `query=${query}` });
    expect(form.status).toBe(403);
    expect(await form.text()).toMatch(/CSRF/);
    const text = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(text.status).toBe(403);
    const withHeader = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-graphql-yoga-csrf': '1' },
      body: `query=${query}`,
    });
    expect(withHeader.status).toBe(200);
  });

  it('answers plain GET queries (GraphQL over HTTP, native EventSource), and refuses them too under CSRF_PREVENTION=strict', async () => {
    const query = encodeURIComponent('{ __typename }');
    const plain = await fetch(`${api.url}?query=${query}`, { headers: { accept: 'application/json' } });
    expect(plain.status).toBe(200);
    expect(await plain.json()).toEqual({ data: { __typename: 'Query' } });
    const strict = await startTestApp({ CSRF_PREVENTION: 'strict' });
    try {
      const bare = await fetch(`${strict.url}?query=${query}`);
      expect(bare.status).toBe(403);
      expect(await bare.text()).toMatch(/CSRF/);
      const withHeader = await fetch(`${strict.url}?query=${query}`, { headers: { 'x-graphql-yoga-csrf': '1' } });
      expect(withHeader.status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('sends no CORS headers and refuses cross-origin WebSockets when CORS_ORIGINS is unset', async () => {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://elsewhere.example' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await upgradeStatus(api.url, 'https://elsewhere.example')).toBe(403);
    expect(await upgradeStatus(api.url, api.app.server.origin)).toBe(101);
    expect(await upgradeStatus(api.url, undefined)).toBe(101);
  });

  it('allows exactly the origins in CORS_ORIGINS, for HTTP and WebSocket', async () => {
    const open = await startTestApp({ ...providers.env, CORS_ORIGINS: 'https://app.example.com,https://admin.example.com' });
    try {
      const preflight = await fetch(open.url, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
      expect(preflight.status).toBeLessThan(300);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      const other = await fetch(open.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
      expect(await upgradeStatus(open.url, 'https://admin.example.com')).toBe(101);
      expect(await upgradeStatus(open.url, 'https://evil.example')).toBe(403);
    } finally {
      await open.close();
    }
  });
});

/** The status a WebSocket upgrade from `origin` gets: 101 when accepted. */
function upgradeStatus(url: string, origin: string | undefined): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', origin ? { origin } : {});
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', () => undefined);
  });
}

describe('production', () => {
  it('serves no GraphiQL, no introspection and no field suggestions', async () => {
    const production = await startTestApp({ ...providers.env, NODE_ENV: 'production' });
    try {
      const page = await fetch(production.url, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toContain('<html');
      const introspection = await post(production.url, '{ __schema { types { name } } }');
      expect(introspection.status).toBe(400);
      expect(introspection.body.errors![0]!.message).toMatch(/^Introspection is disabled/);
      const typo = await post(production.url, '{ provider { provider } }');
      expect(typo.status).toBe(400);
      expect(typo.body.errors![0]!.message).toMatch(/^Cannot query field "provider" on type "Query"/);
      expect(typo.body.errors![0]!.message).not.toMatch(/Did you mean/);
      expect((await post(production.url, '{ __typename }')).status).toBe(200);
    } finally {
      await production.close();
    }
  });

  it('serves GraphiQL and introspection again with GRAPHIQL=1', async () => {
    const production = await startTestApp({ ...providers.env, NODE_ENV: 'production', GRAPHIQL: '1' });
    try {
      expect(await (await fetch(production.url, { headers: { accept: 'text/html' } })).text()).toContain('<html');
      expect((await post(production.url, '{ __schema { queryType { name } } }')).status).toBe(200);
    } finally {
      await production.close();
    }
  });

  it('suggests field names outside production', async () => {
    const typo = await post(api.url, '{ provider { provider } }');
    expect(typo.body.errors![0]!.message).toMatch(/Did you mean "providers"/);
  });
});

describe('subscriptions per connection', () => {
  const clients: ReturnType<typeof wsClient>[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });

  it('refuses one subscription over MAX_SUBSCRIPTIONS_PER_CONNECTION with an error, keeping the others and the socket', async () => {
    const client = wsClient(api.url);
    clients.push(client);
    const variables = { refs: [ref('ZENDESK_JOB_STATUS', 'V3-working')] };
    const first = subscribeWs(client, JobUpdatesSubscription, variables);
    const second = subscribeWs(client, JobUpdatesSubscription, variables);
    await waitFor(() => first.events.length === 1 && second.events.length === 1, { what: 'two subscriptions running' });
    const third = subscribeWs(client, JobUpdatesSubscription, variables);
    await third.completed;
    expect(JSON.stringify(third.errors)).toMatch(/Too many operations on this connection: at most 2/);
    expect(first.isComplete() || second.isComplete()).toBe(false);
    expect(api.app.server.webSocketClients()).toBe(1);
    first.stop();
    await waitFor(() => api.app.server.jobs.feed.stats().streams === 1, { what: 'first stream released' });
    const fourth = subscribeWs(client, JobUpdatesSubscription, variables);
    await waitFor(() => fourth.events.length === 1, { what: 'a freed place taken' });
    expect(fourth.errors).toEqual([]);
  });
});

describe('a stream of bad requests', () => {
  it('refuses hundreds of malformed, oversized and hostile requests one by one, and then serves a normal query', async () => {
    const key = 'storm-key-5f1d';
    const server = await startTestApp({ ...providers.env, API_KEYS: key });
    providers.upstream.requests.length = 0;
    const auth = { authorization: `Bearer ${key}` };
    const json = { 'content-type': 'application/json', ...auth };
    const body = (value: unknown) => JSON.stringify(value);
    type Attempt = { method?: string; headers?: Record<string, string>; body?: string; path?: string };
    const attempts: Attempt[] = [
      { headers: json, body: '{"query": "{ __typename }"' },
      { headers: json, body: '' },
      { headers: json, body: 'null' },
      { headers: json, body: '[]' },
      { headers: json, body: body([{ query: '{ __typename }' }, { query: '{ __typename }' }]) },
      { headers: json, body: body({ query: 42 }) },
      { headers: json, body: body({ query: '{ __typename }', variables: 'x' }) },
      { headers: json, body: body({ query: '{ jobs(refs: [ }' }) },
      { headers: json, body: body({ query: '{ nope }' }) },
      { headers: json, body: body({ query: '{ jobs(refs: [{ kind: FTP, id: "1" }]) { __typename } }' }) },
      { headers: json, body: body({ query: 'query($r: [JobRef!]!) { jobs(refs: $r) { __typename } }', variables: { r: 'not a list of refs' } }) },
      { headers: json, body: body({ query: 'query($r: [JobRef!]!) { jobs(refs: $r) { __typename } }', variables: { r: Array.from({ length: 501 }, (_, i) => ref('SAYMON_BULK_OP', `${i}`)) } }) },
      { headers: json, body: body({ query: '{ jobs(refs: [{ kind: SAYMON_BULK_OP, id: "" }]) { __typename } }' }) },
      { headers: json, body: body({ query: `{ node(id: "${'A'.repeat(3000)}") { id } }` }) },
      { headers: json, body: body({ query: '{ node(id: "bm90LWFuLWlk") { id } }' }) },
      { headers: json, body: body({ query: `{ ${'a { '.repeat(40)}b${' }'.repeat(40)} }` }) },
      { headers: json, body: body({ query: `{ ${Array.from({ length: 200 }, (_, i) => `p${i}: providers { provider }`).join(' ')} }` }) },
      { headers: json, body: body({ query: `{ ${'__typename '.repeat(20_000)}}` }) },
      { headers: json, body: body({ query: `{ ${Array.from({ length: 300 }, () => '__typename @skip(if: false)').join(' ')} }` }) },
      { headers: json, body: body({ query: 'mutation { x }' }) },
      { headers: json, body: body({ query: '{ __typename }', extra: true }) },
      { headers: json, body: '\u0000\u0001\u0002' },
      { headers: { 'content-type': 'text/plain', ...auth }, body: '{ __typename }' },
      { headers: { 'content-type': 'application/xml', ...auth }, body: '<query/>' },
      { headers: json, body: body({ query: '{ __typename }', pad: 'x'.repeat(1_100_000) }) },
      { headers: { 'content-type': 'application/json' }, body: body({ query: '{ __typename }' }) },
      { headers: { 'content-type': 'application/json', authorization: 'Bearer guess' }, body: body({ query: '{ __typename }' }) },
      { headers: { 'content-type': 'application/json', authorization: `Bearer ${'k'.repeat(4000)}` }, body: body({ query: '{ __typename }' }) },
      { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: body({ query: '{ __typename }' }) },
      { method: 'GET', headers: { ...auth, 'x-graphql-yoga-csrf': '1' }, path: `?query=${encodeURIComponent('mutation { x }')}` },
      { method: 'GET', headers: { ...auth, 'x-graphql-yoga-csrf': '1' }, path: '?query=%7B' },
      { method: 'PUT', headers: json, body: body({ query: '{ __typename }' }) },
      { method: 'DELETE', headers: auth },
    ];
    try {
      const statuses: number[] = [];
      for (let round = 0; round < 10; round++) {
        // Half the rounds as GraphQL-over-HTTP clients, half as legacy application/json ones.
        const accept = round % 2 === 0 ? 'application/graphql-response+json' : 'application/json';
        for (const attempt of attempts) {
          const headers = { accept, ...attempt.headers };
          const response = await fetch(`${server.url}${attempt.path ?? ''}`, { method: attempt.method ?? 'POST', headers, body: attempt.body });
          statuses.push(response.status);
          const text = await response.text();
          // A GraphQL error, not an HTTP one: legacy application/json clients get documents that fail to
          // parse or validate as 200 with errors (per the spec), and graphql-js refuses a mutation when it executes.
          const refusedAsGraphQLError = response.status === 200 && /^\{"errors":\[.*\](,"data":null)?\}$/s.test(text);
          const refused = (response.status >= 400 && response.status < 500) || refusedAsGraphQLError;
          if (!refused) throw new Error(`${response.status} for ${JSON.stringify(attempt).slice(0, 200)}: ${text.slice(0, 300)}`);
        }
      }
      expect(statuses.length).toBeGreaterThanOrEqual(300);
      expect(statuses.every((status) => status < 500)).toBe(true);
      const { status, body: answer } = await server.request(ProvidersQuery, undefined, auth);
      expect(status).toBe(200);
      expect(answer.data!.providers).toHaveLength(3);
      expect((await fetch(`${server.app.server.origin}/health`)).status).toBe(200);
      expect(providers.upstream.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});
