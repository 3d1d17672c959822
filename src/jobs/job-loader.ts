/**
 * Per-request batching. A request's refs are collected over one tick and handed to the status
 * store together, so that a `jobs` query with 300 Zendesk refs becomes three `show_many` calls.
 * The loader is made per request (never per subscription): its own memo would otherwise serve a
 * subscription's first answer forever; freshness is the store's business.
 */
import DataLoader from 'dataloader';
import type { JobOutcome, JobRef } from './model.js';
import { refKey } from './model.js';
import type { StatusStore } from './status-store.js';

export type JobLoader = DataLoader<JobRef, JobOutcome, string>;

/** Only `load` is used, so that callers may put a filter in front of the store (API key scopes). */
export function createJobLoader(store: Pick<StatusStore, 'load'>): JobLoader {
  return new DataLoader((refs) => store.load(refs), { cacheKeyFn: refKey });
}
