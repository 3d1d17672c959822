/**
 * A programmable upstream on a loopback ephemeral port: real HTTP, no fetch mocking.
 *
 * ```ts
 * const up = await startFakeUpstream();
 * up.on('GET', '/v1/bulkJobs/abc', { status: 200, body: { jobId: 'abc', status: 'Pending' } });
 * up.on('GET', /^\/node\/api\/bulk\/[^/]+\/status$/, (request) => ({ body: { finished: request.path.includes('done') } }));
 * up.on('GET', '/flaky', sequence({ status: 503 }, { status: 200, body: {} }));
 * // … point a client at up.url …
 * expect(up.requests).toHaveLength(2);
 * await up.close();
 * ```
 *
 * Routes registered later win over earlier ones, so a test may override a default. Unmatched
 * requests get a 404 `{"error":"no fake route"}`. Every request is recorded in arrival order.
 */
import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** The path without the query, as sent (percent-encoding kept). */
  readonly path: string;
  /** Decoded query parameters (the last value wins for repeated names). */
  readonly query: Readonly<Record<string, string>>;
  /** Node's lower-cased headers. */
  readonly headers: IncomingHttpHeaders;
  /** The request body as text ('' when none). */
  readonly body: string;
}

export interface FakeReply {
  /** Default 200. */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string | string[]>>;
  /** A string is sent as is (text/plain unless `headers` says otherwise); anything else as JSON. */
  readonly body?: unknown;
  /** Wait this long before answering. */
  readonly delayMs?: number;
  /** Never answer (until `close`). */
  readonly hang?: true;
  /** Send the status, headers and the first half of the body, then never finish (until `close`). */
  readonly hangBody?: true;
}

export type FakeHandler = (request: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface FakeUpstream {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Requests received and not yet answered. */
  readonly inFlight: number;
  /** The most requests ever in flight at once. */
  readonly maxInFlight: number;
  /** Answers `method` requests whose path equals `path` (string) or matches it (RegExp). */
  on(method: string, path: string | RegExp, reply: FakeHandler | FakeReply): FakeUpstream;
  /** Forgets routes, recorded requests and the in-flight high-water mark. */
  reset(): void;
  /** Stops listening and destroys every connection, hanging ones included. */
  close(): Promise<void>;
}

/** A handler answering each reply in turn, then repeating the last one. */
export function sequence(...replies: FakeReply[]): FakeHandler {
  let next = 0;
  return () => replies[Math.min(next++, replies.length - 1)] ?? {};
}

interface Route {
  readonly method: string;
  readonly path: string | RegExp;
  readonly handler: FakeHandler;
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  let routes: Route[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let maxInFlight = 0;

  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    const done = () => {
      if (counted) inFlight--;
      counted = false;
    };
    res.on('close', done);
    void serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fake upstream handler failed: ${String(error)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    requests.push(request);

    const route = routes.findLast((candidate) => candidate.method === request.method && matches(candidate.path, request.path));
    const reply: FakeReply = route ? await route.handler(request) : { status: 404, body: { error: 'no fake route' } };
    if (reply.hang) return;
    if (reply.delayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, reply.delayMs);
        timers.add(timer);
      });
    }
    if (res.destroyed) return;
    const isText = typeof reply.body === 'string';
    const body = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
    const headers = { 'content-type': isText ? 'text/plain' : 'application/json', ...reply.headers };
    res.writeHead(reply.status ?? 200, headers);
    if (reply.hangBody) {
      res.flushHeaders();
      res.write(body.slice(0, Math.floor(body.length / 2)));
      return;
    }
    res.end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const upstream: FakeUpstream = {
    url: `http://127.0.0.1:${port}`,
    requests,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    on(method, path, reply) {
      const handler = typeof reply === 'function' ? reply : () => reply;
      routes.push({ method: method.toUpperCase(), path, handler });
      return upstream;
    },
    reset() {
      routes = [];
      requests.length = 0;
      maxInFlight = inFlight;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
  return upstream;
}

function matches(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === 'string' ? pattern === path : pattern.test(path);
}
