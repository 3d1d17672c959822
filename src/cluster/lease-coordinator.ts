/**
 * The cluster's `PollCoordinator`: a job is polled by the instance holding its lease.
 *
 * Every instance that watches a job claims it when it falls due; the holder renews the lease by
 * claiming and, between polls (whose interval may grow past the lease time), by a timer every
 * third of the lease time, which also beats this instance's heartbeat in the watch registry.
 * Non-holders keep claiming at the base interval, so when a holder dies its jobs are taken over
 * within the lease time plus one base interval. Watches released here give the lease up at once;
 * a final job's lease is left to lapse, so that instances that have not yet heard the final event
 * do not poll it again (the holder's own subscribers hear it first and release their watches at
 * once: releasing the lease then would hand the job to a watcher elsewhere for one more poll).
 *
 * While Redis is away every claim answers `mine`: each instance polls what it watches (more
 * upstream calls, but its subscribers stay served); when Redis returns, claims decide again and
 * the winners, answering `new`, publish their next outcome so that every instance hears it.
 *
 * A claim that fails while Redis stays connected (a slow answer, a stalled event loop) changes no
 * lease: this instance goes on polling what it holds and leaves the rest to their holders. When
 * the timeout is confirmed (`redis.ts`: a PING times out too), Redis counts as lost and the
 * paragraph above applies; a claim failing otherwise for a whole lease time, so that holders
 * cannot renew either, also makes it poll everything it watches.
 */
import type { PollClaim, PollCoordinator } from '../jobs/ports.js';
import type { Logger } from '../logger.js';
import type { Leases } from './leases.js';
import type { RedisConnection } from './redis.js';
import type { WatchRegistry } from './watch-registry.js';

export interface LeaseCoordinatorOptions {
  readonly connection: RedisConnection;
  readonly leases: Leases;
  readonly registry: WatchRegistry;
  readonly leaseMs: number;
  readonly logger: Logger;
}

/** Starts renewing (and announcing this instance) at construction; `stop` ends it. */
export class LeaseCoordinator implements PollCoordinator {
  private readonly timer: NodeJS.Timeout;
  private stopped = false;
  /** Whether the last claim reached Redis; logged when it changes. */
  private coordinated = true;
  /** When claims started failing while Redis was connected (ms since the epoch); null while they succeed. */
  private failingSince: number | null = null;
  /** Writes not awaited by their callers, awaited on stop so that none is cut off by the disconnect. */
  private readonly writes = new Set<Promise<unknown>>();
  /** Watched jobs found final: their leases lapse rather than being released when the watch ends. */
  private readonly finished = new Set<string>();

  constructor(private readonly options: LeaseCoordinatorOptions) {
    this.timer = setInterval(() => void this.renew(), Math.max(1, Math.floor(options.leaseMs / 3)));
    this.timer.unref();
    // Announce this instance at once, not a third of a lease later.
    void this.renew();
  }

  watch(key: string): void {
    if (this.stopped) return;
    this.finished.delete(key);
    this.track(this.options.registry.add(key, this.online()));
  }

  unwatch(key: string): void {
    if (this.stopped) return;
    this.track(this.options.registry.remove(key, this.online()));
    if (!this.finished.delete(key)) this.release(key);
  }

  finish(key: string): void {
    this.finished.add(key);
    this.options.leases.forget(key);
  }

  async claim(keys: readonly string[]): Promise<ReadonlyMap<string, PollClaim>> {
    if (this.stopped) return new Map(keys.map((key) => [key, 'elsewhere']));
    if (this.online()) {
      try {
        const claims = await this.options.leases.claim(keys);
        this.failingSince = null;
        this.noteCoordinated(true);
        // A watch released while the claim travelled must not leave a lease behind for a lease time.
        for (const [key, claim] of claims) if (claim !== 'elsewhere' && !this.options.registry.has(key)) this.release(key);
        return claims;
      } catch (error) {
        this.options.logger.debug({ err: error }, 'lease claim failed');
        this.failingSince ??= Date.now();
        if (this.online() && Date.now() - this.failingSince < this.options.leaseMs) {
          return new Map(keys.map((key) => [key, this.options.leases.holds(key) ? 'mine' : 'elsewhere']));
        }
      }
    }
    this.noteCoordinated(false);
    this.options.leases.forgetAll();
    return new Map(keys.map((key) => [key, 'mine']));
  }

  /** Jobs this instance holds the lease of, for tests and metrics. */
  get held(): number {
    return this.options.leases.size;
  }

  /** Stops renewing, gives every lease up and leaves the registry. Never rejects. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.writes]);
    if (!this.online()) return;
    await Promise.all([this.options.leases.releaseAll(), this.options.registry.leave()]).catch((error: unknown) =>
      this.options.logger.debug({ err: error }, 'leaving the cluster failed; leases will lapse'),
    );
  }

  private online(): boolean {
    return this.options.connection.connected();
  }

  private release(key: string): void {
    if (!this.online()) {
      this.options.leases.forget(key);
      return;
    }
    this.track(
      this.options.leases.release(key).catch((error: unknown) => this.options.logger.debug({ err: error }, 'lease release failed; it will lapse')),
    );
  }

  private track(write: Promise<unknown>): void {
    this.writes.add(write);
    const done = () => void this.writes.delete(write);
    write.then(done, done);
  }

  private async renew(): Promise<void> {
    if (this.stopped || !this.online()) return;
    try {
      await Promise.all([this.options.leases.renewHeld(), this.options.registry.heartbeat()]);
    } catch (error) {
      this.options.logger.debug({ err: error }, 'lease renewal failed');
    }
  }

  private noteCoordinated(now: boolean): void {
    if (now === this.coordinated) return;
    this.coordinated = now;
    if (now) this.options.logger.info('poll leases reached again: each watched job is polled by one instance');
    else this.options.logger.warn('poll leases unreachable: this instance polls every job it watches until Redis returns');
  }
}
