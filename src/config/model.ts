/**
 * The shape of the configuration: what the rest of the service reads once `loadConfig` has
 * validated it. Groups follow their users: each option group is declared (with its variables and
 * defaults) where it is used (`jobs/`, `providers/`, `cluster/`, `security/`) and composed here;
 * only what has no other home (the listen address, the sandbox, logging) is declared in this file.
 */
import type { RedisOptions } from '../cluster/index.js';
import type { PollOptions } from '../jobs/poller.js';
import type { CacheOptions } from '../jobs/status-store.js';
import type { AccountConfig } from '../providers/descriptor.js';
import type { UpstreamOptions } from '../providers/http.js';
import type { RegistryOptions } from '../registry/options.js';
import type { SecurityOptions } from '../security/options.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The HTTP server and the process around it. */
export interface ServerSettings {
  /** `HOST`, default `127.0.0.1`. */
  readonly host: string;
  /** `PORT`, default 4000; 0 lets the OS pick a free port (tests). */
  readonly port: number;
  /** Refs per `jobs`/`jobUpdates` call: 500, fixed by the contract. */
  readonly maxRefs: number;
  /** `BODY_LIMIT_BYTES`, default 1048576: larger request bodies are refused with 413, larger WebSocket messages close the socket (1009). */
  readonly bodyLimitBytes: number;
  /** `SHUTDOWN_TIMEOUT_MS`, default 10000: how long a graceful shutdown may take before the process exits anyway. */
  readonly shutdownTimeoutMs: number;
  /**
   * `HEAP_GROWING_PERCENT`, default 40: while the heap holds over 128 MB, how far it may grow past
   * the last full collection's live size before the next (0: always V8's own factor). With 10 000
   * subscribers V8's own let the heap run ~2× its live size (BENCHMARKS.md, "Heap growth").
   */
  readonly heapGrowingPercent: number;
  /** `READY_MAX_EVENT_LOOP_DELAY_MS`, default 250: a sustained p99 event-loop delay above it makes `/ready` 503; 0: never. */
  readonly readyMaxEventLoopDelayMs: number;
  /** `NODE_ENV=production`: GraphiQL, introspection and field suggestions off unless `GRAPHIQL=1`. */
  readonly production: boolean;
  /** `GRAPHIQL` 1/0; default on unless `production`. */
  readonly graphiql: boolean;
  /**
   * `RESPONSE_CACHE_MAX_BYTES`, default 16777216: most bytes of query answers kept for reuse while
   * every status in them is still the cache's (`http/response-cache.ts`); 0 turns the response cache off.
   */
  readonly responseCacheMaxBytes: number;
}

/** The built-in sandbox providers. */
export interface SandboxSettings {
  /** `SANDBOX`: 1 serves the sandbox providers too, 0 never; unset: on exactly when `Config.accounts` is empty. */
  readonly enabled: boolean;
  /** `SANDBOX_PORT`: the sandbox's fixed loopback port, with the fixed development credentials; null: ephemeral, random. */
  readonly port: number | null;
}

/** Webhooks (issue 13, `docs/webhooks.md`). */
export interface WebhookSettings {
  /** `WEBHOOK_ALLOW_PRIVATE=1`: destinations on loopback and private networks are allowed. */
  readonly allowPrivate: boolean;
  /** `WEBHOOK_SECRET_KEY`: seals stored secrets; null: the key file under `DATA_DIR`. A secret. */
  readonly secretKey: string | null;
  /** `WEBHOOK_DISPATCH_INTERVAL_MS`: how often each instance looks for due deliveries besides being woken. */
  readonly dispatchIntervalMs: number;
  /** `WEBHOOK_CONCURRENCY`: attempts at once per webhook on each instance. */
  readonly concurrency: number;
  /** `WEBHOOK_RETRY_DELAYS_MS`: the waits after each failed attempt. */
  readonly retryDelaysMs: readonly number[];
}

export interface Config {
  readonly server: ServerSettings;
  /** `LOG_LEVEL`, default `info`. */
  readonly logLevel: LogLevel;
  /** The real (non-sandbox) accounts: account `default` from the environment, then `JOBS_CONFIG`'s, in file order. */
  readonly accounts: AccountConfig[];
  readonly sandbox: SandboxSettings;
  /** Cluster mode when `REDIS_URL` is set; null: single-process, in-memory. */
  readonly redis: RedisOptions | null;
  readonly cache: CacheOptions;
  readonly poll: PollOptions;
  /** `UPSTREAM_*`: timeouts, retries, concurrency and body cap of every provider call. */
  readonly upstream: UpstreamOptions;
  readonly security: SecurityOptions;
  /** The registry: `DATABASE_URL`, `DATA_DIR`, `TRACK_RETENTION_DAYS`, `REGISTRY_TIMEOUT_MS`. */
  readonly registry: RegistryOptions;
  readonly webhooks: WebhookSettings;
  /** Every configured secret value (keys, passwords, tokens, API keys, Redis password), longest first, for redaction by value. */
  readonly secrets: string[];
}
