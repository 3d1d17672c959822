/**
 * The fan-out benchmark's floor, in a process of its own (forked by `fanout.ts`, `floorTarget`): a bare
 * `ws` server that speaks just enough `graphql-transport-ws` for the benchmark's own clients, and
 * delivers what the service would, as cheaply as any server could. No GraphQL, no poller, no
 * upstream: once a second every Zendesk job's progress moves on, and each subscriber of the job
 * gets one message built once for all of them, written with `ws`'s own `send` (what the service's
 * sockets use). The time of that tick is the "answer" the clients' receipts are measured from.
 *
 * What this measures is the machine: how long one burst of S messages takes from the first write
 * to the last receipt, with the benchmark's client processes on the same cores.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { BenchRef } from './operations.js';
import { wallNow } from './stats.js';

export interface FloorOptions {
  /** Ms between ticks: each tick moves every Zendesk job on by one. */
  readonly intervalMs: number;
}

type FloorAsk = { readonly id: number; readonly type: 'answers' };

const options = JSON.parse(process.env.BENCH_FLOOR_OPTIONS ?? '{}') as FloorOptions;
/** Zendesk job id → its current progress. */
const progress = new Map<string, number>();
/** Zendesk job id → (socket, subscription id) of each subscriber. */
const watchers = new Map<string, { socket: WebSocket; id: string }[]>();
/** `<job id>@<progress>` → when that progress was first sent (epoch ms), as the simulator records answers. */
const answers: Record<string, number> = {};

const at = () => new Date(wallNow()).toISOString();

function message(id: string, previousState: string | null, result: Record<string, unknown>): string {
  return JSON.stringify({ id, type: 'next', payload: { data: { jobUpdates: { previousState, at: at(), result } } } });
}

function resultOf(ref: BenchRef): Record<string, unknown> {
  if (ref.kind !== 'ZENDESK_JOB_STATUS') return { __typename: 'ImageKitBulkJob', nativeId: ref.id, state: 'RUNNING', progress: null };
  return { __typename: 'ZendeskJobStatus', nativeId: ref.id, state: 'RUNNING', progress: { completed: progress.get(ref.id) ?? 0 } };
}

function onSubscribe(socket: WebSocket, id: string, refs: readonly BenchRef[]): void {
  for (const ref of refs) {
    socket.send(message(id, null, resultOf(ref)));
    if (ref.kind !== 'ZENDESK_JOB_STATUS') continue;
    if (!progress.has(ref.id)) progress.set(ref.id, 0);
    let list = watchers.get(ref.id);
    if (!list) watchers.set(ref.id, (list = []));
    list.push({ socket, id });
  }
}

/** One upstream answer carrying every job's change, as the service's one `show_many` per interval does. */
function tick(): void {
  const answeredAt = wallNow();
  for (const [jobId, list] of watchers) {
    const completed = (progress.get(jobId) ?? 0) + 1;
    progress.set(jobId, completed);
    answers[`${jobId}@${completed}`] = answeredAt;
    const result = resultOf({ kind: 'ZENDESK_JOB_STATUS', id: jobId });
    const frames = new Map<string, Buffer>();
    for (const { socket, id } of list) {
      let frame = frames.get(id);
      if (!frame) frames.set(id, (frame = Buffer.from(message(id, 'RUNNING', result))));
      if (socket.readyState === socket.OPEN) socket.send(frame, { binary: false });
    }
  }
}

const server = createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server, path: '/graphql', perMessageDeflate: false });
wss.on('connection', (socket) => {
  socket.on('message', (data: Buffer) => {
    const received = JSON.parse(data.toString('utf8')) as { type: string; id?: string; payload?: { variables?: { refs?: BenchRef[] } } };
    if (received.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
    else if (received.type === 'subscribe') onSubscribe(socket, received.id ?? '1', received.payload?.variables?.refs ?? []);
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
setInterval(tick, options.intervalMs);
process.send?.({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` });
process.on('message', (ask: FloorAsk) => process.send?.({ type: 'answer', id: ask.id, result: answers }));
process.on('disconnect', () => process.exit(0));
