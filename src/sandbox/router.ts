/**
 * The sandbox's one HTTP server: reads each request into a `SandboxCall`, hands it to the provider
 * owning the first path segment (`/imagekit`, `/saymon`, `/zendesk`) and writes the JSON `Reply`.
 * Provider modules stay pure request → reply functions; everything that can go wrong with raw HTTP
 * (bad encoding, oversized or unparsable bodies, thrown errors) is answered here, never crashes.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Provider } from '../jobs/model.js';

/** A request as the provider modules see it, with the provider's path prefix removed. */
export interface SandboxCall {
  readonly method: string;
  /** Path segments after the prefix, percent-decoded, empty ones dropped. */
  readonly segments: readonly string[];
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly body: CallBody;
}

/** The request body: none, parsed JSON, or something that is not JSON (answered 400 by the provider). */
export type CallBody = { readonly kind: 'none' } | { readonly kind: 'json'; readonly value: unknown } | { readonly kind: 'invalid' };

/** What a provider answers; the body is always sent as JSON. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type ProviderHandler = (call: SandboxCall) => Reply;

/** One route of a provider; `:name` segments capture. */
export interface Route {
  readonly method: string;
  readonly pattern: readonly string[];
  readonly handle: (call: SandboxCall, params: Readonly<Record<string, string>>) => Reply;
}

export function route(method: string, pattern: string, handle: Route['handle']): Route {
  return { method, pattern: pattern.split('/').filter(Boolean), handle };
}

/** The first route matching method and segments, with its captured params; null when none. */
export function matchRoute(routes: readonly Route[], method: string, segments: readonly string[]): { route: Route; params: Record<string, string> } | null {
  for (const candidate of routes) {
    if (candidate.method !== method || candidate.pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = candidate.pattern.every((part, index) => {
      const segment = segments[index] ?? '';
      if (part.startsWith(':')) {
        params[part.slice(1)] = segment;
        return true;
      }
      return part === segment;
    });
    if (matches) return { route: candidate, params };
  }
  return null;
}

/** One request the sandbox answered, for tests counting upstream calls. */
export interface SandboxRequest {
  readonly provider: Provider;
  readonly method: string;
  /** The path after the provider's prefix, as sent (still percent-encoded), without the query. */
  readonly path: string;
  readonly query: Record<string, string>;
  readonly status: number;
}

export interface Mount {
  /** The first path segment, e.g. `zendesk`. */
  readonly prefix: string;
  readonly provider: Provider;
  readonly handle: ProviderHandler;
}

/** Bodies beyond this are refused with 413: bulk calls carry at most a hundred small records. */
const BODY_LIMIT_BYTES = 1024 * 1024;

export interface ListeningServer {
  readonly server: Server;
  /** `http://host:port`, brackets around IPv6 hosts. */
  readonly origin: string;
  /** Sets the providers once the origin is known (Zendesk prints absolute URLs). */
  mount(mounts: readonly Mount[]): void;
  close(): Promise<void>;
}

/** Starts listening; requests arriving before `mount` get 503. */
export async function listen(host: string, port: number, onRequest: (entry: SandboxRequest) => void): Promise<ListeningServer> {
  let mounts: readonly Mount[] = [];
  const server = createServer((req, res) => {
    handleRequest(req, res, mounts, onRequest).catch(() => {
      // handleRequest answers its own failures; this only guards against a socket that died mid-reply.
      if (!res.headersSent) send(res, { status: 500, body: { error: 'Internal sandbox error' } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.address.includes(':') ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;
  return {
    server,
    origin: `http://${hostPart}:${address.port}`,
    mount(next) {
      mounts = next;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets would hold close() open until they time out: end them now.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Request targets are origin-form paths; the base only lets `URL` parse them. */
const BASE = 'http://sandbox.invalid';

async function handleRequest(req: IncomingMessage, res: ServerResponse, mounts: readonly Mount[], onRequest: (entry: SandboxRequest) => void): Promise<void> {
  const raw = await readBody(req);
  const url = URL.canParse(req.url ?? '/', BASE) ? new URL(req.url ?? '/', BASE) : null;
  if (!url) {
    send(res, { status: 400, body: { error: 'Malformed request target' } });
    return;
  }
  const [, first = '', ...rest] = url.pathname.split('/');
  const mount = mounts.find((candidate) => candidate.prefix === first);
  if (!mount) {
    send(res, { status: mounts.length === 0 ? 503 : 404, body: { error: 'Not found', providers: mounts.map((m) => `/${m.prefix}`) } });
    return;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  const reply = answer(mount, req, rest, query, raw);
  onRequest({ provider: mount.provider, method: req.method ?? 'GET', path: `/${rest.join('/')}`, query, status: reply.status });
  send(res, reply);
}

function answer(mount: Mount, req: IncomingMessage, rawSegments: readonly string[], query: Record<string, string>, raw: Buffer | 'too-large'): Reply {
  if (raw === 'too-large') return { status: 413, body: { error: 'Request body too large' } };
  let segments: string[];
  try {
    segments = rawSegments.filter(Boolean).map((segment) => decodeURIComponent(segment));
  } catch {
    return { status: 400, body: { error: 'Malformed percent-encoding in path' } };
  }
  try {
    return mount.handle({ method: req.method ?? 'GET', segments, query, headers: req.headers, body: parseBody(raw) });
  } catch {
    return { status: 500, body: { error: 'Internal sandbox error' } };
  }
}

function parseBody(raw: Buffer): CallBody {
  const text = raw.toString('utf8').trim();
  if (text === '') return { kind: 'none' };
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'invalid' };
  }
}

/** The whole body, or `too-large` once past the limit (the rest is drained, not kept). */
function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > BODY_LIMIT_BYTES ? 'too-large' : Buffer.concat(chunks)));
    // An aborted upload still gets an answer attempt; the write then fails quietly.
    req.on('error', () => resolve(Buffer.alloc(0)));
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const payload = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...reply.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}
