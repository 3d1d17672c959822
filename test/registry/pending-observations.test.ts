/**
 * Which answers the tracker writes and how a job's waiting answers are coalesced (pure rules;
 * `tracker-writes.test.ts` proves them against the database).
 */
import { describe, expect, it } from 'vitest';
import type { JobOutcome, JobState } from '../../src/jobs/model.js';
import { MAX_QUEUED_ANSWERS, enqueue, needsWrite, phaseOf, recordedOf } from '../../src/registry/pending-observations.js';

const ref = { kind: 'ZENDESK_JOB_STATUS', account: 'default', nativeId: 'P-1' } as const;
let clock = 0;

function snap(state: JobState, completed: number | null = null, rawStatus = state.toLowerCase()): JobOutcome {
  return {
    ref,
    state,
    rawStatus,
    done: state === 'COMPLETED',
    progress: completed === null ? null : { completed, total: 100, percent: completed },
    message: null,
    checkedAt: new Date((clock += 1000)),
    details: { kind: 'ZENDESK_JOB_STATUS', url: null, total: 100, jobType: null, results: null },
  };
}

function failure(kind: 'NOT_FOUND' | 'TIMEOUT'): JobOutcome {
  return { ref, failure: kind, message: kind, retryAfterMs: null, checkedAt: new Date((clock += 1000)) };
}

const describeQueue = (queue: JobOutcome[]) => queue.map((outcome) => ('state' in outcome ? `${outcome.state} ${outcome.progress?.completed ?? '-'}` : outcome.failure));

describe('needsWrite', () => {
  const running = recordedOf(snap('RUNNING', 10), true);

  it('skips a repeat of what the database holds, and writes what differs', () => {
    expect(needsWrite(running, undefined, snap('RUNNING', 10))).toBe(false);
    expect(needsWrite(running, undefined, snap('RUNNING', 11))).toBe(true);
    expect(needsWrite(running, undefined, snap('COMPLETED', 100))).toBe(true);
    // The provider's own word is stored too.
    expect(needsWrite(running, undefined, snap('RUNNING', 10, 'Working'))).toBe(true);
  });

  it('compares with the last answer queued, not the database, while a write waits', () => {
    expect(needsWrite(running, snap('RUNNING', 20), snap('RUNNING', 20))).toBe(false);
    expect(needsWrite(running, snap('RUNNING', 20), snap('RUNNING', 10))).toBe(true);
  });

  it('writes every not found, and other failures only for a job never seen', () => {
    expect(needsWrite(running, undefined, failure('NOT_FOUND'))).toBe(true);
    expect(needsWrite(running, undefined, failure('TIMEOUT'))).toBe(false);
    const never = recordedOf(null, false);
    expect(needsWrite(never, undefined, failure('TIMEOUT'))).toBe(true);
    expect(needsWrite(recordedOf(failure('TIMEOUT'), false), undefined, failure('TIMEOUT'))).toBe(false);
    expect(needsWrite(recordedOf(failure('NOT_FOUND'), false), undefined, failure('NOT_FOUND'))).toBe(true);
    // A snapshot queued makes the job seen.
    expect(needsWrite(never, snap('QUEUED'), failure('TIMEOUT'))).toBe(false);
  });
});

describe('enqueue', () => {
  it('keeps the transition into a phase, the latest tick and every later phase', () => {
    const queue: JobOutcome[] = [];
    const stored = phaseOf(snap('QUEUED'));
    for (const outcome of [snap('RUNNING', 10), snap('RUNNING', 20), snap('RUNNING', 30), snap('COMPLETED', 100)]) enqueue(queue, outcome, stored);
    expect(describeQueue(queue)).toEqual(['RUNNING 10', 'RUNNING 30', 'COMPLETED 100']);
  });

  it('replaces ticks of the phase the database holds already', () => {
    const queue: JobOutcome[] = [];
    const stored = phaseOf(snap('RUNNING', 5));
    for (const outcome of [snap('RUNNING', 10), snap('RUNNING', 20), snap('COMPLETED', 100)]) enqueue(queue, outcome, stored);
    expect(describeQueue(queue)).toEqual(['RUNNING 20', 'COMPLETED 100']);
  });

  it('keeps a state it left and came back to', () => {
    const queue: JobOutcome[] = [];
    const stored = phaseOf(snap('RUNNING', 5));
    for (const outcome of [snap('RUNNING', 10), snap('QUEUED', 10), snap('RUNNING', 20), snap('RUNNING', 30)]) enqueue(queue, outcome, stored);
    expect(describeQueue(queue)).toEqual(['RUNNING 10', 'QUEUED 10', 'RUNNING 20', 'RUNNING 30']);
  });

  it('stays bounded when a job flaps for long, dropping ticks before transitions', () => {
    const queue: JobOutcome[] = [];
    const stored = phaseOf(snap('QUEUED'));
    for (let round = 0; round < 40; round++) {
      enqueue(queue, snap('RUNNING', round), stored);
      enqueue(queue, snap('RUNNING', round + 0.5), stored);
      enqueue(queue, snap('QUEUED', round), stored);
    }
    expect(queue.length).toBeLessThanOrEqual(MAX_QUEUED_ANSWERS);
    expect(describeQueue(queue).at(-1)).toBe('QUEUED 39');
  });
});
