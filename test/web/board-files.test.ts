/**
 * The status board's static files over real HTTP: the built `dist/web/` served by the app at
 * `GET /` beside GraphiQL, and `BoardFiles` on a loopback server over a folder made here, for
 * caching, content types, compression, revalidation, traversal and a missing build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoardFiles, isBoardPath } from '../../src/http/board.js';
import { startTestApp, type TestApp } from '../support/app.js';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** A raw GET: `fetch` would normalise `..` and decode the body, which is what is under test. */
function get(origin: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(origin);
    // The path as given (a URL string would be normalised, `..` and all).
    const req = httpRequest({ host: hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the board at GET / of the app', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ SANDBOX: '1' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('serves the built page, revalidated on every load, and its hashed assets for a year', async () => {
    const origin = api.app.server.origin;
    const page = await get(origin, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    const html = page.body.toString();
    expect(html).toContain('<div id="app">');
    expect(html).toContain('href="/graphql"');
    expect((await get(origin, '/index.html')).body.toString()).toBe(html);

    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]!);
    expect(assets.some((asset) => asset.endsWith('.js'))).toBe(true);
    for (const asset of assets) {
      const answer = await get(origin, asset, { 'accept-encoding': 'gzip' });
      expect(answer.status, asset).toBe(200);
      expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(answer.headers['content-type']).toBe(asset.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8');
      expect(answer.headers['content-encoding']).toBe('gzip');
    }
  });

  it('keeps GraphiQL at /graphql and the helpful 404 elsewhere', async () => {
    const origin = api.app.server.origin;
    const graphiql = await get(origin, '/graphql', { accept: 'text/html' });
    expect(graphiql.status).toBe(200);
    expect(graphiql.body.toString()).toContain('GraphiQL');
    const unknown = await get(origin, '/graphiql');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body.toString())).toMatchObject({ paths: { graphql: '/graphql', board: '/' } });
  });

  it('never answers a file outside dist/web', async () => {
    const origin = api.app.server.origin;
    for (const path of ['/assets/../index.html', '/assets/../../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/assets/.hidden', '/assets/']) {
      const answer = await get(origin, path);
      expect(answer.status, path).toBe(404);
      expect(answer.body.toString(), path).not.toContain('"name": "job-status-graphql"');
    }
  });
});

describe('BoardFiles over a folder', () => {
  let dir: string;
  let server: Server;
  let origin: string;
  const script = `console.log(${JSON.stringify('board '.repeat(400))});\n`;

  const listen = async (folder: string) => {
    const files = new BoardFiles(folder);
    const next = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (isBoardPath(path)) files.answer(req, res, path);
      else res.writeHead(418).end();
    });
    await new Promise<void>((resolve) => next.listen(0, '127.0.0.1', resolve));
    return { server: next, origin: `http://127.0.0.1:${(next.address() as AddressInfo).port}` };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jsg-board-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title><div id="app"></div>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), script);
    writeFileSync(join(dir, 'assets', 'logo-abc123.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    writeFileSync(join(dir, 'secret.txt'), 'not a board file');
    ({ server, origin } = await listen(dir));
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('compresses text with brotli or gzip as accepted, and sends images as they are', async () => {
    const br = await get(origin, '/assets/index-abc123.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('accept-encoding');
    expect(brotliDecompressSync(br.body).toString()).toBe(script);
    const gzip = await get(origin, '/assets/index-abc123.js', { 'accept-encoding': 'gzip' });
    expect(gunzipSync(gzip.body).toString()).toBe(script);
    const plain = await get(origin, '/assets/index-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
    const png = await get(origin, '/assets/logo-abc123.png', { 'accept-encoding': 'br' });
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['content-encoding']).toBeUndefined();
  });

  it('answers 304 to a matching If-None-Match, 405 to other methods, nothing to HEAD bodies', async () => {
    const first = await get(origin, '/');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^".+"$/);
    const again = await get(origin, '/', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const head = await get(origin, '/', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect((await get(origin, '/', {}, 'POST')).status).toBe(405);
  });

  it('serves only the page and assets/, never a file beside them', async () => {
    expect((await get(origin, '/secret.txt')).status).toBe(418);
    expect((await get(origin, '/assets/../secret.txt')).status).toBe(404);
    expect((await get(origin, '/assets/%2e%2e%2fsecret.txt')).status).toBe(404);
    expect((await get(origin, '/assets/nope.js')).status).toBe(404);
  });

  it('answers 503 with what to run when the board has not been built', async () => {
    const missing = await listen(join(dir, 'not-built'));
    try {
      const page = await get(missing.origin, '/');
      expect(page.status).toBe(503);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body.toString()).toContain('npm run build:web');
      expect(page.body.toString()).toContain('href="/graphql"');
    } finally {
      await new Promise((resolve) => missing.server.close(resolve));
    }
  });
});
