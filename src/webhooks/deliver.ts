/**
 * One delivery attempt: check the destination, POST the signed JSON body, read the answer.
 *
 * - The host is resolved and checked by the address guard at every attempt (a name that was
 *   public when the webhook was created may point inside later), and the request connects to
 *   the checked address through a custom `lookup`: there is no second DNS query whose answer
 *   could differ. The URL's host name stays the request's host, so the `Host` header and TLS
 *   (SNI and the certificate check) are about the name, as virtual hosts need.
 * - One deadline (10 s by default) covers everything: resolution, connect, TLS, the response
 *   headers and the body. At most 64 KB of the body is read; the rest is not waited for.
 * - Redirects are not followed: a 3xx is a failure, so a receiver cannot bounce the request (and
 *   its signature) to an address the guard never saw.
 * - 2xx is success; anything else is a failure, and `410 Gone` also says `gone` (the caller
 *   disables the webhook).
 *
 * Never throws, never rejects: every outcome is a {@link DeliveryResult}. Error messages are meant
 * for the webhook's owner (`lastError`): they say what happened, without the resolved address,
 * headers or body.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkTarget, type CheckedTarget, type GuardOptions } from './address-guard.js';
import type { SignatureHeaders } from './signing.js';

/** What every request says it is. */
export const USER_AGENT = 'job-status-graphql-webhooks/1';
/** The contract's per-attempt timeout. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** How much of a response body is read. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export type DeliveryErrorCode =
  /** The URL or its addresses were refused by the address guard, or the host does not resolve. */
  | 'REFUSED'
  /** The deadline passed (connect, headers or body). */
  | 'TIMEOUT'
  /** The connection failed or broke (refused, reset, TLS). */
  | 'CONNECTION'
  /** The receiver answered 3xx; redirects are not followed. */
  | 'REDIRECT'
  /** The receiver answered something else than 2xx or 3xx. */
  | 'HTTP_STATUS';

export interface DeliveryResult {
  /** A 2xx answer. */
  readonly ok: boolean;
  /** The receiver's status code, null when none came. */
  readonly status: number | null;
  /** Why it failed, null on success. */
  readonly code: DeliveryErrorCode | null;
  readonly error: string | null;
  /** The receiver answered `410 Gone`: it wants no more deliveries. */
  readonly gone: boolean;
  /** Bytes of the response body read (at most {@link MAX_RESPONSE_BYTES}). */
  readonly responseBytes: number;
  /** The body was longer than what was read. */
  readonly truncated: boolean;
  readonly durationMs: number;
}

export interface DeliveryRequest extends GuardOptions {
  /** The webhook's URL. */
  readonly url: string;
  /** The JSON body, exactly as signed. */
  readonly body: string;
  /** From `signatureHeaders`, signed for this attempt. */
  readonly headers: SignatureHeaders;
  /** Default {@link DEFAULT_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Default {@link MAX_RESPONSE_BYTES}. */
  readonly maxResponseBytes?: number;
  /** Measures `durationMs`; `Date.now` by default. */
  readonly now?: () => number;
  /** For https: CA certificates to trust instead of Node's bundle (an internal CA, tests). */
  readonly ca?: string | Buffer;
}

/** Makes one delivery attempt. Never rejects. */
export async function deliver(request: DeliveryRequest): Promise<DeliveryResult> {
  const now = request.now ?? Date.now;
  const startedAt = now();
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const finish = (outcome: Outcome): DeliveryResult => ({
    ok: outcome.code === null,
    status: outcome.status ?? null,
    code: outcome.code,
    error: outcome.error ?? null,
    gone: outcome.status === 410,
    responseBytes: outcome.responseBytes ?? 0,
    truncated: outcome.truncated ?? false,
    durationMs: Math.max(0, now() - startedAt),
  });
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ code: 'TIMEOUT', error: `no complete answer within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  try {
    const attempt = (async (): Promise<Outcome> => {
      const target = await checkTarget(request.url, request);
      if (!target.ok) return { code: 'REFUSED', error: target.message };
      if (controller.signal.aborted) return { code: 'TIMEOUT', error: `no complete answer within ${timeoutMs} ms` };
      return post(target, request, controller.signal);
    })();
    return finish(await Promise.race([attempt, deadline]));
  } catch (error) {
    // Not expected (post resolves on every path); kept so the promise truly never rejects.
    return finish({ code: 'CONNECTION', error: `the request failed (${(error as Error).name})` });
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

interface Outcome {
  readonly code: DeliveryErrorCode | null;
  readonly status?: number;
  readonly error?: string;
  readonly responseBytes?: number;
  readonly truncated?: boolean;
}

/** A `lookup` that answers every query with the checked address, in both callback shapes. */
function pinnedLookup(target: CheckedTarget): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

function post(target: CheckedTarget, request: DeliveryRequest, signal: AbortSignal): Promise<Outcome> {
  const maxBytes = request.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  return new Promise<Outcome>((resolve) => {
    const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const body = Buffer.from(request.body, 'utf8');
    let req: ReturnType<typeof httpRequest>;
    try {
      req = send({
        method: 'POST',
        host: target.hostname,
        port: target.port,
        path: `${target.url.pathname}${target.url.search}`,
        lookup: pinnedLookup(target),
        ...(request.ca === undefined ? {} : { ca: request.ca }),
        // A fresh connection per attempt: a pooled socket could lead to an address checked earlier.
        agent: false,
        signal,
        headers: {
          ...request.headers,
          'content-type': 'application/json',
          'content-length': String(body.length),
          'user-agent': USER_AGENT,
          connection: 'close',
        },
      });
    } catch (error) {
      resolve({ code: 'CONNECTION', error: `the request could not be made (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
      return;
    }
    req.on('error', (error: NodeJS.ErrnoException) => {
      // After an abort the deadline has already answered; this resolve is then a no-op.
      resolve({ code: 'CONNECTION', error: `the connection failed (${error.code ?? error.name})` });
    });
    req.on('response', (response) => {
      readCapped(response, maxBytes).then(({ bytes, truncated }) => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve({ code: null, status, responseBytes: bytes, truncated });
        else if (status >= 300 && status < 400) {
          resolve({ code: 'REDIRECT', status, error: `the receiver answered HTTP ${status}; redirects are not followed`, responseBytes: bytes, truncated });
        } else resolve({ code: 'HTTP_STATUS', status, error: `the receiver answered HTTP ${status}`, responseBytes: bytes, truncated });
      });
    });
    req.end(body);
  });
}

/**
 * Reads at most `maxBytes` of the body, then lets go of the connection. Resolves on end, on the
 * cap and on a broken body (what was read counts); never rejects.
 */
function readCapped(response: IncomingMessage, maxBytes: number): Promise<{ bytes: number; truncated: boolean }> {
  return new Promise((resolve) => {
    let bytes = 0;
    const done = (truncated: boolean) => {
      response.removeAllListeners('data');
      resolve({ bytes, truncated });
    };
    response.on('data', (chunk: Buffer) => {
      if (bytes + chunk.length > maxBytes) {
        bytes = maxBytes;
        done(true);
        response.destroy();
        return;
      }
      bytes += chunk.length;
    });
    response.on('end', () => done(false));
    response.on('error', () => done(false));
    response.on('close', () => done(false));
  });
}
