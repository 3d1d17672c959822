/**
 * The only state of a simulated job: when the sandbox first saw its id, and what the creating
 * request fixed (if the sandbox created it). Everything else is computed by `lifecycle.ts`.
 */

export interface SeenJob<Spec> {
  readonly id: string;
  /** Milliseconds since the epoch, from the sandbox's clock. */
  readonly firstSeen: number;
  /** Increases with every new id: orders listings newest first and makes stable cursors. */
  readonly seq: number;
  readonly spec: Spec | undefined;
}

/**
 * First-seen times for one kind of job. Bounded: a demo left running for days must not grow
 * without limit, so the oldest ids are forgotten past `maxEntries` (asked again, they start over).
 */
export class SeenJobs<Spec = undefined> {
  readonly #jobs = new Map<string, SeenJob<Spec>>();
  #seq = 0;

  constructor(private readonly maxEntries = 100_000) {}

  /** The job as first seen, registering it now (at `at`) when it is new. */
  see(id: string, at: number, spec?: Spec): SeenJob<Spec> {
    const known = this.#jobs.get(id);
    if (known) return known;
    const job: SeenJob<Spec> = { id, firstSeen: at, seq: ++this.#seq, spec };
    this.#jobs.set(id, job);
    if (this.#jobs.size > this.maxEntries) {
      const oldest = this.#jobs.keys().next();
      if (!oldest.done) this.#jobs.delete(oldest.value);
    }
    return job;
  }

  get(id: string): SeenJob<Spec> | undefined {
    return this.#jobs.get(id);
  }

  /** Every known job, newest first. */
  newestFirst(): SeenJob<Spec>[] {
    return Array.from(this.#jobs.values()).reverse();
  }
}
