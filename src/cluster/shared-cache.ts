/**
 * The status store's shared level in Redis: `status:<refKey>` holds `{outcome, expiresAt}` as
 * JSON, written with `PX` equal to the store's TTL for that answer, so Redis forgets it when the
 * store would. Dates come back as strings and are revived. While Redis is away, reads are misses
 * and writes are dropped: the store then asks providers directly.
 */
import type { Redis } from 'ioredis';
import { reviveOutcome } from '../jobs/events.js';
import type { JobOutcome } from '../jobs/model.js';
import type { SharedStatus, SharedStatuses } from '../jobs/ports.js';
import type { Logger } from '../logger.js';
import type { ClusterKeys } from './keys.js';

/** `SharedStatuses` in Redis; `online` says whether to try at all (no waiting on a lost connection). */
export class RedisStatuses implements SharedStatuses {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly online: () => boolean,
    private readonly logger: Logger,
  ) {}

  async read(refKeys: readonly string[]): Promise<ReadonlyMap<string, SharedStatus>> {
    const found = new Map<string, SharedStatus>();
    if (refKeys.length === 0 || !this.online()) return found;
    try {
      const values = await this.redis.mget(refKeys.map((refKey) => this.keys.status(refKey)));
      values.forEach((value, index) => {
        const status = value === null ? undefined : parse(value);
        if (status) found.set(refKeys[index]!, status);
      });
    } catch (error) {
      this.logger.debug({ err: error }, 'shared status read failed; asking providers');
    }
    return found;
  }

  write(refKey: string, status: SharedStatus, ttlMs: number): void {
    if (!this.online() || ttlMs <= 0) return;
    this.redis
      .set(this.keys.status(refKey), JSON.stringify(status), 'PX', Math.ceil(ttlMs))
      .catch((error: unknown) => this.logger.debug({ err: error }, 'shared status write failed'));
  }
}

/** Whatever is not a status as we wrote it (another version's, or damaged) is a miss. */
function parse(value: string): SharedStatus | undefined {
  try {
    const data = JSON.parse(value) as { outcome?: JobOutcome; expiresAt?: unknown };
    if (!data.outcome || typeof data.expiresAt !== 'number' || !data.outcome.ref || !data.outcome.checkedAt) return undefined;
    return { outcome: reviveOutcome(data.outcome), expiresAt: data.expiresAt };
  } catch {
    return undefined;
  }
}
