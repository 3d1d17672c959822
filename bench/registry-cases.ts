/**
 * The `trackedJobs` calls the registry benchmarks time, over the rows of `registry-seed.ts`:
 * each is both the registry's list options (direct calls) and the GraphQL variables (HTTP).
 */
import { encodeCursor } from '../src/registry/connection.js';
import type { ListTrackedJobsOptions } from '../src/registry/listing.js';
import { SEED_EPOCH_MS } from './registry-seed.js';

export interface ListingCase {
  readonly name: string;
  readonly options: (rows: number) => ListTrackedJobsOptions;
}

/**
 * The cursor of the job at `depth` in the newest-first list, as the service makes it: seeded job
 * n has id n and was tracked n seconds after the seed's epoch (a fresh table's ids start at 1).
 */
export function newestFirstCursor(rows: number, depth: number): string {
  const id = rows - depth + 1;
  return encodeCursor(['tracked', 'TRACKED_DESC', SEED_EPOCH_MS + id * 1000, id]);
}

export const LISTING_CASES: readonly ListingCase[] = [
  { name: 'no filter', options: () => ({ first: 50 }) },
  { name: 'states: [FAILED] (9 %)', options: () => ({ first: 50, filter: { states: ['FAILED'] } }) },
  { name: 'done: false (10 %)', options: () => ({ first: 50, filter: { done: false } }) },
  { name: 'labels: [rare] (1 %)', options: () => ({ first: 50, filter: { labels: ['rare'] } }) },
  // `job-0999` at 100 000 rows: the 100 ids job-099900 … job-099999.
  { name: 'search: a native-id prefix (100 rows)', options: (rows) => ({ first: 50, filter: { search: `job-${String(rows - 1).padStart(6, '0').slice(0, 4)}` } }) },
  { name: 'ZENDESK + COMPLETED (20 %)', options: () => ({ first: 50, filter: { providers: ['ZENDESK'], states: ['COMPLETED'] } }) },
  { name: 'orderBy: CHANGED_DESC', options: () => ({ first: 50, orderBy: 'CHANGED_DESC' }) },
  { name: 'after a cursor half-way down', options: (rows) => ({ first: 50, after: newestFirstCursor(rows, Math.floor(rows / 2)) }) },
  { name: 'last: 50, before that cursor', options: (rows) => ({ last: 50, before: newestFirstCursor(rows, Math.floor(rows / 2)) }) },
];
