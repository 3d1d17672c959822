import { describe, expect, it } from 'vitest';
import {
  imagekitBulkPlan,
  imagekitBulkStatusAt,
  isMissingId,
  purgeStatusAt,
  saymonFinishedAt,
  zendeskJobPlan,
  zendeskPhaseAt,
} from '../../src/sandbox/lifecycle.js';

const T0 = Date.UTC(2024, 0, 15, 12, 0, 0);
const at = (id: string, elapsedMs: number, timeScale = 1) => ({ id, firstSeen: T0, now: T0 + elapsedMs, timeScale });
const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, n) => `${prefix}-${n}`);

describe('sandbox lifecycle', () => {
  it('treats only ids containing "missing" or "notfound" (any case) as absent', () => {
    expect(['missing', 'job-MISSING-1', 'NotFound', 'x-notfound'].map(isMissingId)).toEqual([true, true, true, true]);
    expect(['V3-eb3753c8075be0c165b61b89a50ea0aa', 'not-found', 'miss', ''].map(isMissingId)).toEqual([false, false, false, false]);
  });

  it('is a function of id and elapsed time only', () => {
    for (const id of ids('same', 20)) {
      const plan = zendeskJobPlan(id, undefined, 1);
      expect(zendeskJobPlan(id, undefined, 1)).toEqual(plan);
      for (const elapsed of [0, 3_000, 15_000, 41_000]) {
        expect(zendeskPhaseAt(plan, at(id, elapsed))).toEqual(zendeskPhaseAt(zendeskJobPlan(id, undefined, 1), at(id, elapsed)));
      }
      expect(imagekitBulkPlan(id, undefined, 1)).toEqual(imagekitBulkPlan(id, undefined, 1));
    }
  });

  it('ends every job within about 40 s at time scale 1, and never before 2 s', () => {
    for (const id of ids('bounds', 200)) {
      const zendesk = zendeskJobPlan(id, undefined, 1);
      expect(zendeskPhaseAt(zendesk, at(id, 0)).status).toBe('queued');
      expect(zendeskPhaseAt(zendesk, at(id, 1_999)).status).toBe('queued');
      expect(['completed', 'failed']).toContain(zendeskPhaseAt(zendesk, at(id, 40_000)).status);
      const bulk = imagekitBulkPlan(id, undefined, 1);
      expect(imagekitBulkStatusAt(bulk, at(id, 7_999))).toBe('Pending');
      expect(imagekitBulkStatusAt(bulk, at(id, 35_000))).not.toBe('Pending');
      expect(purgeStatusAt(at(id, 4_999))).toBe('Pending');
      expect(purgeStatusAt(at(id, 25_000))).toBe('Completed');
      expect(saymonFinishedAt(at(id, 7_999))).toBe(false);
      expect(saymonFinishedAt(at(id, 35_000))).toBe(true);
    }
  });

  it('scales durations with timeScale', () => {
    const id = 'scaled';
    expect(saymonFinishedAt(at(id, 35, 0.001))).toBe(true);
    expect(saymonFinishedAt(at(id, 7, 0.001))).toBe(false);
    expect(zendeskPhaseAt(zendeskJobPlan(id, undefined, 0), at(id, 0, 0)).status).toMatch(/completed|failed/);
  });

  it('fails about one Zendesk job in eight, and always when the id says "fail"', () => {
    const failing = ids('rate', 4_000).filter((id) => zendeskJobPlan(id, undefined, 1).failAfter !== null).length;
    expect(failing / 4_000).toBeGreaterThan(0.1);
    expect(failing / 4_000).toBeLessThan(0.15);
    expect(ids('please-FAIL', 50).every((id) => zendeskJobPlan(id, undefined, 1).failAfter !== null)).toBe(true);
  });

  it('raises Zendesk progress steadily while working and never reports the last item before completion', () => {
    const id = ids('progress', 100).find((candidate) => zendeskJobPlan(candidate, undefined, 1).failAfter === null && zendeskJobPlan(candidate, undefined, 1).total > 10) ?? '';
    const plan = zendeskJobPlan(id, undefined, 1);
    const seen: number[] = [];
    for (let elapsed = 0; elapsed < 40_000; elapsed += 250) {
      const phase = zendeskPhaseAt(plan, at(id, elapsed));
      if (phase.status === 'working') seen.push(phase.progress);
    }
    expect(seen.length).toBeGreaterThan(10);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen[0]).toBe(1);
    expect(Math.max(...seen)).toBe(plan.total - 1);
  });

  it('makes "fail" ImageKit bulk jobs purging renames that end in partial success', () => {
    expect(imagekitBulkPlan('job-fail', undefined, 1)).toMatchObject({ type: 'RENAME_FOLDER', purge: true, partial: true });
    // What the creating request fixed wins over the hash.
    expect(imagekitBulkPlan('job-fail', { type: 'COPY_FOLDER', purge: false }, 1)).toMatchObject({ type: 'COPY_FOLDER', purge: false, partial: false });
  });
});
