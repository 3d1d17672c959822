/**
 * Redis for cluster tests: the shared one at 127.0.0.1:6379 (`.ci/run` starts it), a unique key
 * prefix per test, and private `redis-server` processes a test may stop and start.
 *
 * Without a reachable Redis, cluster tests are skipped, unless `REQUIRE_REDIS=1` (CI), where they
 * fail instead.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { waitFor } from './wait.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether the shared test Redis answers; throws when it does not and `REQUIRE_REDIS=1`. */
export async function redisAvailable(url = REDIS_URL): Promise<boolean> {
  const available = await redisAvailableQuietly(url);
  if (!available && process.env.REQUIRE_REDIS === '1') throw new Error(`REQUIRE_REDIS=1 but Redis at ${url} cannot be reached`);
  return available;
}

async function redisAvailableQuietly(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** A prefix no other test uses: `jsg-test-<random>:`. */
export function uniquePrefix(): string {
  return `jsg-test-${randomBytes(4).toString('hex')}:`;
}

/** A plain client for inspecting what the service left in Redis. Disconnect it after the test. */
export function inspector(url = REDIS_URL): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: (attempt) => Math.min(attempt * 50, 500) });
  client.on('error', () => {});
  return client;
}

/** Every key under `prefix` with its remaining time to live in ms (-1: none). */
export async function keysUnder(client: Redis, prefix: string): Promise<Map<string, number>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const ttls = await Promise.all(keys.map((key) => client.pttl(key)));
  return new Map(keys.map((key, index) => [key, ttls[index]!]));
}

export async function deleteKeysUnder(client: Redis, prefix: string): Promise<void> {
  const keys = [...(await keysUnder(client, prefix)).keys()];
  if (keys.length > 0) await client.del(...keys);
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}

/** A free loopback port (free a moment ago: good enough for a test's own redis-server). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Starts `redis-server` on the port (again); resolves when it answers PING. */
  start(): Promise<void>;
  /** Kills it (SIGKILL: as abrupt as a crash); resolves when the process is gone. */
  stop(): Promise<void>;
  /** SIGSTOP: the process hangs with its sockets open, answering nothing, until `resume`. */
  pause(): void;
  /** SIGCONT: it answers again, the replies held meanwhile first. */
  resume(): void;
}

/** A `redis-server` child of this test, on its own port, keeping nothing on disk. Not started yet. */
export function privateRedis(port: number): PrivateRedis {
  let child: ChildProcess | null = null;
  const url = `redis://127.0.0.1:${port}`;
  return {
    port,
    url,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
        stdio: 'ignore',
      });
      const started = child;
      // Never outlive the test run, even when it fails before `stop`.
      process.once('exit', () => started.kill('SIGKILL'));
      await waitFor(() => redisAvailableQuietly(url), { what: `redis-server on port ${port}`, timeoutMs: 10_000 });
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGKILL');
      await exited;
    },
  };
}
