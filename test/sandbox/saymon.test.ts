import { describe, expect, it } from 'vitest';
import { basic, call, json, saymonAuth, started } from './support.js';

const BULK_ID = '079b3102-9a1e-4b64-9bd8-5a1d2c1a0f3e';
/** Every SAYMON bulk operation has finished 35 s after it was first seen (time scale 1). */
const ALL_DONE_MS = 35_000;

describe('sandbox SAYMON', () => {
  it('refuses a request without credentials: Unauthorized, message a JSON string', async () => {
    const { sandbox } = await started();
    const refused = await call(`${sandbox.baseUrls.saymon}/node/api/bulk/${BULK_ID}/status`);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ code: 'Unauthorized', message: '{"errorCode":3,"message":"Not logged in."}' });
    expect(JSON.parse(refused.body.message)).toEqual({ errorCode: 3, message: 'Not logged in.' });
  });

  it('refuses a wrong password with InvalidCredentials', async () => {
    const { sandbox } = await started();
    const refused = await call(`${sandbox.baseUrls.saymon}/node/api/bulk/${BULK_ID}/status`, {
      headers: { authorization: basic(sandbox.credentials.saymonLogin, 'wrong') },
    });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ code: 'InvalidCredentials', message: '{"errorCode":3,"message":"Invalid login or password."}' });
  });

  it('accepts Basic login:password', async () => {
    const { sandbox } = await started();
    const answer = await call(`${sandbox.baseUrls.saymon}/node/api/bulk/${BULK_ID}/status`, { headers: saymonAuth(sandbox) });
    expect(answer).toMatchObject({ status: 200, body: { finished: false } });
  });

  it('opens a session whose cookie then authenticates', async () => {
    const { sandbox } = await started();
    const { saymonLogin: login, saymonPassword: password } = sandbox.credentials;
    const sessionUrl = `${sandbox.baseUrls.saymon}/node/api/users/session`;

    const wrong = await call(sessionUrl, json('POST', { login, password: 'nope' }, {}));
    expect(wrong).toMatchObject({ status: 401, body: { code: 'InvalidCredentials' } });

    const session = await call(sessionUrl, json('POST', { login, password }, {}));
    expect(session.status).toBe(200);
    expect(typeof session.body).toBe('string');
    const cookie = session.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(session.body);

    const statusUrl = `${sandbox.baseUrls.saymon}/node/api/bulk/${BULK_ID}/status`;
    const withCookie = await call(statusUrl, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(withCookie).toMatchObject({ status: 200, body: { finished: false } });
    const staleCookie = await call(statusUrl, { headers: { cookie: 'sid=0123' } });
    expect(staleCookie).toMatchObject({ status: 401, body: { code: 'Unauthorized' } });
  });

  it('accepts its API token as ?api-token= and refuses others', async () => {
    const { sandbox } = await started({ credentials: { saymonApiToken: 'token-123' } });
    const url = `${sandbox.baseUrls.saymon}/node/api/bulk/${BULK_ID}/status`;
    expect((await call(`${url}?api-token=token-123`)).status).toBe(200);
    expect(await call(`${url}?api-token=other`)).toMatchObject({ status: 401, body: { code: 'Unauthorized' } });
  });

  it('finishes a bulk operation once enough time has passed', async () => {
    const { sandbox, clock } = await started();
    const url = `${sandbox.baseUrls.saymon}/node/api/bulk/${BULK_ID}/status`;
    expect((await call(url, { headers: saymonAuth(sandbox) })).body).toEqual({ finished: false });
    clock.advance(ALL_DONE_MS);
    expect((await call(url, { headers: saymonAuth(sandbox) })).body).toEqual({ finished: true });
  });

  it('creates bulk operations (objects and clone-bulk) whose status is then served', async () => {
    const { sandbox, clock } = await started();
    const auth = saymonAuth(sandbox);
    const objects = await call(`${sandbox.baseUrls.saymon}/node/api/bulk/objects`, json('POST', { search: { name: 'x' }, bulk: [{ op: 'update' }] }, auth));
    const clone = await call(`${sandbox.baseUrls.saymon}/node/api/objects/42/clone-bulk`, json('POST', { count: 3 }, auth));
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const created of [objects, clone]) {
      expect(created).toMatchObject({ status: 200, body: { bulkId: expect.stringMatching(uuid), finished: false } });
      const url = `${sandbox.baseUrls.saymon}/node/api/bulk/${created.body.bulkId}/status`;
      expect((await call(url, { headers: auth })).body).toEqual({ finished: false });
    }
    clock.advance(ALL_DONE_MS);
    const done = await call(`${sandbox.baseUrls.saymon}/node/api/bulk/${objects.body.bulkId}/status`, { headers: auth });
    expect(done.body).toEqual({ finished: true });
  });

  it('answers 404 for a missing bulk id and for unknown routes, 400 for bodies that are not JSON', async () => {
    const { sandbox } = await started();
    const auth = saymonAuth(sandbox);
    const missing = await call(`${sandbox.baseUrls.saymon}/node/api/bulk/missing-bulk/status`, { headers: auth });
    expect(missing).toMatchObject({ status: 404, body: { code: expect.any(String), message: expect.any(String) } });
    const typo = await call(`${sandbox.baseUrls.saymon}/node/api/bulks/${BULK_ID}/status`, { headers: auth });
    expect(typo).toMatchObject({ status: 404, body: { code: 'ResourceNotFound' } });
    const garbage = await call(`${sandbox.baseUrls.saymon}/node/api/bulk/objects`, { method: 'POST', body: 'not json', headers: auth });
    expect(garbage).toMatchObject({ status: 400, body: { code: 'InvalidContent' } });
  });
});
