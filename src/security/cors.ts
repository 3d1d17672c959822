/**
 * Which web origins may use the API from a browser (`CORS_ORIGINS`). With none configured only
 * same-origin pages may: no CORS headers are sent, and WebSocket upgrades from other origins are
 * refused (browsers apply no CORS to WebSockets, so the server must look at `Origin` itself).
 */
import type { CORSOptions } from 'graphql-yoga';
import { CSRF_HEADERS } from './csrf.js';

/** Headers browsers may send cross-origin: the key, the request id, and the CSRF-prevention headers. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'accept', 'x-request-id', ...CSRF_HEADERS];

/** Yoga's CORS settings for the allow-list; false (no CORS headers at all) when it is empty. */
export function corsOptions(origins: readonly string[]): CORSOptions | false {
  if (origins.length === 0) return false;
  return {
    origin: origins.includes('*') ? '*' : [...origins],
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: ['x-request-id'],
    // Keys travel in a header, never in cookies: nothing is gained by letting credentials through.
    credentials: false,
    maxAge: 600,
  };
}

/**
 * Whether a WebSocket upgrade may proceed: requests without `Origin` (not from a browser), from
 * the server's own origin, or from an allowed one.
 */
export function webSocketOriginAllowed(origin: string | undefined, host: string | undefined, origins: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (origins.includes('*') || origins.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
