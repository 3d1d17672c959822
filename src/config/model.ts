/**
 * The shape of the configuration: what the rest of the service reads once `loadConfig` has
 * validated it.
 */
import type { Provider } from '../jobs/model.js';
import type { AccountConfig } from '../providers/descriptor.js';
import type { UpstreamOptions } from '../providers/http.js';

/** A key that requests must carry when API keys are configured. */
export interface ApiKey {
  /** The bearer token itself (a secret). */
  key: string;
  /** The providers whose jobs this key may read; `null`: all. */
  providers: Provider[] | null;
  /** Safe to log: `key1`, `key2`… for `API_KEYS`, the file's `name` for `JOBS_CONFIG` keys. */
  name: string;
  /** What the key may do: `JOBS_CONFIG` `can` (default read and track); `API_KEYS` keys can do everything. */
  can: Capability[];
}

/** What an API key may do: read jobs, track them, start ImageKit jobs, manage webhooks. */
export const CAPABILITIES = ['read', 'track', 'start', 'webhooks'] as const;
export type Capability = (typeof CAPABILITIES)[number];
/** A `JOBS_CONFIG` key without `can`. */
export const DEFAULT_CAPABILITIES: readonly Capability[] = ['read', 'track'];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  /** `PORT`, default 4000; 0 lets the OS pick a free port (tests). */
  port: number;
  /** `HOST`, default `127.0.0.1`. */
  host: string;
  /** `LOG_LEVEL`, default `info`. */
  logLevel: LogLevel;
  /** The real (non-sandbox) accounts: account `default` from the environment, then `JOBS_CONFIG`'s, in file order. */
  accounts: AccountConfig[];
  /** `SANDBOX`: 1 serves the sandbox providers too, 0 never; unset: on exactly when `accounts` is empty. */
  useSandbox: boolean;
  /** `SANDBOX_PORT`: the sandbox's fixed loopback port, with the fixed development credentials; null: ephemeral, random. */
  sandboxPort: number | null;
  /** `REDIS_URL` (`redis://` or `rediss://`); null: single-process, in-memory. */
  redisUrl: string | null;
  /** `REDIS_PREFIX`, default `jsg:`: prefixes every Redis key and channel. */
  redisPrefix: string;
  /** `REDIS_OPTIONAL=1`: start (and stay ready) without Redis when it cannot be reached; default false. */
  redisOptional: boolean;
  /**
   * `REDIS_LEASE_MS`, default 10000: how long a job's poll lease (and an instance's heartbeat)
   * lives unless renewed; a dead instance's jobs are taken over within it plus one poll interval.
   */
  redisLeaseMs: number;
  /** `REDIS_CONNECT_TIMEOUT_MS`, default 5000: how long start-up waits for Redis before failing (or, optional, going on degraded). */
  redisConnectTimeoutMs: number;
  /** `REDIS_COMMAND_TIMEOUT_MS`, default 1000: a Redis command slower than this counts as failed, and its caller takes its local path. */
  redisCommandTimeoutMs: number;
  /** `API_KEYS` (named `key1`…, all providers) then `JOBS_CONFIG` `apiKeys`; empty: the API is open. */
  apiKeys: ApiKey[];
  /** `POLL_INTERVAL_MS`, default 2000: the poller's first interval per job. */
  pollIntervalMs: number;
  /** `POLL_MAX_INTERVAL_MS`, default 30000, at least `pollIntervalMs`: the interval grows toward it while nothing changes. */
  pollMaxIntervalMs: number;
  /** `CACHE_TTL_MS`, default 1000: how long a non-terminal status is reused across requests. */
  cacheTtlMs: number;
  /** `NOT_FOUND_GRACE_MS`, default 10000: how long a never-seen job may answer "not found" before that is final. */
  notFoundGraceMs: number;
  /** `DONE_CACHE_TTL_MS`, default 600000: how long a done status is reused. */
  doneTtlMs: number;
  /**
   * `CACHE_STALE_MS`, default 0 (off): for this long after `cacheTtlMs`, a running job's expired
   * status is still served at once while one refresh runs in the background.
   */
  cacheStaleMs: number;
  /** `CACHE_MAX_ENTRIES`, default 50000: the status cache's size bound. */
  cacheMaxEntries: number;
  /**
   * `UPSTREAM_TIMEOUT_MS` 5000, `UPSTREAM_RETRIES` 2, `UPSTREAM_RETRY_BASE_MS` 200,
   * `UPSTREAM_MAX_RETRY_WAIT_MS` 2000, `UPSTREAM_CONCURRENCY` 8, `UPSTREAM_MAX_BODY_BYTES` 8388608.
   */
  upstream: UpstreamOptions;
  /** Refs per `jobs`/`jobUpdates` call: 500, fixed by the contract. */
  maxRefs: number;
  /** `MAX_SUBSCRIPTIONS_PER_CONNECTION`, default 100: concurrent operations per WebSocket; one more is refused, the socket stays. */
  maxSubscriptionsPerConnection: number;
  /** `SHUTDOWN_TIMEOUT_MS`, default 10000: how long a graceful shutdown may take before the process exits anyway. */
  shutdownTimeoutMs: number;
  /** `BODY_LIMIT_BYTES`, default 1048576: larger request bodies are refused with 413, larger WebSocket messages close the socket (1009). */
  bodyLimitBytes: number;
  /** `CORS_ORIGINS`, comma-separated origins (or `*`); default none: same-origin only. */
  corsOrigins: string[];
  /**
   * `CSRF_PREVENTION`, default `posts`: which requests without a preflight must carry a CSRF header.
   * `posts` guards the simple POSTs a foreign form can send; `strict` guards GETs as well.
   */
  csrfPrevention: 'posts' | 'strict';
  /** `NODE_ENV=production`: GraphiQL, introspection and field suggestions off unless `GRAPHIQL=1`. */
  production: boolean;
  /** `GRAPHIQL` 1/0; default on unless `production`. */
  graphiql: boolean;
  /** Schema introspection: on unless `production`, where only `GRAPHIQL=1` turns it back on (GraphiQL needs it). */
  introspection: boolean;
  /** `ARMOR_MAX_*`: bounds on the shape of each operation, enforced before it runs (graphql-armor). */
  queryLimits: QueryLimits;
  /**
   * `TRUSTED_DOCUMENTS`: the only documents that may run, by hash (a client-preset
   * `persisted-documents.json`); null: any document.
   */
  trustedDocuments: ReadonlyMap<string, string> | null;
  /** The registry: `DATABASE_URL`, `DATA_DIR`, `TRACK_RETENTION_DAYS`, `REGISTRY_TIMEOUT_MS`. */
  registry: RegistrySettings;
  /** Every configured secret value (keys, passwords, tokens, API keys, Redis password), longest first, for redaction by value. */
  secrets: string[];
}

/** Bounds on each operation's shape; an operation over any of them is refused with a 400 before it runs. */
export interface QueryLimits {
  /** `ARMOR_MAX_DEPTH`, default 12: nesting of fields (fragments count). The test `jobs` query reaches 5. */
  maxDepth: number;
  /** `ARMOR_MAX_COST`, default 5000: graphql-armor's cost (objects 2, scalars 1, ×1.5 per level). */
  maxCost: number;
  /** `ARMOR_MAX_ALIASES`, default 15: aliases per operation; each alias may multiply upstream work. */
  maxAliases: number;
  /** `ARMOR_MAX_TOKENS`, default 10000: lexical tokens, checked while parsing; 500 refs written inline need ~6000. */
  maxTokens: number;
  /** `ARMOR_MAX_DIRECTIVES`, default 50: directives per operation. */
  maxDirectives: number;
  /**
   * `ARMOR_MAX_NESTING`, default 64: brackets (`{`, `[`, `(`) open at once, counted on the text
   * before parsing, since graphql-js's parser recurses per level and a deep enough document
   * (`[[[…]]]`, `{a:{a:…}}`) overflows its stack.
   */
  maxNesting: number;
}

/** Where tracked jobs live (see `docs/registry.md`). */
export interface RegistrySettings {
  /** `DATABASE_URL`: `postgres://…`/`postgresql://…` (PostgreSQL) or `memory:` (embedded, keeps nothing); null: embedded on disk under `dataDir`. */
  databaseUrl: string | null;
  /** `DATA_DIR`, default `./data`: the embedded database's files. */
  dataDir: string;
  /** `TRACK_RETENTION_DAYS`, default 30: finished tracked jobs older than this are forgotten. */
  retentionDays: number;
  /** The same in milliseconds. */
  retentionMs: number;
  /** `REGISTRY_TIMEOUT_MS`, default 5000: a registry call slower than this answers `REGISTRY_UNAVAILABLE`. */
  timeoutMs: number;
}
