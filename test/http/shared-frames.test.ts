import type { AddressInfo } from 'node:net';
import { type ExecutionResult, GraphQLError } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { DIRECT_BUFFERED_BYTES, SharedFrames } from '../../src/http/shared-frames.js';
import { waitFor } from '../support/wait.js';

/** A loopback ws server whose sockets `frames` adopts, and clients that keep what they receive. */
async function loopback(frames: SharedFrames, clients: number) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const serverSockets: WebSocket[] = [];
  wss.on('connection', (socket) => {
    frames.adopt(socket);
    serverSockets.push(socket);
  });
  const { port } = wss.address() as AddressInfo;
  const received: { text: string; binary: boolean }[][] = [];
  const sockets = await Promise.all(
    Array.from({ length: clients }, (_, index) => {
      received.push([]);
      const client = new WebSocket(`ws://127.0.0.1:${port}`);
      client.on('message', (data, binary) => received[index]!.push({ text: String(data), binary }));
      return new Promise<WebSocket>((resolve) => client.once('open', () => resolve(client)));
    }),
  );
  await waitFor(() => serverSockets.length === clients, { what: 'server sockets' });
  return {
    serverSockets,
    clients: sockets,
    received,
    close: async () => {
      // Not a closing handshake: one test leaves a client that reads nothing.
      for (const socket of [...sockets, ...serverSockets]) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** What graphql-ws does with an `onNext` answer: the message's JSON, then `socket.send`. */
function sendNext(socket: WebSocket, id: string, payload: unknown): Promise<void> {
  return new Promise((resolve, reject) => socket.send(JSON.stringify({ id, type: 'next', payload }), (error) => (error ? reject(error) : resolve())));
}

describe('SharedFrames', () => {
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    close = null;
  });

  /** One result for three sockets (two with one operation id): made once, and exactly what graphql-ws would have sent, as text. */
  async function expectOneSerialization(deliver: (frames: SharedFrames, socket: WebSocket, id: string, result: ExecutionResult) => Promise<void>) {
    const frames = new SharedFrames();
    const net = await loopback(frames, 3);
    close = net.close;
    let reads = 0;
    const result = {
      get data() {
        reads += 1;
        return { jobUpdates: { result: { __typename: 'ZendeskJobStatus', id: 'Wm…', progress: 7, message: 'é "quoted" \u0001' } } };
      },
    };
    const ids = ['1', '1', 'a"b'];
    await Promise.all(net.serverSockets.map((socket, index) => deliver(frames, socket, ids[index]!, result)));
    await waitFor(() => net.received.every((messages) => messages.length === 1), { what: 'one message per client' });
    expect(reads).toBe(1);
    net.received.forEach((messages, index) => {
      expect(messages[0]!.binary).toBe(false);
      expect(messages[0]!.text).toBe(JSON.stringify({ id: ids[index], type: 'next', payload: { data: result.data } }));
    });
  }

  it('serializes one result once for every socket, and each client gets exactly what graphql-ws would have sent, as text', async () => {
    await expectOneSerialization((frames, socket, id, result) => sendNext(socket, id, frames.payloadFor(socket, result)));
  });

  it('writes errors as graphql-ws does (toJSON), and leaves messages without a token alone', async () => {
    const frames = new SharedFrames();
    const net = await loopback(frames, 1);
    close = net.close;
    const socket = net.serverSockets[0]!;
    const result = { data: null, errors: [new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })] };
    await sendNext(socket, '7', frames.payloadFor(socket, result));
    await new Promise<void>((resolve) => socket.send(JSON.stringify({ id: '7', type: 'complete' }), () => resolve()));
    await waitFor(() => net.received[0]!.length === 2, { what: 'two messages' });
    expect(JSON.parse(net.received[0]![0]!.text)).toEqual({ id: '7', type: 'next', payload: { data: null, errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] } });
    expect(net.received[0]![1]!.text).toBe('{"id":"7","type":"complete"}');
  });

  it('lets graphql-ws write the payload for a socket it never adopted', () => {
    expect(new SharedFrames().payloadFor({} as WebSocket, { data: {} })).toBeUndefined();
  });

  it('writes a whole next message directly, byte for byte what graphql-ws would send, made once per result', async () => {
    await expectOneSerialization(async (frames, socket, id, result) => {
      expect(frames.directNext(socket, id)!(result)).toBe(true);
    });
  });

  it('declines to write directly a result with errors, on a socket that is not open, or behind a backlog', async () => {
    const frames = new SharedFrames();
    const net = await loopback(frames, 2);
    close = net.close;
    const [open, closing] = net.serverSockets as [WebSocket, WebSocket];
    const withErrors = { data: null, errors: [new GraphQLError('Unexpected error.')] };
    expect(frames.directNext(open, '1')!(withErrors)).toBe(false);

    closing.close();
    expect(frames.directNext(closing, '1')!({ data: {} })).toBe(false);

    // A client that reads nothing: one large message fills the kernel's buffers, and ws holds the rest.
    (net.clients[0] as unknown as { _socket: { pause(): void } })._socket.pause();
    const large = { data: { text: 'x'.repeat(32 * 2 ** 20) } };
    const write = frames.directNext(open, '1')!;
    expect(write(large)).toBe(true);
    expect(open.bufferedAmount).toBeGreaterThan(DIRECT_BUFFERED_BYTES);
    expect(write({ data: { small: true } })).toBe(false);
    expect(net.received[0]).toEqual([]);
  });

  it('writes nothing directly on a socket it never adopted', () => {
    expect(new SharedFrames().directNext({} as WebSocket, '1')).toBeNull();
  });
});
