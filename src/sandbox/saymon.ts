/**
 * Simulated SAYMON: bulk operations and their `{finished}` status, with SAYMON's three auth
 * schemes (Basic, session cookie, `?api-token=`) and its restify-style `{code, message}` errors,
 * whose auth `message` is itself a JSON string.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { basicCredentials, cookies, sameSecret } from './auth.js';
import { isMissingId, saymonFinishedAt } from './lifecycle.js';
import { matchRoute, type ProviderHandler, type Reply, route, type SandboxCall } from './router.js';
import { SeenJobs } from './seen-jobs.js';

export interface SaymonOptions {
  readonly clock: Clock;
  readonly timeScale: number;
  readonly login: string;
  readonly password: string;
  readonly apiToken: string;
}

/** The cookie `POST /node/api/users/session` sets; any cookie carrying a live session id is accepted. */
export const SAYMON_SESSION_COOKIE = 'sid';

/** Sessions live as long as the sandbox; bounded so a client logging in per call cannot grow it forever. */
const MAX_SESSIONS = 10_000;

const NOT_LOGGED_IN: Reply = {
  status: 401,
  body: { code: 'Unauthorized', message: JSON.stringify({ errorCode: 3, message: 'Not logged in.' }) },
};
const INVALID_CREDENTIALS: Reply = {
  status: 401,
  body: { code: 'InvalidCredentials', message: JSON.stringify({ errorCode: 3, message: 'Invalid login or password.' }) },
};

function error(status: number, code: string, message: string): Reply {
  return { status, body: { code, message } };
}

export function saymonHandler(options: SaymonOptions): ProviderHandler {
  const { clock, timeScale } = options;
  const bulkOps = new SeenJobs();
  const sessions = new Set<string>();

  function createBulkOp(call: SandboxCall): Reply {
    if (call.body.kind === 'invalid') return error(400, 'InvalidContent', 'Invalid JSON in request body.');
    const value = call.body.kind === 'json' ? call.body.value : undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return error(400, 'InvalidContent', 'Request body must be a JSON object.');
    }
    const bulkId = randomUUID();
    bulkOps.see(bulkId, clock.now());
    return { status: 200, body: { bulkId, finished: false } };
  }

  function logIn(call: SandboxCall): Reply {
    if (call.body.kind === 'invalid') return error(400, 'InvalidContent', 'Invalid JSON in request body.');
    const value = call.body.kind === 'json' ? call.body.value : undefined;
    const fields = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
    if (typeof fields.login !== 'string' || typeof fields.password !== 'string' || !validLogin(fields.login, fields.password)) {
      return INVALID_CREDENTIALS;
    }
    const sessionId = randomBytes(16).toString('hex');
    if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.values().next().value ?? '');
    sessions.add(sessionId);
    // The body is the session id as a bare JSON string, as SAYMON answers.
    return { status: 200, body: sessionId, headers: { 'set-cookie': `${SAYMON_SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly` } };
  }

  function validLogin(login: string, password: string): boolean {
    // Both compared every time, so a right login with a wrong password takes as long as neither.
    const loginOk = sameSecret(login, options.login);
    const passwordOk = sameSecret(password, options.password);
    return loginOk && passwordOk;
  }

  /** Token, then session cookie, then Basic; the first scheme presented decides. */
  function authenticate(call: SandboxCall): Reply | null {
    const token = call.query['api-token'];
    if (token !== undefined) return sameSecret(token, options.apiToken) ? null : NOT_LOGGED_IN;
    const basic = basicCredentials(call.headers);
    if (basic) return validLogin(basic.user, basic.password) ? null : INVALID_CREDENTIALS;
    const presented = [...cookies(call.headers).values()];
    return presented.some((value) => sessions.has(value)) ? null : NOT_LOGGED_IN;
  }

  const routes = [
    route('POST', '/node/api/users/session', logIn),
    route('GET', '/node/api/bulk/:id/status', (_call, { id = '' }) => {
      if (isMissingId(id)) return error(404, 'NotFound', `Bulk operation ${id} not found.`);
      const op = bulkOps.see(id, clock.now());
      return { status: 200, body: { finished: saymonFinishedAt({ id, firstSeen: op.firstSeen, now: clock.now(), timeScale }) } };
    }),
    route('POST', '/node/api/bulk/objects', createBulkOp),
    route('POST', '/node/api/objects/:id/clone-bulk', createBulkOp),
  ];

  return (call) => {
    const matched = matchRoute(routes, call.method, call.segments);
    // restify answers unknown routes before any auth, with this code and wording.
    if (!matched) return error(404, 'ResourceNotFound', `/${call.segments.join('/')} does not exist`);
    if (matched.route.handle !== logIn) {
      const refusal = authenticate(call);
      if (refusal) return refusal;
    }
    return matched.route.handle(call, matched.params);
  };
}
