/**
 * Cluster mode: with `REDIS_URL`, the instances behind a load balancer behave as one service.
 * This assembles what the domain (`jobs/`) shares through Redis, behind the domain's own
 * interfaces: the job events (`pubsub.ts`), who polls each job (`lease-coordinator.ts`,
 * `leases.ts`, `watch-registry.ts`), the status cache (`shared-cache.ts`) and rate-limit pauses
 * (`shared-pauses.ts`). See `docs/cluster.md` for the topology, the keys and the failure modes.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { createJobPubSub } from '../jobs/events.js';
import type { JobSharing } from '../jobs/service.js';
import type { Logger } from '../logger.js';
import { clusterKeys } from './keys.js';
import { LeaseCoordinator } from './lease-coordinator.js';
import { Leases } from './leases.js';
import { createClusterEventTarget } from './pubsub.js';
import { connectRedis } from './redis.js';
import { RedisPauses } from './shared-pauses.js';
import { RedisStatuses } from './shared-cache.js';
import { WatchRegistry } from './watch-registry.js';

/** Cluster mode's Redis settings (`Config.redis`); absent: single-process, in-memory. */
export interface RedisOptions {
  /** `REDIS_URL` (`redis://` or `rediss://`); its password is a secret. */
  readonly url: string;
  /** `REDIS_PREFIX`, default `jsg:`: every key and channel starts with it. */
  readonly prefix: string;
  /** `REDIS_OPTIONAL=1`: start (and stay ready) degraded rather than fail when Redis cannot be reached; default false. */
  readonly optional: boolean;
  /**
   * `REDIS_LEASE_MS`, default 10000: how long a job's poll lease (and an instance's heartbeat)
   * lives unless renewed; a dead instance's jobs are taken over within it plus one poll interval.
   */
  readonly leaseMs: number;
  /** `REDIS_CONNECT_TIMEOUT_MS`, default 5000: how long start-up waits for Redis. */
  readonly connectTimeoutMs: number;
  /** `REDIS_COMMAND_TIMEOUT_MS`, default 1000: a command slower than this counts as failed, and its caller takes its local path. */
  readonly commandTimeoutMs: number;
}

export interface ClusterOptions extends RedisOptions {
  readonly logger: Logger;
}

export interface Cluster {
  /** This instance's name in leases and the watch registry: `host:pid:random`. */
  readonly instanceId: string;
  /** For `createJobService`. */
  readonly sharing: JobSharing;
  /** Redis is connected: cluster mode is in effect (else degraded, every instance on its own). */
  connected(): boolean;
  /** For `/ready`: empty when ready. Without Redis: a problem, unless Redis is optional. */
  readiness(): string[];
  /** Every job some live instance watches (ref keys), from the registry. Rejects when Redis is away. */
  watchedJobs(): Promise<string[]>;
  /** Jobs whose poll lease this instance holds. */
  leasesHeld(): number;
  /** Calls `listener` each time Redis is back after being away; events may have been missed meanwhile. */
  onResumed(listener: () => void): void;
  /** Gives up leases, leaves the registry, disconnects. Never rejects. */
  close(): Promise<void>;
}

/**
 * Connects to Redis and assembles the shared parts.
 * @throws Error naming `REDIS_URL` (never its password) when Redis cannot be reached at start and
 * is not optional.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const logger = options.logger.child({ component: 'cluster', instance: instanceId });
  const connection = await connectRedis({
    url: options.url,
    name: `${options.prefix}${instanceId}`.replace(/[^\x21-\x7e]/g, '_'),
    logger,
    connectTimeoutMs: options.connectTimeoutMs,
    commandTimeoutMs: options.commandTimeoutMs,
    optional: options.optional,
  });
  const keys = clusterKeys(options.prefix);
  const online = () => connection.connected();
  const leases = new Leases(connection.commands, keys, instanceId, options.leaseMs);
  const registry = new WatchRegistry(connection.commands, keys, instanceId, options.leaseMs);
  const coordinator = new LeaseCoordinator({ connection, leases, registry, leaseMs: options.leaseMs, logger });
  const sharing: JobSharing = {
    pubsub: createJobPubSub(createClusterEventTarget({ connection, keys, instanceId, logger })),
    coordinator,
    statuses: new RedisStatuses(connection.commands, keys, online, logger),
    pauses: new RedisPauses(connection.commands, keys, online, logger),
  };
  if (connection.connected()) {
    logger.info({ redis: connection.safeUrl, prefix: options.prefix, leaseMs: options.leaseMs }, 'cluster mode: events, poll leases and status cache shared through Redis');
  }

  return {
    instanceId,
    sharing,
    connected: online,
    readiness() {
      if (online() || options.optional) return [];
      const reason = connection.lastError();
      return [`redis: not connected to ${connection.safeUrl}${reason ? ` (${reason})` : ''}; degraded: queries go straight to providers, updates from other instances are not received`];
    },
    watchedJobs: () => registry.watchedJobs(),
    leasesHeld: () => coordinator.held,
    onResumed: (listener) => connection.onResumed(listener),
    async close() {
      await coordinator.stop();
      await connection.close();
    },
  };
}
