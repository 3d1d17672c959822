/**
 * Poll leases: `lease:<refKey>` holds the id of the one instance that polls the job, with an
 * expiry. Taken with `SET NX PX`, renewed (only by its holder) with a compare-and-`PEXPIRE`,
 * released (only by its holder) with a compare-and-`DEL`. These run as Lua scripts, so that no
 * instance can extend or delete a lease another one has taken meanwhile, and so that claiming or
 * renewing many jobs is one command per chunk of jobs: with thousands of watched jobs, per-job
 * commands would cost the instances more CPU than Redis.
 *
 * A holder that dies stops renewing: its leases lapse after `leaseMs` and the next instance to
 * ask takes them. Nothing else is needed for agreement: Redis' single-threaded `SET NX` decides.
 */
import type { Redis } from 'ioredis';
import type { PollClaim } from '../jobs/ports.js';
import type { ClusterKeys } from './keys.js';

/** Per key: 2, taken now; 1, already ours and renewed; 0, another instance's. */
const CLAIM = `local answers = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2]) then answers[i] = 2
  elseif redis.call('GET', key) == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2]) answers[i] = 1
  else answers[i] = 0 end
end
return answers`;
/** Per key: 1, ours and renewed; 0, lost. */
const RENEW = `local answers = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2]) answers[i] = 1 else answers[i] = 0 end
end
return answers`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Keys per script call: bounds the time Redis spends in one script. */
const CHUNK = 500;

/** The scripts, as ioredis defines them (EVALSHA, falling back to EVAL once per connection). */
interface LeaseCommands {
  /** `(keyCount, ...keys, holder, leaseMs)`. */
  jsgClaimLeases(...args: (string | number)[]): Promise<number[]>;
  /** `(keyCount, ...keys, holder, leaseMs)`. */
  jsgRenewLeases(...args: (string | number)[]): Promise<number[]>;
  jsgReleaseLease(key: string, holder: string): Promise<number>;
}

/** One instance's view of its poll leases: claims, renewals, releases. */
export class Leases {
  /** Ref keys whose lease this instance believes it holds (and renews). */
  private readonly held = new Set<string>();
  private readonly redis: Redis & LeaseCommands;

  constructor(
    redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly instanceId: string,
    private readonly leaseMs: number,
  ) {
    redis.defineCommand('jsgClaimLeases', { lua: CLAIM });
    redis.defineCommand('jsgRenewLeases', { lua: RENEW });
    redis.defineCommand('jsgReleaseLease', { numberOfKeys: 1, lua: RELEASE });
    this.redis = redis as Redis & LeaseCommands;
  }

  /**
   * Takes or renews the lease of each job. `new` when this instance did not hold it a moment ago
   * (as far as it knew). Rejects when Redis cannot be asked.
   */
  async claim(refKeys: readonly string[]): Promise<Map<string, PollClaim>> {
    const answers = await this.run('jsgClaimLeases', refKeys);
    const claims = new Map<string, PollClaim>();
    refKeys.forEach((refKey, index) => {
      const answer = answers[index];
      const claim: PollClaim = answer === 0 ? 'elsewhere' : answer === 2 || !this.held.has(refKey) ? 'new' : 'mine';
      if (claim === 'elsewhere') this.held.delete(refKey);
      else this.held.add(refKey);
      claims.set(refKey, claim);
    });
    return claims;
  }

  /** Extends every lease held; forgets the ones found lost (lapsed, or taken after a Redis restart). */
  async renewHeld(): Promise<void> {
    const refKeys = [...this.held];
    const renewed = await this.run('jsgRenewLeases', refKeys);
    refKeys.forEach((refKey, index) => {
      if (renewed[index] !== 1) this.held.delete(refKey);
    });
  }

  /** Whether this instance believes it holds the job's lease. */
  holds(refKey: string): boolean {
    return this.held.has(refKey);
  }

  /** Stops renewing without deleting: the lease lapses on its own (for a final job, see `PollCoordinator.finish`). */
  forget(refKey: string): void {
    this.held.delete(refKey);
  }

  /** Forgets every lease (this instance lost track of Redis); the next claims say `new` for them. */
  forgetAll(): void {
    this.held.clear();
  }

  /** Gives the job up at once, if this instance holds it, so that another may take it. Rejects when Redis cannot be asked. */
  async release(refKey: string): Promise<void> {
    this.held.delete(refKey);
    await this.redis.jsgReleaseLease(this.keys.lease(refKey), this.instanceId);
  }

  /** Gives every held job up (shutdown). */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.held].map((refKey) => this.release(refKey)));
  }

  /** Runs a many-key script over the leases of `refKeys`, in chunks sent together (one round trip). */
  private async run(script: 'jsgClaimLeases' | 'jsgRenewLeases', refKeys: readonly string[]): Promise<number[]> {
    const chunks: Promise<number[]>[] = [];
    for (let start = 0; start < refKeys.length; start += CHUNK) {
      const keys = refKeys.slice(start, start + CHUNK).map((refKey) => this.keys.lease(refKey));
      chunks.push(this.redis[script](keys.length, ...keys, this.instanceId, this.leaseMs));
    }
    return (await Promise.all(chunks)).flat();
  }

  /** Jobs this instance polls for the cluster, for tests and metrics. */
  get size(): number {
    return this.held.size;
  }
}
