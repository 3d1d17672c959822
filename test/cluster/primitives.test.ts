/**
 * The Redis building blocks of cluster mode, each against a real Redis: poll leases, the watch
 * registry, the shared status cache and the shared rate-limit pauses.
 */
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clusterKeys } from '../../src/cluster/keys.js';
import { Leases } from '../../src/cluster/leases.js';
import { RedisPauses } from '../../src/cluster/shared-pauses.js';
import { RedisStatuses } from '../../src/cluster/shared-cache.js';
import { WatchRegistry } from '../../src/cluster/watch-registry.js';
import type { JobSnapshot } from '../../src/jobs/model.js';
import { silentLogger } from '../../src/logger.js';
import { deleteKeysUnder, inspector, keysUnder, redisAvailable, uniquePrefix } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

const available = await redisAvailable();

describe.runIf(available)('cluster primitives on Redis', () => {
  let redis: Redis;
  let prefix: string;
  beforeAll(() => {
    redis = inspector();
  });
  afterEach(async () => {
    await deleteKeysUnder(redis, prefix);
  });
  afterAll(() => {
    redis.disconnect();
  });
  const fresh = () => {
    prefix = uniquePrefix();
    return clusterKeys(prefix);
  };

  describe('poll leases', () => {
    it('lets one instance hold a job; the holder keeps it, the others are refused until it lets go', async () => {
      const keys = fresh();
      const a = new Leases(redis, keys, 'a', 5000);
      const b = new Leases(redis, keys, 'b', 5000);
      expect(await a.claim(['job-1'])).toEqual(new Map([['job-1', 'new']]));
      expect(await b.claim(['job-1'])).toEqual(new Map([['job-1', 'elsewhere']]));
      expect(await a.claim(['job-1'])).toEqual(new Map([['job-1', 'mine']]));
      expect(await redis.get(keys.lease('job-1'))).toBe('a');
      await a.release('job-1');
      expect(await b.claim(['job-1'])).toEqual(new Map([['job-1', 'new']]));
      expect(await redis.get(keys.lease('job-1'))).toBe('b');
    });

    it('claims many jobs at once, each with an expiry no longer than the lease', async () => {
      const keys = fresh();
      const a = new Leases(redis, keys, 'a', 5000);
      const jobs = Array.from({ length: 50 }, (_, index) => `job-${index}`);
      const claims = await a.claim(jobs);
      expect([...claims.values()].every((claim) => claim === 'new')).toBe(true);
      const left = await keysUnder(redis, prefix);
      expect(left.size).toBe(50);
      for (const ttl of left.values()) {
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(5000);
      }
    });

    it('lets a lease lapse when its holder stops renewing, and another takes it over', async () => {
      const keys = fresh();
      const dead = new Leases(redis, keys, 'dead', 1000);
      const heir = new Leases(redis, keys, 'heir', 1000);
      await dead.claim(['job-1']);
      expect((await heir.claim(['job-1'])).get('job-1')).toBe('elsewhere');
      await waitFor(async () => (await heir.claim(['job-1'])).get('job-1') === 'new', { what: 'takeover', timeoutMs: 5000 });
      // The old holder finds out at its next renewal or claim, and never takes it back by accident.
      await dead.renewHeld();
      expect(dead.size).toBe(0);
      expect((await dead.claim(['job-1'])).get('job-1')).toBe('elsewhere');
    });

    it('never renews or deletes a lease another instance holds', async () => {
      const keys = fresh();
      const a = new Leases(redis, keys, 'a', 5000);
      const b = new Leases(redis, keys, 'b', 200);
      await a.claim(['job-1']);
      await b.claim(['job-1']); // refused
      await b.release('job-1');
      await b.renewHeld();
      expect(await redis.get(keys.lease('job-1'))).toBe('a');
      expect(await redis.pttl(keys.lease('job-1'))).toBeGreaterThan(1000);
    });

    it('answers "new" again after losing track of a lease it still held (a Redis outage)', async () => {
      const keys = fresh();
      const a = new Leases(redis, keys, 'a', 5000);
      await a.claim(['job-1']);
      a.forgetAll();
      expect((await a.claim(['job-1'])).get('job-1')).toBe('new');
      expect((await a.claim(['job-1'])).get('job-1')).toBe('mine');
    });

    it('forgets a lease found gone at renewal (Redis restarted empty)', async () => {
      const keys = fresh();
      const a = new Leases(redis, keys, 'a', 5000);
      await a.claim(['job-1', 'job-2']);
      await redis.del(keys.lease('job-1'));
      await a.renewHeld();
      expect(a.size).toBe(1);
      expect((await a.claim(['job-1'])).get('job-1')).toBe('new');
    });
  });

  describe('watch registry', () => {
    it('knows what every live instance watches, and forgets an instance that left', async () => {
      const keys = fresh();
      const a = new WatchRegistry(redis, keys, 'a', 5000);
      const b = new WatchRegistry(redis, keys, 'b', 5000);
      await Promise.all([a.heartbeat(), b.heartbeat()]);
      await a.add('job-1', true);
      await a.add('job-2', true);
      await b.add('job-2', true);
      await b.add('job-3', true);
      expect(await a.watchedJobs()).toEqual(['job-1', 'job-2', 'job-3']);
      await a.remove('job-1', true);
      await b.leave();
      expect(await a.watchedJobs()).toEqual(['job-2']);
      for (const ttl of (await keysUnder(redis, prefix)).values()) expect(ttl).toBeGreaterThan(0);
    });

    it("drops a dead instance's watches once its heartbeat stops", async () => {
      const keys = fresh();
      const dead = new WatchRegistry(redis, keys, 'dead', 1000);
      const alive = new WatchRegistry(redis, keys, 'alive', 1000);
      await dead.heartbeat();
      await dead.add('job-dead', true);
      await alive.heartbeat();
      await alive.add('job-alive', true);
      expect(await alive.watchedJobs()).toEqual(['job-alive', 'job-dead']);
      await waitFor(
        async () => {
          await alive.heartbeat();
          const instances = await redis.zrange(keys.instances, 0, -1);
          // The dead set expires ttlMs after its last write, a moment after its heartbeat's score ages out.
          const deadSetGone = (await redis.exists(keys.watching('dead'))) === 0;
          return (await alive.watchedJobs()).join() === 'job-alive' && instances.join() === 'alive' && deadSetGone;
        },
        { what: 'the dead instance forgotten', timeoutMs: 5000 },
      );
    });

    it('rewrites its set at the next heartbeat when Redis lost it or missed changes', async () => {
      const keys = fresh();
      const a = new WatchRegistry(redis, keys, 'a', 5000);
      await a.add('job-1', true);
      await a.add('job-2', false); // Redis away: noted locally only
      await a.remove('job-1', false);
      await a.heartbeat();
      expect(await redis.smembers(keys.watching('a'))).toEqual(['job-2']);
      await redis.del(keys.watching('a'));
      await a.heartbeat();
      expect(await redis.smembers(keys.watching('a'))).toEqual(['job-2']);
      expect(await redis.pttl(keys.watching('a'))).toBeGreaterThan(0);
    });
  });

  describe('shared status cache', () => {
    const snapshot: JobSnapshot = {
      ref: { kind: 'ZENDESK_JOB_STATUS', account: 'default', nativeId: 'z1' },
      state: 'RUNNING',
      rawStatus: 'working',
      done: false,
      progress: { completed: 3, total: 10, percent: 30 },
      message: null,
      checkedAt: new Date('2024-01-15T12:00:00.000Z'),
      details: { kind: 'ZENDESK_JOB_STATUS', url: null, total: 10, jobType: null, results: null },
    };

    it('gives back what another instance wrote, dates included, and expires it with the TTL given', async () => {
      const keys = fresh();
      const writer = new RedisStatuses(redis, keys, () => true, silentLogger);
      const reader = new RedisStatuses(redis, keys, () => true, silentLogger);
      writer.write('ZENDESK_JOB_STATUS:default:z1', { outcome: snapshot, expiresAt: 123 }, 5000);
      const read = await waitFor(async () => (await reader.read(['ZENDESK_JOB_STATUS:default:z1', 'other'])).get('ZENDESK_JOB_STATUS:default:z1'));
      expect(read).toEqual({ outcome: snapshot, expiresAt: 123 });
      expect(read.outcome.checkedAt).toBeInstanceOf(Date);
      const ttl = await redis.pttl(keys.status('ZENDESK_JOB_STATUS:default:z1'));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(5000);
    });

    it('reads damaged values and an unreachable Redis as misses', async () => {
      const keys = fresh();
      await redis.set(keys.status('bad'), '{not json', 'PX', 5000);
      await redis.set(keys.status('odd'), '{"outcome":1}', 'PX', 5000);
      expect((await new RedisStatuses(redis, keys, () => true, silentLogger).read(['bad', 'odd'])).size).toBe(0);
      const offline = new RedisStatuses(redis, keys, () => false, silentLogger);
      offline.write('x', { outcome: snapshot, expiresAt: 1 }, 5000);
      expect((await offline.read(['bad'])).size).toBe(0);
      expect(await redis.exists(keys.status('x'))).toBe(0);
    });
  });

  describe('shared rate-limit pauses', () => {
    it('tells every instance until when an account is paused, and expires with the wait', async () => {
      const keys = fresh();
      const pauses = new RedisPauses(redis, keys, () => true, silentLogger);
      pauses.write('ZENDESK:default', 1_700_000_030_000, 30_000);
      const read = await waitFor(async () => (await pauses.read(['ZENDESK:default', 'SAYMON:default'])).get('ZENDESK:default'));
      expect(read).toBe(1_700_000_030_000);
      const ttl = await redis.pttl(keys.pause('ZENDESK:default'));
      expect(ttl).toBeGreaterThan(25_000);
      expect(ttl).toBeLessThanOrEqual(30_000);
    });
  });
});
