/**
 * The status store's shared level in Redis: `status:<refKey>` holds `{outcome, expiresAt}` as
 * JSON, written with `PX` equal to the store's TTL for that answer, so Redis forgets it when the
 * store would. Dates come back as strings and are revived. While Redis is away, reads are misses
 * and writes are dropped (`BestEffortMap`): the store then asks providers directly.
 */
import type { Redis } from 'ioredis';
import { reviveOutcome } from '../jobs/events.js';
import type { JobOutcome } from '../jobs/model.js';
import type { SharedStatus, SharedStatuses } from '../jobs/ports.js';
import type { Logger } from '../logger.js';
import { BestEffortMap } from './best-effort-map.js';
import type { ClusterKeys } from './keys.js';

/** `SharedStatuses` in Redis; `online` says whether to try at all (no waiting on a lost connection). */
export class RedisStatuses implements SharedStatuses {
  private readonly map: BestEffortMap<SharedStatus>;

  constructor(redis: Redis, keys: ClusterKeys, online: () => boolean, logger: Logger) {
    this.map = new BestEffortMap({ redis, keyOf: (refKey) => keys.status(refKey), decode, online, logger, what: 'shared status' });
  }

  read(refKeys: readonly string[]): Promise<ReadonlyMap<string, SharedStatus>> {
    return this.map.read(refKeys);
  }

  write(refKey: string, status: SharedStatus, ttlMs: number): void {
    this.map.write(refKey, status, ttlMs);
  }
}

/** Whatever is not a status as we wrote it (another version's, or damaged) is a miss. */
function decode(json: unknown): SharedStatus | undefined {
  const data = json as { outcome?: JobOutcome; expiresAt?: unknown } | null;
  if (!data?.outcome || typeof data.expiresAt !== 'number' || !data.outcome.ref || !data.outcome.checkedAt) return undefined;
  return { outcome: reviveOutcome(data.outcome), expiresAt: data.expiresAt };
}
