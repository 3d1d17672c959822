/**
 * Retention (finished jobs forgotten in batches, history with them) and idempotency keys (one
 * winner among concurrent claimers); on PGlite and PostgreSQL.
 */
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { JobOutcome, JobRef } from '../../src/jobs/model.js';
import { createRegistry } from '../../src/registry/registry.js';
import { describeEachDatabase } from '../support/database.js';
import { manualClock } from '../support/manual-clock.js';
import { providerCatalog } from '../../src/providers/catalog.js';

const DAY = 24 * 60 * 60 * 1000;
const ref = (nativeId: string): JobRef => ({ kind: 'SAYMON_BULK_OP', account: 'default', nativeId });
const done = (job: JobRef, at: number): JobOutcome => ({
  ref: job,
  state: 'COMPLETED',
  rawStatus: 'true',
  done: true,
  progress: null,
  message: null,
  checkedAt: new Date(at),
  details: { kind: 'SAYMON_BULK_OP', finished: true },
});

await describeEachDatabase('retention and idempotency', (current) => {
  const clock = manualClock();
  const registry = () => createRegistry(current().database.db, { clock, catalog: providerCatalog });

  it('forgets jobs final for longer than the retention, in batches, with their history', async () => {
    const old = Array.from({ length: 7 }, (_, index) => ref(`old-${index}`));
    const recent = ref('recent');
    const running = ref('running');
    await registry().trackJobs([...old, recent, running]);
    for (const job of old) await registry().recordObservation(job, done(job, clock.now()));
    clock.advance(20 * DAY);
    await registry().recordObservation(recent, done(recent, clock.now()));
    clock.advance(11 * DAY);

    // Count the delete statements the sweep runs, through Kysely's plugin interface.
    let deletes = 0;
    const counted = current().database.db.withPlugin({
      transformQuery: ({ node }) => {
        if (node.kind === 'DeleteQueryNode') deletes++;
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    const deleted = await createRegistry(counted, { clock, catalog: providerCatalog }).sweepFinished(30 * DAY, 3);
    expect(deletes).toBe(3);
    expect(deleted).toBe(7);
    const left = await registry().getTracked([...old, recent, running]);
    expect(left.filter(Boolean).map((job) => job!.ref.nativeId)).toEqual(['recent', 'running']);
    const { rows } = await sql<{ count: number }>`select count(*)::int as count from job_history`.execute(current().database.db);
    expect(rows[0]!.count).toBe(1);
    expect(await registry().sweepFinished(30 * DAY, 3)).toBe(0);
  });

  it('gives an idempotency key to exactly one of 10 concurrent claimers', async () => {
    const request = { account: 'default', key: 'retry-me', operation: 'copyImageKitFolder', requestHash: 'h1' };
    const claims = await Promise.all(Array.from({ length: 10 }, () => registry().claimIdempotencyKey(request)));
    expect(claims.filter((claim) => claim.status === 'claimed')).toHaveLength(1);
    expect(claims.filter((claim) => claim.status === 'in_flight')).toHaveLength(9);

    await registry().completeIdempotencyKey('default', 'retry-me', { jobId: 'job-1' });
    expect(await registry().claimIdempotencyKey(request)).toEqual({ status: 'completed', result: { jobId: 'job-1' } });
    expect(await registry().claimIdempotencyKey({ ...request, requestHash: 'h2' })).toEqual({ status: 'mismatch' });
    expect(await registry().claimIdempotencyKey({ ...request, account: 'other' })).toEqual({ status: 'claimed' });
  });

  it('releases a key after a failed start, and takes over an expired one', async () => {
    const request = { account: 'default', key: 'k', operation: 'purgeImageKitCache', requestHash: 'h' };
    expect(await registry().claimIdempotencyKey(request)).toEqual({ status: 'claimed' });
    await registry().releaseIdempotencyKey('default', 'k');
    expect(await registry().claimIdempotencyKey(request)).toEqual({ status: 'claimed' });
    await registry().completeIdempotencyKey('default', 'k', 'done');
    // A completed key is not released by a late failure report.
    await registry().releaseIdempotencyKey('default', 'k');
    expect(await registry().claimIdempotencyKey(request)).toEqual({ status: 'completed', result: 'done' });
    clock.advance(DAY);
    expect(await registry().claimIdempotencyKey({ ...request, requestHash: 'other' })).toEqual({ status: 'claimed' });
    await registry().claimIdempotencyKey({ ...request, key: 'fresh' });
    clock.advance(DAY);
    expect(await registry().purgeExpiredIdempotencyKeys()).toBe(2);
  });
});
