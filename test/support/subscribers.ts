/**
 * Real subscription clients: `graphql-ws` over a WebSocket and `graphql-sse` over
 * Server-Sent Events, both reading into an array that tests wait on.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface Subscriber<T> {
  /** Payloads received so far (`data` of each `next`). */
  readonly events: T[];
  /** Errors the server sent instead of data. */
  readonly errors: unknown[];
  /** Resolves when the server completes the subscription. */
  readonly completed: Promise<void>;
  readonly isComplete: () => boolean;
  /** Resolves once `count` events have arrived (rejects if the stream ends first). */
  received(count: number): Promise<void>;
  /** Unsubscribes (sends `complete` / aborts the stream). */
  stop(): void;
}

type Sink<T> = { next(value: { data?: T | null; errors?: unknown }): void; error(error: unknown): void; complete(): void };
type Subscribe<T> = (sink: Sink<T>) => () => void;

function subscriber<T>(subscribe: Subscribe<T>): Subscriber<T> {
  const events: T[] = [];
  const errors: unknown[] = [];
  let complete = false;
  let resolve!: () => void;
  const completed = new Promise<void>((r) => (resolve = r));
  const waiters: { count: number; resolve: () => void }[] = [];
  const wake = () => {
    for (const waiter of waiters.splice(0)) {
      if (events.length >= waiter.count) waiter.resolve();
      else waiters.push(waiter);
    }
  };
  const stop = subscribe({
    next: (value) => {
      if (value.errors) errors.push(value.errors);
      if (value.data) events.push(value.data);
      wake();
    },
    error: (error) => {
      errors.push(error);
      complete = true;
      resolve();
    },
    complete: () => {
      complete = true;
      resolve();
    },
  });
  const received = (count: number) =>
    events.length >= count
      ? Promise.resolve()
      : Promise.race([
          new Promise<void>((resolveWaiter) => waiters.push({ count, resolve: resolveWaiter })),
          completed.then(() => {
            if (events.length < count) throw new Error(`stream ended after ${events.length} of ${count} events`);
          }),
        ]);
  return { events, errors, completed, isComplete: () => complete, received, stop };
}

/** A graphql-ws client on `url` (http:// is turned into ws://). Dispose it after the test. */
export function wsClient(url: string, connectionParams?: Record<string, unknown>): WsClient {
  return createWsClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

export function subscribeWs<T, V>(client: WsClient, document: TypedDocumentNode<T, V>, variables: V): Subscriber<T> {
  return subscriber<T>((sink) =>
    client.subscribe({ query: print(document), variables: variables as Record<string, unknown> }, sink as never),
  );
}

export function subscribeSse<T, V>(url: string, document: TypedDocumentNode<T, V>, variables: V, headers: Record<string, string> = {}): Subscriber<T> {
  const client = createSseClient({ url, headers, retryAttempts: 0, singleConnection: false });
  return subscriber<T>((sink) => {
    const unsubscribe = client.subscribe({ query: print(document), variables: variables as Record<string, unknown> }, sink as never);
    return () => {
      unsubscribe();
      client.dispose();
    };
  });
}
