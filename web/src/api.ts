/**
 * The board's one connection to the API: a graphql-ws client on `/graphql` of this page's origin
 * that carries queries, mutations and the live subscription alike, and the API key kept for the
 * browser session.
 *
 * The key goes in `connection_init` (`{ authorization: 'Bearer <key>' }`), never in a URL, and
 * lives in `sessionStorage` only. A refused key (close 4401/4403, or an `UNAUTHENTICATED` error)
 * stops the retries and is reported once through `onAuthProblem`; any other close or failed
 * connection is retried forever with capped exponential backoff (`retryDelayMs`), and `onStatus`
 * says whether the board is live.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { type Client, createClient, type FormattedExecutionResult } from 'graphql-ws';

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'stopped';
/** `required`: the API wants a key and none was sent; `refused`: the key sent is not accepted. */
export type AuthProblem = 'required' | 'refused';

export type Outcome<T> =
  | { readonly ok: true; readonly data: T }
  | { readonly ok: false; readonly message: string; readonly code: string | null };

export type Failure = Extract<Outcome<unknown>, { ok: false }>;

export interface ApiOptions {
  /** The WebSocket URL; defaults to `/graphql` of this page's origin. */
  readonly url?: string;
  readonly key: string | null;
  readonly onStatus: (status: ConnectionStatus) => void;
  readonly onAuthProblem: (problem: AuthProblem) => void;
  /** Called after a reconnection, when events may have been missed while offline. */
  readonly onReconnected: () => void;
}

export interface Api {
  /** A query or mutation; never rejects. */
  request<T, V extends Record<string, unknown>>(document: TypedDocumentNode<T, V>, variables: V): Promise<Outcome<T>>;
  /** A subscription; returns the function that ends it. */
  subscribe<T, V extends Record<string, unknown>>(
    document: TypedDocumentNode<T, V>,
    variables: V,
    onData: (data: T) => void,
    onError: (message: string) => void,
  ): () => void;
  /** Closes the socket for good (a new key needs a new connection). */
  dispose(): void;
}

const KEY_STORAGE = 'job-status-board:api-key';
const AUTH_CLOSE_CODES = new Set([4401, 4403]);
const MAX_RETRY_WAIT_MS = 30_000;

/** The key kept for this browser session, if any. */
export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

/** Keeps `key` for this browser session; null forgets it. */
export function storeKey(key: string | null): void {
  try {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  } catch {
    // Storage may be disabled: the key then lasts as long as the page.
  }
}

function defaultUrl(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;
}

/**
 * The wait before reconnection attempt `retries` (0 for the first): 0.5 s, 1 s, 2 s … up to 30 s,
 * each with up to a quarter more (`random` in [0, 1)) so that many tabs do not come back at once.
 */
export function retryDelayMs(retries: number, random: number): number {
  const base = Math.min(MAX_RETRY_WAIT_MS, 500 * 2 ** retries);
  return base + random * base * 0.25;
}

async function backoff(retries: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, retryDelayMs(retries, Math.random())));
}

/** Opens the connection at once (not lazily), so the indicator tells the truth from the start. */
export function createApi(options: ApiOptions): Api {
  /** The client gave up for good (a refused key, a fatal close, or `dispose`): no more status changes but this one. */
  let stopped = false;
  const stop = (problem: AuthProblem | null) => {
    if (stopped) return;
    stopped = true;
    options.onStatus('stopped');
    if (problem) options.onAuthProblem(problem);
  };
  const authProblem = () => stop(options.key ? 'refused' : 'required');

  const client: Client = createClient({
    url: options.url ?? defaultUrl(),
    lazy: false,
    connectionParams: () => (options.key ? { authorization: `Bearer ${options.key}` } : {}),
    retryAttempts: Number.POSITIVE_INFINITY,
    retryWait: backoff,
    // Everything but a refused key is retried. A server that is down does not even close: the
    // browser reports a failed connection as a bare `error` Event, and that must be retried too,
    // or the board would give up at the first restart it sees.
    shouldRetry: (event) => !(isCloseEvent(event) && AUTH_CLOSE_CODES.has(event.code)),
    keepAlive: 20_000,
    onNonLazyError: (error) => {
      if (isCloseEvent(error) && AUTH_CLOSE_CODES.has(error.code)) authProblem();
      else stop(null);
    },
    on: {
      connecting: (isRetry) => {
        if (!stopped) options.onStatus(isRetry ? 'reconnecting' : 'connecting');
      },
      connected: (_socket, _payload, wasRetry) => {
        if (stopped) return;
        options.onStatus('live');
        if (wasRetry) options.onReconnected();
      },
      closed: (event) => {
        if (isCloseEvent(event) && AUTH_CLOSE_CODES.has(event.code)) authProblem();
        else if (!stopped) options.onStatus('reconnecting');
      },
    },
  });

  /** The first error's message and code; an UNAUTHENTICATED one also asks for a key. */
  const failureOf = (result: FormattedExecutionResult<Record<string, unknown>, unknown> | null, error: unknown): Failure => {
    const first = result?.errors?.[0];
    if (first) {
      const code = typeof first.extensions?.code === 'string' ? first.extensions.code : null;
      if (code === 'UNAUTHENTICATED') authProblem();
      return { ok: false, message: first.message, code };
    }
    if (isCloseEvent(error)) {
      if (AUTH_CLOSE_CODES.has(error.code)) authProblem();
      return { ok: false, message: `The connection closed (${error.code}${error.reason ? ` ${error.reason}` : ''}).`, code: null };
    }
    if (Array.isArray(error) && error[0] && typeof error[0].message === 'string') {
      return { ok: false, message: String(error[0].message), code: null };
    }
    return { ok: false, message: error instanceof Error ? error.message : 'The request failed.', code: null };
  };

  return {
    request(document, variables) {
      return new Promise((resolve) => {
        let result: FormattedExecutionResult<Record<string, unknown>, unknown> | null = null;
        client.subscribe(
          { query: print(document), variables },
          {
            next: (value) => {
              result = value;
            },
            error: (error) => resolve(failureOf(null, error)),
            complete: () => {
              if (result?.data && !result.errors?.length) resolve({ ok: true, data: result.data as never });
              else resolve(failureOf(result, new Error('No answer.')));
            },
          },
        );
      });
    },
    subscribe(document, variables, onData, onError) {
      return client.subscribe(
        { query: print(document), variables },
        {
          next: (value) => {
            if (value.errors?.length) onError(failureOf(value, null).message);
            else if (value.data) onData(value.data as never);
          },
          error: (error) => onError(failureOf(null, error).message),
          complete: () => undefined,
        },
      );
    },
    dispose() {
      stopped = true;
      void client.dispose();
    },
  };
}
