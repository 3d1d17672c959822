/**
 * The tracker at scale, on a real in-memory PGlite: answers that change nothing cost no
 * transaction per job (one bookkeeping statement for all), changes are written in a few batched
 * transactions, a job's answers arriving while its write waits are coalesced without losing a
 * state change, a failed write is written once the database is back, and start-up resumes only
 * the unfinished jobs. The poller is a stand-in: the test plays its answers to `observed`.
 */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJobPubSub } from '../../src/jobs/events.js';
import type { JobOutcome, JobRef, JobState } from '../../src/jobs/model.js';
import { refKey } from '../../src/jobs/model.js';
import { providerCatalog } from '../../src/providers/catalog.js';
import type { RegistryDatabase } from '../../src/registry/database.js';
import { type Registry, createRegistry } from '../../src/registry/registry.js';
import type { Database } from '../../src/registry/schema.js';
import { type RegistryHooks, Tracker } from '../../src/registry/tracker.js';
import { reviveTrackedJob } from '../../src/registry/tracked-job.js';
import { openTestPglite } from '../support/pglite-template.js';
import { waitFor } from '../support/wait.js';

/** Thousands of rows on a shared, busy machine: generous limits (counts are asserted, never times). */
const SLOW_MS = 180_000;

let database: RegistryDatabase;

beforeAll(async () => {
  database = await openTestPglite();
}, SLOW_MS);
afterAll(async () => {
  await database?.close();
});

/** The real database, counting the transactions begun and the statements run through it. */
function countingDatabase(db: Kysely<Database>) {
  const counts = { transactions: 0, statements: 0 };
  let gate: Promise<void> | null = null;
  let failures = 0;
  const counted = db.withPlugin({
    transformQuery: (args) => {
      counts.statements += 1;
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  const proxy = new Proxy(counted, {
    get(target, property) {
      if (property === 'transaction') {
        return () => ({
          execute: async <T>(fn: (trx: never) => Promise<T>) => {
            counts.transactions += 1;
            if (gate) await gate;
            if (failures > 0) {
              failures -= 1;
              throw new Error('database away (test)');
            }
            return target.transaction().execute(fn as never);
          },
        });
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Kysely<Database>;
  return {
    db: proxy,
    counts,
    /** Holds every transaction until the returned function is called. */
    hold(): () => void {
      let open!: () => void;
      gate = new Promise<void>((resolve) => (open = resolve));
      return () => {
        gate = null;
        open();
      };
    },
    failNext(count: number) {
      failures = count;
    },
  };
}

/** Stands in for the poller: remembers the watches the tracker takes. */
function fakePoller() {
  const watched = new Map<string, JobOutcome | undefined>();
  return {
    watched,
    watch(ref: JobRef, known?: JobOutcome) {
      watched.set(refKey(ref), known);
      return () => watched.delete(refKey(ref));
    },
  };
}

let nextJob = 0;
let now = Date.UTC(2024, 0, 15, 12, 0, 0);
const tick = () => new Date((now += 1000));

function zendeskRef(): JobRef {
  nextJob += 1;
  return { kind: 'ZENDESK_JOB_STATUS', account: 'default', nativeId: `T-${nextJob}` };
}

function snapshot(ref: JobRef, state: JobState, completed: number, at = tick()): JobOutcome {
  const done = state === 'COMPLETED' || state === 'FAILED';
  return {
    ref,
    state,
    rawStatus: state.toLowerCase(),
    done,
    progress: { completed, total: 100, percent: completed },
    message: null,
    checkedAt: at,
    details: { kind: 'ZENDESK_JOB_STATUS', url: null, total: 100, jobType: null, results: null },
  };
}

/** What the poller saw before (only whether there is one matters to the tracker); moves no clock. */
function earlier(ref: JobRef, state: JobState, completed: number): JobOutcome {
  return snapshot(ref, state, completed, new Date(0));
}

interface Harness {
  readonly registry: Registry;
  readonly tracker: Tracker;
  readonly poller: ReturnType<typeof fakePoller>;
  readonly database: ReturnType<typeof countingDatabase>;
  readonly changed: { ref: string; previousState: string | null; state: string | null }[];
  historyWrites: number;
}

async function harness(options: { writeBatchSize?: number; writeConcurrency?: number; hooks?: RegistryHooks } = {}): Promise<Harness> {
  const counting = countingDatabase(database.db);
  const registry = createRegistry(counting.db, { catalog: providerCatalog, clock: { now: () => now }, notFoundGraceMs: 10_000 });
  const pubsub = createJobPubSub();
  const poller = fakePoller();
  const changed: Harness['changed'] = [];
  const events = pubsub.subscribe('tracked-jobs');
  void (async () => {
    for await (const message of events) {
      if (message.type !== 'CHANGED') continue;
      const job = reviveTrackedJob(message.job);
      changed.push({ ref: refKey(job.ref), previousState: message.previousState, state: job.state });
    }
  })();
  const result: Harness = {
    registry,
    poller,
    database: counting,
    changed,
    historyWrites: 0,
    tracker: new Tracker({
      poller,
      pubsub,
      // Bookkeeping is flushed by `settled()` in these tests, never by the timer.
      checkedFlushMs: 3_600_000,
      retryMs: 20,
      onHistoryWrite: () => (result.historyWrites += 1),
      ...options,
    }),
  };
  return result;
}

/** Tracks `refs` in chunks of 500 and records each one's first answer, as `trackJobs` does. */
async function trackRunning(registry: Registry, refs: readonly JobRef[]): Promise<void> {
  for (let from = 0; from < refs.length; from += 500) {
    const chunk = refs.slice(from, from + 500);
    await registry.trackJobs(chunk);
    await registry.transaction(async (trx) => {
      for (const ref of chunk) await trx.recordObservation(ref, snapshot(ref, 'RUNNING', 0));
    });
  }
}

async function historyRows(refs: readonly JobRef[]): Promise<number> {
  const ids = refs.map((ref) => ref.nativeId);
  const row = await database.db
    .selectFrom('job_history')
    .innerJoin('tracked_jobs', 'tracked_jobs.id', 'job_history.job_id')
    .select(sql<number>`count(*)::int`.as('count'))
    .where('tracked_jobs.native_id', 'in', ids)
    .executeTakeFirstOrThrow();
  return row.count;
}

async function historyOf(ref: JobRef): Promise<string[]> {
  const rows = await database.db
    .selectFrom('job_history')
    .innerJoin('tracked_jobs', 'tracked_jobs.id', 'job_history.job_id')
    .select(['job_history.state', 'job_history.progress'])
    .where('tracked_jobs.native_id', '=', ref.nativeId)
    .orderBy('job_history.seq')
    .execute();
  return rows.map((row) => `${row.state} ${(row.progress as { completed: number } | null)?.completed ?? '-'}`);
}

/** Each block starts from an empty registry: a tracker resumes every unfinished job it finds. */
async function forgetEveryJob(): Promise<void> {
  await sql`delete from tracked_jobs`.execute(database.db);
}

describe('the hooks of a write batch', () => {
  it('get the changes of a batch together before the commit, and the event loop turns between its jobs', async () => {
    await forgetEveryJob();
    const batches: number[] = [];
    let single = 0;
    // Turns of the event loop, counted from before the batch is written to its hooks.
    let turns = 0;
    let counting = true;
    const turn = () => {
      turns += 1;
      if (counting) setImmediate(turn);
    };
    const turnsAtHooks: number[] = [];
    const hooks: RegistryHooks = {
      onTracked: async () => {},
      onChanged: async () => {
        single += 1;
      },
      onChangedMany: async (_trx, results) => {
        batches.push(results.length);
        turnsAtHooks.push(turns);
      },
    };
    const jobs = Array.from({ length: 10 }, zendeskRef);
    // One write at a time: the first answer starts a batch alone, the nine after it wait for one.
    const current = await harness({ hooks, writeConcurrency: 1 });
    try {
      await trackRunning(current.registry, jobs);
      await current.tracker.resume(current.registry);
      setImmediate(turn);
      const open = current.database.hold();
      for (const ref of jobs) current.tracker.observed(ref, snapshot(ref, 'COMPLETED', 100), earlier(ref, 'RUNNING', 0));
      open();
      await current.tracker.settled();
      counting = false;
      expect(batches).toEqual([1, 9]);
      expect(single).toBe(0);
      // On PGlite the statements resolve in microtasks: without a turn per job, hardly any would pass.
      expect(turnsAtHooks[1]! - turnsAtHooks[0]!).toBeGreaterThanOrEqual(9);
    } finally {
      counting = false;
      await current.tracker.stop();
    }
  }, SLOW_MS);
});

describe('the tracker at scale', () => {
  // Enough for several 100-job batches; more only slows the suite.
  const JOBS = 500;
  let refs: JobRef[];
  let current: Harness;

  beforeAll(async () => {
    await forgetEveryJob();
    refs = Array.from({ length: JOBS }, zendeskRef);
    current = await harness();
    await trackRunning(current.registry, refs);
    await current.tracker.resume(current.registry);
  }, SLOW_MS);
  afterAll(async () => {
    await current?.tracker.stop();
  });
  beforeEach(() => {
    current.database.counts.transactions = 0;
    current.database.counts.statements = 0;
    current.historyWrites = 0;
    current.changed.length = 0;
  });

  it('resumes every unfinished job, knowing what the database holds of it', () => {
    expect(current.tracker.watched).toBe(JOBS);
    expect(current.poller.watched.size).toBe(JOBS);
    expect(current.poller.watched.get(refKey(refs[0]!))).toMatchObject({ state: 'RUNNING', progress: { completed: 0 } });
  });

  it('writes no transaction for answers that change nothing, and one statement for their times', async () => {
    for (let round = 0; round < 3; round++) {
      for (const ref of refs) current.tracker.observed(ref, snapshot(ref, 'RUNNING', 0), earlier(ref, 'RUNNING', 0));
    }
    const lastAnswer = now;
    expect(current.database.counts.transactions).toBe(0);
    await current.tracker.settled();
    expect(current.database.counts.transactions).toBe(0);
    expect(current.database.counts.statements).toBe(1);
    expect(await historyRows(refs)).toBe(JOBS);
    const [job] = await current.registry.getTracked([refs[JOBS - 1]!]);
    expect(job!.checkedAt).toEqual(new Date(lastAnswer));
    expect(job!.outcome!.checkedAt).toEqual(new Date(lastAnswer));
  }, SLOW_MS);

  it('writes each change once, in a few batched transactions, and announces each after the commit', async () => {
    for (const ref of refs) current.tracker.observed(ref, snapshot(ref, 'RUNNING', 5), earlier(ref, 'RUNNING', 0));
    await current.tracker.settled();
    expect(await historyRows(refs)).toBe(2 * JOBS);
    expect(current.historyWrites).toBe(JOBS);
    // 100 jobs per transaction (retries aside): far from one per answer.
    expect(current.database.counts.transactions).toBeLessThanOrEqual(JOBS / 100 + 3);
    await waitFor(() => current.changed.length === JOBS, { what: 'a CHANGED per change' });
    expect(new Set(current.changed.map((event) => event.ref)).size).toBe(JOBS);
    // The same answers again: nothing more.
    for (const ref of refs) current.tracker.observed(ref, snapshot(ref, 'RUNNING', 5), earlier(ref, 'RUNNING', 5));
    await current.tracker.settled();
    expect(await historyRows(refs)).toBe(2 * JOBS);
  }, SLOW_MS);

  it('keeps every state change of answers that arrive while the writes wait, and lets finished jobs go', async () => {
    const release = current.database.hold();
    const sample = refs.slice(0, JOBS / 2);
    // Per job: ticks inside RUNNING, a pause, more ticks, then the end.
    const script: [JobState, number][] = [[ 'RUNNING', 10 ], [ 'RUNNING', 20 ], [ 'QUEUED', 20 ], [ 'RUNNING', 30 ], [ 'RUNNING', 40 ], [ 'RUNNING', 50 ], [ 'COMPLETED', 100 ]];
    for (const [state, completed] of script) {
      for (const ref of sample) current.tracker.observed(ref, snapshot(ref, state, completed), earlier(ref, 'RUNNING', 5));
    }
    release();
    await current.tracker.settled();
    for (const ref of sample.slice(0, 20)) {
      const states = (await historyOf(ref)).map((entry) => entry.split(' ')[0]);
      const collapsed = states.filter((state, index) => state !== states[index - 1]);
      // Every transition the answers made is in the history, in order, the end included.
      expect(collapsed).toEqual(['RUNNING', 'QUEUED', 'RUNNING', 'COMPLETED']);
      expect((await historyOf(ref)).at(-1)).toBe('COMPLETED 100');
    }
    const [finished] = await current.registry.getTracked([sample[0]!]);
    expect(finished).toMatchObject({ state: 'COMPLETED', final: true });
    expect(current.tracker.watched).toBe(JOBS - sample.length);
    expect(current.poller.watched.size).toBe(JOBS - sample.length);
    // One CHANGED per history entry written, none for an entry not written.
    await waitFor(() => current.changed.length === current.historyWrites, { what: 'a CHANGED per entry' });
  }, SLOW_MS);
});

describe('coalescing one job', () => {
  beforeEach(forgetEveryJob, SLOW_MS);

  it('writes the transition into a phase, the latest tick and the end; every tick when nothing waits', async () => {
    const current = await harness({ writeConcurrency: 1 });
    const ref = zendeskRef();
    await current.registry.trackJobs([ref]);
    await current.registry.recordObservation(ref, snapshot(ref, 'QUEUED', 0));
    await current.tracker.resume(current.registry);
    const release = current.database.hold();
    current.tracker.observed(ref, snapshot(ref, 'RUNNING', 10), earlier(ref, 'QUEUED', 0));
    for (const completed of [20, 30, 40]) current.tracker.observed(ref, snapshot(ref, 'RUNNING', completed), earlier(ref, 'RUNNING', completed - 10));
    current.tracker.observed(ref, snapshot(ref, 'COMPLETED', 100), earlier(ref, 'RUNNING', 40));
    release();
    await current.tracker.settled();
    expect(await historyOf(ref)).toEqual(['QUEUED 0', 'RUNNING 10', 'RUNNING 40', 'COMPLETED 100']);
    await waitFor(() => current.changed.length === 3, { what: 'three CHANGED' });
    expect(current.changed.map((event) => `${event.previousState}→${event.state}`)).toEqual(['QUEUED→RUNNING', 'RUNNING→RUNNING', 'RUNNING→COMPLETED']);
    expect(current.tracker.watched).toBe(0);

    // With the database keeping up, each tick is its own entry.
    const other = zendeskRef();
    await current.registry.trackJobs([other]);
    await current.registry.recordObservation(other, snapshot(other, 'RUNNING', 0));
    current.tracker.watchTracked((await current.registry.getTracked([other]))[0]!);
    for (const completed of [10, 20, 30]) {
      current.tracker.observed(other, snapshot(other, 'RUNNING', completed), earlier(other, 'RUNNING', completed - 10));
      await current.tracker.settled();
    }
    expect(await historyOf(other)).toEqual(['RUNNING 0', 'RUNNING 10', 'RUNNING 20', 'RUNNING 30']);
    await current.tracker.stop();
  }, SLOW_MS);

  it('writes what a failed write held once the database answers again', async () => {
    const current = await harness();
    const refs = [zendeskRef(), zendeskRef(), zendeskRef()];
    await trackRunning(current.registry, refs);
    await current.tracker.resume(current.registry);
    let errors = 0;
    // Fail the batch and the first job alone; the retry writes everything.
    current.database.failNext(2);
    const tracker = new Tracker({ poller: current.poller, pubsub: createJobPubSub(), retryMs: 10, checkedFlushMs: 3_600_000, onError: () => (errors += 1) });
    await tracker.resume(current.registry);
    for (const ref of refs) tracker.observed(ref, snapshot(ref, 'COMPLETED', 100), earlier(ref, 'RUNNING', 0));
    await waitFor(() => tracker.watched === 0, { what: 'the jobs written after the failures' });
    expect(errors).toBe(2);
    for (const ref of refs) expect(await historyOf(ref)).toEqual(['RUNNING 0', 'COMPLETED 100']);
    await tracker.stop();
    await current.tracker.stop();
  }, SLOW_MS);

  it('writes the next answer after a lease changed hands, even one it thinks it knows', async () => {
    const current = await harness();
    const ref = zendeskRef();
    await trackRunning(current.registry, [ref]);
    await current.tracker.resume(current.registry);
    // Another instance wrote RUNNING 50 while it held the lease.
    await current.registry.recordObservation(ref, snapshot(ref, 'RUNNING', 50));
    // Back here ('new' claim: no previous): the job answers RUNNING 0 again, which this instance remembers.
    current.tracker.observed(ref, snapshot(ref, 'RUNNING', 0), undefined);
    await current.tracker.settled();
    expect(await historyOf(ref)).toEqual(['RUNNING 0', 'RUNNING 50', 'RUNNING 0']);
    await current.tracker.stop();
  }, SLOW_MS);
});

describe('start-up', () => {
  beforeEach(forgetEveryJob, SLOW_MS);

  it('watches only the unfinished jobs, resumed in pages', async () => {
    const current = await harness();
    // More unfinished jobs than one page of 1 000.
    const running = Array.from({ length: 1100 }, zendeskRef);
    const finished = Array.from({ length: 200 }, zendeskRef);
    await trackRunning(current.registry, [...running, ...finished]);
    await current.registry.transaction(async (trx) => {
      for (const ref of finished) await trx.recordObservation(ref, snapshot(ref, 'COMPLETED', 100));
    });
    await current.tracker.resume(current.registry);
    const unfinished = Number((await sql<{ count: number }>`select count(*)::int as count from tracked_jobs where not final`.execute(database.db)).rows[0]!.count);
    expect(unfinished).toBe(running.length);
    expect(current.tracker.watched).toBe(unfinished);
    for (const ref of finished) expect(current.tracker.isWatching(ref)).toBe(false);
    for (const ref of running) expect(current.tracker.isWatching(ref)).toBe(true);
    await current.tracker.stop();
  }, SLOW_MS);
});
