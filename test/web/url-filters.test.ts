/**
 * The board's filters ↔ URL query: read on load, written with replaceState, so a filtered view
 * can be shared; and their translation into the API's TrackedJobFilter.
 */
import { describe, expect, it } from 'vitest';
import {
  filtersFromSearch,
  NO_FILTERS,
  sameFilters,
  searchWithFilters,
  trackedJobFilterOf,
  updatesFilterOf,
} from '../../web/src/url-filters.js';

describe('board filters in the URL', () => {
  it('reads provider, state, label and search from the query', () => {
    expect(filtersFromSearch('?provider=ZENDESK&state=RUNNING&label=x&q=abc')).toEqual({
      provider: 'ZENDESK',
      state: 'RUNNING',
      label: 'x',
      q: 'abc',
    });
  });

  it('ignores unknown providers and states, empty and blank values', () => {
    expect(filtersFromSearch('?provider=GITHUB&state=running&label=&q=%20%20')).toEqual(NO_FILTERS);
    expect(filtersFromSearch('')).toEqual(NO_FILTERS);
  });

  it('writes only what is set, and keeps parameters it does not own', () => {
    const filters = { provider: 'IMAGEKIT', state: null, label: 'nightly run', q: null } as const;
    expect(searchWithFilters(filters, '?state=FAILED&theme=x')).toBe('?theme=x&provider=IMAGEKIT&label=nightly+run');
    expect(searchWithFilters(NO_FILTERS, '?provider=IMAGEKIT&q=a')).toBe('');
  });

  it('round-trips: what it writes, it reads back', () => {
    const filters = { provider: 'SAYMON', state: 'COMPLETED', label: 'a&b=c', q: 'id/with?chars' } as const;
    expect(filtersFromSearch(searchWithFilters(filters))).toEqual(filters);
  });

  it('asks the list for every filter, and the live updates for all but the state', () => {
    const filters = { provider: 'ZENDESK', state: 'RUNNING', label: 'x', q: 'abc' } as const;
    expect(trackedJobFilterOf(filters)).toEqual({ providers: ['ZENDESK'], states: ['RUNNING'], labels: ['x'], search: 'abc' });
    expect(updatesFilterOf(filters)).toEqual({ providers: ['ZENDESK'], labels: ['x'], search: 'abc' });
    expect(trackedJobFilterOf(NO_FILTERS)).toBeNull();
    expect(updatesFilterOf({ ...NO_FILTERS, state: 'FAILED' })).toBeNull();
  });

  it('compares filters by value', () => {
    expect(sameFilters(filtersFromSearch('?q=a&label=b'), filtersFromSearch('?label=b&q=a'))).toBe(true);
    expect(sameFilters(NO_FILTERS, { ...NO_FILTERS, q: 'a' })).toBe(false);
  });
});
