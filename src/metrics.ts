/**
 * Prometheus metrics, served on `/metrics`. One registry per server (not prom-client's global
 * one), so that a process may run several servers (tests do) without their numbers mixing.
 *
 * Counters are fed through the hooks the domain already has (an upstream exchange, a status
 * lookup, a poll); gauges are read from the live objects when Prometheus scrapes.
 * Every metric of ours starts with `jsg_`; prom-client's standard process metrics come along.
 */
import { getOperationAST, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UpstreamExchange } from './providers/http.js';
import type { LookupResult } from './jobs/status-store.js';
import type { BudgetUse } from './jobs/pacer.js';

/** What the gauges read at scrape time; each part may be left out. */
export interface GaugeSources {
  readonly poller?: () => { watched: number; scheduled: number };
  readonly feed?: () => { streams: number; topics: number };
  readonly webSocketClients?: () => number;
  readonly cacheEntries?: () => number;
  /** Cluster mode only: whether Redis is connected, and the poll leases this instance holds. */
  readonly cluster?: () => { connected: boolean; leasesHeld: number };
  /** The registry: unfinished tracked jobs this instance's tracker watches. */
  readonly trackedUnfinished?: () => number;
  /** Each account's upstream budget and its use (the status store's pacer). */
  readonly upstreamBudgets?: () => readonly BudgetUse[];
  /** The event loop's p99 delay over the last window, and whether it has been above `READY_MAX_EVENT_LOOP_DELAY_MS` long enough to make `/ready` 503. */
  readonly eventLoop?: () => { p99Ms: number; overloaded: boolean };
  /** The webhook outbox: deliveries in flight and the oldest one's creation (asked of the database at scrape time). */
  readonly webhookQueue?: () => Promise<{ depth: number; oldest: Date | null }>;
}

/** Why a request or connection was turned away before any GraphQL ran. */
export type Refusal = 'unauthenticated' | 'body_too_large' | 'origin' | 'subscription_limit' | 'shutting_down';

export interface Metrics {
  readonly registry: Registry;
  /** For `createProviderClient`'s `onExchange`: one finished upstream HTTP attempt. */
  upstreamExchange(exchange: UpstreamExchange): void;
  /** For the status store's `onLookup`. */
  statusLookup(result: LookupResult, count?: number): void;
  /** For shared event execution: one subscription event delivered, its selection run or reused. */
  subscriptionEvent(how: 'executed' | 'shared'): void;
  /** For the response cache's `onLookup`: a cacheable query answered from the cache or executed. */
  responseCacheLookup(result: 'hit' | 'miss'): void;
  /**
   * A query answered from the response cache before yoga's pipeline (`early-answer.ts`): counted
   * as an operation, as the plugin counts the ones yoga runs, and as an early answer.
   */
  earlyAnswer(operationName: string | undefined, startedAt: number): void;
  /** For the status store's `onShed`: one upstream call refused a turn, its refs answered `RATE_LIMITED`. */
  shed(provider: string, account: string): void;
  /** For the poller's `onPoll`: one refresh covering `jobs` jobs. */
  polled(jobs: number): void;
  refused(reason: Refusal): void;
  /** The tracker wrote one history entry. */
  historyWritten(): void;
  /** A registry call failed (database away or too slow). */
  registryError(): void;
  /** One recorded webhook attempt: delivered, failed (a retry is scheduled) or gave up. */
  webhookDelivery(outcome: 'delivered' | 'failed' | 'gave_up'): void;
  /** One finished HTTP response (WebSocket upgrades excluded). */
  httpResponse(path: string, status: number): void;
  /** Adds (or replaces) what the gauges read; parts not named are kept. */
  observe(sources: GaugeSources): void;
  /** The yoga plugin that counts and times GraphQL operations. */
  readonly graphqlPlugin: Plugin;
}

/** Paths counted by name; any other (a client's typo, a scanner's probe) counts as `other`. */
const KNOWN_PATHS = new Set(['/graphql', '/health', '/ready', '/metrics']);

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A fresh registry with every metric of the service, plus prom-client's process metrics. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let sources: GaugeSources = {};
  const registers = [registry];

  const upstreamRequests = new Counter({
    name: 'jsg_upstream_requests_total',
    help: 'Upstream HTTP attempts, by provider, account, route template and outcome (HTTP status, timeout or network).',
    labelNames: ['provider', 'account', 'route', 'outcome'] as const,
    registers,
  });
  const upstreamDuration = new Histogram({
    name: 'jsg_upstream_request_duration_seconds',
    help: 'Duration of upstream HTTP attempts, by provider, account, route template and outcome.',
    labelNames: ['provider', 'account', 'route', 'outcome'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const lookups = new Counter({
    name: 'jsg_status_lookups_total',
    help: 'Refs asked of the status store: hit (fresh in this process), stale (expired, answered while refreshed), miss (asked of the shared cache or upstream), coalesced (joined an ask in flight).',
    labelNames: ['result'] as const,
    registers,
  });
  // Counted here and added at each scrape: ten thousand label lookups a second at fan-out otherwise.
  const eventsSinceScrape = { executed: 0, shared: 0 };
  new Counter({
    name: 'jsg_subscription_events_total',
    help: 'Subscription events delivered, by execution: executed (the selection ran for it) or shared (reused the result of a subscriber with the same document, variables and API key).',
    labelNames: ['execution'] as const,
    registers,
    collect() {
      for (const execution of ['executed', 'shared'] as const) {
        this.inc({ execution }, eventsSinceScrape[execution]);
        eventsSinceScrape[execution] = 0;
      }
    },
  });
  const responseCache = new Counter({
    name: 'jsg_response_cache_lookups_total',
    help: 'Queries answered from the status store alone (RESPONSE_CACHE_MAX_BYTES), by result: hit (answered from the response cache) or miss (executed).',
    labelNames: ['result'] as const,
    registers,
  });
  const earlyAnswers = new Counter({
    name: 'jsg_response_cache_early_answers_total',
    help: 'Hits of the response cache written before yoga ran (plain JSON POSTs without an Origin), a part of the hits.',
    registers,
  });
  const operations = operationMetrics(registry);
  const polls = new Counter({ name: 'jsg_poller_polls_total', help: 'Job polls made by the poller (one per job per refresh).', registers });
  const responses = new Counter({
    name: 'jsg_http_responses_total',
    help: 'HTTP responses, by path (/graphql, /health, /ready, /metrics or other) and status code.',
    labelNames: ['path', 'status'] as const,
    registers,
  });
  const refusals = new Counter({
    name: 'jsg_refusals_total',
    help: 'Requests and connections turned away before any GraphQL ran, by reason.',
    labelNames: ['reason'] as const,
    registers,
  });

  const historyWrites = new Counter({ name: 'jsg_registry_history_writes_total', help: 'History entries this instance wrote (one per observed change, cluster-wide once).', registers });
  const registryErrors = new Counter({ name: 'jsg_registry_errors_total', help: 'Registry calls that failed (database unreachable or slower than REGISTRY_TIMEOUT_MS).', registers });
  gauge(registry, 'jsg_registry_tracked_unfinished_jobs', 'Tracked jobs not final yet, watched by this instance\'s tracker.', () => sources.trackedUnfinished?.());
  const shed = new Counter({
    name: 'jsg_upstream_shed_total',
    help: 'Upstream calls of queries shed: no turn of the account\'s rate budget within UPSTREAM_QUEUE_MS, their refs answered RATE_LIMITED without asking.',
    labelNames: ['provider', 'account'] as const,
    registers,
  });
  budgetGauge(registry, 'jsg_upstream_budget', 'Upstream calls per minute an account allows: the advertised limit scaled to a minute, or maxRequestsPerMinute, the lower (accounts with a known limit only).', (use) => use.perMinute, () => sources.upstreamBudgets?.());
  budgetGauge(registry, 'jsg_upstream_budget_used', 'Upstream calls paced in the last minute, per account with a known limit.', (use) => use.usedLastMinute, () => sources.upstreamBudgets?.());

  const webhookDeliveries = new Counter({
    name: 'jsg_webhook_deliveries_total',
    help: 'Webhook attempts recorded by this instance, by outcome: delivered (2xx), failed (a retry is scheduled), gave_up (last attempt, or 410 Gone).',
    labelNames: ['outcome'] as const,
    registers,
  });
  webhookQueueGauges(registry, () => sources.webhookQueue?.());

  gauge(registry, 'jsg_poller_watched_jobs', 'Jobs someone watches.', () => sources.poller?.().watched);
  gauge(registry, 'jsg_poller_scheduled_jobs', 'Watched jobs with a poll scheduled.', () => sources.poller?.().scheduled);
  gauge(registry, 'jsg_subscriptions_active', 'Open jobUpdates streams (WebSocket and SSE).', () => sources.feed?.().streams);
  gauge(registry, 'jsg_subscription_topics', 'Jobs with at least one open stream in this process.', () => sources.feed?.().topics);
  gauge(registry, 'jsg_websocket_connections', 'Open WebSocket connections.', () => sources.webSocketClients?.());
  gauge(registry, 'jsg_event_loop_delay_p99_seconds', 'The event loop\'s p99 delay over the last second (READY_MAX_EVENT_LOOP_DELAY_MS compares against it).', () => {
    const delay = sources.eventLoop?.();
    return delay ? delay.p99Ms / 1000 : undefined;
  });
  gauge(registry, 'jsg_ready_event_loop_overloaded', '1 while /ready answers 503 for a sustained event-loop delay, else 0.', () =>
    sources.eventLoop ? Number(sources.eventLoop().overloaded) : undefined,
  );
  gauge(registry, 'jsg_status_cache_entries', 'Statuses the status store remembers.', () => sources.cacheEntries?.());
  gauge(registry, 'jsg_cluster_redis_connected', 'Cluster mode: 1 while Redis is connected, 0 while away (0 when not in cluster mode).', () =>
    sources.cluster ? Number(sources.cluster().connected) : undefined,
  );
  gauge(registry, 'jsg_cluster_leases_held', 'Cluster mode: jobs whose poll lease this instance holds.', () => sources.cluster?.().leasesHeld);

  return {
    registry,
    upstreamExchange(exchange) {
      const labels = { provider: exchange.provider, account: exchange.account, route: exchange.route, outcome: exchange.outcome };
      upstreamRequests.inc(labels);
      upstreamDuration.observe(labels, exchange.durationMs / 1000);
    },
    statusLookup: (result, count = 1) => lookups.inc({ result }, count),
    subscriptionEvent: (execution) => void (eventsSinceScrape[execution] += 1),
    responseCacheLookup: (result) => responseCache.inc({ result }),
    polled: (jobs) => polls.inc(jobs),
    shed: (provider, account) => shed.inc({ provider, account }),
    refused: (reason) => refusals.inc({ reason }),
    historyWritten: () => historyWrites.inc(),
    registryError: () => registryErrors.inc(),
    webhookDelivery: (outcome) => webhookDeliveries.inc({ outcome }),
    httpResponse: (path, status) => responses.inc({ path: KNOWN_PATHS.has(path) ? path : 'other', status: String(status) }),
    observe(next) {
      sources = { ...sources, ...next };
    },
    earlyAnswer(operationName, startedAt) {
      operations.record('query', operationName, startedAt, false);
      earlyAnswers.inc();
    },
    graphqlPlugin: operations.plugin,
  };
}

/** A gauge per account (`provider`, `account` labels) read from the pacer at scrape time. */
function budgetGauge(
  registry: Registry,
  name: string,
  help: string,
  value: (use: BudgetUse) => number | null,
  read: () => readonly BudgetUse[] | undefined,
): void {
  new Gauge({
    name,
    help,
    labelNames: ['provider', 'account'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const use of read() ?? []) {
        const number = value(use);
        const [provider = '', account = ''] = use.accountKey.split(/:(.*)/s);
        if (number !== null && (name !== 'jsg_upstream_budget_used' || use.perMinute !== null)) this.set({ provider, account }, number);
      }
    },
  });
}

/**
 * `jsg_webhook_queue_depth` and `jsg_webhook_oldest_pending_seconds`, cluster-wide (one query
 * at scrape time); 0 while the database cannot be asked.
 */
function webhookQueueGauges(registry: Registry, read: () => Promise<{ depth: number; oldest: Date | null }> | undefined): void {
  let last: Promise<{ depth: number; oldest: Date | null } | null> | null = null;
  // Both gauges are collected in one scrape: share one query.
  const stats = () => {
    last ??= (read() ?? Promise.resolve(null)).catch(() => null).finally(() => setTimeout(() => (last = null), 0));
    return last;
  };
  new Gauge({
    name: 'jsg_webhook_queue_depth',
    help: 'Webhook deliveries in flight cluster-wide: pending, or failed and awaiting a retry.',
    registers: [registry],
    async collect() {
      this.set((await stats())?.depth ?? 0);
    },
  });
  new Gauge({
    name: 'jsg_webhook_oldest_pending_seconds',
    help: 'Age of the oldest webhook delivery in flight cluster-wide (0 when none).',
    registers: [registry],
    async collect() {
      const oldest = (await stats())?.oldest;
      this.set(oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0);
    },
  });
}

function gauge(registry: Registry, name: string, help: string, read: () => number | undefined): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read() ?? 0);
    },
  });
}

/** Operation names are the client's choice: beyond this many distinct ones, the rest count as `other`. */
const MAX_OPERATION_NAMES = 100;

/**
 * Counts operations by type, name and outcome, times them, and counts documents refused before
 * running: the plugin feeds them from yoga, `record` from operations answered outside it.
 */
function operationMetrics(registry: Registry): { plugin: Plugin; record(type: string, name: string | undefined, startedAt: number, failed: boolean): void } {
  const operations = new Counter({
    name: 'jsg_graphql_operations_total',
    help: 'GraphQL operations executed (subscriptions: started), by type, operation name and outcome (ok, error).',
    labelNames: ['type', 'name', 'outcome'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'jsg_graphql_operation_duration_seconds',
    help: 'Time to execute a query (for subscriptions: to start the stream), by type and operation name.',
    labelNames: ['type', 'name'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const invalid = new Counter({
    name: 'jsg_graphql_invalid_documents_total',
    help: 'Documents refused before running, by phase: parse (syntax, token limit) or validate (schema, limits, introspection).',
    labelNames: ['phase'] as const,
    registers: [registry],
  });
  const names = new Set<string>();
  const nameLabel = (name: string | undefined): string => {
    if (!name) return 'anonymous';
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES || name.length > 64) return 'other';
    names.add(name);
    return name;
  };
  const record = (type: string, name: string | undefined, started: number, failed: boolean) => {
    const labels = { type, name: nameLabel(name) };
    operations.inc({ ...labels, outcome: failed ? 'error' : 'ok' });
    durations.observe(labels, (performance.now() - started) / 1000);
  };
  const recordArgs = (args: ExecutionArgs, started: number, failed: boolean) => {
    const operation = getOperationAST(args.document, args.operationName);
    record(operation?.operation ?? 'unknown', operation?.name?.value, started, failed);
  };

  const plugin: Plugin = {
    onParse: () => ({ result }) => {
      if (result instanceof Error) invalid.inc({ phase: 'parse' });
    },
    onValidate: () => ({ valid }) => {
      if (!valid) invalid.inc({ phase: 'validate' });
    },
    onExecute: ({ args }) => {
      const started = performance.now();
      return { onExecuteDone: ({ result }) => recordArgs(args, started, hasErrors(result)) };
    },
    onSubscribe: ({ args }) => {
      const started = performance.now();
      return {
        onSubscribeResult: ({ result }) => recordArgs(args, started, hasErrors(result)),
        onSubscribeError: () => recordArgs(args, started, true),
      };
    },
  };
  return { plugin, record };
}

/** A single result with errors; a stream (a subscription started) counts as fine. */
function hasErrors(result: ExecutionResult | AsyncIterable<unknown>): boolean {
  return !(Symbol.asyncIterator in result) && (result.errors?.length ?? 0) > 0;
}
