/**
 * Pings every WebSocket client once per interval and ends the ones that do not answer, with one
 * timer for all of them.
 *
 * graphql-ws can do this itself, with a `setInterval` per socket and, at every ping, a
 * `setTimeout` and a `once('pong')` listener of its own: at ten thousand subscribers that is
 * twenty thousand timers alive and some eight hundred timers and listeners made and dropped every
 * second, all at once for the sockets that connected together. Here each socket has one `pong`
 * listener for its life, and one timer walks the clients in steps: each step pings the sockets
 * whose turn it is (a slice of the clients), so the pings of an interval are spread over it
 * rather than sent in bursts that would hold the deliveries back.
 */
import type { WebSocket, WebSocketServer } from 'ws';

export interface KeepAliveOptions {
  /** How often each client is pinged, and how long its pong may take before the socket is ended. */
  readonly intervalMs: number;
  /** Steps per interval; each pings about 1/steps of the clients. */
  readonly steps?: number;
}

/** graphql-ws's own default: a ping every 12 s, and 12 s for its pong. */
export const KEEP_ALIVE_MS = 12_000;
const STEPS = 48;

/** Starts the pings; the returned function stops them. */
export function keepAlive(wss: WebSocketServer, options: KeepAliveOptions): () => void {
  /** Per socket: when its unanswered ping went out, or null when it has answered. */
  const waiting = new WeakMap<WebSocket, number | null>();
  wss.on('connection', (socket) => {
    waiting.set(socket, null);
    socket.on('pong', () => waiting.set(socket, null));
  });
  const steps = Math.max(1, options.steps ?? STEPS);
  let step = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    let position = 0;
    for (const socket of wss.clients) {
      if (position++ % steps !== step) continue;
      if (socket.readyState !== socket.OPEN) continue;
      const pingedAt = waiting.get(socket) ?? null;
      if (pingedAt === null) {
        waiting.set(socket, now);
        socket.ping();
      } else if (now - pingedAt >= options.intervalMs / 2) {
        // Unanswered since its last turn (about an interval ago; sooner by a step or two when
        // sockets before it closed meanwhile): the peer is gone.
        socket.terminate();
      }
    }
    step = (step + 1) % steps;
  }, Math.max(1, Math.round(options.intervalMs / steps)));
  timer.unref();
  return () => clearInterval(timer);
}
