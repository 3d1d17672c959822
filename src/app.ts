/**
 * The composition root: wires a validated `Config` into a running service, in order: Redis when
 * configured (cluster mode), the sandbox when asked for, metrics, one provider client per account,
 * the job service, the server (which receives the built parts and builds none). `main.ts` adds the
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

export interface App {
  readonly server: RunningServer;
  /** Set when the sandbox providers serve the accounts. */
  readonly sandbox: Sandbox | null;
  readonly accounts: readonly AccountConfig[];
  /** Set in cluster mode (`REDIS_URL`). */
  readonly cluster: Cluster | null;
  close(): Promise<void>;
}

export async function startApp(config: Config, logger: Logger, clock?: Clock): Promise<App> {
  // First, so that an unreachable Redis stops start-up before anything listens.
  const cluster = config.redis ? await startCluster({ ...config.redis, logger }) : null;
  try {
    return await startServing(config, logger, clock, cluster);
  } catch (error) {
    await cluster?.close();
    throw error;
  }
}

async function startServing(config: Config, logger: Logger, clock: Clock | undefined, cluster: Cluster | null): Promise<App> {
  // SANDBOX_PORT: a known port and the documented credentials, so outside tools can reach it too.
  const fixed = config.sandbox.port === null ? {} : { port: config.sandbox.port, credentials: DEVELOPMENT_CREDENTIALS };
  const sandbox = config.sandbox.enabled ? await startSandbox({ clock, ...fixed }) : null;
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
  const server = await startServer({
    host: config.server.host,
    port: config.server.port,
    jobs,
    logger,
    clock,
    maxRefs: config.server.maxRefs,
    bodyLimitBytes: config.server.bodyLimitBytes,
    graphiql: config.server.graphiql,
    graphiqlQuery: sandbox ? () => defaultQuery(sandbox.freshDemoRefs()) : defaultQuery([]),
    security: config.security,
    metrics,
    readiness: cluster ? () => cluster.readiness() : undefined,
  });
  // Events published while Redis was away never arrive: each feed asks for its jobs again.
  cluster?.onResumed(() => void server.jobs.feed.resync());
  return {
    server,
    sandbox,
    accounts,
    cluster,
    async close() {
      await server.close();
      await cluster?.close();
      await sandbox?.close();
    },
  };
}
