/**
 * Cached answers written before yoga's pipeline runs.
 *
 * A hit of the response cache (`response-cache.ts`) executes nothing, but reaching it through
 * yoga still costs the whole pipeline: a fetch `Request` and its body stream, envelop's hooks
 * around parsing, validation, the context and execution, a fetch `Response`: about 100 KB of
 * garbage and most of the CPU of a request (BENCHMARKS.md, "Early answers"). So a plain JSON
 * POST to `/graphql` is read here first; when the cache holds the answer to exactly that request,
 * for that caller, and the answer still holds, it is written at once, with the headers yoga would
 * send. Every other request goes on to yoga, with its body already read.
 *
 * What an early answer must not skip, and why it does not:
 * - the API key: the caller is identified with the same check (a refused key goes on to yoga,
 *   which answers 401), and the cache is keyed by the caller's scope;
 * - query limits and validation: an answer is cached only once its document passed them, against
 *   the same schema;
 * - trusted documents: with them on, nothing is answered early (`server.ts` passes no cache);
 * - CORS: a request with an `Origin` goes on to yoga, which adds the CORS headers;
 * - CSRF prevention: a JSON POST is never a "simple" request, which is all it refuses;
 * - the operation metrics and the cache's hit count, recorded here as yoga's plugins would.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../metrics.js';
import type { ApiKeyCheck } from '../security/api-keys.js';
import { audienceOf } from '../security/caller.js';
import type { CacheRequest, ResponseCache } from './response-cache.js';

export interface EarlyAnswers {
  readonly cache: ResponseCache;
  readonly keys: ApiKeyCheck;
  readonly metrics: Metrics;
}

/** The request handler yoga is (over Node's HTTP types). */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** A request to `/graphql` whose body the front door let in: answered early when it can be, else by `yoga`. */
export async function serveGraphQL(req: IncomingMessage, res: ServerResponse, yoga: NodeHandler, early: EarlyAnswers | null): Promise<void> {
  const contentType = early ? earlyContentType(req) : null;
  if (!early || contentType === null) {
    await yoga(req, res);
    return;
  }
  const started = performance.now();
  const text = await readBody(req);
  // The client went away before its body arrived: nobody to answer.
  if (text === null) return;
  const parsed = parseJson(text);
  const request = plainRequest(parsed);
  if (request && (await answerEarly(res, request, req.headers.authorization, contentType, early, started))) return;
  // What `@whatwg-node/server` reads instead of the (consumed) stream: a parsed object as the
  // body's JSON, anything else as its text, so that yoga reports a bad body as it always does.
  (req as IncomingMessage & { body?: unknown }).body = isFilledObject(parsed) ? parsed : text;
  await yoga(req, res);
}

async function answerEarly(
  res: ServerResponse,
  request: Omit<CacheRequest, 'scope'>,
  authorization: string | undefined,
  contentType: string,
  { cache, keys, metrics }: EarlyAnswers,
  started: number,
): Promise<boolean> {
  const identified = keys.identify(authorization ?? null);
  if (!('caller' in identified)) return false;
  const cached = await cache.cachedAnswer({ ...request, scope: audienceOf(identified.caller) });
  if (!cached) return false;
  metrics.earlyAnswer(cached.operationName, started);
  if (res.destroyed) return true;
  res.writeHead(200, { 'content-type': contentType, 'content-length': cached.body.length });
  res.end(cached.body);
  return true;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';

/**
 * The content type yoga would answer this request with, when it is one an early answer can be:
 * a POST with a declared length, a JSON body, no `Origin`, and an `Accept` whose first type is
 * JSON, GraphQL's response type or anything (no weights, which yoga would have to rank). Null
 * for every other request.
 */
function earlyContentType(req: IncomingMessage): string | null {
  const { headers } = req;
  if (req.method !== 'POST' || headers.origin !== undefined || !(Number(headers['content-length']) > 0)) return null;
  if (!JSON_BODY.test(headers['content-type'] ?? '')) return null;
  const accept = headers.accept ?? '';
  if (accept.includes('q=')) return null;
  const first = accept.split(',')[0]!.split(';')[0]!.trim().toLowerCase();
  if (first === '' || first === '*/*' || first === 'application/json') return JSON_TYPE;
  if (first === 'application/graphql-response+json') return GRAPHQL_RESPONSE_TYPE;
  return null;
}

const JSON_BODY = /^application\/json\s*(;\s*charset=utf-8\s*)?$/i;

/** The whole body as text; null when the request ends without it (the client went away). */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    // After `end` these change nothing: the promise has settled.
    req.once('error', () => resolve(null));
    req.once('close', () => resolve(null));
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The body as a cacheable request: `query` and at most `operationName` and `variables`, each as GraphQL over HTTP has them. */
function plainRequest(body: unknown): Omit<CacheRequest, 'scope'> | null {
  if (!isFilledObject(body) || Array.isArray(body)) return null;
  const { query, operationName, variables, ...rest } = body as Record<string, unknown>;
  if (typeof query !== 'string' || Object.keys(rest).length > 0) return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
  return { query, operationName, variables: variables as CacheRequest['variables'] };
}

function isFilledObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}
