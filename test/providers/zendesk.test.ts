import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskAuth } from '../../src/providers/descriptor.js';
import type { UpstreamOptions } from '../../src/providers/http.js';
import { createProviderClient } from '../../src/providers/catalog.js';
import { failure, snapshot } from '../support/outcomes.js';
import { type FakeHandler, type FakeReply, type FakeUpstream, type RecordedRequest, sequence, startFakeUpstream } from '../support/fake-upstream.js';

const API_TOKEN = 'tok-zd-0123456789';
const ACCESS_TOKEN = 'oauth-zd-abcdef';
const OPTIONS: UpstreamOptions = { timeoutMs: 1000, retries: 2, retryBaseMs: 1, maxRetryWaitMs: 1000, concurrency: 4 };
const NOW = Date.parse('2025-03-01T12:00:00Z');
const SHOW_MANY = '/api/v2/job_statuses/show_many.json';

let up: FakeUpstream;
beforeEach(async () => {
  up = await startFakeUpstream();
});
afterEach(() => up.close());

function client(auth: ZendeskAuth = { scheme: 'token', email: 'a@b.c', apiToken: API_TOKEN }, overrides: { baseUrl?: string; options?: Partial<UpstreamOptions> } = {}) {
  return createProviderClient(
    { provider: 'ZENDESK', name: 'default', baseUrl: overrides.baseUrl ?? up.url, auth, sandbox: false },
    { options: { ...OPTIONS, ...overrides.options }, clock: { now: () => NOW } },
  );
}
const ask = (ids: string[], c = client()) => c.fetchStatuses('ZENDESK_JOB_STATUS', ids);
const idsOf = (request: RecordedRequest) => request.query.ids!.split(',');

/** A Zendesk that knows the given statuses and answers show_many with those asked for. */
function knows(statuses: Record<string, Record<string, unknown>>, extra: { delayMs?: number } = {}): FakeHandler {
  return (request) => ({
    ...extra,
    body: { job_statuses: idsOf(request).flatMap((id) => (statuses[id] ? [{ id, ...statuses[id] }] : [])) },
  });
}

describe('Zendesk client', () => {
  it('authenticates with an API token as Basic base64("{email}/token:{token}")', async () => {
    up.on('GET', SHOW_MANY, knows({}));
    await ask(['V3-a']);
    expect(up.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`a@b.c/token:${API_TOKEN}`).toString('base64')}`);
  });

  it('authenticates with OAuth as Bearer', async () => {
    up.on('GET', SHOW_MANY, knows({}));
    await ask(['V3-a'], client({ scheme: 'oauth', accessToken: ACCESS_TOKEN }));
    expect(up.requests[0]!.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
  });

  it('keeps a base URL path prefix and the .json suffix', async () => {
    up.on('GET', `/zendesk${SHOW_MANY}`, knows({ 'V3-a': { status: 'working' } }));
    expect(snapshot((await ask(['V3-a'], client(undefined, { baseUrl: `${up.url}/zendesk` }))).get('V3-a')).state).toBe('RUNNING');
  });

  it.each([
    ['queued', 'QUEUED', false],
    ['working', 'RUNNING', false],
    ['completed', 'COMPLETED', true],
    ['failed', 'FAILED', true],
    ['killed', 'CANCELLED', true],
    ['paused', 'UNKNOWN', false],
  ] as const)('maps %s to %s (done: %s)', async (status, state, done) => {
    up.on('GET', SHOW_MANY, knows({ 'V3-a': { status, total: 4, progress: 1, message: 'Working', url: 'https://x.zendesk.com/j.json', job_type: 'bulk' } }));
    expect((await ask(['V3-a'])).get('V3-a')).toEqual({
      ref: { kind: 'ZENDESK_JOB_STATUS', nativeId: 'V3-a', account: 'default' },
      state,
      rawStatus: status,
      done,
      progress: { completed: 1, total: 4, percent: 25 },
      message: 'Working',
      checkedAt: new Date(NOW),
      details: { kind: 'ZENDESK_JOB_STATUS', url: 'https://x.zendesk.com/j.json', total: 4, jobType: 'bulk', results: null },
    });
  });

  it('asks show_many in chunks of at most 100 distinct ids; ids absent from the answers are NOT_FOUND', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `V3-${i}`);
    const known = Object.fromEntries(ids.filter((_, i) => i % 2 === 0).map((id) => [id, { status: 'completed' }]));
    up.on('GET', SHOW_MANY, knows(known));
    const answers = await ask([...ids, 'V3-0', 'V3-249']);

    expect(up.requests).toHaveLength(3);
    const asked = up.requests.map(idsOf);
    for (const chunk of asked) expect(chunk.length).toBeLessThanOrEqual(100);
    expect(asked.flat().sort()).toEqual([...ids].sort());
    expect(answers.size).toBe(250);
    expect(snapshot(answers.get('V3-0')).state).toBe('COMPLETED');
    expect(failure(answers.get('V3-1'))).toMatchObject({
      failure: 'NOT_FOUND',
      ref: { kind: 'ZENDESK_JOB_STATUS', nativeId: 'V3-1', account: 'default' },
      message: 'Zendesk account "default" has no job status "V3-1"',
    });
  });

  it('bounds chunks in flight by concurrency', async () => {
    up.on('GET', SHOW_MANY, knows({}, { delayMs: 15 }));
    await ask(Array.from({ length: 500 }, (_, i) => `V3-${i}`), client(undefined, { options: { concurrency: 2 } }));
    expect(up.requests).toHaveLength(5);
    expect(up.maxInFlight).toBe(2);
  });

  it('accepts a bare array answer', async () => {
    up.on('GET', SHOW_MANY, (request) => ({ body: idsOf(request).map((id) => ({ id, status: 'queued' })) }));
    expect(snapshot((await ask(['V3-a'])).get('V3-a')).state).toBe('QUEUED');
  });

  it('keeps result ids beyond 2^53 exact', async () => {
    up.on('GET', SHOW_MANY, {
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"job_statuses":[{"id":"V3-a","status":"completed","total":1,"progress":1,"results":[{"action":"update","id":9007199254740993,"success":true,"status":"Updated"}]}]}',
    });
    const details = snapshot((await ask(['V3-a'])).get('V3-a')).details;
    expect(details.kind === 'ZENDESK_JOB_STATUS' && details.results?.[0]?.id).toBe('9007199254740993');
  });

  it('answers BAD_RESPONSE for an entry without a status, the others resolving', async () => {
    up.on('GET', SHOW_MANY, { body: { job_statuses: [{ id: 'V3-a' }, { id: 'V3-b', status: 'working' }] } });
    const answers = await ask(['V3-a', 'V3-b']);
    expect(failure(answers.get('V3-a'))).toMatchObject({ failure: 'BAD_RESPONSE' });
    expect(snapshot(answers.get('V3-b')).state).toBe('RUNNING');
  });

  it('answers NOT_FOUND for every id of a chunk answered 404, and does not ask for ids with commas', async () => {
    up.on('GET', SHOW_MANY, { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } });
    const answers = await ask(['V3-a', 'V3-b', 'x,y']);
    expect([...answers.values()].map((o) => failure(o).failure)).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
    expect(up.requests.map(idsOf)).toEqual([['V3-a', 'V3-b']]);
  });

  it('gives every id of a failed chunk that failure', async () => {
    up.on('GET', SHOW_MANY, { status: 429, headers: { 'retry-after': '30' }, body: 'Rate limited' });
    const answers = await ask(['V3-a', 'V3-b']);
    for (const outcome of answers.values()) {
      expect(failure(outcome)).toMatchObject({ failure: 'RATE_LIMITED', retryAfterMs: 30_000, message: 'Zendesk account "default" is rate limited (429); retry after 30000 ms' });
    }
    expect(up.requests).toHaveLength(1);
  });

  it('retries a transient 429 and a 503', async () => {
    up.on('GET', SHOW_MANY, sequence({ status: 429, headers: { 'retry-after': '0' } }, { status: 503 }, { body: { job_statuses: [{ id: 'V3-a', status: 'queued' }] } }));
    expect(snapshot((await ask(['V3-a'])).get('V3-a')).state).toBe('QUEUED');
    expect(up.requests).toHaveLength(3);
  });

  it('answers UNAUTHORIZED for 401 and 403', async () => {
    up.on('GET', SHOW_MANY, sequence({ status: 401, body: { error: "Couldn't authenticate you" } }, { status: 403, body: { error: 'Forbidden' } }));
    expect(failure((await ask(['V3-a'])).get('V3-a'))).toMatchObject({ failure: 'UNAUTHORIZED' });
    expect(failure((await ask(['V3-a'])).get('V3-a'))).toMatchObject({ failure: 'UNAUTHORIZED', message: 'Zendesk account "default" denied access (403)' });
    expect(up.requests).toHaveLength(2);
  });

  it('never puts a token or an upstream body in a failure message', async () => {
    const leaky = { error: `Couldn't authenticate you with ${API_TOKEN} ${ACCESS_TOKEN}` };
    const messages: string[] = [];
    const replies: FakeReply[] = [
      { status: 401, body: leaky },
      { status: 403, body: leaky },
      { status: 429, body: leaky, headers: { 'retry-after': '90' } },
      { status: 500, body: leaky },
      { status: 422, body: leaky },
      { status: 200, body: `{"job_statuses": ${API_TOKEN}`, headers: { 'content-type': 'application/json' } },
      { status: 200, body: { leaky } },
      { hang: true },
    ];
    for (const [index, reply] of replies.entries()) {
      up.on('GET', SHOW_MANY, reply);
      for (const auth of [
        { scheme: 'token', email: 'a@b.c', apiToken: API_TOKEN },
        { scheme: 'oauth', accessToken: ACCESS_TOKEN },
      ] as const) {
        messages.push(failure((await ask([`V3-${index}`], client(auth, { options: { timeoutMs: 200 } }))).get(`V3-${index}`)).message);
      }
    }
    expect(messages).toHaveLength(16);
    const secrets = [API_TOKEN, ACCESS_TOKEN, Buffer.from(`a@b.c/token:${API_TOKEN}`).toString('base64'), 'authenticate'];
    for (const message of messages) {
      expect(message).toMatch(/^Zendesk account "default" /);
      for (const secret of secrets) expect(message).not.toContain(secret);
    }
  });
});
