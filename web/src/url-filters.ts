/**
 * The filter bar's state mirrored in the URL query (`?provider=ZENDESK&state=RUNNING&label=x&q=abc`),
 * so a filtered view can be shared, and its translation into the API's `TrackedJobFilter`.
 * Pure: the caller reads `location.search` and writes with `history.replaceState`.
 */
import { JOB_STATES, oneOf, PROVIDERS } from './enums.js';
import type { JobState, Provider, TrackedJobFilter } from './gql/graphql.js';

export interface BoardFilters {
  readonly provider: Provider | null;
  readonly state: JobState | null;
  readonly label: string | null;
  /** Search: a prefix of the native id, or a label. */
  readonly q: string | null;
}

export const NO_FILTERS: BoardFilters = { provider: null, state: null, label: null, q: null };

const KEYS = ['provider', 'state', 'label', 'q'] as const;

/** Reads the filters from a query string; unknown providers/states and empty values are ignored. */
export function filtersFromSearch(search: string): BoardFilters {
  const params = new URLSearchParams(search);
  const text = (key: string) => {
    const value = params.get(key)?.trim();
    return value ? value : null;
  };
  return {
    provider: oneOf(PROVIDERS, text('provider')),
    state: oneOf(JOB_STATES, text('state')),
    label: text('label'),
    q: text('q'),
  };
}

/**
 * The query string (with its `?`, or `''` when empty) for `filters`, keeping any other
 * parameter of `currentSearch` as it is.
 */
export function searchWithFilters(filters: BoardFilters, currentSearch = ''): string {
  const params = new URLSearchParams(currentSearch);
  for (const key of KEYS) {
    const value = filters[key]?.trim();
    if (value) params.set(key, value);
    else params.delete(key);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The list query's filter; null when nothing is filtered. */
export function trackedJobFilterOf(filters: BoardFilters): TrackedJobFilter | null {
  const filter: TrackedJobFilter = {};
  if (filters.provider) filter.providers = [filters.provider];
  if (filters.state) filter.states = [filters.state];
  if (filters.label) filter.labels = [filters.label];
  if (filters.q) filter.search = filters.q;
  return Object.keys(filter).length > 0 ? filter : null;
}

/**
 * The live subscription's filter: the list's, without the state. A job's state is the one thing
 * that changes over its life, and the board must see a RUNNING job turn COMPLETED to drop it from
 * a "Running" view; the state is checked on the page (`applyEvent`).
 */
export function updatesFilterOf(filters: BoardFilters): TrackedJobFilter | null {
  return trackedJobFilterOf({ ...filters, state: null });
}

/** True when two filter values ask for the same rows. */
export function sameFilters(a: BoardFilters, b: BoardFilters): boolean {
  return KEYS.every((key) => (a[key] ?? null) === (b[key] ?? null));
}
