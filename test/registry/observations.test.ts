/**
 * Recording observations: last status, milestones, history written once per change (also under
 * concurrent writers), the not-found grace, and history pages; on PGlite and PostgreSQL.
 */
import { expect, it } from 'vitest';
import { type JobOutcome, type JobRef, type JobState, outcomeSignature } from '../../src/jobs/model.js';
import { openDatabase } from '../../src/registry/database.js';
import { createRegistry } from '../../src/registry/registry.js';
import { describeEachDatabase } from '../support/database.js';
import { manualClock } from '../support/manual-clock.js';
import { providerCatalog } from '../../src/providers/catalog.js';

const job: JobRef = { kind: 'ZENDESK_JOB_STATUS', account: 'default', nativeId: 'abc' };

function snapshotAt(at: number, state: JobState, done = false, completed?: number): JobOutcome {
  return {
    ref: job,
    state,
    rawStatus: state.toLowerCase(),
    done,
    progress: completed === undefined ? null : { completed, total: 10, percent: completed * 10 },
    message: null,
    checkedAt: new Date(at),
    details: { kind: 'ZENDESK_JOB_STATUS', url: null, total: 10, jobType: null, results: null },
  };
}

function failureAt(at: number, failure: 'NOT_FOUND' | 'TIMEOUT'): JobOutcome {
  return { ref: job, failure, message: failure === 'NOT_FOUND' ? 'job abc not found' : 'timed out', retryAfterMs: null, checkedAt: new Date(at) };
}

await describeEachDatabase('observations', (current) => {
  const clock = manualClock();
  const registry = () => createRegistry(current().database.db, { clock, notFoundGraceMs: 10_000, catalog: providerCatalog });
  const later = (ms = 1000): number => {
    clock.advance(ms);
    return clock.now();
  };

  it('writes nothing for a job that is not tracked', async () => {
    expect(await registry().recordObservation(job, snapshotAt(clock.now(), 'RUNNING'))).toMatchObject({ tracked: false, changed: false });
  });

  it('keeps the last status and the milestones, and one history entry per change', async () => {
    const tracked = (await registry().trackJobs([job]))[0]!.job;
    const queuedAt = later();
    expect(await registry().recordObservation(job, snapshotAt(queuedAt, 'QUEUED'))).toMatchObject({ changed: true, previousState: null });
    const again = await registry().recordObservation(job, snapshotAt(later(), 'QUEUED'));
    expect(again).toMatchObject({ changed: false, previousState: 'QUEUED' });
    const startedAt = later();
    expect(await registry().recordObservation(job, snapshotAt(startedAt, 'RUNNING', false, 2))).toMatchObject({ changed: true, previousState: 'QUEUED' });
    expect(await registry().recordObservation(job, snapshotAt(later(), 'RUNNING', false, 5))).toMatchObject({ changed: true, previousState: 'RUNNING' });
    const finishedAt = later();
    const finished = await registry().recordObservation(job, snapshotAt(finishedAt, 'COMPLETED', true, 10));
    expect(finished).toMatchObject({ changed: true, previousState: 'RUNNING', becameFinal: true });
    expect(finished.job).toMatchObject({
      state: 'COMPLETED',
      rawStatus: 'completed',
      done: true,
      final: true,
      firstSeenAt: new Date(queuedAt),
      startedAt: new Date(startedAt),
      finishedAt: new Date(finishedAt),
      changedAt: new Date(finishedAt),
      checkedAt: new Date(finishedAt),
    });
    expect(finished.job!.outcome).toEqual(snapshotAt(finishedAt, 'COMPLETED', true, 10));

    const entries = await registry().history(tracked.id);
    expect(entries.totalCount).toBe(4);
    expect(entries.edges.map((edge) => [edge.node.seq, edge.node.state, edge.node.progress?.completed ?? null])).toEqual([
      [1, 'QUEUED', null],
      [2, 'RUNNING', 2],
      [3, 'RUNNING', 5],
      [4, 'COMPLETED', 10],
    ]);
    // A done job keeps its result, even when the provider later forgets it.
    expect(await registry().recordObservation(job, failureAt(later(), 'NOT_FOUND'))).toMatchObject({ changed: false });
    expect((await registry().getTracked([job]))[0]).toMatchObject({ state: 'COMPLETED', outcome: { state: 'COMPLETED' } });
  });

  it('is idempotent for the same signature and ignores observations older than the last', async () => {
    await registry().trackJobs([job]);
    const at = later();
    await registry().recordObservation(job, snapshotAt(at, 'RUNNING', false, 5));
    expect(await registry().recordObservation(job, snapshotAt(at, 'RUNNING', false, 5))).toMatchObject({ changed: false });
    expect(await registry().recordObservation(job, snapshotAt(later(), 'RUNNING', false, 5), { signature: outcomeSignature(snapshotAt(0, 'RUNNING', false, 5)) })).toMatchObject({ changed: false });
    expect(await registry().recordObservation(job, snapshotAt(at - 500, 'QUEUED'))).toMatchObject({ changed: false });
    const [tracked] = await registry().getTracked([job]);
    expect(tracked).toMatchObject({ state: 'RUNNING' });
    expect((await registry().history(tracked!.id)).totalCount).toBe(1);
  });

  it('writes each change once when two connections record it at the same time', async () => {
    const { url } = current();
    // PostgreSQL: a second instance with its own pool; PGlite has one session per process.
    const other = url ? await openDatabase({ url }) : null;
    try {
      const second = other ? createRegistry(other.db, { clock, catalog: providerCatalog }) : registry();
      const tracked = (await registry().trackJobs([job]))[0]!.job;
      const changes: boolean[] = [];
      for (const [index, state] of (['QUEUED', 'RUNNING', 'COMPLETED'] as const).entries()) {
        const outcome = snapshotAt(later(), state, state === 'COMPLETED', index);
        const results = await Promise.all([
          registry().recordObservation(job, outcome),
          second.recordObservation(job, outcome),
          registry().recordObservation(job, outcome),
          second.recordObservation(job, outcome),
        ]);
        changes.push(...results.map((result) => result.changed));
      }
      expect(changes.filter(Boolean)).toHaveLength(3);
      const entries = await registry().history(tracked.id);
      expect(entries.edges.map((edge) => edge.node.state)).toEqual(['QUEUED', 'RUNNING', 'COMPLETED']);
    } finally {
      await other?.close();
    }
  });

  it('runs the caller hook inside the transaction: its failure undoes the change', async () => {
    await registry().trackJobs([job]);
    const error = new Error('outbox write failed');
    await expect(
      registry().recordObservation(job, snapshotAt(later(), 'RUNNING'), {
        inTransaction: async (trx, result) => {
          expect(result.changed).toBe(true);
          const { count } = await trx.selectFrom('job_history').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
          expect(count).toBe(1);
          throw error;
        },
      }),
    ).rejects.toBe(error);
    const [tracked] = await registry().getTracked([job]);
    expect(tracked).toMatchObject({ state: null, checkedAt: null });
    expect((await registry().history(tracked!.id)).totalCount).toBe(0);
    expect(await registry().recordObservation(job, snapshotAt(later(), 'RUNNING'))).toMatchObject({ changed: true });
  });

  it('makes a never-seen job final only after the not-found grace; a seen one at once', async () => {
    await registry().trackJobs([job]);
    const first = await registry().recordObservation(job, failureAt(later(), 'NOT_FOUND'));
    expect(first).toMatchObject({ changed: false, becameFinal: false, job: { final: false, notFoundSince: new Date(clock.now()) } });
    expect(await registry().recordObservation(job, failureAt(later(9000), 'NOT_FOUND'))).toMatchObject({ becameFinal: false });
    const past = await registry().recordObservation(job, failureAt(later(1000), 'NOT_FOUND'));
    expect(past).toMatchObject({ becameFinal: true, job: { final: true, finalAt: new Date(clock.now()), state: null } });
    expect((await registry().history(past.job!.id)).totalCount).toBe(0);

    const seen: JobRef = { ...job, nativeId: 'seen' };
    await registry().trackJobs([seen]);
    await registry().recordObservation(seen, { ...snapshotAt(later(), 'RUNNING'), ref: seen });
    const gone = await registry().recordObservation(seen, { ...failureAt(later(), 'NOT_FOUND'), ref: seen });
    expect(gone).toMatchObject({ changed: true, becameFinal: true, previousState: 'RUNNING' });
    const entries = await registry().history(gone.job!.id);
    expect(entries.edges.map((edge) => [edge.node.state, edge.node.rawStatus, edge.node.message])).toEqual([
      ['RUNNING', 'running', null],
      ['RUNNING', 'not found', 'job abc not found'],
    ]);
  });

  it('keeps a provider error as the outcome only while no snapshot was had', async () => {
    await registry().trackJobs([job]);
    const timeout = await registry().recordObservation(job, failureAt(later(), 'TIMEOUT'));
    expect(timeout).toMatchObject({ changed: false, job: { outcome: { failure: 'TIMEOUT' }, final: false } });
    await registry().recordObservation(job, snapshotAt(later(), 'RUNNING'));
    const after = await registry().recordObservation(job, failureAt(later(), 'TIMEOUT'));
    expect(after).toMatchObject({ changed: false, job: { outcome: { state: 'RUNNING' }, checkedAt: new Date(clock.now()) } });
  });

  it('pages history forward and backward, oldest first, and refuses another job’s cursor', async () => {
    const tracked = (await registry().trackJobs([job]))[0]!.job;
    for (let completed = 0; completed < 7; completed++) await registry().recordObservation(job, snapshotAt(later(), 'RUNNING', false, completed));
    const seqs: number[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await registry().history(tracked.id, { first: 3, after });
      expect(page.totalCount).toBe(7);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      seqs.push(...page.edges.map((edge) => edge.node.seq));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const last = await registry().history(tracked.id, { last: 2 });
    expect(last.edges.map((edge) => edge.node.seq)).toEqual([6, 7]);
    expect(last.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = await registry().history(tracked.id, { last: 10, before: last.pageInfo.startCursor });
    expect(before.edges.map((edge) => edge.node.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(before.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    await expect(registry().history(tracked.id + 1, { after: last.pageInfo.startCursor })).rejects.toMatchObject({ code: 'CURSOR_INVALID' });
  });
});
