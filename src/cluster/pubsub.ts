/**
 * The job pub/sub's event target in cluster mode: every event reaches this process's listeners
 * directly, and every other instance's through Redis (`@graphql-yoga/redis-event-target`).
 *
 * Local delivery does not wait for Redis, so an instance's own subscribers keep their updates
 * while Redis is away (each instance then polls what it watches). Each message carries the
 * publishing instance's id; an instance ignores its own messages coming back from Redis, which it
 * has already delivered. While Redis is away nothing is published there: those events are simply
 * missed elsewhere, and the feeds catch up when Redis returns (`JobFeed.resync`).
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { Redis } from 'ioredis';
import type { JobEventTarget } from '../jobs/events.js';
import type { Logger } from '../logger.js';
import type { ClusterKeys } from './keys.js';
import type { RedisConnection } from './redis.js';

export interface ClusterEventTargetOptions {
  readonly connection: RedisConnection;
  readonly keys: ClusterKeys;
  readonly instanceId: string;
  readonly logger: Logger;
}

/** What travels through Redis: the event, and who published it. */
interface Envelope {
  readonly origin: string;
  readonly detail: unknown;
}

type Listener = EventListenerOrEventListenerObject;

/** The event target for `createJobPubSub` in cluster mode: local listeners at once, other instances through Redis. */
export function createClusterEventTarget(options: ClusterEventTargetOptions): JobEventTarget {
  const { connection, keys, instanceId, logger } = options;
  const local = new EventTarget();
  const remote = createRedisEventTarget<CustomEvent>({
    publishClient: neverRejecting(connection.commands, logger),
    subscribeClient: neverRejecting(connection.subscriber, logger),
  });
  /** Per topic, the wrapper registered with Redis for each listener (to remove it again). */
  const fromRedis = new Map<string, Map<Listener, (event: Event) => void>>();

  const target = {
    addEventListener(topic: string, listener: Listener | null): void {
      if (!listener) return;
      local.addEventListener(topic, listener);
      const wrappers = fromRedis.get(topic) ?? new Map<Listener, (event: Event) => void>();
      fromRedis.set(topic, wrappers);
      if (wrappers.has(listener)) return;
      const wrapper = (event: Event) => {
        const envelope = (event as CustomEvent<Envelope | null>).detail;
        if (!envelope || envelope.origin === instanceId) return;
        const unwrapped = new CustomEvent(topic, { detail: envelope.detail });
        if (typeof listener === 'function') listener(unwrapped);
        else listener.handleEvent(unwrapped);
      };
      wrappers.set(listener, wrapper);
      remote.addEventListener(keys.channel(topic), wrapper);
    },
    removeEventListener(topic: string, listener: Listener | null): void {
      if (!listener) return;
      local.removeEventListener(topic, listener);
      const wrappers = fromRedis.get(topic);
      const wrapper = wrappers?.get(listener);
      if (!wrappers || !wrapper) return;
      wrappers.delete(listener);
      if (wrappers.size === 0) fromRedis.delete(topic);
      remote.removeEventListener(keys.channel(topic), wrapper);
    },
    dispatchEvent(event: Event): boolean {
      const { detail } = event as CustomEvent<unknown>;
      local.dispatchEvent(new CustomEvent(event.type, { detail }));
      if (connection.connected()) {
        const envelope: Envelope = { origin: instanceId, detail };
        remote.dispatchEvent(new CustomEvent(keys.channel(event.type), { detail: envelope }));
      }
      return true;
    },
  };
  return target as unknown as JobEventTarget;
}

/**
 * The redis event target calls `publish`, `subscribe` and `unsubscribe` without handling their
 * promises; a rejection (Redis away, client closing) would be an unhandled rejection, which ends
 * a Node process. This hands it a client whose calls log instead of rejecting.
 */
function neverRejecting(client: Redis, logger: Logger): Redis {
  const report = (what: string) => (error: unknown) => logger.debug({ err: error }, `Redis ${what} failed`);
  const safe = {
    on: (event: string, listener: (...args: unknown[]) => void) => {
      client.on(event, listener);
      return safe;
    },
    publish: (channel: string, message: string) => client.publish(channel, message).catch(report('publish')),
    subscribe: (...channels: string[]) => client.subscribe(...channels).catch(report('subscribe')),
    unsubscribe: (...channels: string[]) => client.unsubscribe(...channels).catch(report('unsubscribe')),
  };
  // Only these four methods are used by the library (see its source); the rest of `Redis` is never touched.
  return safe as unknown as Redis;
}
