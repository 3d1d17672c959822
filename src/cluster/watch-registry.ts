/**
 * Which jobs are watched, cluster-wide: each instance keeps the ref keys it watches in a set of
 * its own (`watching:<instanceId>`), and its id in `instances` scored by its last heartbeat. Both
 * expire unless the heartbeat renews them, so a dead instance's watches vanish after `ttlMs` and
 * the instances index sheds it at the next heartbeat of any other.
 *
 * Leases decide who polls; this registry is what operators (and tests) read to see what the
 * cluster is watching, and it is rebuilt from memory whenever Redis has lost it (a restart).
 */
import type { Redis } from 'ioredis';
import type { ClusterKeys } from './keys.js';

/** Members per SADD when rebuilding a large set. */
const CHUNK = 1000;

/** One instance's entry in the cluster-wide registry of watched jobs. */
export class WatchRegistry {
  private readonly local = new Set<string>();
  /** A change could not be told to Redis: the next heartbeat rewrites the whole set. */
  private stale = false;

  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly instanceId: string,
    private readonly ttlMs: number,
  ) {}

  /** Whether this instance watches the job. */
  has(refKey: string): boolean {
    return this.local.has(refKey);
  }

  /** Notes a watch here; told to Redis now when `online`, else at the first heartbeat that can. Never rejects. */
  async add(refKey: string, online: boolean): Promise<void> {
    this.local.add(refKey);
    const key = this.keys.watching(this.instanceId);
    await this.tell(online, () => this.redis.multi().sadd(key, refKey).pexpire(key, this.ttlMs).exec());
  }

  /** Never rejects. */
  async remove(refKey: string, online: boolean): Promise<void> {
    this.local.delete(refKey);
    await this.tell(online, () => this.redis.srem(this.keys.watching(this.instanceId), refKey));
  }

  /**
   * Renews this instance's set and its place in `instances`, drops instances whose heartbeat
   * stopped, and rebuilds the set if Redis no longer has it. Rejects when Redis cannot be asked.
   */
  async heartbeat(): Promise<void> {
    const key = this.keys.watching(this.instanceId);
    const now = Date.now();
    const [alive] = await Promise.all([
      this.redis.pexpire(key, this.ttlMs),
      this.redis
        .multi()
        .zadd(this.keys.instances, now, this.instanceId)
        .pexpire(this.keys.instances, this.ttlMs)
        .zremrangebyscore(this.keys.instances, '-inf', now - this.ttlMs)
        .exec(),
    ]);
    if ((alive === 1 || this.local.size === 0) && !this.stale) return;
    // Lost (Redis restarted, or this instance was away past the TTL) or out of date: rewrite it.
    this.stale = false;
    const members = [...this.local];
    const rebuild = this.redis.multi().del(key);
    for (let start = 0; start < members.length; start += CHUNK) rebuild.sadd(key, ...members.slice(start, start + CHUNK));
    await rebuild.pexpire(key, this.ttlMs).exec();
  }

  /** Every job some live instance watches. Rejects when Redis cannot be asked. */
  async watchedJobs(): Promise<string[]> {
    const ids = await this.redis.zrangebyscore(this.keys.instances, Date.now() - this.ttlMs, '+inf');
    if (ids.length === 0) return [];
    return (await this.redis.sunion(...ids.map((id) => this.keys.watching(id)))).sort();
  }

  private async tell(online: boolean, write: () => Promise<unknown>): Promise<void> {
    if (!online) {
      this.stale = true;
      return;
    }
    await write().catch(() => {
      this.stale = true;
    });
  }

  /** Leaves the cluster: this instance's set and its entry in `instances` go. Rejects when Redis cannot be asked. */
  async leave(): Promise<void> {
    this.local.clear();
    await this.redis.multi().del(this.keys.watching(this.instanceId)).zrem(this.keys.instances, this.instanceId).exec();
  }
}
