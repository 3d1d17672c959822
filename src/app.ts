/**
 * The composition root: wires a validated `Config` into a running service, in order: Redis when
 * configured (cluster mode), the sandbox when asked for, metrics, one provider client per account,
 * the job service, the registry (database, tracker, retention), the server (which receives the
 * built parts and builds none). `main.ts` adds the
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

export interface App {
  readonly server: RunningServer;
  /** Set when the sandbox providers serve the accounts. */
  readonly sandbox: Sandbox | null;
  readonly accounts: readonly AccountConfig[];
  /** Set in cluster mode (`REDIS_URL`). */
  readonly cluster: Cluster | null;
  /** The job registry: tracked jobs, the tracker, retention. */
  readonly registry: RegistryService;
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
  const registry = createRegistryService({
    open: parts.database
      ? () => Promise.resolve(parts.database!)
      : () => openDatabase({ url: config.registry.databaseUrl ?? undefined, dataDir: config.registry.dataDir, logger, connectTimeoutMs: config.registry.timeoutMs }),
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
    onHistoryWrite: metrics.historyWritten,
    onError: metrics.registryError,
  });
  jobs.poller.observe(registry.tracker);
  metrics.observe({ trackedUnfinished: () => registry.tracker.watched });
  try {
    // After the cluster, before serving: an embedded database that cannot open stops start-up.
    await registry.start();
  } catch (error) {
    jobs.stop();
    await registry.close();
    await sandbox?.close();
    throw error;
  }
  const server = await startServer({
    host: config.server.host,
    port: config.server.port,
    jobs,
    registry,
    logger,
    clock,
    maxRefs: config.server.maxRefs,
    bodyLimitBytes: config.server.bodyLimitBytes,
    graphiql: config.server.graphiql,
    graphiqlQuery: sandbox ? () => defaultQuery(sandbox.freshDemoRefs()) : defaultQuery([]),
    security: config.security,
    metrics,
    readiness: async () => [...(cluster ? cluster.readiness() : []), ...(await registry.readiness())],
  }).catch(async (error: unknown) => {
    jobs.stop();
    await registry.close();
    await sandbox?.close();
    throw error;
  });
  // Events published while Redis was away never arrive: each feed asks for its jobs again.
  cluster?.onResumed(() => void server.jobs.feed.resync());
  return {
    server,
    sandbox,
    accounts,
    cluster,
    registry,
    async close() {
      await server.close();
      await registry.close();
      await cluster?.close();
      await sandbox?.close();
    },
  };
}
