/**
 * Deeply nested documents (`[[[…]]]`, `{a:{a:…}}`, `{a{a{…}}}`) are refused with a 400 before
 * the parser, which recurses per level, can overflow its stack: over POST (both accept types),
 * GET, SSE and graphql-ws, where only the operation fails and the socket with its other
 * operations lives on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nestedDeeperThan } from '../../src/security/query-limits.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';
import { JobUpdatesSubscription } from '../support/operations.js';
import { subscribeWs, wsClient } from '../support/subscribers.js';
import { waitFor } from '../support/wait.js';

const DEEP = 2000;
const hostile = {
  'list literal': `{ jobs(refs: ${'['.repeat(DEEP)}${']'.repeat(DEEP)}) { __typename } }`,
  'input object literal': `{ job(ref: ${'{a: '.repeat(DEEP)}1${'}'.repeat(DEEP)}) { __typename } }`,
  'selection set': `{ ${'a { '.repeat(DEEP)}b${' }'.repeat(DEEP)} }`,
};
/** The same, compact enough for a URL (Node refuses request heads over 16 KiB). */
const GET_DEEP = 1200;
const hostileInUrl: Record<keyof typeof hostile, string> = {
  'list literal': `{jobs(refs:${'['.repeat(GET_DEEP)}${']'.repeat(GET_DEEP)}){__typename}}`,
  'input object literal': `{job(ref:${'{a:'.repeat(GET_DEEP)}1${'}'.repeat(GET_DEEP)}){__typename}}`,
  'selection set': `{${'a{'.repeat(GET_DEEP)}b${'}'.repeat(GET_DEEP)}}`,
};
type Case = keyof typeof hostile;
const cases = Object.keys(hostile) as Case[];
const NESTING = /^Document nested too deeply: brackets \(\{, \[, \(\) may be nested at most 64 deep$/;

let providers: FakeProviders;
let api: TestApp;

beforeAll(async () => {
  providers = await startFakeProviders(new Map([['V3-nesting', zendeskJob('V3-nesting', 'working')]]));
  api = await startTestApp({ ...providers.env, POLL_INTERVAL_MS: '60000', POLL_MAX_INTERVAL_MS: '60000' });
});
afterAll(async () => {
  await api.close();
  await providers.upstream.close();
});

type Body = { errors?: { message: string; extensions?: { code?: string } }[] };

describe('deeply nested documents', () => {
  it.each(cases)('refuses a deep %s over POST with a 400 naming the limit, whatever the client accepts', async (name) => {
    for (const accept of ['application/graphql-response+json', 'application/json']) {
      const response = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: JSON.stringify({ query: hostile[name] }),
      });
      const body = (await response.json()) as Body;
      expect(response.status, accept).toBe(400);
      expect(body.errors?.[0]?.message).toMatch(NESTING);
      expect(body.errors?.[0]?.extensions?.code).toBe('QUERY_LIMIT_EXCEEDED');
    }
  });

  it.each(cases)('refuses a deep %s over GET and SSE with a 400', async (name) => {
    for (const accept of ['application/json', 'text/event-stream']) {
      const response = await fetch(`${api.url}?query=${encodeURIComponent(hostileInUrl[name])}`, { headers: { accept } });
      expect(response.status, accept).toBe(400);
      expect(await response.text()).toMatch(/Document nested too deeply/);
    }
  });

  it('answers a deep operation over graphql-ws with that operation error; the socket and its other operations survive', async () => {
    const client = wsClient(api.url);
    try {
      const watching = subscribeWs(client, JobUpdatesSubscription, { refs: [{ kind: 'ZENDESK_JOB_STATUS', id: 'V3-nesting' }] });
      await watching.received(1);
      let closed: unknown = null;
      client.on('closed', (event) => (closed = event));
      for (const name of cases) {
        const errors = await new Promise<unknown>((resolve) => {
          client.subscribe({ query: hostile[name] }, { next: () => {}, error: resolve, complete: () => resolve(null) });
        });
        expect(errors, name).toEqual([expect.objectContaining({ message: expect.stringMatching(NESTING) })]);
      }
      // The same socket still serves: a new operation answers, and the first one is still open.
      const query = await new Promise<unknown>((resolve, reject) => {
        client.subscribe({ query: '{ providers { provider } }' }, { next: resolve, error: reject, complete: () => {} });
      });
      expect(query).toMatchObject({ data: { providers: expect.any(Array) } });
      expect(closed).toBeNull();
      expect(watching.isComplete()).toBe(false);
      expect(api.app.server.webSocketClients()).toBe(1);
    } finally {
      await client.dispose();
      await waitFor(() => api.app.server.webSocketClients() === 0, { what: 'socket closed' });
    }
  });

  it('lets ordinary nesting through: the limit is on brackets open at once, not their number', async () => {
    const refs = Array.from({ length: 200 }, (_, index) => `{ kind: ZENDESK_JOB_STATUS, id: "V3-${index}" }`).join(', ');
    const response = await api.request(`{ jobs(refs: [${refs}]) { __typename } }`);
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
  });
});

describe('nestedDeeperThan', () => {
  it('counts brackets the lexer sees, not those inside strings, block strings or comments', () => {
    expect(nestedDeeperThan('{ a { b } }', 2)).toBe(false);
    expect(nestedDeeperThan('{ a { b { c } } }', 2)).toBe(true);
    expect(nestedDeeperThan(`{ a(s: "${'['.repeat(10)}") }`, 2)).toBe(false);
    expect(nestedDeeperThan(`{ a(s: "\\"${'{'.repeat(10)}") }`, 2)).toBe(false);
    expect(nestedDeeperThan(`{ a(s: """ \\""" ${'('.repeat(10)} """) }`, 2)).toBe(false);
    expect(nestedDeeperThan(`# ${'{'.repeat(10)}\n{ a }`, 2)).toBe(false);
    expect(nestedDeeperThan(`{ a(s: "x") { b(l: [[1]]) } }`, 4)).toBe(true);
  });
});
