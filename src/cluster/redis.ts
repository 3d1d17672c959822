/**
 * The connection to Redis: two ioredis clients (commands, and pub/sub, which Redis puts in a mode
 * of its own), their health as one flag, and the loud log lines when it changes.
 *
 * The two clients are tuned for opposite needs:
 * - commands fail fast while Redis is away (no offline queue, a command timeout, nothing resent
 *   after a reconnect), because every caller has a local fallback and a stale lease claim or
 *   cache write replayed seconds later would be wrong;
 * - the subscriber queues while away and ioredis resubscribes its channels when Redis is back, so
 *   subscriptions resume by themselves.
 * Both reconnect for ever with a capped backoff; nothing here ever throws after start-up.
 *
 * A Redis that stops answering while its sockets stay open (SIGSTOP, a long script, a congested
 * network) counts as lost too: a command that times out marks the connection stalled, so every
 * caller takes its local path at once instead of waiting out its own timeout (a poll tick would
 * otherwise wait out three), `/ready` says 503, and the log says Redis is lost. A timeout is
 * confirmed by a PING timing out too, so that one slow answer, or this process's own blocked
 * event loop, does not flip the whole instance into degraded mode. A PING every
 * command timeout notices a stall even when nothing else asks, and, while stalled, notices the end
 * of it: then Redis counts as back, as after a reconnection (listeners resync what they missed).
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';

export interface RedisConnectionOptions {
  /** `redis://` or `rediss://`, possibly with a password. */
  readonly url: string;
  /** Names the connections in `CLIENT LIST`. */
  readonly name: string;
  readonly logger: Logger;
  /** How long start-up waits for Redis before giving up (or, when optional, going on degraded). */
  readonly connectTimeoutMs: number;
  /** Commands taking longer than this count as failed: callers fall back to their local path. */
  readonly commandTimeoutMs: number;
  /** Start without Redis (degraded, in-memory) when it cannot be reached, rather than fail. */
  readonly optional: boolean;
}

export interface RedisConnection {
  /** For commands; rejects at once while Redis is away. */
  readonly commands: Redis;
  /** For pub/sub only. */
  readonly subscriber: Redis;
  /** The URL without credentials, for messages. */
  readonly safeUrl: string;
  /** Both clients are connected and ready. */
  connected(): boolean;
  /** Why not, for readiness: the last connection error seen. */
  lastError(): string | null;
  /** Calls `listener` each time Redis comes back after being away (or after a degraded start). */
  onResumed(listener: () => void): void;
  /** Disconnects both clients; pending commands are rejected (their callers all catch). */
  close(): Promise<void>;
}

/** Reconnect backoff: 100 ms, 200 ms, … capped at 1 s, so a returning Redis is found quickly. */
const retryStrategy = (attempt: number): number => Math.min(100 * attempt, 1000);

/**
 * Connects both clients and waits until they are ready.
 * @throws Error `REDIS_URL: cannot connect to redis://host:port (reason)` when Redis cannot be
 * reached within `connectTimeoutMs` and Redis is not optional. Never includes the password.
 */
export async function connectRedis(options: RedisConnectionOptions): Promise<RedisConnection> {
  const { logger } = options;
  const safeUrl = withoutCredentials(options.url);
  const common: RedisOptions = { retryStrategy, lazyConnect: true };
  const commands = new Redis(options.url, {
    ...common,
    connectionName: `${options.name}:commands`,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs,
    maxRetriesPerRequest: 0,
    // Lease claims, cache reads and pause reads issued together travel in one round trip.
    enableAutoPipelining: true,
  });
  const subscriber = new Redis(options.url, {
    ...common,
    connectionName: `${options.name}:subscriber`,
    maxRetriesPerRequest: null,
  });

  let up = false;
  let everUp = false;
  let lastError: string | null = null;
  const resumed: (() => void)[] = [];
  const waiters: (() => void)[] = [];
  let closing = false;
  /** Set when a command timed out; cleared by the next answer. */
  let stalled = false;

  const update = () => {
    const now = commands.status === 'ready' && subscriber.status === 'ready' && !stalled;
    if (now === up || closing) return;
    up = now;
    if (up) {
      lastError = null;
      // Up for the first time while start-up waits is the normal case; any other time, we were degraded.
      const wasDegraded = everUp || waiters.length === 0;
      if (wasDegraded) logger.warn({ redis: safeUrl }, 'Redis reached: cluster mode on again (shared events, poll leases, shared cache), degraded mode over');
      everUp = true;
      waiters.splice(0).forEach((resolve) => resolve());
      if (wasDegraded) for (const listener of resumed) listener();
    } else {
      logger.error(
        { redis: safeUrl, reason: lastError },
        'Redis lost: degraded until it returns (each instance polls its own watched jobs, queries go straight to providers, /ready reports it)',
      );
    }
  };
  // One slow answer (or this process's own stalled event loop) is not yet a stall: a PING must time out too.
  let confirming = false;
  watchForStalls(commands, {
    timedOut: () => {
      if (stalled || confirming || closing) return;
      confirming = true;
      commands
        .ping()
        .then(
          () => {},
          (error: unknown) => {
            if (!isTimeout(error) || stalled) return;
            stalled = true;
            lastError = `Redis did not answer within ${options.commandTimeoutMs} ms (REDIS_COMMAND_TIMEOUT_MS)`;
            update();
          },
        )
        .finally(() => (confirming = false));
    },
    answered: () => {
      if (!stalled) return;
      stalled = false;
      update();
    },
  });
  const probe = setInterval(() => {
    // While reconnecting ioredis rejects at once (no offline queue); only a ready client can stall.
    if (commands.status === 'ready') commands.ping().catch(() => {});
  }, Math.max(50, options.commandTimeoutMs));
  probe.unref();
  for (const client of [commands, subscriber]) {
    for (const event of ['ready', 'close', 'end', 'reconnecting', 'connect']) client.on(event, update);
    client.on('error', (error: Error) => {
      lastError = describe(error);
      logger.debug({ redis: safeUrl, reason: lastError }, 'Redis connection error');
    });
    client.connect().catch(() => {
      // Reported through `error` events; ioredis keeps retrying.
    });
  }

  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), options.connectTimeoutMs);
    waiters.push(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });

  if (!ready) {
    waiters.length = 0;
    const reason = lastError ?? 'no answer';
    if (!options.optional) {
      closing = true;
      clearInterval(probe);
      commands.disconnect();
      subscriber.disconnect();
      throw new Error(`REDIS_URL: cannot connect to ${safeUrl} (${reason})`);
    }
    logger.error(
      { redis: safeUrl, reason },
      `REDIS_OPTIONAL=1 and Redis cannot be reached at ${safeUrl} (${reason}): running DEGRADED, in-memory, as a lone instance — ` +
        'no shared events, no poll leases, no shared cache — until Redis is reached',
    );
  }

  return {
    commands,
    subscriber,
    safeUrl,
    connected: () => up,
    lastError: () => lastError,
    onResumed: (listener) => resumed.push(listener),
    async close() {
      closing = true;
      clearInterval(probe);
      // `quit` waits for replies, but would hang while Redis is away; a lost connection has nothing to flush.
      await Promise.all([commands, subscriber].map((client) => (client.status === 'ready' ? client.quit().catch(() => client.disconnect()) : client.disconnect())));
    },
  };
}

/**
 * Hooks every command `client` sends (single, pipelined or auto-pipelined: all pass through
 * `sendCommand`) to tell a timeout ("Command timed out", ioredis's `commandTimeout`) from an
 * answer. Other failures (connection errors, Redis error replies) say nothing about a stall.
 */
function watchForStalls(client: Redis, on: { timedOut: () => void; answered: () => void }): void {
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((command: Parameters<Redis['sendCommand']>[0], stream?: Parameters<Redis['sendCommand']>[1]) => {
    const result = send(command, stream);
    command.promise.then(on.answered, (error: unknown) => {
      if (isTimeout(error)) on.timedOut();
      // An error reply is an answer all the same.
      else if (error instanceof Error && error.name === 'ReplyError') on.answered();
    });
    return result;
  }) as Redis['sendCommand'];
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Command timed out';
}

/** `redis://host:port/db` with neither user nor password, for messages and logs. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'the configured Redis URL';
  }
}

function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  // Node reports a host with several addresses (localhost: ::1 and 127.0.0.1) as an AggregateError without a message.
  const message = error.message || (error instanceof AggregateError ? error.errors.map((inner: Error) => inner.message).join('; ') : '');
  if (!code) return message || 'connection error';
  return message.includes(code) ? message : `${code}${message ? `: ${message}` : ''}`;
}
