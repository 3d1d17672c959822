/**
 * One best-effort map in Redis, under both the shared statuses and the shared pauses: values are
 * JSON under a key of the caller's choosing, written with `PX` so Redis forgets them when their
 * owner would. While Redis is away (or a command fails) reads are misses and writes are dropped:
 * callers then take their local path. A value that does not decode is a miss too.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

export interface BestEffortMapOptions<V> {
  readonly redis: Redis;
  /** The Redis key of an entry's key. */
  readonly keyOf: (key: string) => string;
  /** The parsed JSON as a value, or undefined for anything not written as one (another version's, or damaged). */
  readonly decode: (json: unknown) => V | undefined;
  /** Whether to try at all: no waiting on a lost connection. */
  readonly online: () => boolean;
  readonly logger: Logger;
  /** Names the map in debug logs: `shared status`, `shared pause`. */
  readonly what: string;
}

export class BestEffortMap<V> {
  constructor(private readonly options: BestEffortMapOptions<V>) {}

  /** The values found for these keys; absent keys are unknown or unreachable. Never rejects. */
  async read(keys: readonly string[]): Promise<Map<string, V>> {
    const found = new Map<string, V>();
    const { redis, keyOf, decode, online, logger, what } = this.options;
    if (keys.length === 0 || !online()) return found;
    try {
      const values = await redis.mget(keys.map(keyOf));
      values.forEach((text, index) => {
        const value = text === null ? undefined : decodeText(text, decode);
        if (value !== undefined) found.set(keys[index]!, value);
      });
    } catch (error) {
      logger.debug({ err: error }, `${what} read failed`);
    }
    return found;
  }

  /** Remembers a value for `ttlMs`; fire and forget. */
  write(key: string, value: V, ttlMs: number): void {
    const { redis, keyOf, online, logger, what } = this.options;
    if (!online() || ttlMs <= 0) return;
    redis
      .set(keyOf(key), JSON.stringify(value), 'PX', Math.ceil(ttlMs))
      .catch((error: unknown) => logger.debug({ err: error }, `${what} write failed`));
  }
}

function decodeText<V>(text: string, decode: (json: unknown) => V | undefined): V | undefined {
  try {
    return decode(JSON.parse(text));
  } catch {
    return undefined;
  }
}
