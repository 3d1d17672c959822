/**
 * The one HTTP factory every upstream call goes through: auth, a per-attempt deadline, a cap on
 * the bytes read, bounded retries with jitter, and the classification of failures into the
 * domain's error codes.
 *
 * The request itself is ofetch's (`ofetch.raw`): joining `baseURL` and path (a base's path prefix
 * is kept), encoding `query`, serialising the JSON `body` with its content type, `redirect:
 * 'manual'`, and handing the body back unread (`responseType: 'stream'`, `ignoreResponseError`, so
 * every status comes back as a response). Written here, because ofetch cannot do it:
 * - the deadline covers the body read too, and the read is raced with it: undici's fetch can fail
 *   to settle after an abort while it is inflating a compressed body, and a promise that never
 *   settles would hold the account's concurrency slot and the store's in-flight entry forever
 *   (ofetch's `timeout` stops at the headers);
 * - the body is read as a stream up to `maxBodyBytes`, counted after inflation (gzip bombs);
 * - retries (`retry: 0` for ofetch): ofetch's retry shares one abort signal across attempts (no
 *   per-attempt deadline), cannot decline a retry when the provider asks to wait longer than
 *   `maxRetryWaitMs`, and would retry before the body is read and each attempt reported. Ours
 *   retries GETs only, after 429, 5xx and network errors, with full jitter, the provider's wait
 *   winning over the backoff;
 * - `Retry-After` / `X-RateLimit-Reset` parsing, clamped to `MAX_PROVIDER_WAIT_MS`.
 *
 * Redirects are never followed (a 3xx is `BAD_RESPONSE`, one call): a redirect to another host
 * would carry the SAYMON token (it travels in the query) there, and its answer would be taken for
 * the provider's.
 *
 * Nothing here throws. An attempt ends either with a response the provider module interprets
 * (2xx, 404 and the 4xx that are not about auth or rate limits) or with an `UpstreamError` whose
 * message is safe for users: it names the provider, the account and what happened, never a URL
 * (the SAYMON token travels in the query; ofetch's own error messages hold it), a header or an
 * upstream body.
 */
import { ofetch } from 'ofetch';
import { type Clock, systemClock } from '../clock.js';
import { MAX_PROVIDER_WAIT_MS, type Provider, type ProviderErrorCode } from '../jobs/model.js';
import type { AdvertisedLimit } from '../jobs/ports.js';

export { MAX_PROVIDER_WAIT_MS } from '../jobs/model.js';

/** How every upstream call behaves; the same for all providers. */
export interface UpstreamOptions {
  /** Per attempt. */
  readonly timeoutMs: number;
  /** Extra attempts after the first, for 429, 5xx and network errors only. */
  readonly retries: number;
  /** Base of the exponential backoff between attempts (full jitter). */
  readonly retryBaseMs: number;
  /** A 429 asking to wait longer than this is not retried; its wait is reported instead. */
  readonly maxRetryWaitMs: number;
  /** Calls in flight at once per account, for providers asked one id per call. */
  readonly concurrency: number;
  /**
   * `UPSTREAM_QUEUE_MS`: how long a query's call may wait for a turn of its account's pacer (the
   * status store applies it; `DEFAULT_QUEUE_MS` if omitted).
   */
  readonly queueMs?: number;
  /**
   * Most bytes read of one answer, after inflation; past it the answer is `BAD_RESPONSE`.
   * `DEFAULT_MAX_BODY_BYTES` (8 MiB) if omitted.
   */
  readonly maxBodyBytes?: number;
}

/** One finished upstream HTTP exchange, for metrics and logs. */
export interface UpstreamExchange {
  readonly provider: Provider;
  readonly account: string;
  /** The route template, e.g. `/api/v2/job_statuses/show_many.json`, never the ids. */
  readonly route: string;
  /** HTTP status, or `timeout` / `network`. */
  readonly outcome: string;
  readonly durationMs: number;
}

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
  /** How messages name the provider (its descriptor's `label`). */
  readonly label: string;
  readonly account: string;
  /** May carry a path prefix (`http://proxy.internal/zendesk`); it is kept. */
  readonly baseUrl: string;
  readonly auth: UpstreamAuth;
}

export interface UpstreamRequest {
  /** The route template for metrics, e.g. `/v1/bulkJobs/{jobId}`; never contains ids. */
  readonly route: string;
  /** Appended to the base URL's path (ofetch's `baseURL`); starts with `/`, and ids in it must already be URL-encoded. */
  readonly path: string;
  /** Only GETs are retried: they are the only idempotent calls we make. */
  readonly method?: 'GET' | 'POST';
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON object or array, sent as JSON (ofetch serialises it and sets the content type). */
  readonly body?: Readonly<Record<string, unknown>> | readonly unknown[];
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
  /** The rate limit advertised on the latest answer that carried one; null: none seen yet. */
  rateLimit(): AdvertisedLimit | null;
}

/** The default of `UpstreamOptions.maxBodyBytes` (`UPSTREAM_MAX_BODY_BYTES`): 8 MiB, inflated. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

/** What one attempt brought back, before classification; `text` null: the body passed the byte cap. */
type Sent =
  | { readonly status: number; readonly headers: Headers; readonly text: string | null }
  | { readonly lost: 'timeout' | 'network'; readonly error: unknown };

/** Creates the HTTP access to one provider account. */
export function createUpstream(config: UpstreamConfig): Upstream {
  const { options, auth } = config;
  const clock = config.clock ?? systemClock;
  const label = `${config.label} account "${config.account}"`;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let advertised: AdvertisedLimit | null = null;

  function fail(code: ProviderErrorCode, what: string, status: number | null = null, retryAfterMs: number | null = null): UpstreamError {
    return { ok: false, code, message: `${label} ${what}`, retryAfterMs, status };
  }

  /**
   * One HTTP attempt: the raw answer, or how it was lost. Never rejects, and settles at the
   * deadline at the latest, even when the fetch or the body read underneath never does.
   */
  async function send(request: UpstreamRequest): Promise<Sent> {
    const controller = new AbortController();
    const body = new CappedBody(maxBodyBytes);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<Sent>((resolve) => {
      timer = setTimeout(() => {
        resolve({ lost: 'timeout', error: null });
        body.abandon();
        controller.abort();
      }, options.timeoutMs);
    });
    const exchange = (async (): Promise<Sent> => {
      try {
        const response = await ofetch.raw(request.path, {
          baseURL: config.baseUrl,
          method: request.method ?? 'GET',
          query: { ...auth.query, ...request.query },
          headers: { accept: 'application/json', ...auth.headers, ...request.headers },
          // ofetch's type wants a mutable record; it only serialises it.
          body: request.body as Record<string, unknown> | undefined,
          redirect: 'manual',
          responseType: 'stream',
          ignoreResponseError: true,
          retry: 0,
          signal: controller.signal,
        });
        const text = await body.read(response);
        if (text === null) controller.abort();
        return { status: response.status, headers: response.headers, text };
      } catch (error) {
        return { lost: controller.signal.aborted ? 'timeout' : 'network', error };
      }
    })();
    try {
      return await Promise.race([exchange, deadline]);
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
    // Every answer may say how much is left: the account's pacer reads the latest.
    advertised = rateLimitOf(headers, clock.now()) ?? advertised;
    if (status === 401) return fail('UNAUTHORIZED', 'rejected our credentials (401)', status);
    if (status === 403) return fail('UNAUTHORIZED', 'denied access (403)', status);
    if (status === 429) {
      const retryAfterMs = retryAfterOf(headers, clock.now());
      const wait = retryAfterMs === null ? '' : `; retry after ${retryAfterMs} ms`;
      return fail('RATE_LIMITED', `is rate limited (429)${wait}`, status, retryAfterMs);
    }
    if (status >= 500) return fail('UNAVAILABLE', `answered ${status}`, status);
    if (status >= 300 && status < 400) return fail('BAD_RESPONSE', `answered with a redirect (${status}), which is not followed`, status);
    if (text === null) return fail('BAD_RESPONSE', `answered ${status} with a body larger than ${maxBodyBytes} bytes`, status);
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

  return { request, fail: (code, what, status = null) => fail(code, what, status), label, rateLimit: () => advertised };
}

/** A header's value as a non-negative number, or null. */
function numberHeader(headers: Headers, name: string): number | null {
  const value = headers.get(name)?.trim();
  return value && /^\d+(\.\d+)?$/.test(value) ? Number(value) : null;
}

/**
 * The rate limit an answer advertises, or null when it names none:
 * - ImageKit: `X-RateLimit-Limit` calls per `X-RateLimit-Interval` ms (`X-RateLimit-Reset`: ms
 *   until the window resets);
 * - Zendesk: `ratelimit-limit` / `ratelimit-remaining` / `ratelimit-reset` (s), or
 *   `X-Rate-Limit` / `X-Rate-Limit-Remaining` (per minute). When both are sent, the one with
 *   fewer calls left wins.
 */
export function rateLimitOf(headers: Headers, nowMs: number): AdvertisedLimit | null {
  const found: AdvertisedLimit[] = [];
  const imageKitLimit = numberHeader(headers, 'x-ratelimit-limit');
  const imageKitInterval = numberHeader(headers, 'x-ratelimit-interval');
  if (imageKitLimit !== null && imageKitInterval !== null && imageKitInterval > 0) {
    const reset = numberHeader(headers, 'x-ratelimit-reset');
    found.push({ limit: imageKitLimit, windowMs: imageKitInterval, remaining: null, resetAt: reset === null ? null : nowMs + reset, at: nowMs });
  }
  const draftLimit = numberHeader(headers, 'ratelimit-limit');
  if (draftLimit !== null) {
    const reset = numberHeader(headers, 'ratelimit-reset');
    found.push({
      limit: draftLimit,
      windowMs: MINUTE_MS,
      remaining: numberHeader(headers, 'ratelimit-remaining'),
      resetAt: reset === null ? null : nowMs + reset * 1000,
      at: nowMs,
    });
  }
  const zendeskLimit = numberHeader(headers, 'x-rate-limit');
  if (zendeskLimit !== null) {
    found.push({ limit: zendeskLimit, windowMs: MINUTE_MS, remaining: numberHeader(headers, 'x-rate-limit-remaining'), resetAt: null, at: nowMs });
  }
  if (found.length === 0) return null;
  const left = (limit: AdvertisedLimit) => limit.remaining ?? limit.limit;
  return found.reduce((best, limit) => (left(limit) < left(best) ? limit : best));
}

const MINUTE_MS = 60_000;

/** 429, 5xx and network errors are worth another try; a timeout is not (it would multiply latency). */
function isRetryable(error: UpstreamError): boolean {
  return error.code === 'RATE_LIMITED' || error.code === 'UNAVAILABLE';
}

/**
 * How long a 429 asks us to wait, in ms: `Retry-After` (seconds or an HTTP date; Zendesk) and
 * `X-RateLimit-Reset` (milliseconds; ImageKit). When both are present, the larger wins; never
 * more than `MAX_PROVIDER_WAIT_MS`.
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
  return waits.length ? Math.min(MAX_PROVIDER_WAIT_MS, Math.max(...waits)) : null;
}

/**
 * Reads one response body as UTF-8 text, stopping past `maxBytes` (counted after inflation:
 * fetch has already undone any `Content-Encoding`) so that neither a huge body nor a gzip bomb
 * is ever held whole. `abandon` cancels a read under way, for the deadline.
 */
class CappedBody {
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private chunks: Uint8Array[] = [];
  private abandoned = false;

  constructor(private readonly maxBytes: number) {}

  /** The text, or null when the body is (or says it is) larger than the cap. Rejects when the read fails. */
  async read(response: Response): Promise<string | null> {
    // The wire size of a compressed body is a lower bound of its inflated size.
    const declared = Number(response.headers.get('content-length') ?? '');
    if (declared > this.maxBytes) return this.refuse(response);
    if (!response.body) return '';
    this.reader = response.body.getReader();
    let size = 0;
    for (;;) {
      const { done, value } = await this.reader.read();
      if (done || this.abandoned) break;
      size += value.byteLength;
      if (size > this.maxBytes) return this.refuse(response);
      this.chunks.push(value);
    }
    // TextDecoder drops a leading BOM, as `response.text()` does.
    const text = new TextDecoder().decode(Buffer.concat(this.chunks));
    this.chunks = [];
    return text;
  }

  /** Stops reading and lets go of what was read; the read under way may never settle, and need not. */
  abandon(): void {
    this.abandoned = true;
    this.chunks = [];
    void this.reader?.cancel().catch(() => undefined);
  }

  private refuse(response: Response): null {
    this.abandon();
    if (!this.reader) void response.body?.cancel().catch(() => undefined);
    return null;
  }
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
