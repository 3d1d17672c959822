/**
 * The settings read from the environment that take more than one typed read: checked against each
 * other (poll intervals), grouped (upstream, query limits, browser access), or parsed beyond a number
 * (Redis URL, CORS origins, trusted documents).
 */
import { readFileSync } from 'node:fs';
import type { UpstreamOptions } from '../providers/http.js';
import { MAX_TIMER_MS, splitList, type EnvReader } from './env-reader.js';
import { quote, type Findings } from './findings.js';
import type { Config, QueryLimits } from './model.js';

/** `POLL_INTERVAL_MS` and `POLL_MAX_INTERVAL_MS`: the largest interval may not be below the first. */
export function readPollIntervals(read: EnvReader, findings: Findings): Pick<Config, 'pollIntervalMs' | 'pollMaxIntervalMs'> {
  const pollIntervalMs = read.int('POLL_INTERVAL_MS', 1, MAX_TIMER_MS);
  const pollMaxIntervalMs = read.int('POLL_MAX_INTERVAL_MS', 1, MAX_TIMER_MS);
  const bothValid = !findings.hasProblem('POLL_INTERVAL_MS') && !findings.hasProblem('POLL_MAX_INTERVAL_MS');
  if (bothValid && pollMaxIntervalMs < pollIntervalMs) {
    findings.problem(
      'POLL_MAX_INTERVAL_MS',
      `must be at least POLL_INTERVAL_MS (${pollIntervalMs}), got ${quote(String(pollMaxIntervalMs))}`,
    );
  }
  return { pollIntervalMs, pollMaxIntervalMs };
}

/** `UPSTREAM_*`: timeouts, retries and concurrency of the provider clients. */
export function readUpstream(read: EnvReader): UpstreamOptions {
  return {
    timeoutMs: read.int('UPSTREAM_TIMEOUT_MS', 1, MAX_TIMER_MS),
    retries: read.int('UPSTREAM_RETRIES', 0, 10),
    retryBaseMs: read.int('UPSTREAM_RETRY_BASE_MS', 1, MAX_TIMER_MS),
    maxRetryWaitMs: read.int('UPSTREAM_MAX_RETRY_WAIT_MS', 0, MAX_TIMER_MS),
    concurrency: read.int('UPSTREAM_CONCURRENCY', 1, 1_000),
    maxBodyBytes: read.int('UPSTREAM_MAX_BODY_BYTES', 1_024, 1_073_741_824),
  };
}

/** The URL as given; its password joins the secrets. The URL is never echoed: it may hold that password. */
export function readRedisUrl(read: EnvReader, findings: Findings): string | null {
  const value = read.text('REDIS_URL');
  if (value === undefined) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    findings.problem('REDIS_URL', 'expected a redis:// or rediss:// URL');
    return null;
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    findings.problem('REDIS_URL', `expected a redis:// or rediss:// URL, got a ${url.protocol} URL`);
    return null;
  }
  findings.secret(url.password);
  findings.secret(safeDecode(url.password));
  return value;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** `GRAPHIQL` decides GraphiQL everywhere; in production it alone re-enables introspection, which GraphiQL needs. */
export function readBrowserAccess(read: EnvReader, production: boolean): Pick<Config, 'graphiql' | 'introspection'> {
  const graphiql = read.flag('GRAPHIQL');
  return { graphiql: graphiql ?? !production, introspection: !production || graphiql === true };
}

/** `ARMOR_MAX_*`. */
export function readQueryLimits(read: EnvReader): QueryLimits {
  return {
    maxDepth: read.int('ARMOR_MAX_DEPTH', 1, 1_000),
    maxCost: read.int('ARMOR_MAX_COST', 1),
    maxAliases: read.int('ARMOR_MAX_ALIASES', 0, 10_000),
    maxTokens: read.int('ARMOR_MAX_TOKENS', 1),
    maxDirectives: read.int('ARMOR_MAX_DIRECTIVES', 0, 10_000),
    // Bounded above: the parser recurses once per level, and a few thousand levels overflow its stack.
    maxNesting: read.int('ARMOR_MAX_NESTING', 1, 500),
  };
}

/**
 * The persisted documents file: a JSON object from hash to document text. Read once here so that
 * a missing or malformed file stops start-up rather than refusing every request later.
 */
export function readTrustedDocuments(read: EnvReader, findings: Findings): ReadonlyMap<string, string> | null {
  const path = read.text('TRUSTED_DOCUMENTS');
  if (path === undefined) return null;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    findings.problem('TRUSTED_DOCUMENTS', code ? `cannot read ${quote(path)} (${code})` : `${quote(path)} is not valid JSON`);
    return null;
  }
  const entries = json !== null && typeof json === 'object' && !Array.isArray(json) ? Object.entries(json) : [];
  if (entries.length === 0 || entries.some(([hash, document]) => hash.trim() === '' || typeof document !== 'string')) {
    findings.problem('TRUSTED_DOCUMENTS', `expected ${quote(path)} to hold a non-empty JSON object mapping document hashes to documents`);
    return null;
  }
  return new Map(entries as [string, string][]);
}

/** `CORS_ORIGINS`: `*` or bare origins (scheme, host and port); any other entry is a problem. */
export function readCorsOrigins(read: EnvReader, findings: Findings): string[] {
  const entries = splitList(read.text('CORS_ORIGINS'));
  const origins: string[] = [];
  for (const entry of entries) {
    const origin = entry === '*' ? '*' : originOf(entry);
    if (origin === undefined) {
      const expected = 'expected origins like "https://app.example.com" (scheme and host only) or "*"';
      findings.problem('CORS_ORIGINS', `${expected}, got ${quote(entry)}`);
    } else {
      origins.push(origin);
    }
  }
  return origins;
}

function originOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    return (url.protocol === 'http:' || url.protocol === 'https:') && bare ? url.origin : undefined;
  } catch {
    return undefined;
  }
}
