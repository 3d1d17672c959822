/** The tracked jobs, newest first, with a count and "load more" for the next page. */
import { useEffect } from 'preact/hooks';
import type { JobsState } from '../state.js';
import { rowKeyOf } from '../state.js';
import { JobRow } from './JobRow.js';

export interface JobListProps {
  readonly jobs: JobsState;
  readonly now: number;
  readonly loadingMore: boolean;
  readonly onLoadMore: () => void;
  readonly onRemoved: (ids: readonly string[]) => void;
}

/** Marked once, when the first page of rows is on screen: `bench/board.ts` reads it. */
export const FIRST_ROWS_MARK = 'board:first-rows';
let firstRowsMarked = false;

export function JobList({ jobs, now, loadingMore, onLoadMore, onRemoved }: JobListProps) {
  const count = jobs.rows.length;
  useEffect(() => {
    if (firstRowsMarked || !jobs.loaded) return;
    firstRowsMarked = true;
    performance.mark(FIRST_ROWS_MARK, { detail: { rows: count } });
  }, [jobs.loaded, count]);
  return (
    <section class="jobs" id="jobs" tabIndex={-1} aria-labelledby="jobs-title">
      <div class="jobs-title-row">
        <h2 id="jobs-title">Tracked jobs</h2>
        <p class="muted" aria-live="polite">
          {jobs.loaded || count > 0 ? `${count} shown${jobs.totalCount > count ? ` of ${jobs.totalCount}` : ''}` : 'Loading…'}
        </p>
      </div>
      {jobs.loaded && count === 0 && <p class="empty">No tracked jobs match. Track one above, or clear the filters.</p>}
      {count > 0 && (
        <>
          <div class="job-head" aria-hidden="true">
            <span>Job</span>
            <span>State</span>
            <span>Progress</span>
            <span>Times</span>
            <span>Actions</span>
          </div>
          <ol class="job-list">
            {jobs.rows.map((result) => (
              <JobRow key={rowKeyOf(result)} result={result} now={now} onRemoved={onRemoved} />
            ))}
          </ol>
        </>
      )}
      {jobs.hasNextPage && (
        <button type="button" class="button-secondary load-more" disabled={loadingMore} onClick={onLoadMore}>
          {loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
