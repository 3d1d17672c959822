/**
 * Every Redis key and channel the cluster uses, in one place, each under the configured prefix
 * (`REDIS_PREFIX`). Every key is written with an expiry; `docs/cluster.md` lists them with their
 * TTLs.
 */
export interface ClusterKeys {
  /** The prefix itself: every key and channel starts with it (tests count what is left under it). */
  readonly prefix: string;
  /** A job's status (JSON), written after each upstream answer: `status:<refKey>`. */
  status(refKey: string): string;
  /** The lease naming the instance that polls a job: `lease:<refKey>`. */
  lease(refKey: string): string;
  /** Until when (epoch ms) an account must be left alone after a 429: `pause:<provider>:<account>`. */
  pause(accountKey: string): string;
  /** The set of ref keys one instance watches, kept alive by its heartbeat: `watching:<instanceId>`. */
  watching(instanceId: string): string;
  /** Live instances, scored by their last heartbeat (epoch ms): `instances`. */
  readonly instances: string;
  /** The pub/sub channel of a yoga topic (`job:<refKey>`). */
  channel(topic: string): string;
}

/** The key and channel names under `prefix` (`REDIS_PREFIX`, e.g. `jsg:`). */
export function clusterKeys(prefix: string): ClusterKeys {
  return {
    prefix,
    status: (refKey) => `${prefix}status:${refKey}`,
    lease: (refKey) => `${prefix}lease:${refKey}`,
    pause: (accountKey) => `${prefix}pause:${accountKey}`,
    watching: (instanceId) => `${prefix}watching:${instanceId}`,
    instances: `${prefix}instances`,
    channel: (topic) => `${prefix}${topic}`,
  };
}
