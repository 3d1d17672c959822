/**
 * The upstream HTTP path against hostile answers (issue 16): gzip bombs and compressed bodies that
 * never end, oversized bodies, absurd rate-limit waits, redirects to another host and redirect loops.
 * Every upstream is a real loopback server; the compressed ones are written by hand with zlib.
 */
import { providerCatalog } from '../../src/providers/catalog.js';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StatusStore } from '../../src/jobs/status-store.js';
import type { JobRef } from '../../src/jobs/model.js';
import type { SaymonAccount } from '../../src/providers/descriptor.js';
import type { UpstreamOptions } from '../../src/providers/http.js';
import { MAX_PROVIDER_WAIT_MS, createUpstream, retryAfterOf } from '../../src/providers/http.js';
import { createProviderClient } from '../../src/providers/catalog.js';
import { type FakeUpstream, startFakeUpstream } from '../support/fake-upstream.js';

const OPTIONS: UpstreamOptions = { timeoutMs: 1000, retries: 2, retryBaseMs: 1, maxRetryWaitMs: 1000, concurrency: 4 };
const MiB = 1024 * 1024;

/** A raw loopback server, for answers the fake upstream cannot give (hand-made gzip streams). */
interface RawServer {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

async function startRawServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<RawServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** `{"status":"Pending","message":"` and then `inflatedBytes` spaces, gzip-compressed; valid JSON only if `complete`. */
function gzipBomb(inflatedBytes: number, complete: boolean): Buffer {
  const text = `{"status":"Pending","message":"${' '.repeat(inflatedBytes)}${complete ? '"}' : ''}`;
  return gzipSync(text);
}

let servers: RawServer[] = [];
let up: FakeUpstream;
beforeEach(async () => {
  servers = [];
  up = await startFakeUpstream();
});
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await up.close();
});

async function raw(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<RawServer> {
  const server = await startRawServer(handler);
  servers.push(server);
  return server;
}

function imageKit(baseUrl: string, options: Partial<UpstreamOptions> = {}) {
  return createProviderClient(
    { provider: 'IMAGEKIT', name: 'default', baseUrl, privateKey: 'private_key', sandbox: false },
    { options: { ...OPTIONS, ...options } },
  );
}

const ikRef = (nativeId: string): JobRef => ({ kind: 'IMAGEKIT_BULK_JOB', account: 'default', nativeId });

describe('compressed and oversized bodies', () => {
  it('refuses a gzip bomb past the inflated byte cap as BAD_RESPONSE, in one call', async () => {
    // 64 MiB of JSON once inflated, well-formed: read whole, it would be a valid answer.
    const bomb = gzipBomb(64 * MiB, true);
    const server = await raw((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
      res.end(bomb);
    });
    const answer = (await imageKit(server.url, { maxBodyBytes: MiB }).fetchStatuses('IMAGEKIT_BULK_JOB', ['bomb'])).get('bomb');
    expect(answer).toMatchObject({ failure: 'BAD_RESPONSE' });
    expect(answer && 'message' in answer && answer.message).toBe(`ImageKit account "default" answered 200 with a body larger than ${MiB} bytes`);
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a plain body past the cap, declared or chunked, without retrying', async () => {
    const big = JSON.stringify({ status: 'Pending', message: 'x'.repeat(2 * MiB) });
    up.on('GET', '/v1/bulkJobs/declared', { body: big, headers: { 'content-type': 'application/json' } });
    const chunked = await raw((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let at = 0; at < big.length; at += 64 * 1024) res.write(big.slice(at, at + 64 * 1024));
      res.end();
    });
    const declared = (await imageKit(up.url, { maxBodyBytes: MiB }).fetchStatuses('IMAGEKIT_BULK_JOB', ['declared'])).get('declared');
    const streamed = (await imageKit(chunked.url, { maxBodyBytes: MiB }).fetchStatuses('IMAGEKIT_BULK_JOB', ['chunked'])).get('chunked');
    expect(declared).toMatchObject({ failure: 'BAD_RESPONSE' });
    expect(streamed).toMatchObject({ failure: 'BAD_RESPONSE' });
    expect(up.requests).toHaveLength(1);
    expect(chunked.requests).toHaveLength(1);
    // Under the cap the same body is read as usual.
    const fits = (await imageKit(up.url, { maxBodyBytes: 4 * MiB }).fetchStatuses('IMAGEKIT_BULK_JOB', ['declared'])).get('declared');
    expect(fits).toMatchObject({ state: 'RUNNING', rawStatus: 'Pending' });
  });

  it('ends four concurrent gzip bombs, then the account recovers: slots and in-flight entries freed', async () => {
    // As reported: small on the wire, huge inflated. Read whole, undici's fetch could be aborted
    // mid-inflation and never settle, holding the account's slots and the store's entries forever.
    const bomb = gzipBomb(64 * MiB, true);
    let bombing = true;
    const server = await raw((_req, res) => {
      if (!bombing) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'Completed', type: 'COPY_FOLDER' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(bomb);
    });
    const client = imageKit(server.url, { concurrency: 4 });
    const store = new StatusStore({ catalog: providerCatalog, clients: [client], clock: { now: () => Date.now() }, cache: { ttlMs: 1, doneTtlMs: 1, maxEntries: 100 } });
    const ids = ['a', 'b', 'c', 'd'];
    const first = await store.load(ids.map(ikRef));
    // Past the cap (or, on a very slow machine, at the deadline): either way the call ended.
    for (const outcome of first) expect(['BAD_RESPONSE', 'TIMEOUT']).toContain('failure' in outcome && outcome.failure);
    expect(server.requests).toHaveLength(4);

    // The same ids are asked anew (nothing left in flight), with a fifth, and answered.
    bombing = false;
    const second = await store.load([...ids, 'e'].map(ikRef));
    expect(second.map((outcome) => 'state' in outcome && outcome.state)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(server.requests).toHaveLength(9);
  });
});

describe('rate-limit waits', () => {
  it('bounds Retry-After and X-RateLimit-Reset to an hour', () => {
    const now = Date.parse('2025-03-01T12:00:00Z');
    const wait = (headers: Record<string, string>) => retryAfterOf(new Headers(headers), now);
    expect(wait({ 'retry-after': String(10 * 365 * 24 * 3600) })).toBe(MAX_PROVIDER_WAIT_MS);
    expect(wait({ 'retry-after': 'Thu, 01 Jan 2099 00:00:00 GMT' })).toBe(MAX_PROVIDER_WAIT_MS);
    expect(wait({ 'x-ratelimit-reset': '100000000000000000000' })).toBe(MAX_PROVIDER_WAIT_MS);
    expect(wait({ 'retry-after': '30' })).toBe(30_000);
  });

  it('pauses the account for at most an hour after a 10-year Retry-After', async () => {
    up.on('GET', '/v1/bulkJobs/limited', { status: 429, headers: { 'retry-after': String(10 * 365 * 24 * 3600) } });
    const now = Date.now();
    const store = new StatusStore({ catalog: providerCatalog, clients: [imageKit(up.url)], clock: { now: () => now }, cache: { ttlMs: 1, doneTtlMs: 1, maxEntries: 100 } });
    const [answer] = await store.load([ikRef('limited')]);
    expect(answer).toMatchObject({ failure: 'RATE_LIMITED', retryAfterMs: MAX_PROVIDER_WAIT_MS });
    expect(store.pauseRemainingMs('IMAGEKIT', 'default')).toBe(MAX_PROVIDER_WAIT_MS);
    expect(up.requests).toHaveLength(1);
  });
});

describe('redirects', () => {
  const TOKEN = 'saymon-s3cr3t-token';
  function saymon(baseUrl: string) {
    const account: SaymonAccount = { provider: 'SAYMON', name: 'default', baseUrl, auth: { scheme: 'token', token: TOKEN }, sandbox: false };
    return createProviderClient(account, { options: OPTIONS });
  }

  it('never follows a redirect to another origin: the token stays home, one call, BAD_RESPONSE', async () => {
    const elsewhere = await startFakeUpstream();
    try {
      elsewhere.on('GET', /.*/, { body: { finished: true } });
      up.on('GET', '/node/api/bulk/op-1/status', { status: 302, headers: { location: `${elsewhere.url}/steal` } });
      const answer = (await saymon(up.url).fetchStatuses('SAYMON_BULK_OP', ['op-1'])).get('op-1');
      expect(answer).toMatchObject({ failure: 'BAD_RESPONSE', message: 'SAYMON account "default" answered with a redirect (302), which is not followed' });
      expect(up.requests).toHaveLength(1);
      expect(up.requests[0]!.query['api-token']).toBe(TOKEN);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('answers a redirect loop after one call', async () => {
    up.on('GET', /.*/, (request) => ({ status: 301, headers: { location: `${up.url}${request.path}?again=1` } }));
    const upstream = createUpstream({ provider: 'ZENDESK', label: 'Zendesk', account: 'default', baseUrl: up.url, auth: {}, options: OPTIONS });
    expect(await upstream.request({ route: '/loop', path: '/loop' })).toMatchObject({ ok: false, code: 'BAD_RESPONSE', status: 301 });
    expect(up.requests).toHaveLength(1);
  });
});
