/**
 * One client process of the fan-out benchmark (forked by `fanout.ts`): holds a share of the
 * subscribers, each a WebSocket speaking `graphql-transport-ws` with one `jobUpdates`
 * subscription, and timestamps every event the moment it arrives.
 *
 * Raw `ws` rather than the graphql-ws client: thousands of sockets per process, and nothing here
 * but the protocol's five message types. Several processes share the load so that the clients'
 * own JSON parsing does not become the thing measured.
 */
import { print } from 'graphql';
import WebSocket from 'ws';
import { type BenchRef, BenchJobUpdatesSubscription } from './operations.js';
import { wallNow } from './stats.js';

export interface ClientPlan {
  /** One per subscriber: the endpoint (ws://…/graphql) and the refs it watches. */
  readonly subscribers: readonly { readonly url: string; readonly refs: readonly BenchRef[] }[];
  /** Zendesk ids the parent numbers events by (index into this list). */
  readonly zendeskIds: readonly string[];
  /** Sockets being opened at once. */
  readonly parallel: number;
  /**
   * Wall-clock ms after which no socket is opened any more and a subscriber still without its
   * first events counts as failed: a saturated service then yields a row, not a hung run.
   */
  readonly deadline: number;
}

export type ParentMessage = { type: 'connect'; plan: ClientPlan } | { type: 'measure' } | { type: 'stop' } | { type: 'close' };

export type ClientMessage =
  | { type: 'connected'; ok: number; failed: number; firstError: string | null }
  | {
      type: 'samples';
      /** Flat triples: Zendesk id index, progress, wall-clock receipt ms. */
      events: Float64Array;
      /** Events of any kind received while measuring. */
      received: number;
      /** Subscriptions that errored, completed or lost their socket while measuring. */
      broken: number;
    };

const query = print(BenchJobUpdatesSubscription);

let measuring = false;
let samples: number[] = [];
let received = 0;
let broken = 0;
const sockets: WebSocket[] = [];
let zendeskIndex = new Map<string, number>();

function send(message: ClientMessage): void {
  process.send?.(message);
}

/** Opens one subscriber; resolves once it has the current state of each of its refs, rejects at `deadline`. */
function subscribe(url: string, refs: readonly BenchRef[], deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
    sockets.push(socket);
    let initial = refs.length;
    let settled = false;
    const timer = setTimeout(() => {
      fail('no first events before the connect deadline');
      socket.terminate();
    }, Math.max(0, deadline - wallNow()));
    const fail = (why: string) => {
      if (measuring) broken += 1;
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(new Error(why));
      }
    };
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    socket.on('message', (data: Buffer) => {
      const at = wallNow();
      const message = JSON.parse(data.toString('utf8')) as { type: string; payload?: { data?: { jobUpdates?: Update } } };
      switch (message.type) {
        case 'connection_ack':
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables: { refs } } }));
          return;
        case 'ping':
          socket.send(JSON.stringify({ type: 'pong' }));
          return;
        case 'next': {
          const update = message.payload?.data?.jobUpdates;
          if (!update) return fail(`event without data: ${data.toString('utf8').slice(0, 300)}`);
          if (measuring) record(update, at);
          if (!settled && --initial === 0) {
            settled = true;
            clearTimeout(timer);
            resolve();
          }
          return;
        }
        case 'error':
        case 'complete':
          return fail(`subscription ended: ${data.toString('utf8').slice(0, 300)}`);
      }
    });
    socket.on('error', (error) => fail(error.message));
    socket.on('close', (code) => fail(`socket closed (${code})`));
  });
}

interface Update {
  readonly previousState: string | null;
  readonly result: { readonly nativeId?: string; readonly progress?: { readonly completed: number } | null };
}

function record(update: Update, at: number): void {
  received += 1;
  // First events are the current state, not news; only Zendesk jobs carry a progress to time.
  if (update.previousState === null || !update.result.progress || update.result.nativeId === undefined) return;
  const index = zendeskIndex.get(update.result.nativeId);
  if (index !== undefined) samples.push(index, update.result.progress.completed, at);
}

async function connect(plan: ClientPlan): Promise<void> {
  zendeskIndex = new Map(plan.zendeskIds.map((id, index) => [id, index]));
  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstError: string | null = null;
  const worker = async () => {
    while (next < plan.subscribers.length && wallNow() < plan.deadline) {
      const subscriber = plan.subscribers[next++]!;
      try {
        await subscribe(subscriber.url, subscriber.refs, plan.deadline);
        ok += 1;
      } catch (error) {
        failed += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: plan.parallel }, worker));
  const unopened = plan.subscribers.length - next;
  if (unopened > 0) firstError ??= `${unopened} not opened before the connect deadline`;
  send({ type: 'connected', ok, failed: failed + unopened, firstError });
}

process.on('message', (message: ParentMessage) => {
  switch (message.type) {
    case 'connect':
      void connect(message.plan);
      return;
    case 'measure':
      samples = [];
      received = 0;
      broken = 0;
      measuring = true;
      return;
    case 'stop':
      measuring = false;
      send({ type: 'samples', events: Float64Array.from(samples), received, broken });
      return;
    case 'close':
      for (const socket of sockets) socket.terminate();
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
