/**
 * The composition root: wires a validated `Config` into a running service, in order: Redis when
 * configured (cluster mode), the sandbox when asked for, metrics, one provider client per account,
 * the job service, webhooks (outbox hooks and dispatcher), the registry (database, tracker,
 * retention), the server (which receives the built parts and builds none). `main.ts` adds the
 * process around it; tests start it directly.
 */
import { type Cluster, startCluster } from './cluster/index.js';
import type { Config } from './config/index.js';
import { type Clock, systemClock } from './clock.js';
import { createJobService } from './jobs/service.js';
import type { Logger } from './logger.js';
import type { AccountConfig } from './providers/descriptor.js';
import { createProviderClient, providerCatalog } from './providers/catalog.js';
import { DEVELOPMENT_CREDENTIALS, type Sandbox, startSandbox } from './sandbox/index.js';
import { createMetrics } from './metrics.js';
import { defaultQuery } from './http/graphiql-query.js';
import { type RunningServer, startServer } from './http/server.js';
import { isPostgresUrl } from './registry/options.js';
import { type RegistryDatabase, openDatabase, serverOf } from './registry/database.js';
import { type RegistryService, createRegistryService } from './registry/service.js';
import { type JobStarter, createStartService } from './registry/starts.js';
import { startImageKitJob } from './providers/imagekit/starts.js';
import { startRequestProblem } from './providers/imagekit/start-request.js';
import type { ProviderClient } from './jobs/ports.js';
import { jobGlobalId } from './schema/global-id.js';
import type { Resolver } from './webhooks/address-guard.js';
import type { DispatcherOptions } from './webhooks/dispatcher.js';
import { type WebhookService, createWebhookService } from './webhooks/service.js';

export interface App {
  readonly server: RunningServer;
  /** Set when the sandbox providers serve the accounts. */
  readonly sandbox: Sandbox | null;
  readonly accounts: readonly AccountConfig[];
  /** Set in cluster mode (`REDIS_URL`). */
  readonly cluster: Cluster | null;
  /** The job registry: tracked jobs, the tracker, retention. */
  readonly registry: RegistryService;
  /** Webhooks: the outbox the registry writes, and this instance's dispatcher. */
  readonly webhooks: WebhookService;
  close(): Promise<void>;
}

/** Parts a test hands in instead of building them from `config`. */
export interface AppParts {
  /**
   * An opened, migrated registry database (tests load a pre-migrated PGlite template rather than
   * initialising one per app); the app closes it. Also lifts the REDIS_URL/DATABASE_URL check,
   * which is about sharing one database between instances.
   */
  readonly database?: RegistryDatabase;
  /** The sandbox's lifecycle time scale (tests: small values, so started jobs finish quickly); default 1. */
  readonly sandboxTimeScale?: number;
  /** Webhook test settings: a resolver instead of DNS, a short attempt timeout, and the like. */
  readonly webhooks?: { readonly resolve?: Resolver } & Partial<Pick<DispatcherOptions, 'timeoutMs' | 'leaseMs' | 'concurrency' | 'onAttempt' | 'random'>>;
}

export async function startApp(config: Config, logger: Logger, clock?: Clock, parts: AppParts = {}): Promise<App> {
  if (config.redis && !isPostgresUrl(config.registry.databaseUrl) && !parts.database) {
    // An embedded database lives inside one process: instances sharing Redis would each keep their own.
    throw new Error('REDIS_URL needs DATABASE_URL=postgres://…: cluster instances must share one PostgreSQL registry (the embedded database serves one process)');
  }
  // First, so that an unreachable Redis stops start-up before anything listens.
  const cluster = config.redis ? await startCluster({ ...config.redis, logger }) : null;
  try {
    return await startServing(config, logger, clock, cluster, parts);
  } catch (error) {
    await cluster?.close();
    throw error;
  }
}

async function startServing(config: Config, logger: Logger, clock: Clock | undefined, cluster: Cluster | null, parts: AppParts): Promise<App> {
  // SANDBOX_PORT: a known port and the documented credentials, so outside tools can reach it too.
  const fixed = config.sandbox.port === null ? {} : { port: config.sandbox.port, credentials: DEVELOPMENT_CREDENTIALS };
  const sandbox = config.sandbox.enabled ? await startSandbox({ clock, ...fixed, timeScale: parts.sandboxTimeScale }) : null;
  const accounts = sandbox ? sandbox.accounts() : config.accounts;
  const metrics = createMetrics();
  if (cluster) metrics.observe({ cluster: () => ({ connected: cluster.connected(), leasesHeld: cluster.leasesHeld() }) });
  const clients = accounts.map((account) =>
    createProviderClient(account, { options: config.upstream, clock, onExchange: metrics.upstreamExchange }),
  );
  const jobs = createJobService({
    clients,
    catalog: providerCatalog,
    clock: clock ?? systemClock,
    logger,
    cache: config.cache,
    poll: config.poll,
    sharing: cluster?.sharing,
    onLookup: metrics.statusLookup,
    onPoll: metrics.polled,
    upstreamQueueMs: config.upstream.queueMs,
    onShed: metrics.shed,
  });
  metrics.observe({ upstreamBudgets: () => jobs.store.pacer.budgets() });
  const { resolve, ...dispatchParts } = parts.webhooks ?? {};
  const webhooks = createWebhookService({
    clock: clock ?? systemClock,
    logger,
    globalIdOf: jobGlobalId,
    guard: { allowPrivate: config.webhooks.allowPrivate, ...(resolve ? { resolve } : {}) },
    secretKey: config.webhooks.secretKey,
    // An in-memory database keeps no secret across restarts: an in-memory key will do.
    dataDir: parts.database || config.registry.databaseUrl === 'memory:' ? null : config.registry.dataDir,
    dispatch: {
      intervalMs: config.webhooks.dispatchIntervalMs,
      concurrency: config.webhooks.concurrency,
      retryDelaysMs: config.webhooks.retryDelaysMs,
      onOutcome: metrics.webhookDelivery,
      ...dispatchParts,
    },
  });
  if (isPostgresUrl(config.registry.databaseUrl) && !config.webhooks.secretKey) {
    // Not refused: one instance on PostgreSQL is fine with its key file, and instances started from
    // one directory share it. An instance with another key hands its deliveries a lastError saying so.
    logger.warn(
      'PostgreSQL without WEBHOOK_SECRET_KEY: webhook secrets are sealed with the key file under DATA_DIR; any other instance on this database needs the same key (set the same WEBHOOK_SECRET_KEY on every instance)',
    );
  }
  metrics.observe({ webhookQueue: () => webhooks.queueStats() });
  const openRegistryDatabase = parts.database
    ? () => Promise.resolve(parts.database!)
    : () => openDatabase({ url: config.registry.databaseUrl ?? undefined, dataDir: config.registry.dataDir, logger, connectTimeoutMs: config.registry.timeoutMs });
  const registry = createRegistryService({
    open: async () => {
      const opened = await openRegistryDatabase();
      webhooks.attach(opened.db);
      return opened;
    },
    kind: isPostgresUrl(config.registry.databaseUrl) && !parts.database ? 'postgres' : 'pglite',
    name: isPostgresUrl(config.registry.databaseUrl) ? `postgres ${serverOf(config.registry.databaseUrl!)}` : config.registry.databaseUrl === 'memory:' ? 'embedded (memory)' : `embedded (${config.registry.dataDir})`,
    catalog: providerCatalog,
    clock: clock ?? systemClock,
    notFoundGraceMs: config.poll.notFoundGraceMs ?? 0,
    timeoutMs: config.registry.timeoutMs,
    retentionMs: config.registry.retentionMs,
    load: (refs) => jobs.store.load(refs),
    poller: jobs.poller,
    pubsub: jobs.pubsub,
    logger,
    hooks: webhooks.hooks,
    onHistoryWrite: metrics.historyWritten,
    onError: metrics.registryError,
  });
  jobs.poller.observe(registry.tracker);
  // The registry announces TRACKED and CHANGED after their commit: the outbox rows they wrote
  // are then visible, so that is when to claim them (every instance hears it, cluster-wide).
  const announcements = registry.events();
  void (async () => {
    for await (const _ of announcements) webhooks.wake();
  })().catch((error: unknown) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'webhook wake-ups stopped'));
  metrics.observe({ trackedUnfinished: () => registry.tracker.watched });
  /** Undoes what was started so far when start-up fails past this point. */
  const abandon = async (error: unknown): Promise<never> => {
    jobs.stop();
    void announcements.return?.();
    await webhooks.close();
    await registry.close();
    await sandbox?.close();
    throw error;
  };
  // After the cluster, before serving: an embedded database that cannot open stops start-up.
  await registry.start().catch(abandon);
  const starts = createStartService({ starter: imageKitStarter(clients), registry, clock: clock ?? systemClock, waitMs: config.upstream.timeoutMs * 3 + config.registry.timeoutMs * 2 });
  const server = await startServer({
    host: config.server.host,
    port: config.server.port,
    jobs,
    registry,
    starts,
    webhooks,
    logger,
    clock,
    maxRefs: config.server.maxRefs,
    bodyLimitBytes: config.server.bodyLimitBytes,
    graphiql: config.server.graphiql,
    readyMaxEventLoopDelayMs: config.server.readyMaxEventLoopDelayMs,
    responseCacheMaxBytes: config.server.responseCacheMaxBytes,
    graphiqlQuery: sandbox ? () => defaultQuery(sandbox.freshDemoRefs()) : defaultQuery([]),
    security: config.security,
    metrics,
    readiness: async () => [...(cluster ? cluster.readiness() : []), ...(await registry.readiness())],
  }).catch(abandon);
  // Events published while Redis was away never arrive: each feed asks for its jobs again.
  cluster?.onResumed(() => void server.jobs.feed.resync());
  return {
    server,
    sandbox,
    accounts,
    cluster,
    registry,
    webhooks,
    async close() {
      await server.close();
      void announcements.return?.();
      // Before the registry closes its database: attempts in flight are recorded first.
      await webhooks.close();
      await registry.close();
      await cluster?.close();
      await sandbox?.close();
    },
  };
}

/** The start mutations' port: the ImageKit accounts' clients, each starting jobs on its own account. */
function imageKitStarter(clients: readonly ProviderClient[]): JobStarter {
  const byAccount = new Map(clients.filter((client) => client.provider === 'IMAGEKIT').map((client) => [client.account, client]));
  return {
    hasAccount: (account) => byAccount.has(account),
    problem: startRequestProblem,
    start: (account, request) => startImageKitJob(byAccount.get(account)!, request),
  };
}
