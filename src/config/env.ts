/**
 * The environment: the one table of variables (defaults and meanings; provider variables come
 * from the provider descriptors, `providers/<name>/descriptor.ts`), the typed reader that accepts
 * only those names, and the settings that take more than one typed read. The published reference
 * (`ENV_REFERENCE`, `npm run env-table`) is generated from the same table, so it cannot drift.
 *
 * Each `read…` function returns one group of `Config`, typed by the module that uses it.
 */
import { readFileSync } from 'node:fs';
import type { RedisOptions } from '../cluster/index.js';
import type { PollOptions } from '../jobs/poller.js';
import type { RegistryOptions } from '../registry/options.js';
import type { CacheOptions } from '../jobs/status-store.js';
import { PROVIDER_ENV, type ProviderEnvName } from '../providers/catalog.js';
import type { UpstreamOptions } from '../providers/http.js';
import type { ApiKey } from '../security/api-keys.js';
import type { SecurityOptions } from '../security/options.js';
import type { QueryLimits } from '../security/query-limits.js';
import { quote, type Findings } from './findings.js';
import { LOG_LEVELS, type SandboxSettings, type ServerSettings, type WebhookSettings } from './model.js';

// The table.

interface EnvVar {
  readonly default: string;
  readonly meaning: string;
}

const BEFORE_PROVIDERS = {
  PORT: { default: '4000', meaning: 'Listen port; 0 picks a free port.' },
  HOST: { default: '127.0.0.1', meaning: 'Listen address.' },
  LOG_LEVEL: { default: 'info', meaning: `Log level: ${LOG_LEVELS.join(', ')}.` },
  NODE_ENV: {
    default: '—',
    meaning: '`production` turns GraphiQL, introspection and field suggestions off (`GRAPHIQL=1` turns the first two back on).',
  },
  SANDBOX: {
    default: 'on when no account is configured',
    meaning: '`1`: serve the sandbox providers even when real ones are configured; `0`: never.',
  },
  SANDBOX_PORT: {
    default: 'ephemeral port, random credentials',
    meaning:
      'The sandbox providers listen on this loopback port, at `/imagekit`, `/saymon` and `/zendesk`, and accept fixed development credentials (see the README) so that outside tools and official SDKs can create jobs there. The start-up log names the base URLs.',
  },
  JOBS_CONFIG: {
    default: '—',
    meaning: 'Path to a JSON file declaring named accounts per provider and API keys (secrets may be read from env).',
  },
} as const satisfies Record<string, EnvVar>;

const AFTER_PROVIDERS = {
  REDIS_URL: {
    default: 'in-memory',
    meaning: 'Cluster mode (`redis://` or `rediss://`): pub/sub, poll leases and status cache shared through Redis. Its password is a secret.',
  },
  REDIS_PREFIX: { default: 'jsg:', meaning: 'Prefix of every Redis key and channel.' },
  REDIS_OPTIONAL: { default: '0', meaning: '`1`: keep serving (in-memory) while Redis cannot be reached.' },
  REDIS_LEASE_MS: {
    default: '10000',
    meaning: 'Life of a poll lease unless renewed: a dead instance\'s jobs are polled elsewhere within it (plus one poll interval).',
  },
  REDIS_CONNECT_TIMEOUT_MS: { default: '5000', meaning: 'How long start-up waits for Redis before failing (or, with `REDIS_OPTIONAL=1`, going on degraded).' },
  REDIS_COMMAND_TIMEOUT_MS: {
    default: '1000',
    meaning: 'A Redis command slower than this counts as failed: a cache or pause read goes to the provider, a lease claim keeps what this instance holds.',
  },
  DATABASE_URL: {
    default: 'embedded, on disk under `DATA_DIR`',
    meaning:
      'Where tracked jobs live: `postgres://…`/`postgresql://…` a PostgreSQL server (required with `REDIS_URL`); `memory:` the embedded database, keeping nothing. Its password is a secret.',
  },
  DATA_DIR: { default: './data', meaning: 'Where the embedded database (PGlite) keeps its files; one process at a time.' },
  TRACK_RETENTION_DAYS: { default: '30', meaning: 'Finished tracked jobs (and their history) older than this are forgotten by an hourly sweep.' },
  REGISTRY_TIMEOUT_MS: {
    default: '5000',
    meaning: 'Longest a registry call may take; slower (database away) answers `REGISTRY_UNAVAILABLE` while part 1 goes on.',
  },
  WEBHOOK_ALLOW_PRIVATE: {
    default: '0',
    meaning: '`1`: webhooks may target loopback, private, link-local and unique-local addresses (tests, the sandbox, an internal network); never the unspecified address or multicast.',
  },
  WEBHOOK_SECRET_KEY: {
    default: 'key file `DATA_DIR/webhook-secret.key`',
    meaning: 'Seals the stored webhook secrets (AES-256-GCM, key derived with scrypt), so a database dump alone reveals none; every instance of a cluster needs the same value. Secret.',
  },
  WEBHOOK_DISPATCH_INTERVAL_MS: {
    default: '1000',
    meaning: 'How often each instance looks for due webhook deliveries (retries, rows written elsewhere); a delivery written locally is sent at once.',
  },
  WEBHOOK_CONCURRENCY: {
    default: '16',
    meaning: 'Attempts at once per webhook on each instance; a job\'s events still go one after the other, in order.',
  },
  WEBHOOK_RETRY_DELAYS_MS: {
    default: '5000,300000,1800000,7200000,18000000,36000000,36000000',
    meaning: 'Comma-separated waits after each failed webhook attempt (jittered ±20 %); after the last the delivery is `GAVE_UP`.',
  },
  API_KEYS: {
    default: 'open',
    meaning:
      'Comma-separated keys; when set every GraphQL request must carry one (HTTP `Authorization: Bearer <key>`, WebSocket `connection_init` payload `{"authorization": "Bearer <key>"}`). `/health`, `/ready` and `/metrics` stay open. Secret.',
  },
  POLL_INTERVAL_MS: { default: '2000', meaning: "Poller's first interval per watched job." },
  POLL_MAX_INTERVAL_MS: { default: '30000', meaning: "Poller's largest interval (at least `POLL_INTERVAL_MS`)." },
  NOT_FOUND_GRACE_MS: {
    default: '10000',
    meaning: 'A job never seen before is final "not found" only after answering 404 for this long (fresh jobs can 404 briefly); 0: at once.',
  },
  CACHE_TTL_MS: { default: '1000', meaning: 'How long a non-terminal status is reused across requests.' },
  DONE_CACHE_TTL_MS: { default: '600000', meaning: 'How long a done status is reused.' },
  CACHE_STALE_MS: {
    default: '0',
    meaning:
      'Stale-while-revalidate, off at 0: for this long after `CACHE_TTL_MS` a running job\'s expired status is answered at once while one refresh runs in the background. Errors and not-found are never served stale.',
  },
  CACHE_MAX_ENTRIES: { default: '50000', meaning: 'Most statuses the cache holds.' },
  RESPONSE_CACHE_MAX_BYTES: {
    default: '16777216',
    meaning:
      'Most bytes (JSON) of `jobs`/`job` query answers kept for reuse, per caller scope, for exactly as long as every status in them is still the cache\'s own (never longer than `CACHE_TTL_MS` allows), and of `trackedJobs` pages, for as long as the registry database\'s snapshot is unchanged (no write transaction started or ended); 0: off.',
  },
  UPSTREAM_TIMEOUT_MS: { default: '5000', meaning: 'Timeout of each upstream attempt.' },
  UPSTREAM_RETRIES: { default: '2', meaning: 'Extra attempts of an upstream GET after 429, 5xx or network errors.' },
  UPSTREAM_RETRY_BASE_MS: { default: '200', meaning: 'Base of the exponential retry backoff (full jitter).' },
  UPSTREAM_MAX_RETRY_WAIT_MS: { default: '2000', meaning: 'A 429 asking to wait longer is not retried; its wait is reported.' },
  UPSTREAM_CONCURRENCY: { default: '8', meaning: 'Upstream calls in flight at once per account.' },
  UPSTREAM_QUEUE_MS: {
    default: '2000',
    meaning:
      'Longest wait of a query for an upstream turn when its account is paced to its rate limit; past it the ref answers `RATE_LIMITED` with `retryAfterMs` (load is shed, never queued without bound).',
  },
  UPSTREAM_MAX_BODY_BYTES: {
    default: '8388608',
    meaning: 'Most bytes read of one upstream answer, after decompression; a larger answer is `BAD_RESPONSE` for its jobs.',
  },
  MAX_SUBSCRIPTIONS_PER_CONNECTION: {
    default: '100',
    meaning: 'Concurrent operations per WebSocket connection; one more is refused with an error for it alone (the socket stays open).',
  },
  SHUTDOWN_TIMEOUT_MS: { default: '10000', meaning: 'Longest graceful shutdown before the process exits anyway.' },
  HEAP_GROWING_PERCENT: {
    default: '40',
    meaning:
      'While the JavaScript heap holds over 128 MB (thousands of subscribers): how far it may grow past what the last full collection kept, in percent, before the next one (V8\'s `--heap-growing-percent`). Keeps memory near what is alive; V8\'s own factor (up to 4×) returns below 64 MB. 0: always V8\'s own.',
  },
  READY_MAX_EVENT_LOOP_DELAY_MS: {
    default: '250',
    meaning:
      '`/ready` answers 503 while the event loop\'s p99 delay has been above this in each of the last 3 s (an overloaded instance: a load balancer then sends new subscribers elsewhere); ready again after one calm second. 0: never.',
  },
  BODY_LIMIT_BYTES: {
    default: '1048576',
    meaning: 'Largest request body, declared or chunked (larger: 413), and largest WebSocket message (larger: close 1009).',
  },
  CORS_ORIGINS: { default: 'same-origin only', meaning: 'Comma-separated origins allowed cross-origin (`*`: any).' },
  CSRF_PREVENTION: {
    default: 'posts',
    meaning:
      '`posts`: form and `text/plain` POSTs must carry `x-graphql-yoga-csrf` or `apollo-require-preflight`; `strict`: GET requests too (breaks plain GETs and native `EventSource`).',
  },
  GRAPHIQL: {
    default: 'on unless `NODE_ENV=production`',
    meaning: '`1`/`0`: serve GraphiQL to browsers; `1` also allows introspection in production.',
  },
  TRUSTED_DOCUMENTS: {
    default: 'any document',
    meaning:
      'Path to a persisted-documents JSON file (`{"<sha256>": "<document>"}`, as GraphQL Code Generator writes it); when set, only those documents run, named by `documentId` or `extensions.persistedQuery.sha256Hash`.',
  },
  ARMOR_MAX_DEPTH: { default: '12', meaning: 'Deepest field nesting an operation may have.' },
  ARMOR_MAX_COST: { default: '5000', meaning: 'Highest graphql-armor cost an operation may have.' },
  ARMOR_MAX_ALIASES: { default: '15', meaning: 'Most aliases in one operation.' },
  ARMOR_MAX_TOKENS: { default: '10000', meaning: 'Most lexical tokens in one document.' },
  ARMOR_MAX_DIRECTIVES: { default: '50', meaning: 'Most directives in one operation.' },
  ARMOR_MAX_NESTING: {
    default: '64',
    meaning: 'Deepest nesting of brackets (selection sets, list and object literals) in a document, checked before parsing.',
  },
} as const satisfies Record<string, EnvVar>;

/** Each provider's account `default` variables, as its descriptor declares them. */
const PROVIDER_VARIABLES = Object.fromEntries(
  PROVIDER_ENV.map((variable) => [variable.name, { default: variable.default, meaning: variable.meaning }]),
) as Record<ProviderEnvName, EnvVar>;

/** Every variable the code reads, in the reference's order. The reader accepts only these names. */
export const ENV = { ...BEFORE_PROVIDERS, ...PROVIDER_VARIABLES, ...AFTER_PROVIDERS };

/** The name of a variable the reader accepts. */
export type EnvName = keyof typeof ENV;
/** The process environment, or a test's stand-in for it. */
export type Env = Record<string, string | undefined>;

/** The table of environment variables (name, default, meaning) — used to generate/check the env reference in docs/operations.md. */
export const ENV_REFERENCE: ReadonlyArray<{ name: string; default: string; meaning: string }> = Object.entries(ENV).map(
  ([name, spec]: [string, EnvVar]) => ({ name, default: spec.default, meaning: spec.meaning }),
);

// The reader.

/** Node's timers overflow above this many milliseconds (and then fire at once). */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Typed access to the variables of `ENV`. Values are trimmed, and an empty value counts as unset
 * (`FOO=` in a compose file means "not configured"). A bad value is recorded as a problem and the
 * default returned, so that reading continues and every problem is reported at once.
 */
export class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly findings: Findings,
  ) {}

  text(name: EnvName): string | undefined {
    const value = this.env[name]?.trim();
    return value || undefined;
  }

  /** An integer in `min..max`; `min` 0 or 1 reads as "non-negative"/"positive" in messages. */
  int(name: EnvName, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const fallback = Number(ENV[name].default);
    const value = this.text(name);
    if (value === undefined) return fallback;
    const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (parsed > max) {
      this.findings.problem(name, `expected at most ${max}, got ${quote(value)}`);
    } else if (!(parsed >= min)) {
      this.findings.problem(name, `expected ${integerKind(min)}, got ${quote(value)}`);
    } else {
      return parsed;
    }
    return fallback;
  }

  /** `1`/`true` or `0`/`false` (any case); undefined when unset. */
  flag(name: EnvName): boolean | undefined {
    const value = this.text(name)?.toLowerCase();
    if (value === undefined) return undefined;
    if (value === '1' || value === 'true') return true;
    if (value === '0' || value === 'false') return false;
    this.findings.problem(name, `expected 1, 0, true or false, got ${quote(value)}`);
    return undefined;
  }

  oneOf<T extends string>(name: EnvName, allowed: readonly T[]): T {
    const value = (this.text(name) ?? ENV[name].default).toLowerCase();
    const match = allowed.find((option) => option === value);
    if (match !== undefined) return match;
    this.findings.problem(name, `expected one of ${allowed.join(', ')}, got ${quote(value)}`);
    return ENV[name].default as T;
  }
}

function integerKind(min: number): string {
  if (min === 0) return 'a non-negative integer';
  if (min === 1) return 'a positive integer';
  return `an integer of at least ${min}`;
}

/** A comma-separated value's entries, trimmed; empty entries are dropped. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

// The groups of `Config` read from the environment.

/** The listen address and request bounds; `GRAPHIQL` decides GraphiQL everywhere (default: off in production). */
export function readServer(read: EnvReader, maxRefs: number): ServerSettings {
  const production = read.text('NODE_ENV') === 'production';
  return {
    host: read.text('HOST') ?? ENV.HOST.default,
    port: read.int('PORT', 0, 65_535),
    maxRefs,
    bodyLimitBytes: read.int('BODY_LIMIT_BYTES', 1),
    shutdownTimeoutMs: read.int('SHUTDOWN_TIMEOUT_MS', 1, MAX_TIMER_MS),
    heapGrowingPercent: read.int('HEAP_GROWING_PERCENT', 0, 1000),
    readyMaxEventLoopDelayMs: read.int('READY_MAX_EVENT_LOOP_DELAY_MS', 0, MAX_TIMER_MS),
    production,
    graphiql: read.flag('GRAPHIQL') ?? !production,
    responseCacheMaxBytes: read.int('RESPONSE_CACHE_MAX_BYTES', 0),
  };
}

/** `SANDBOX` and `SANDBOX_PORT`; without `SANDBOX`, the sandbox serves exactly when no account is configured. */
export function readSandbox(read: EnvReader, accountsConfigured: boolean): SandboxSettings {
  return {
    enabled: read.flag('SANDBOX') ?? !accountsConfigured,
    port: read.text('SANDBOX_PORT') === undefined ? null : read.int('SANDBOX_PORT', 1, 65_535),
  };
}

/** `CACHE_*` and `DONE_CACHE_TTL_MS`. */
export function readCache(read: EnvReader): CacheOptions {
  return {
    ttlMs: read.int('CACHE_TTL_MS', 1, MAX_TIMER_MS),
    doneTtlMs: read.int('DONE_CACHE_TTL_MS', 1, MAX_TIMER_MS),
    staleMs: read.int('CACHE_STALE_MS', 0, MAX_TIMER_MS),
    maxEntries: read.int('CACHE_MAX_ENTRIES', 1),
  };
}

/** `POLL_INTERVAL_MS`, `POLL_MAX_INTERVAL_MS` (not below the first) and `NOT_FOUND_GRACE_MS`. */
export function readPoll(read: EnvReader, findings: Findings): PollOptions {
  const intervalMs = read.int('POLL_INTERVAL_MS', 1, MAX_TIMER_MS);
  const maxIntervalMs = read.int('POLL_MAX_INTERVAL_MS', 1, MAX_TIMER_MS);
  const bothValid = !findings.hasProblem('POLL_INTERVAL_MS') && !findings.hasProblem('POLL_MAX_INTERVAL_MS');
  if (bothValid && maxIntervalMs < intervalMs) {
    findings.problem('POLL_MAX_INTERVAL_MS', `must be at least POLL_INTERVAL_MS (${intervalMs}), got ${quote(String(maxIntervalMs))}`);
  }
  return { intervalMs, maxIntervalMs, notFoundGraceMs: read.int('NOT_FOUND_GRACE_MS', 0, MAX_TIMER_MS) };
}

/** `UPSTREAM_*`: timeouts, retries and concurrency of the provider clients. */
export function readUpstream(read: EnvReader): UpstreamOptions {
  return {
    timeoutMs: read.int('UPSTREAM_TIMEOUT_MS', 1, MAX_TIMER_MS),
    retries: read.int('UPSTREAM_RETRIES', 0, 10),
    retryBaseMs: read.int('UPSTREAM_RETRY_BASE_MS', 1, MAX_TIMER_MS),
    maxRetryWaitMs: read.int('UPSTREAM_MAX_RETRY_WAIT_MS', 0, MAX_TIMER_MS),
    concurrency: read.int('UPSTREAM_CONCURRENCY', 1, 1_000),
    queueMs: read.int('UPSTREAM_QUEUE_MS', 0, MAX_TIMER_MS),
    maxBodyBytes: read.int('UPSTREAM_MAX_BODY_BYTES', 1_024, 1_073_741_824),
  };
}

/** `REDIS_*`: null without `REDIS_URL`, but every variable is checked either way. */
export function readRedis(read: EnvReader, findings: Findings): RedisOptions | null {
  const url = readRedisUrl(read, findings);
  const options = {
    prefix: read.text('REDIS_PREFIX') ?? ENV.REDIS_PREFIX.default,
    optional: read.flag('REDIS_OPTIONAL') ?? false,
    leaseMs: read.int('REDIS_LEASE_MS', 100, MAX_TIMER_MS),
    connectTimeoutMs: read.int('REDIS_CONNECT_TIMEOUT_MS', 1, MAX_TIMER_MS),
    commandTimeoutMs: read.int('REDIS_COMMAND_TIMEOUT_MS', 1, MAX_TIMER_MS),
  };
  return url === null ? null : { url, ...options };
}

const DAY_MS = 86_400_000;

/** `DATABASE_URL`, `DATA_DIR`, `TRACK_RETENTION_DAYS`, `REGISTRY_TIMEOUT_MS`; the URL's password is a secret and never echoed. */
export function readRegistry(read: EnvReader, findings: Findings): RegistryOptions {
  const value = read.text('DATABASE_URL');
  let databaseUrl: string | null = null;
  if (value === 'memory:') {
    databaseUrl = value;
  } else if (value !== undefined) {
    let url: URL | null = null;
    try {
      url = new URL(value);
    } catch {
      // Reported below.
    }
    if (url && (url.protocol === 'postgres:' || url.protocol === 'postgresql:')) {
      findings.secret(url.password);
      findings.secret(safeDecodeURIComponent(url.password));
      databaseUrl = value;
    } else {
      findings.problem('DATABASE_URL', 'expected postgres://…, postgresql://… or memory:');
    }
  }
  const retentionDays = read.int('TRACK_RETENTION_DAYS', 1, 36_500);
  return {
    databaseUrl,
    dataDir: read.text('DATA_DIR') ?? ENV.DATA_DIR.default,
    retentionDays,
    retentionMs: retentionDays * DAY_MS,
    timeoutMs: read.int('REGISTRY_TIMEOUT_MS', 1, MAX_TIMER_MS),
  };
}

/** `WEBHOOK_*`; the secret key is a secret and never echoed. */
export function readWebhooks(read: EnvReader, findings: Findings): WebhookSettings {
  const secretKey = read.text('WEBHOOK_SECRET_KEY') ?? null;
  findings.secret(secretKey ?? undefined);
  const delaysText = read.text('WEBHOOK_RETRY_DELAYS_MS') ?? ENV.WEBHOOK_RETRY_DELAYS_MS.default;
  const delays = splitList(delaysText).map((entry) => (/^\d+$/.test(entry) ? Number(entry) : Number.NaN));
  const delaysValid = delays.length > 0 && delays.length <= 20 && delays.every((delay) => delay >= 0 && delay <= MAX_TIMER_MS);
  if (!delaysValid) findings.problem('WEBHOOK_RETRY_DELAYS_MS', `expected 1 to 20 comma-separated non-negative integers, got ${quote(delaysText)}`);
  return {
    allowPrivate: read.flag('WEBHOOK_ALLOW_PRIVATE') ?? false,
    secretKey,
    dispatchIntervalMs: read.int('WEBHOOK_DISPATCH_INTERVAL_MS', 1, MAX_TIMER_MS),
    concurrency: read.int('WEBHOOK_CONCURRENCY', 1, 256),
    retryDelaysMs: delaysValid ? delays : splitList(ENV.WEBHOOK_RETRY_DELAYS_MS.default).map(Number),
  };
}

function safeDecodeURIComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Access control and limits, for the API keys already read. In production introspection is off
 * unless `GRAPHIQL=1` (GraphiQL needs it), and field suggestions are hidden.
 */
export function readSecurity(read: EnvReader, findings: Findings, apiKeys: readonly ApiKey[], server: ServerSettings): SecurityOptions {
  return {
    apiKeys,
    corsOrigins: readCorsOrigins(read, findings),
    csrfPrevention: read.oneOf('CSRF_PREVENTION', ['posts', 'strict'] as const),
    introspection: !server.production || server.graphiql,
    fieldSuggestions: !server.production,
    queryLimits: readQueryLimits(read),
    trustedDocuments: readTrustedDocuments(read, findings),
    maxSubscriptionsPerConnection: read.int('MAX_SUBSCRIPTIONS_PER_CONNECTION', 1),
  };
}

/** The URL as given; its password joins the secrets. The URL is never echoed: it may hold that password. */
function readRedisUrl(read: EnvReader, findings: Findings): string | null {
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

/** `ARMOR_MAX_*`. */
function readQueryLimits(read: EnvReader): QueryLimits {
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
function readTrustedDocuments(read: EnvReader, findings: Findings): ReadonlyMap<string, string> | null {
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
function readCorsOrigins(read: EnvReader, findings: Findings): string[] {
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
