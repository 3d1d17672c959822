/**
 * The status board's static files (`npm run build:web` → `dist/web/`), served at `GET /` by the
 * API's own server, so there is no second server to run.
 *
 * Caching follows Vite's layout: files under `/assets/` carry a content hash in their name and are
 * cached for a year (`immutable`); `index.html` names the current hashes and is revalidated on
 * every load (`no-cache` with an ETag), so a new build shows at the next reload. Each file is read
 * and compressed (brotli, gzip) once and kept in memory, keyed by its modification time: the whole
 * board is about 100 KB. Only files inside the board's folder are ever answered (no `..`, no
 * encoded separators, no dot files); a missing build answers 503 with what to run.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Worth compressing: text, not images or fonts that are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt']);

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * What the page may do: scripts and styles from this origin only, the API over this origin's
 * HTTP and WebSocket, the inline `data:` icon; no framing. Inline style attributes are allowed
 * because the progress bars set their width.
 */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

interface CachedFile {
  readonly mtimeMs: number;
  readonly type: string;
  readonly etag: string;
  readonly identity: Buffer;
  readonly gzip: Buffer | null;
  readonly br: Buffer | null;
}

/** Where `npm run build:web` writes the board: `<package root>/dist/web`, from `src/` or `dist/src/` alike. */
export function defaultBoardDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('the package root (package.json) was not found above src/http/');
    dir = parent;
  }
  return join(dir, 'dist', 'web');
}

/** Paths the board answers: the page itself and its hashed assets. */
export function isBoardPath(path: string): boolean {
  return path === '/' || path === '/index.html' || path.startsWith('/assets/');
}

/** Serves the board's files from `dir`; one instance per server keeps the compressed copies. */
export class BoardFiles {
  private readonly root: string;
  private readonly cache = new Map<string, CachedFile>();

  constructor(dir: string) {
    this.root = resolve(dir);
  }

  /**
   * Answers `GET`/`HEAD` of a board path: 200 (or 304 for a matching `If-None-Match`), 404 for an
   * asset that does not exist or a path that would leave the folder, 405 for other methods, and
   * 503 when the board has not been built.
   */
  answer(req: IncomingMessage, res: ServerResponse, path: string): void {
    req.resume();
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${method} is not served at ${path}; the GraphQL API is at /graphql.\n`);
      return;
    }
    const isPage = !path.startsWith('/assets/');
    const file = this.load(isPage ? 'index.html' : path.slice(1));
    if (file === 'missing') {
      if (isPage) return void answerNotBuilt(res, method);
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': REVALIDATE });
      res.end(method === 'HEAD' ? undefined : `No board file at ${path}; reload the page for the current build.\n`);
      return;
    }
    const headers: Record<string, string> = {
      'content-type': file.type,
      'cache-control': isPage ? REVALIDATE : IMMUTABLE,
      etag: file.etag,
      vary: 'accept-encoding',
      ...(isPage ? PAGE_HEADERS : { 'x-content-type-options': 'nosniff' }),
    };
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const { body, encoding } = pickEncoding(file, req.headers['accept-encoding']);
    if (encoding) headers['content-encoding'] = encoding;
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(method === 'HEAD' ? undefined : body);
  }

  /** The file at `relative` inside the board, read and compressed once per modification. */
  private load(relative: string): CachedFile | 'missing' {
    const full = this.inside(relative);
    if (!full) return 'missing';
    let mtimeMs: number;
    try {
      const stat = statSync(full);
      if (!stat.isFile()) return 'missing';
      mtimeMs = stat.mtimeMs;
    } catch {
      return 'missing';
    }
    const cached = this.cache.get(full);
    if (cached && cached.mtimeMs === mtimeMs) return cached;
    const identity = readFileSync(full);
    const ext = extname(full).toLowerCase();
    const compress = COMPRESSIBLE.has(ext) && identity.length > 512;
    const file: CachedFile = {
      mtimeMs,
      type: CONTENT_TYPES[ext] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 27)}"`,
      identity,
      gzip: compress ? gzipSync(identity, { level: 9 }) : null,
      br: compress ? brotliCompressSync(identity, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }) : null,
    };
    this.cache.set(full, file);
    return file;
  }

  /** The absolute path of `relative` when it stays inside the board's folder, else null. */
  private inside(relative: string): string | null {
    let decoded: string;
    try {
      decoded = decodeURIComponent(relative);
    } catch {
      return null;
    }
    // Encoded separators, NUL and dot segments (`..`, `.env`) never name a board file.
    if (/[\\\0]/.test(decoded) || decoded.split('/').some((segment) => segment === '' || segment.startsWith('.'))) return null;
    const full = resolve(this.root, decoded);
    return full.startsWith(this.root + sep) ? full : null;
  }
}

/** Brotli, then gzip, when the client accepts it and the file was worth compressing. */
function pickEncoding(file: CachedFile, accept: string | undefined): { body: Buffer; encoding: 'br' | 'gzip' | null } {
  const accepted = new Set((accept ?? '').split(',').map((part) => part.split(';')[0]!.trim().toLowerCase()));
  if (file.br && accepted.has('br')) return { body: file.br, encoding: 'br' };
  if (file.gzip && accepted.has('gzip')) return { body: file.gzip, encoding: 'gzip' };
  return { body: file.identity, encoding: null };
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Status board not built</title></head>
<body>
<main>
<h1>The status board has not been built</h1>
<p>This server has no <code>dist/web/</code>. Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it) and reload.</p>
<p>The API works without it: <a href="/graphql">/graphql</a> (open it in a browser for GraphiQL).</p>
</main>
</body>
</html>
`;

function answerNotBuilt(res: ServerResponse, method: string): void {
  res.writeHead(503, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'retry-after': '10',
    'content-length': String(Buffer.byteLength(NOT_BUILT_PAGE)),
  });
  res.end(method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
}
