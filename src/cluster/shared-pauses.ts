/**
 * Rate-limit pauses shared by the cluster: after a 429, `pause:<provider>:<account>` holds the
 * epoch ms until which nobody may ask that account, expiring then (`PX` = the wait). Every
 * instance reads it before polling and on each upstream ask, so no instance hammers an account
 * another one was told to leave alone. While Redis is away each instance honours only its own
 * (`BestEffortMap`).
 */
import type { Redis } from 'ioredis';
import type { SharedPauses } from '../jobs/ports.js';
import type { Logger } from '../logger.js';
import { BestEffortMap } from './best-effort-map.js';
import type { ClusterKeys } from './keys.js';

/** `SharedPauses` in Redis; `online` says whether to try at all. */
export class RedisPauses implements SharedPauses {
  private readonly map: BestEffortMap<number>;

  constructor(redis: Redis, keys: ClusterKeys, online: () => boolean, logger: Logger) {
    const decode = (json: unknown) => (typeof json === 'number' && Number.isFinite(json) ? json : undefined);
    this.map = new BestEffortMap({ redis, keyOf: (accountKey) => keys.pause(accountKey), decode, online, logger, what: 'shared pause' });
  }

  read(accountKeys: readonly string[]): Promise<ReadonlyMap<string, number>> {
    return this.map.read(accountKeys);
  }

  write(accountKey: string, untilMs: number, waitMs: number): void {
    this.map.write(accountKey, untilMs, waitMs);
  }
}
