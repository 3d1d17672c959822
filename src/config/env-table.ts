/**
 * The one table of environment variables: their defaults and meanings. Provider variables come
 * from the provider descriptors (`providers/<name>/descriptor.ts`). The reader accepts only
 * these names, and the published reference is generated from the same table.
 */
import { PROVIDER_ENV, type ProviderEnvName } from '../providers/catalog.js';
import { LOG_LEVELS } from './model.js';

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
  UPSTREAM_TIMEOUT_MS: { default: '5000', meaning: 'Timeout of each upstream attempt.' },
  UPSTREAM_RETRIES: { default: '2', meaning: 'Extra attempts of an upstream GET after 429, 5xx or network errors.' },
  UPSTREAM_RETRY_BASE_MS: { default: '200', meaning: 'Base of the exponential retry backoff (full jitter).' },
  UPSTREAM_MAX_RETRY_WAIT_MS: { default: '2000', meaning: 'A 429 asking to wait longer is not retried; its wait is reported.' },
  UPSTREAM_CONCURRENCY: { default: '8', meaning: 'Upstream calls in flight at once per account.' },
  UPSTREAM_MAX_BODY_BYTES: {
    default: '8388608',
    meaning: 'Most bytes read of one upstream answer, after decompression; a larger answer is `BAD_RESPONSE` for its jobs.',
  },
  MAX_SUBSCRIPTIONS_PER_CONNECTION: {
    default: '100',
    meaning: 'Concurrent operations per WebSocket connection; one more is refused with an error for it alone (the socket stays open).',
  },
  SHUTDOWN_TIMEOUT_MS: { default: '10000', meaning: 'Longest graceful shutdown before the process exits anyway.' },
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
