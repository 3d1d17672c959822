/**
 * A webhook receiver on a loopback ephemeral port: records every request (headers and raw body)
 * and answers as the test says — a status, a large body, a body that never ends, or nothing.
 *
 * ```ts
 * const receiver = await startWebhookReceiver();
 * receiver.answer({ status: 410 });
 * // … deliver to `${receiver.url}/hook` …
 * expect(receiver.requests).toHaveLength(1);
 * await receiver.close();
 * ```
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ReceiverAnswer {
  /** Default 204. */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as is. */
  readonly body?: string;
  /** Send this many bytes of body, in 16 KB chunks. */
  readonly bodyBytes?: number;
  /** Send the headers and a first chunk, then never finish (until `close`). */
  readonly hangBody?: true;
  /** Never answer (until `close`). */
  readonly hang?: true;
  /** Wait until `release()`, then answer 204 (or `status`): see how many requests are open at once. */
  readonly hold?: true;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** How every later request is answered (drops what `script` queued). */
  answer(answer: ReceiverAnswer): void;
  /** Answers the next requests with these, one each, in order; then as `answer` says. */
  script(...answers: ReceiverAnswer[]): void;
  /** Requests held (`hold`) and not yet answered. */
  held(): number;
  /** The most requests held at one time since the last `answer`. */
  mostHeld(): number;
  /** Answers the `count` oldest held requests (all by default). */
  release(count?: number): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  let current: ReceiverAnswer = {};
  const scripted: ReceiverAnswer[] = [];
  const holding: (() => void)[] = [];
  let mostHeld = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = scripted.shift() ?? current;
      if (answer.hang) return;
      if (answer.hold) {
        holding.push(() => res.writeHead(answer.status ?? 204).end());
        mostHeld = Math.max(mostHeld, holding.length);
        return;
      }
      res.writeHead(answer.status ?? 204, answer.headers);
      if (answer.hangBody) {
        res.write('{"partial":');
        return;
      }
      if (answer.bodyBytes !== undefined) {
        const chunk = Buffer.alloc(16 * 1024, 'x');
        let left = answer.bodyBytes;
        const pump = (): void => {
          while (left > 0) {
            const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
            left -= part.length;
            if (!res.write(part)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        res.on('error', () => undefined);
        pump();
        return;
      }
      res.end(answer.body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    answer(answer) {
      current = answer;
      scripted.length = 0;
      mostHeld = holding.length;
    },
    script(...answers) {
      scripted.push(...answers);
    },
    held: () => holding.length,
    mostHeld: () => mostHeld,
    release(count = holding.length) {
      for (const respond of holding.splice(0, count)) respond();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
