import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobOutcome } from '../../src/jobs/model.js';
import type { SaymonAuth } from '../../src/providers/descriptor.js';
import type { UpstreamOptions } from '../../src/providers/http.js';
import { createProviderClient } from '../../src/providers/catalog.js';
import { failure, snapshot } from '../support/outcomes.js';
import { type FakeUpstream, type RecordedRequest, startFakeUpstream } from '../support/fake-upstream.js';

const PASSWORD = 'P665bPVi-s3cr3t';
const TOKEN = 'tok-0123456789abcdef';
const OPTIONS: UpstreamOptions = { timeoutMs: 1000, retries: 2, retryBaseMs: 1, maxRetryWaitMs: 1000, concurrency: 4 };
const NOW = Date.parse('2025-03-01T12:00:00Z');
const BULK_ID = '079b3102-5b1e-4c5d-9a3c-0d6f4e1e2a77';
const STATUS_PATH = /^\/node\/api\/bulk\/[^/]+\/status$/;
const UNAUTHORIZED_BODY = { code: 'Unauthorized', message: '{"errorCode":3,"message":"Not logged in."}' };

let up: FakeUpstream;
beforeEach(async () => {
  up = await startFakeUpstream();
});
afterEach(() => up.close());

function client(auth: SaymonAuth = { scheme: 'basic', login: 'robot', password: PASSWORD }, overrides: { baseUrl?: string; options?: Partial<UpstreamOptions> } = {}) {
  return createProviderClient(
    { provider: 'SAYMON', name: 'default', baseUrl: overrides.baseUrl ?? up.url, auth, sandbox: false },
    { options: { ...OPTIONS, ...overrides.options }, clock: { now: () => NOW } },
  );
}
const SESSION: SaymonAuth = { scheme: 'session', login: 'robot', password: PASSWORD };

async function bulkOp(id: string, c = client()): Promise<JobOutcome> {
  return (await c.fetchStatuses('SAYMON_BULK_OP', [id])).get(id)!;
}
const statusCalls = () => up.requests.filter((r) => STATUS_PATH.test(r.path));
const logins = () => up.requests.filter((r) => r.path === '/node/api/users/session');

/** A SAYMON that issues `sid=<n>` cookies and accepts only the latest one. */
function sessionServer(options: { setCookie?: boolean } = {}) {
  let issued = 0;
  up.on('POST', '/node/api/users/session', (request) => {
    const { login, password } = JSON.parse(request.body) as { login: string; password: string };
    if (login !== 'robot' || password !== PASSWORD) {
      return { status: 401, body: { code: 'InvalidCredentials', message: '{"errorCode":3,"message":"Invalid login or password."}' } };
    }
    issued++;
    const sid = `session-${issued}`;
    return { body: JSON.stringify(sid), headers: { 'content-type': 'application/json', ...(options.setCookie === false ? {} : { 'set-cookie': `sid=${sid}; Path=/; HttpOnly` }) } };
  });
  up.on('GET', STATUS_PATH, (request: RecordedRequest) =>
    request.headers.cookie === `sid=session-${issued}` ? { body: { finished: false } } : { status: 401, body: UNAUTHORIZED_BODY },
  );
  return { expire: () => issued++ };
}

describe('SAYMON client', () => {
  it.each([
    [false, 'RUNNING', false, 'false'],
    [true, 'COMPLETED', true, 'true'],
  ] as const)('maps finished: %s to %s (done: %s), rawStatus "%s"', async (finished, state, done, rawStatus) => {
    up.on('GET', `/node/api/bulk/${BULK_ID}/status`, { body: { finished } });
    expect(await bulkOp(BULK_ID)).toEqual({
      ref: { kind: 'SAYMON_BULK_OP', nativeId: BULK_ID, account: 'default' },
      state,
      rawStatus,
      done,
      progress: null,
      message: null,
      checkedAt: new Date(NOW),
      details: { kind: 'SAYMON_BULK_OP', finished },
    });
  });

  it('authenticates with Basic base64("login:password")', async () => {
    up.on('GET', STATUS_PATH, { body: { finished: true } });
    await bulkOp(BULK_ID);
    expect(up.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`robot:${PASSWORD}`).toString('base64')}`);
  });

  it('sends an API token as ?api-token=, and no Authorization header', async () => {
    up.on('GET', STATUS_PATH, { body: { finished: true } });
    await bulkOp(BULK_ID, client({ scheme: 'token', token: TOKEN }));
    expect(up.requests[0]!.query).toEqual({ 'api-token': TOKEN });
    expect(up.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('keeps a base URL path prefix', async () => {
    up.on('GET', `/saymon/node/api/bulk/${BULK_ID}/status`, { body: { finished: true } });
    expect(snapshot(await bulkOp(BULK_ID, client(undefined, { baseUrl: `${up.url}/saymon/` }))).done).toBe(true);
  });

  it('answers NOT_FOUND for a 404, and BAD_RESPONSE for a body without finished', async () => {
    up.on('GET', '/node/api/bulk/gone/status', { status: 404, body: { code: 'NotFound', message: 'no such bulk' } });
    up.on('GET', '/node/api/bulk/odd/status', { body: { done: 'yes' } });
    expect(failure(await bulkOp('gone'))).toMatchObject({ failure: 'NOT_FOUND', message: 'SAYMON account "default" has no bulk operation "gone"' });
    expect(failure(await bulkOp('odd'))).toMatchObject({ failure: 'BAD_RESPONSE' });
  });

  it('answers UNAUTHORIZED for 401 and 403 without passing the error body on', async () => {
    up.on('GET', '/node/api/bulk/a/status', { status: 401, body: UNAUTHORIZED_BODY });
    up.on('GET', '/node/api/bulk/b/status', { status: 403, body: { code: 'Forbidden', message: 'missing permission' } });
    const answers = await client().fetchStatuses('SAYMON_BULK_OP', ['a', 'b']);
    expect(failure(answers.get('a')!)).toMatchObject({ failure: 'UNAUTHORIZED', message: 'SAYMON account "default" rejected our credentials (401)' });
    expect(failure(answers.get('b')!)).toMatchObject({ failure: 'UNAUTHORIZED', message: 'SAYMON account "default" denied access (403)' });
  });

  it('asks once per distinct id, at most `concurrency` at a time across callers', async () => {
    up.on('GET', STATUS_PATH, { delayMs: 15, body: { finished: false } });
    const c = client(undefined, { options: { concurrency: 2 } });
    const ids = Array.from({ length: 10 }, (_, i) => `op-${i}`);
    const [first, second] = await Promise.all([
      c.fetchStatuses('SAYMON_BULK_OP', [...ids.slice(0, 5), 'op-0']),
      c.fetchStatuses('SAYMON_BULK_OP', ids.slice(5)),
    ]);
    expect(first.size + second.size).toBe(10);
    expect(up.requests).toHaveLength(10);
    expect(up.maxInFlight).toBe(2);
  });

  describe('session auth', () => {
    it('logs in once for concurrent callers and sends the session cookie', async () => {
      sessionServer();
      const c = client(SESSION);
      const [first, second] = await Promise.all([c.fetchStatuses('SAYMON_BULK_OP', ['a', 'b', 'c']), c.fetchStatuses('SAYMON_BULK_OP', ['d'])]);
      for (const outcome of [...first.values(), ...second.values()]) expect(snapshot(outcome).state).toBe('RUNNING');
      expect(logins()).toHaveLength(1);
      expect(JSON.parse(logins()[0]!.body)).toEqual({ login: 'robot', password: PASSWORD });
      expect(statusCalls().map((r) => r.headers.cookie)).toEqual(Array(4).fill('sid=session-1'));
      await c.fetchStatuses('SAYMON_BULK_OP', ['e']);
      expect(logins()).toHaveLength(1);
    });

    it('logs in again once when the session has expired, for all callers that saw the 401', async () => {
      const server = sessionServer();
      const c = client(SESSION);
      await c.fetchStatuses('SAYMON_BULK_OP', ['a']);
      server.expire();
      const answers = await c.fetchStatuses('SAYMON_BULK_OP', ['b', 'c', 'd']);
      for (const outcome of answers.values()) expect(snapshot(outcome).state).toBe('RUNNING');
      expect(logins()).toHaveLength(2);
    });

    it('uses sid=<id> from the body when no cookie is set', async () => {
      sessionServer({ setCookie: false });
      expect(snapshot(await bulkOp('a', client(SESSION))).state).toBe('RUNNING');
      expect(statusCalls()[0]!.headers.cookie).toBe('sid=session-1');
    });

    it('answers UNAUTHORIZED for a refused login, and tries to log in again on the next ask', async () => {
      sessionServer();
      const c = client({ scheme: 'session', login: 'robot', password: 'wrong-password' });
      const answers = await c.fetchStatuses('SAYMON_BULK_OP', ['a', 'b']);
      for (const outcome of answers.values()) {
        expect(failure(outcome)).toMatchObject({ failure: 'UNAUTHORIZED', message: 'SAYMON account "default" rejected our credentials (401)' });
      }
      expect(logins()).toHaveLength(1);
      expect(statusCalls()).toHaveLength(0);
      await c.fetchStatuses('SAYMON_BULK_OP', ['a']);
      expect(logins()).toHaveLength(2);
    });

    it('answers UNAUTHORIZED when a fresh session is refused too, after one re-login only', async () => {
      up.on('POST', '/node/api/users/session', { body: '"sid-x"', headers: { 'content-type': 'application/json', 'set-cookie': 'sid=sid-x; Path=/' } });
      up.on('GET', STATUS_PATH, { status: 401, body: UNAUTHORIZED_BODY });
      expect(failure(await bulkOp('a', client(SESSION)))).toMatchObject({ failure: 'UNAUTHORIZED' });
      expect(logins()).toHaveLength(2);
      expect(statusCalls()).toHaveLength(2);
    });
  });

  it('never puts a password, token or upstream body in a failure message', async () => {
    const leaky = { code: 'Oops', message: `{"errorCode":9,"message":"${PASSWORD} ${TOKEN}"}` };
    up.on('GET', '/node/api/bulk/401/status', { status: 401, body: leaky });
    up.on('GET', '/node/api/bulk/429/status', { status: 429, body: leaky, headers: { 'retry-after': '120' } });
    up.on('GET', '/node/api/bulk/500/status', { status: 500, body: leaky });
    up.on('GET', '/node/api/bulk/400/status', { status: 400, body: leaky });
    up.on('GET', '/node/api/bulk/garbage/status', { body: `${PASSWORD} ${TOKEN}`, headers: { 'content-type': 'application/json' } });
    up.on('GET', '/node/api/bulk/hang/status', { hang: true });
    const ids = ['401', '429', '500', '400', 'garbage', 'hang'];
    const messages: string[] = [];
    for (const auth of [{ scheme: 'basic', login: 'robot', password: PASSWORD }, { scheme: 'token', token: TOKEN }] as const) {
      const answers = await client(auth, { options: { timeoutMs: 200 } }).fetchStatuses('SAYMON_BULK_OP', ids);
      messages.push(...ids.map((id) => failure(answers.get(id)!).message));
    }
    const refused = await startFakeUpstream();
    await refused.close();
    messages.push(failure(await bulkOp('x', client({ scheme: 'token', token: TOKEN }, { baseUrl: refused.url }))).message);
    up.on('POST', '/node/api/users/session', { status: 400, body: leaky });
    messages.push(failure(await bulkOp('x', client(SESSION))).message);

    expect(messages).toHaveLength(14);
    for (const message of messages) {
      expect(message).toMatch(/^SAYMON account "default" /);
      expect(message).not.toContain(PASSWORD);
      expect(message).not.toContain(TOKEN);
      expect(message).not.toContain('errorCode');
    }
  });
});
