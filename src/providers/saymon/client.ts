/**
 * SAYMON: bulk operations, `GET /node/api/bulk/{id}/status` → `{"finished": boolean}`. One call per
 * distinct id, at most `concurrency` in flight per account across all callers.
 *
 * Auth follows the account's scheme: HTTP Basic, an API token in the query (`?api-token=`), or a
 * session. A session is opened lazily by `POST /node/api/users/session`, once for all concurrent
 * callers, and opened anew once when a status call answers 401 (sessions expire).
 */
import pLimit from 'p-limit';
import { z } from 'zod';
import { systemClock } from '../../clock.js';
import type { JobOutcome } from '../../jobs/model.js';
import type { ProviderClient } from '../../jobs/ports.js';
import type { SaymonAccount, SaymonAuth } from './descriptor.js';
import { type Upstream, type UpstreamAuth, type UpstreamDeps, type UpstreamError, type UpstreamResult, basicAuth, createUpstream } from '../http.js';
import { type ProviderWords, type Answers, answersFor, notServed, unexpectedStatus, unreadableBody } from '../outcome.js';

const STATUS_ROUTE = '/node/api/bulk/{id}/status';
const SESSION_PATH = '/node/api/users/session';

/** `{"finished": false}`: nothing else (no progress, no outcome). */
const BulkStatusWire = z.looseObject({ finished: z.boolean() });

/** The client for one SAYMON account, serving bulk operations. */
export function createSaymonClient(account: SaymonAccount, deps: UpstreamDeps, words: ProviderWords & { label: string }): ProviderClient {
  const clock = deps.clock ?? systemClock;
  const upstream = createUpstream({
    ...deps,
    provider: 'SAYMON',
    label: words.label,
    account: account.name,
    baseUrl: account.baseUrl,
    auth: staticAuth(account.auth),
  });
  const session = account.auth.scheme === 'session' ? createSession(upstream, account.auth.login, account.auth.password) : null;
  const limit = pLimit(deps.options.concurrency);

  /** One status call, with the session cookie when the scheme has one. */
  function ask(id: string, cookie: string | null): Promise<UpstreamResult> {
    return upstream.request({
      route: STATUS_ROUTE,
      path: `/node/api/bulk/${encodeURIComponent(id)}/status`,
      headers: cookie === null ? {} : { cookie },
    });
  }

  /** Asks for one status; under session auth, opens a session first and a fresh one once on a 401. */
  async function askStatus(id: string): Promise<UpstreamResult> {
    if (!session) return ask(id, null);
    const cookie = await session.cookie();
    if (typeof cookie !== 'string') return cookie;
    const answer = await ask(id, cookie);
    if (answer.ok || answer.status !== 401) return answer;
    const renewed = await session.renew(cookie);
    return typeof renewed === 'string' ? ask(id, renewed) : renewed;
  }

  async function bulkOp(answers: Answers, id: string): Promise<JobOutcome> {
    const answer = await askStatus(id);
    if (!answer.ok) return answers.failure(id, answer);
    // The error body ({code, message}, message itself JSON) is never passed on: it is the server's text.
    if (answer.status === 404) return answers.notFound(id);
    if (answer.status >= 300) return answers.failure(id, unexpectedStatus(upstream, answer.status));
    const parsed = BulkStatusWire.safeParse(answer.body);
    if (!parsed.success) return answers.failure(id, unreadableBody(upstream, answer.status));
    const { finished } = parsed.data;
    return answers.snapshot(id, { rawStatus: String(finished), details: { kind: 'SAYMON_BULK_OP', finished } });
  }

  return {
    provider: 'SAYMON',
    account: account.name,
    kinds: ['SAYMON_BULK_OP'],
    sandbox: account.sandbox,
    rateLimit: upstream.rateLimit,
    maxRequestsPerMinute: account.maxRequestsPerMinute ?? null,
    batchSize: 1,
    async fetchStatuses(kind, nativeIds) {
      if (kind !== 'SAYMON_BULK_OP') return notServed(kind, account.name, upstream, clock, words, nativeIds);
      const answers = answersFor(kind, account.name, upstream, clock, words);
      return answers.each(nativeIds, limit, (id) => bulkOp(answers, id));
    },
  };
}

/** What every request carries; a session's cookie is added per request instead. */
function staticAuth(auth: SaymonAuth): UpstreamAuth {
  switch (auth.scheme) {
    case 'basic':
      return { headers: { authorization: basicAuth(auth.login, auth.password) } };
    case 'token':
      return { query: { 'api-token': auth.token } };
    case 'session':
      return {};
  }
}

interface Session {
  /** The `Cookie` header value of the current session, logging in first if there is none. */
  cookie(): Promise<string | UpstreamError>;
  /** A fresh session after `stale` was refused; callers that raced on the same refusal share one login. */
  renew(stale: string): Promise<string | UpstreamError>;
}

/**
 * A SAYMON session, single-flighted. The login answer sets the `sid` cookie (`Set-Cookie: sid=…; Path=/`)
 * and also returns the session id as a JSON string; we send back the cookies we were given, or
 * `sid=<id>` from the body when a proxy dropped `Set-Cookie`. A failed login is not remembered, so
 * the next ask tries again (the store's caching keeps that from becoming a login storm).
 */
function createSession(upstream: Upstream, login: string, password: string): Session {
  let current: Promise<string | UpstreamError> | null = null;
  /** The cookie `current` resolved to; null while it is pending or failed. */
  let currentCookie: string | null = null;

  function open(): Promise<string | UpstreamError> {
    currentCookie = null;
    const opening = (async () => {
      const answer = await upstream.request({
        route: SESSION_PATH,
        path: SESSION_PATH,
        method: 'POST',
        body: { login, password },
        // The id is documented as a JSON string; a bare one is accepted too (the cookie is what counts).
        parse: parseLenient,
      });
      if (!answer.ok) return answer;
      if (answer.status === 404) return unexpectedStatus(upstream, answer.status);
      // A wrong login or password may come as another 4xx; its body is the server's text, not passed on.
      if (answer.status >= 400) return upstream.fail('UNAUTHORIZED', `refused to open a session (${answer.status})`, answer.status);
      const cookie = cookieOf(answer.headers, answer.body);
      return cookie ?? unreadableBody(upstream, answer.status);
    })();
    current = opening;
    void opening.then((result) => {
      if (current !== opening) return;
      if (typeof result === 'string') currentCookie = result;
      else current = null;
    });
    return opening;
  }

  return {
    cookie: () => current ?? open(),
    renew: (stale) => (current && currentCookie !== stale ? current : open()),
  };
}

/** `name=value` of every `Set-Cookie`, else `sid=<id>` from the body. */
function cookieOf(headers: Headers, body: unknown): string | null {
  const pairs = headers
    .getSetCookie()
    .map((line) => line.split(';', 1)[0]!.trim())
    .filter((pair) => pair.includes('='));
  if (pairs.length) return pairs.join('; ');
  return typeof body === 'string' && body ? `sid=${body}` : null;
}

function parseLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.trim();
  }
}
