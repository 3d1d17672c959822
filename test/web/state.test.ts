/**
 * The board's jobs list reducer: pages, live events (TRACKED adds at the top, CHANGED updates in
 * place, UNTRACKED removes), events held while the first page loads, stale events ignored, the
 * state filter applied to live events, and rows of jobs whose last result is an error.
 */
import { describe, expect, it } from 'vitest';
import {
  globalIdOf,
  initialJobsState,
  type JobResult,
  type JobsAction,
  type JobsPage,
  type JobsState,
  jobsReducer,
  rowKeyOf,
  type TrackedJob,
} from '../../web/src/state.js';

function job(nativeId: string, overrides: Partial<TrackedJob> = {}): TrackedJob {
  return {
    __typename: 'ZendeskJobStatus',
    id: `id-${nativeId}`,
    kind: 'ZENDESK_JOB_STATUS',
    provider: 'ZENDESK',
    account: 'default',
    nativeId,
    state: 'RUNNING',
    rawStatus: 'working',
    done: false,
    message: null,
    checkedAt: '2024-05-01T12:00:00.000Z',
    progress: { completed: 1, total: 4, percent: 25 },
    tracking: {
      trackedAt: '2024-05-01T11:00:00.000Z',
      trackedBy: null,
      labels: [],
      firstSeenAt: null,
      startedAt: null,
      finishedAt: null,
      durationMs: null,
    },
    ...overrides,
  } as TrackedJob;
}

function trackedAt(nativeId: string, at: string): TrackedJob {
  const base = job(nativeId);
  return { ...base, tracking: { ...base.tracking!, trackedAt: at } };
}

function page(results: JobResult[], more: Partial<JobsPage> = {}): JobsPage {
  return { results, hasNextPage: false, endCursor: null, totalCount: results.length, ...more };
}

function run(state: JobsState, ...actions: JobsAction[]): JobsState {
  return actions.reduce(jobsReducer, state);
}

const ids = (state: JobsState) => state.rows.map((row) => row.nativeId);

describe('board jobs list', () => {
  const first = page([trackedAt('b', '2024-05-01T11:00:00Z'), trackedAt('a', '2024-05-01T10:00:00Z')], {
    hasNextPage: true,
    endCursor: 'c1',
    totalCount: 3,
  });

  it('shows the first page and appends the next without duplicates', () => {
    const loaded = run(initialJobsState(), { type: 'page', page: first, append: false });
    expect(loaded.loaded).toBe(true);
    expect(ids(loaded)).toEqual(['b', 'a']);
    const more = run(loaded, { type: 'page', page: page([trackedAt('a', '2024-05-01T10:00:00Z'), job('z')], { totalCount: 3 }), append: true });
    expect(ids(more)).toEqual(['b', 'a', 'z']);
    expect(more.hasNextPage).toBe(false);
  });

  it('adds a TRACKED job at the top, updates a CHANGED one in place, removes an UNTRACKED one', () => {
    let state = run(initialJobsState(), { type: 'page', page: first, append: false });
    state = run(state, { type: 'event', event: { type: 'TRACKED', job: trackedAt('new', '2024-05-01T12:30:00Z') } });
    expect(ids(state)).toEqual(['new', 'b', 'a']);
    expect(state.totalCount).toBe(4);

    const completed = job('b', {
      state: 'COMPLETED',
      done: true,
      checkedAt: '2024-05-01T12:05:00.000Z',
      tracking: { ...trackedAt('b', '2024-05-01T11:00:00Z').tracking! },
    });
    state = run(state, { type: 'event', event: { type: 'CHANGED', job: completed } });
    expect(ids(state)).toEqual(['new', 'b', 'a']);
    expect(state.rows[1]).toBe(completed);

    state = run(state, { type: 'event', event: { type: 'UNTRACKED', job: job('a') } });
    expect(ids(state)).toEqual(['new', 'b']);
    expect(state.totalCount).toBe(3);
  });

  it('tracking a job again refreshes its row instead of adding a second', () => {
    const state = run(
      initialJobsState(),
      { type: 'page', page: first, append: false },
      { type: 'event', event: { type: 'TRACKED', job: job('a', { checkedAt: '2024-05-01T13:00:00Z' }) } },
    );
    expect(ids(state)).toEqual(['b', 'a']);
    expect(state.totalCount).toBe(3);
  });

  it('holds events that arrive before the first page and applies them after it', () => {
    const state = run(
      initialJobsState(),
      { type: 'event', event: { type: 'TRACKED', job: trackedAt('early', '2024-05-01T12:00:00Z') } },
      { type: 'event', event: { type: 'UNTRACKED', job: job('a') } },
    );
    expect(state.rows).toEqual([]);
    const loaded = run(state, { type: 'page', page: first, append: false });
    expect(ids(loaded)).toEqual(['early', 'b']);
    expect(loaded.held).toEqual([]);
  });

  it('never replaces a status checked later by an older one', () => {
    const fresh = job('a', { state: 'COMPLETED', checkedAt: '2024-05-01T12:10:00Z' });
    const stale = job('a', { state: 'RUNNING', checkedAt: '2024-05-01T12:00:00Z' });
    const state = run(
      initialJobsState(),
      { type: 'event', event: { type: 'CHANGED', job: stale } },
      { type: 'page', page: page([fresh]), append: false },
    );
    expect(state.rows).toEqual([fresh]);
  });

  it('under a state filter, drops a job that leaves the state and adds one that enters it', () => {
    let state = run(initialJobsState('RUNNING'), { type: 'page', page: page([job('a'), job('b')]), append: false });
    state = run(state, { type: 'event', event: { type: 'CHANGED', job: job('a', { state: 'COMPLETED', checkedAt: '2024-05-01T12:01:00Z' }) } });
    expect(ids(state)).toEqual(['b']);
    state = run(state, { type: 'event', event: { type: 'CHANGED', job: trackedAt('c', '2024-05-01T11:30:00Z') } });
    expect(ids(state)).toEqual(['c', 'b']);
    state = run(state, { type: 'event', event: { type: 'TRACKED', job: job('d', { state: 'QUEUED' }) } });
    expect(ids(state)).toEqual(['c', 'b']);
  });

  it('keeps the rows on screen while reloading after a reconnection, and clears them for new filters', () => {
    const loaded = run(initialJobsState(), { type: 'page', page: first, append: false });
    const reloading = run(loaded, { type: 'reset', state: null, keepRows: true });
    expect(ids(reloading)).toEqual(['b', 'a']);
    expect(reloading.loaded).toBe(false);
    expect(run(loaded, { type: 'reset', state: 'FAILED', keepRows: false })).toEqual(initialJobsState('FAILED'));
  });

  it('keys an error row like the job it is about, so the job replaces it', () => {
    const notFound: JobResult = {
      __typename: 'JobNotFoundError',
      kind: 'ZENDESK_JOB_STATUS',
      account: 'default',
      nativeId: 'fresh',
      errorMessage: 'not found',
    };
    expect(rowKeyOf(notFound)).toBe(rowKeyOf(job('fresh')));
    let state = run(initialJobsState(), { type: 'page', page: page([notFound]), append: false });
    state = run(state, { type: 'event', event: { type: 'CHANGED', job: job('fresh') } });
    expect(state.rows).toEqual([job('fresh')]);
  });

  it('removes untracked rows by global id, error rows included', () => {
    const notFound: JobResult = {
      __typename: 'JobNotFoundError',
      kind: 'SAYMON_BULK_OP',
      account: 'ops',
      nativeId: '42',
      errorMessage: 'not found',
    };
    // The server's global id: base64 of `<type>:<account>:<native id>`.
    expect(globalIdOf(notFound)).toBe(Buffer.from('SaymonBulkOp:ops:42').toString('base64'));
    const state = run(
      initialJobsState(),
      { type: 'page', page: page([job('a'), notFound]), append: false },
      { type: 'removed', ids: [globalIdOf(notFound), 'id-a'] },
    );
    expect(state.rows).toEqual([]);
    expect(state.totalCount).toBe(0);
  });
});
