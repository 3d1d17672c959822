/**
 * The one HTTP factory every upstream call goes through: URL joining, auth, a per-attempt timeout,
 * bounded retries with jitter, and the classification of failures into the domain's error codes.
 *
 * Nothing here throws. An attempt ends either with a response the provider module interprets
 * (2xx, 404 and the 4xx that are not about auth or rate limits) or with an `UpstreamError` whose
 * message is safe for users: it names the provider, the account and what happened, never a URL
 * (the SAYMON token travels in the query), a header or an upstream body.
 */
import { ofetch } from 'ofetch';
import { type Clock, systemClock } from '../jobs/clock.js';
import { PROVIDER_LABELS, type Provider, type ProviderErrorCode } from '../jobs/model.js';
import type { UpstreamExchange, UpstreamOptions } from './client.js';

/** What every provider client needs besides its account. */
export interface UpstreamDeps {
  readonly options: UpstreamOptions;
  /** Stamps `checkedAt`, measures exchanges and reads `Retry-After` dates; the system clock if omitted. */
  readonly clock?: Clock;
  /** Called once per HTTP attempt, for metrics and logs. */
  readonly onExchange?: (exchange: UpstreamExchange) => void;
}

/** Credentials sent with every request of one account. */
export interface UpstreamAuth {
  readonly headers?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
}

export interface UpstreamConfig extends UpstreamDeps {
  readonly provider: Provider;
  readonly account: string;
  /** May carry a path prefix (`http://proxy.internal/zendesk`); it is kept. */
  readonly baseUrl: string;
  readonly auth: UpstreamAuth;
}

export interface UpstreamRequest {
  /** The route template for metrics, e.g. `/v1/bulkJobs/{jobId}`; never contains ids. */
  readonly route: string;
  /** Appended to the base URL's path; ids in it must already be URL-encoded. */
  readonly path: string;
  /** Only GETs are retried: they are the only idempotent calls we make. */
  readonly method?: 'GET' | 'POST';
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Turns the body text into a value; `JSON.parse` if omitted. Throwing means "not JSON". */
  readonly parse?: (text: string) => unknown;
}

/** An answer for the provider module to interpret: any 2xx with a JSON body, or a 4xx not classified here. */
export interface UpstreamResponse {
  readonly ok: true;
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON; for a 4xx whose body is not JSON, the text (never to be shown to users). */
  readonly body: unknown;
}

/** A classified failure. */
export interface UpstreamError {
  readonly ok: false;
  readonly code: ProviderErrorCode;
  /** Safe to show to users. */
  readonly message: string;
  /** How long the provider asked us to wait (429 only). */
  readonly retryAfterMs: number | null;
  /** The HTTP status when there was one. */
  readonly status: number | null;
}

export type UpstreamResult = UpstreamResponse | UpstreamError;

export interface Upstream {
  /** Sends one request, retrying as `UpstreamOptions` says; never rejects. */
  request(request: UpstreamRequest): Promise<UpstreamResult>;
  /** Builds a failure with the same safe wording, for what the provider module finds wrong. */
  fail(code: ProviderErrorCode, what: string, status?: number | null): UpstreamError;
  /** `ImageKit account "default"`: how messages name this account. */
  readonly label: string;
}

/** What one attempt brought back, before classification. */
type Sent =
  | { readonly status: number; readonly headers: Headers; readonly text: string }
  | { readonly lost: 'timeout' | 'network'; readonly error: unknown };

/** Creates the HTTP access to one provider account. */
export function createUpstream(config: UpstreamConfig): Upstream {
  const { options, auth } = config;
  const clock = config.clock ?? systemClock;
  const label = `${PROVIDER_LABELS[config.provider]} account "${config.account}"`;

  function fail(code: ProviderErrorCode, what: string, status: number | null = null, retryAfterMs: number | null = null): UpstreamError {
    return { ok: false, code, message: `${label} ${what}`, retryAfterMs, status };
  }

  /** One HTTP attempt: the raw answer, or how it was lost. Never rejects. */
  async function send(request: UpstreamRequest): Promise<Sent> {
    // Our own timer rather than ofetch's `timeout`: ofetch clears its timer once the headers are
    // in, and a body that never ends would then hang the call. This one covers the body too.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    const hasBody = request.body !== undefined;
    try {
      const response = await ofetch.raw<string, 'text'>(urlOf(config.baseUrl, request.path, { ...auth.query, ...request.query }), {
        method: request.method ?? 'GET',
        headers: { accept: 'application/json', ...(hasBody && { 'content-type': 'application/json' }), ...auth.headers, ...request.headers },
        body: hasBody ? JSON.stringify(request.body) : undefined,
        responseType: 'text',
        retry: 0,
        ignoreResponseError: true,
        signal: controller.signal,
      });
      return { status: response.status, headers: response.headers, text: response._data ?? '' };
    } catch (error) {
      return { lost: timedOut ? 'timeout' : 'network', error };
    } finally {
      clearTimeout(timer);
    }
  }

  /** One HTTP attempt, reported and classified. */
  async function attempt(request: UpstreamRequest): Promise<UpstreamResult> {
    const started = clock.now();
    const sent = await send(request);
    config.onExchange?.({
      provider: config.provider,
      account: config.account,
      route: request.route,
      outcome: 'lost' in sent ? sent.lost : String(sent.status),
      durationMs: clock.now() - started,
    });
    if ('lost' in sent) {
      return sent.lost === 'timeout'
        ? fail('TIMEOUT', `did not answer within ${options.timeoutMs} ms`)
        : fail('UNAVAILABLE', `could not be reached${networkCode(sent.error)}`);
    }

    const { status, headers, text } = sent;
    if (status === 401) return fail('UNAUTHORIZED', 'rejected our credentials (401)', status);
    if (status === 403) return fail('UNAUTHORIZED', 'denied access (403)', status);
    if (status === 429) {
      const retryAfterMs = retryAfterOf(headers, clock.now());
      const wait = retryAfterMs === null ? '' : `; retry after ${retryAfterMs} ms`;
      return fail('RATE_LIMITED', `is rate limited (429)${wait}`, status, retryAfterMs);
    }
    if (status >= 500) return fail('UNAVAILABLE', `answered ${status}`, status);
    try {
      return { ok: true, status, headers, body: (request.parse ?? JSON.parse)(text) };
    } catch {
      // A 4xx is the provider module's to interpret even without JSON; a 2xx must be JSON.
      if (status >= 400) return { ok: true, status, headers, body: text };
      return fail('BAD_RESPONSE', `answered ${status} with a body that is not JSON`, status);
    }
  }

  async function request(request: UpstreamRequest): Promise<UpstreamResult> {
    const retries = (request.method ?? 'GET') === 'GET' ? options.retries : 0;
    for (let retry = 0; ; retry++) {
      const result = await attempt(request);
      if (result.ok || retry >= retries || !isRetryable(result)) return result;
      // Full jitter: a random wait in [0, base·2^retry), so that many callers don't retry in step.
      const backoffMs = Math.random() * options.retryBaseMs * 2 ** retry;
      const askedMs = result.retryAfterMs ?? 0;
      if (askedMs > options.maxRetryWaitMs) return result;
      await sleep(Math.max(Math.min(backoffMs, options.maxRetryWaitMs), askedMs));
    }
  }

  return { request, fail: (code, what, status = null) => fail(code, what, status), label };
}

/** 429, 5xx and network errors are worth another try; a timeout is not (it would multiply latency). */
function isRetryable(error: UpstreamError): boolean {
  return error.code === 'RATE_LIMITED' || error.code === 'UNAVAILABLE';
}

/**
 * Joins base URL, path and query, keeping the base's path prefix and the path's own shape
 * (trailing `.json` included): `http://proxy/zendesk/` + `/api/v2/x.json` → `http://proxy/zendesk/api/v2/x.json`.
 */
export function urlOf(baseUrl: string, path: string, query: Readonly<Record<string, string>> = {}): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url.toString();
}

/**
 * How long a 429 asks us to wait, in ms: `Retry-After` (seconds or an HTTP date; Zendesk) and
 * `X-RateLimit-Reset` (milliseconds; ImageKit). When both are present, the larger wins.
 */
export function retryAfterOf(headers: Headers, nowMs: number): number | null {
  const waits: number[] = [];
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    const ms = /^\d+(\.\d+)?$/.test(retryAfter) ? Number(retryAfter) * 1000 : Date.parse(retryAfter) - nowMs;
    if (Number.isFinite(ms)) waits.push(Math.max(0, Math.ceil(ms)));
  }
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset && /^\d+(\.\d+)?$/.test(reset)) waits.push(Math.ceil(Number(reset)));
  return waits.length ? Math.max(...waits) : null;
}

/** Base64 of `user:password`, for HTTP Basic. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** The system error code (ECONNREFUSED, ENOTFOUND…) is safe to show; the error's message may hold the URL. */
function networkCode(error: unknown): string {
  let cause: unknown = error;
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return ` (${code})`;
    cause = cause.cause;
  }
  return '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
