import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { keepAlive } from '../../src/http/keep-alive.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { waitFor } from '../support/wait.js';

const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

describe('WebSocket keep-alive', () => {
  const closing: (() => unknown)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
  });

  async function server(intervalMs: number) {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    const stop = keepAlive(wss, { intervalMs, steps: 4 });
    closing.push(() => new Promise((resolve) => wss.close(resolve)), stop);
    return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}` };
  }

  async function connect(url: string, options: WebSocket.ClientOptions = {}) {
    const socket = new WebSocket(url, options);
    closing.push(() => socket.terminate());
    await once(socket, 'open');
    const client = { socket, pings: 0, closed: false };
    socket.on('ping', () => (client.pings += 1));
    socket.on('close', () => (client.closed = true));
    return client;
  }

  it('pings every client once per interval, and keeps the ones that answer', async () => {
    const { url } = await server(200);
    const clients = await Promise.all(Array.from({ length: 12 }, () => connect(url)));
    await waitFor(() => clients.every((client) => client.pings >= 3), { what: 'three pings each', timeoutMs: 10_000 });
    expect(clients.filter((client) => client.closed)).toEqual([]);
  });

  it('ends a client that stops answering pings, and only that one', async () => {
    const { wss, url } = await server(200);
    const answering = await Promise.all(Array.from({ length: 5 }, () => connect(url)));
    const silent = await connect(url, { autoPong: false });
    await waitFor(() => silent.closed, { what: 'the silent client to be ended', timeoutMs: 10_000 });
    expect(silent.pings).toBeGreaterThanOrEqual(1);
    await waitFor(() => answering.every((client) => client.pings >= 2), { what: 'the others pinged again', timeoutMs: 10_000 });
    expect(answering.filter((client) => client.closed)).toEqual([]);
    expect(wss.clients.size).toBe(5);
  });

  describe('in the service', () => {
    let api: TestApp;
    afterEach(async () => api?.close());

    it('keeps no timer per connected client', async () => {
      api = await startTestApp();
      const url = api.url.replace('http:', 'ws:');
      const before = timers();
      const sockets = await Promise.all(
        Array.from({ length: 40 }, async () => {
          const socket = new WebSocket(url, 'graphql-transport-ws');
          closing.push(() => socket.terminate());
          await once(socket, 'open');
          socket.send(JSON.stringify({ type: 'connection_init' }));
          const [ack] = await once(socket, 'message');
          expect(JSON.parse(String(ack)).type).toBe('connection_ack');
          return socket;
        }),
      );
      expect(sockets).toHaveLength(40);
      // graphql-ws's wait for connection_init lasts 3 s per socket whatever happens; its own
      // keep-alive kept a ping interval for each socket for the socket's life.
      await waitFor(() => timers() - before < 5, { what: 'no timer per client', timeoutMs: 10_000 });
    });
  });
});
