/**
 * Rate-limit pauses shared by the cluster: after a 429, `pause:<provider>:<account>` holds the
 * epoch ms until which nobody may ask that account, expiring then (`PX` = the wait). Every
 * instance reads it before polling and on each upstream ask, so no instance hammers an account
 * another one was told to leave alone. While Redis is away each instance honours only its own.
 */
import type { Redis } from 'ioredis';
import type { SharedPauses } from '../jobs/ports.js';
import type { Logger } from '../logger.js';
import type { ClusterKeys } from './keys.js';

/** `SharedPauses` in Redis; `online` says whether to try at all. */
export class RedisPauses implements SharedPauses {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly online: () => boolean,
    private readonly logger: Logger,
  ) {}

  async read(accountKeys: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const pauses = new Map<string, number>();
    if (accountKeys.length === 0 || !this.online()) return pauses;
    try {
      const values = await this.redis.mget(accountKeys.map((accountKey) => this.keys.pause(accountKey)));
      values.forEach((value, index) => {
        const until = Number(value);
        if (value !== null && Number.isFinite(until)) pauses.set(accountKeys[index]!, until);
      });
    } catch (error) {
      this.logger.debug({ err: error }, 'shared pause read failed');
    }
    return pauses;
  }

  write(accountKey: string, untilMs: number, waitMs: number): void {
    if (!this.online() || waitMs <= 0) return;
    this.redis
      .set(this.keys.pause(accountKey), String(untilMs), 'PX', Math.ceil(waitMs))
      .catch((error: unknown) => this.logger.debug({ err: error }, 'shared pause write failed'));
  }
}
