/**
 * Filters by provider, state, label and a search, in a `nav` landmark. Selects apply at once;
 * the text fields apply after a short pause in typing, so the URL and the list do not churn.
 */
import { useEffect, useState } from 'preact/hooks';
import { JOB_STATES, oneOf, PROVIDER_NAMES, PROVIDERS, STATE_NAMES } from '../enums.js';
import { type BoardFilters, NO_FILTERS } from '../url-filters.js';

const TYPING_PAUSE_MS = 300;

export interface FilterBarProps {
  readonly filters: BoardFilters;
  /** Gets the change as a function of the current filters (a pending text edit must not undo a select). */
  readonly onChange: (update: (current: BoardFilters) => BoardFilters) => void;
}

export function FilterBar({ filters, onChange }: FilterBarProps) {
  const [label, setLabel] = useState(filters.label ?? '');
  const [q, setQ] = useState(filters.q ?? '');
  // Follow outside changes (Clear), not our own echo: that would eat a trailing space mid-typing.
  useEffect(() => {
    if ((filters.label ?? '') !== label.trim()) setLabel(filters.label ?? '');
  }, [filters.label]);
  useEffect(() => {
    if ((filters.q ?? '') !== q.trim()) setQ(filters.q ?? '');
  }, [filters.q]);
  useEffect(() => {
    const timer = setTimeout(() => onChange((current) => ({ ...current, label: label.trim() || null, q: q.trim() || null })), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [label, q]);

  const filtered = filters.provider || filters.state || filters.label || filters.q;
  return (
    <nav class="filters" aria-label="Filters">
      <div class="field">
        <label for="filter-provider">Provider</label>
        <select
          id="filter-provider"
          value={filters.provider ?? ''}
          onChange={(event) => {
            const provider = oneOf(PROVIDERS, event.currentTarget.value);
            onChange((current) => ({ ...current, provider }));
          }}
        >
          <option value="">All providers</option>
          {PROVIDERS.map((provider) => (
            <option value={provider}>{PROVIDER_NAMES[provider]}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="filter-state">State</label>
        <select
          id="filter-state"
          value={filters.state ?? ''}
          onChange={(event) => {
            const state = oneOf(JOB_STATES, event.currentTarget.value);
            onChange((current) => ({ ...current, state }));
          }}
        >
          <option value="">All states</option>
          {JOB_STATES.map((state) => (
            <option value={state}>{STATE_NAMES[state]}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="filter-label">Label</label>
        <input id="filter-label" type="text" value={label} onInput={(event) => setLabel(event.currentTarget.value)} />
      </div>
      <div class="field field-wide">
        <label for="filter-q">Search</label>
        <input
          id="filter-q"
          type="search"
          placeholder="Id prefix or label"
          value={q}
          onInput={(event) => setQ(event.currentTarget.value)}
        />
      </div>
      {filtered && (
        <button
          type="button"
          class="button-quiet"
          onClick={() => {
            setLabel('');
            setQ('');
            onChange(() => NO_FILTERS);
          }}
        >
          Clear filters
        </button>
      )}
    </nav>
  );
}
