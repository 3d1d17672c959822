/**
 * The lease coordinator when Redis answers slowly but stays connected: a claim that times out
 * must not make every instance poll every job (one extra upstream call per job and instance), nor
 * stop the polling of jobs this instance holds; only Redis counting as lost (a PING timing out
 * too) or claims failing for a whole lease time do.
 */
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clusterKeys } from '../../src/cluster/keys.js';
import { LeaseCoordinator } from '../../src/cluster/lease-coordinator.js';
import { Leases } from '../../src/cluster/leases.js';
import { connectRedis, type RedisConnection } from '../../src/cluster/redis.js';
import { WatchRegistry } from '../../src/cluster/watch-registry.js';
import { silentLogger } from '../../src/logger.js';
import { deleteKeysUnder, inspector, REDIS_URL, redisAvailable, uniquePrefix } from '../support/redis.js';
import { type StallingProxy, startStallingProxy } from '../support/stalling-proxy.js';
import { waitFor } from '../support/wait.js';

const available = await redisAvailable();
const LEASE_MS = 600;

describe.runIf(available)('lease coordinator while Redis stalls', () => {
  let redis: Redis;
  let prefix: string;
  let proxy: StallingProxy;
  let connection: RedisConnection;
  let coordinator: LeaseCoordinator;

  beforeAll(() => {
    redis = inspector();
  });
  afterEach(async () => {
    proxy.resume();
    await coordinator.stop();
    await connection.close();
    await proxy.close();
    await deleteKeysUnder(redis, prefix);
  });
  afterAll(() => {
    redis.disconnect();
  });

  it('keeps polling the jobs it holds and leaves the others to their holders, until Redis counts as lost', async () => {
    prefix = uniquePrefix();
    const keys = clusterKeys(prefix);
    proxy = await startStallingProxy(Number(new URL(REDIS_URL).port || 6379));
    connection = await connectRedis({ url: proxy.url, name: 'stall-test', logger: silentLogger, connectTimeoutMs: 2000, commandTimeoutMs: 200, optional: false });
    const leases = new Leases(connection.commands, keys, 'b', LEASE_MS);
    coordinator = new LeaseCoordinator({
      connection,
      leases,
      registry: new WatchRegistry(connection.commands, keys, 'b', LEASE_MS),
      leaseMs: LEASE_MS,
      logger: silentLogger,
    });
    // Another instance holds "theirs"; this one takes "ours".
    await new Leases(redis, keys, 'a', 60_000).claim(['theirs']);
    for (const key of ['ours', 'theirs', 'nobody’s']) coordinator.watch(key);
    // Retried: on a loaded machine even an unstalled claim may time out.
    const before = await waitFor(
      async () => {
        const claims = await coordinator.claim(['ours', 'theirs']);
        // A failed claim answers "elsewhere" for a job not held yet.
        return claims.get('ours') === 'new' && claims;
      },
      { what: 'a claim that reaches Redis' },
    );
    expect(before).toEqual(new Map([['ours', 'new'], ['theirs', 'elsewhere']]));

    proxy.stall();
    const stalledAt = Date.now();
    const during = await coordinator.claim(['ours', 'theirs', 'nobody’s']);
    expect(connection.connected()).toBe(true);
    expect(during).toEqual(new Map([['ours', 'mine'], ['theirs', 'elsewhere'], ['nobody’s', 'elsewhere']]));

    // Still failing a lease time later: holders cannot renew either, so poll everything watched.
    const fallback = await waitFor(
      async () => {
        const claims = await coordinator.claim(['ours', 'theirs', 'nobody’s']);
        return [...claims.values()].every((claim) => claim === 'mine') && claims;
      },
      { timeoutMs: 10 * LEASE_MS, what: 'claims to fall back to polling everything' },
    );
    // A timed-out claim confirmed by a timed-out PING counts as losing Redis (as a dropped
    // connection does), and that is what ends the wait, before a lease time of failures.
    expect(connection.connected()).toBe(false);
    expect(Date.now() - stalledAt).toBeGreaterThanOrEqual(200);
    expect(fallback.size).toBe(3);

    // Redis answers again: claims decide again ("theirs" is still a's).
    proxy.resume();
    const after = await waitFor(
      async () => {
        const claims = await coordinator.claim(['ours', 'theirs']).catch(() => null);
        return claims?.get('theirs') === 'elsewhere' && claims;
      },
      { what: 'claims to reach Redis again' },
    );
    expect(after.get('ours')).toBe('new');
  });
});

describe.runIf(available)('lease coordinator when a job is final', () => {
  let redis: Redis;
  let prefix: string;
  let connection: RedisConnection;
  let coordinator: LeaseCoordinator;

  beforeAll(() => {
    redis = inspector();
  });
  afterEach(async () => {
    await coordinator.stop();
    await connection.close();
    await deleteKeysUnder(redis, prefix);
  });
  afterAll(() => {
    redis.disconnect();
  });

  // The holder's own subscribers hear the final event first and release their watches; instances
  // whose subscribers have not heard it yet still watch the job and claim it at the base interval.
  it('leaves a finished job’s lease to lapse when its watch is released, and gives up an unfinished one’s at once', async () => {
    prefix = uniquePrefix();
    const keys = clusterKeys(prefix);
    connection = await connectRedis({ url: REDIS_URL, name: 'final-test', logger: silentLogger, connectTimeoutMs: 2000, commandTimeoutMs: 5000, optional: false });
    coordinator = new LeaseCoordinator({
      connection,
      leases: new Leases(connection.commands, keys, 'b', 60_000),
      registry: new WatchRegistry(connection.commands, keys, 'b', 60_000),
      leaseMs: 60_000,
      logger: silentLogger,
    });
    for (const key of ['done', 'open']) coordinator.watch(key);
    expect(await coordinator.claim(['done', 'open'])).toEqual(new Map([['done', 'new'], ['open', 'new']]));

    coordinator.finish('done');
    coordinator.unwatch('done');
    coordinator.unwatch('open');
    // Awaits the releases in flight.
    await coordinator.stop();

    expect(await redis.get(keys.lease('done'))).toBe('b');
    expect(await redis.get(keys.lease('open'))).toBeNull();
    expect(await new Leases(redis, keys, 'a', 60_000).claim(['done', 'open'])).toEqual(new Map([['done', 'elsewhere'], ['open', 'new']]));
  });
});
