/**
 * Tracking, forgetting and labelling jobs, on PGlite and PostgreSQL.
 */
import { expect, it } from 'vitest';
import type { JobRef } from '../../src/jobs/model.js';
import { isRegistryError } from '../../src/registry/errors.js';
import { createRegistry } from '../../src/registry/registry.js';
import { describeEachDatabase } from '../support/database.js';
import { manualClock } from '../support/manual-clock.js';
import { providerCatalog } from '../../src/providers/catalog.js';

const zendesk = (nativeId: string, account = 'default'): JobRef => ({ kind: 'ZENDESK_JOB_STATUS', account, nativeId });
const imagekit = (nativeId: string): JobRef => ({ kind: 'IMAGEKIT_BULK_JOB', account: 'default', nativeId });

await describeEachDatabase('tracking', (current) => {
  const clock = manualClock();
  const registry = () => createRegistry(current().database.db, { clock, catalog: providerCatalog });

  it('tracks refs and answers one row per ref, in input order, repeats included', async () => {
    const results = await registry().trackJobs([zendesk('b'), imagekit('a'), zendesk('b')], ['nightly'], 'ci-key');
    expect(results.map((result) => [result.job.ref.nativeId, result.created])).toEqual([
      ['b', true],
      ['a', true],
      ['b', true],
    ]);
    const [first] = results;
    expect(first!.job).toMatchObject({
      provider: 'ZENDESK',
      trackedBy: 'ci-key',
      labels: ['nightly'],
      trackedAt: new Date(clock.now()),
      changedAt: new Date(clock.now()),
      state: null,
      done: false,
      final: false,
      outcome: null,
    });
    expect(results[2]!.job.id).toBe(first!.job.id);
  });

  it('tracking again merges labels and keeps the first tracking', async () => {
    const [before] = await registry().trackJobs([zendesk('1')], ['a', 'b'], 'first');
    clock.advance(60_000);
    const [again] = await registry().trackJobs([zendesk('1'), zendesk('2')], ['b', 'c'], 'second');
    expect(again!.created).toBe(false);
    expect(again!.job).toMatchObject({ id: before!.job.id, labels: ['a', 'b', 'c'], trackedBy: 'first', trackedAt: before!.job.trackedAt });
  });

  it('refuses a merge past 10 labels and writes nothing of the call', async () => {
    await registry().trackJobs([zendesk('1')], ['l1', 'l2', 'l3', 'l4', 'l5', 'l6']);
    const error = await registry()
      .trackJobs([zendesk('2'), zendesk('1')], ['m1', 'm2', 'm3', 'm4', 'm5'])
      .catch((caught: unknown) => caught);
    expect(isRegistryError(error, 'LABELS_INVALID')).toBe(true);
    expect((error as Error).message).toContain('would have 11 labels');
    expect(await registry().getTracked([zendesk('2')])).toEqual([null]);
  });

  it('refuses invalid labels with a message naming the label', async () => {
    for (const [labels, message] of [
      [['ok', ''], 'label 2 is empty'],
      [['x'.repeat(129)], 'label 1 is 129 characters long (at most 128)'],
      [['tab\there'], 'label 1 contains a control character'],
      [Array.from({ length: 11 }, (_, index) => `l${index}`), 'at most 10 labels are allowed, got 11'],
    ] as const) {
      const error = await registry()
        .trackJobs([zendesk('1')], labels)
        .catch((caught: unknown) => caught);
      expect(isRegistryError(error, 'LABELS_INVALID'), String(labels)).toBe(true);
      expect((error as Error).message).toBe(message);
    }
    expect(await registry().getTracked([zendesk('1')])).toEqual([null]);
  });

  it('untracks and answers only the refs that were tracked', async () => {
    await registry().trackJobs([zendesk('1'), zendesk('2'), zendesk('1', 'other')]);
    expect(await registry().untrackJobs([zendesk('2'), zendesk('3'), zendesk('1')])).toEqual([zendesk('2'), zendesk('1')]);
    const remaining = await registry().getTracked([zendesk('1'), zendesk('2'), zendesk('1', 'other')]);
    expect(remaining.map((job) => job?.ref ?? null)).toEqual([null, null, zendesk('1', 'other')]);
  });

  it('sets labels, replacing them; null for a job not tracked', async () => {
    await registry().trackJobs([zendesk('1')], ['a', 'b']);
    expect((await registry().setLabels(zendesk('1'), ['c', 'c', 'd']))?.labels).toEqual(['c', 'd']);
    expect(await registry().setLabels(zendesk('9'), ['c'])).toBeNull();
    await expect(registry().setLabels(zendesk('1'), ['\u0007'])).rejects.toMatchObject({ code: 'LABELS_INVALID' });
  });

  it('pages through unfinished jobs in id order, finished ones left out', async () => {
    const refs = Array.from({ length: 25 }, (_, index) => zendesk(`job-${index}`));
    await registry().trackJobs(refs);
    for (const ref of refs.slice(0, 5)) {
      await registry().recordObservation(ref, {
        ref,
        state: 'COMPLETED',
        rawStatus: 'completed',
        done: true,
        progress: null,
        message: null,
        checkedAt: new Date(clock.now()),
        details: { kind: 'ZENDESK_JOB_STATUS', url: null, total: null, jobType: null, results: null },
      });
    }
    const pages: string[][] = [];
    for await (const page of registry().unfinishedJobs(8)) pages.push(page.map((job) => job.ref.nativeId));
    expect(pages.map((page) => page.length)).toEqual([8, 8, 4]);
    expect(pages.flat()).toEqual(refs.slice(5).map((ref) => ref.nativeId));
  });

  it('runs several calls in one transaction: a failure rolls back all of them', async () => {
    const error = await registry()
      .transaction(async (trx) => {
        await trx.trackJobs([zendesk('1')]);
        await trx.trackJobs([zendesk('2')], ['']);
      })
      .catch((caught: unknown) => caught);
    expect(isRegistryError(error, 'LABELS_INVALID')).toBe(true);
    expect(await registry().getTracked([zendesk('1')])).toEqual([null]);
  });
});
