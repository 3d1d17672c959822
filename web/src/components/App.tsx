/**
 * The board: one API connection (re-made when the key changes), the filters mirrored in the URL,
 * and the jobs list fed by one page query plus the live subscription. After a reconnection the
 * list is fetched again (events may have been missed) while the rows on screen stay.
 */
import { useCallback, useEffect, useMemo, useReducer, useState } from 'preact/hooks';
import { type Api, type AuthProblem, type ConnectionStatus, createApi, storedKey, storeKey } from '../api.js';
import { ApiContext } from '../api-context.js';
import type { BoardProvidersQuery } from '../gql/graphql.js';
import { ProvidersQuery, TrackedJobsQuery, TrackedJobUpdatesSubscription } from '../operations.js';
import { initialJobsState, type JobsPage, jobsReducer } from '../state.js';
import {
  type BoardFilters,
  filtersFromSearch,
  sameFilters,
  searchWithFilters,
  trackedJobFilterOf,
  updatesFilterOf,
} from '../url-filters.js';
import { DemoPanel } from './DemoPanel.js';
import { FilterBar } from './FilterBar.js';
import { Header } from './Header.js';
import { JobList } from './JobList.js';
import { KeyPrompt } from './KeyPrompt.js';
import { type Notice, NoticeLine } from './NoticeLine.js';
import { TrackForm } from './TrackForm.js';

export type ProviderAccount = BoardProvidersQuery['providers'][number];

const PAGE_SIZE = 200;
/** Relative times ("now", "30 seconds ago") are redrawn this often. */
const CLOCK_TICK_MS = 5_000;

function pageOf(data: { trackedJobs: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: ReadonlyArray<{ node: JobsPage['results'][number] }> } }): JobsPage {
  const { trackedJobs } = data;
  return {
    results: trackedJobs.edges.map((edge) => edge.node),
    hasNextPage: trackedJobs.pageInfo.hasNextPage,
    endCursor: trackedJobs.pageInfo.endCursor,
    totalCount: trackedJobs.totalCount,
  };
}

export function App() {
  const [key, setKey] = useState<string | null>(() => storedKey());
  const [session, setSession] = useState(0);
  const [api, setApi] = useState<Api | null>(null);
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const [authProblem, setAuthProblem] = useState<AuthProblem | null>(null);
  const [reconnects, setReconnects] = useState(0);

  useEffect(() => {
    setAuthProblem(null);
    const next = createApi({
      key,
      onStatus: setStatus,
      onAuthProblem: setAuthProblem,
      onReconnected: () => setReconnects((count) => count + 1),
    });
    setApi(next);
    return () => next.dispose();
  }, [key, session]);

  const applyKey = useCallback((next: string | null) => {
    storeKey(next);
    setKey(next);
    setSession((count) => count + 1);
  }, []);

  const [filters, setFilters] = useState<BoardFilters>(() => filtersFromSearch(location.search));
  const changeFilters = useCallback((update: (current: BoardFilters) => BoardFilters) => {
    setFilters((current) => {
      const next = update(current);
      return sameFilters(current, next) ? current : next;
    });
  }, []);
  useEffect(() => {
    const search = searchWithFilters(filters, location.search);
    if (search !== location.search) history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`);
  }, [filters]);

  const [providers, setProviders] = useState<readonly ProviderAccount[]>([]);
  useEffect(() => {
    if (!api) return;
    let current = true;
    void api.request(ProvidersQuery, {}).then((outcome) => {
      if (current && outcome.ok) setProviders(outcome.data.providers);
    });
    return () => {
      current = false;
    };
  }, [api, reconnects]);

  const [jobs, dispatch] = useReducer(jobsReducer, filters.state, initialJobsState);
  const [listNotice, setListNotice] = useState<Notice | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  // A new filter starts from an empty list; a reconnection keeps the rows until the page comes.
  useEffect(() => dispatch({ type: 'reset', state: filters.state, keepRows: false }), [filters]);
  useEffect(() => {
    if (!api) return;
    let current = true;
    dispatch({ type: 'reset', state: filters.state, keepRows: true });
    setListNotice(null);
    const stop = api.subscribe(
      TrackedJobUpdatesSubscription,
      { filter: updatesFilterOf(filters) },
      (data) => dispatch({ type: 'event', event: data.trackedJobUpdates }),
      (message) => current && setListNotice({ tone: 'error', text: `Live updates stopped: ${message}` }),
    );
    void api.request(TrackedJobsQuery, { filter: trackedJobFilterOf(filters), first: PAGE_SIZE }).then((outcome) => {
      if (!current) return;
      if (outcome.ok) dispatch({ type: 'page', page: pageOf(outcome.data), append: false });
      else setListNotice({ tone: 'error', text: `Could not load the tracked jobs: ${outcome.message}` });
    });
    return () => {
      current = false;
      stop();
    };
  }, [api, filters, reconnects]);

  const loadMore = useCallback(async () => {
    if (!api || !jobs.endCursor) return;
    setLoadingMore(true);
    const outcome = await api.request(TrackedJobsQuery, { filter: trackedJobFilterOf(filters), first: PAGE_SIZE, after: jobs.endCursor });
    setLoadingMore(false);
    if (outcome.ok) dispatch({ type: 'page', page: pageOf(outcome.data), append: true });
    else setListNotice({ tone: 'error', text: `Could not load more jobs: ${outcome.message}` });
  }, [api, filters, jobs.endCursor]);

  const removed = useCallback((ids: readonly string[]) => dispatch({ type: 'removed', ids }), []);

  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), CLOCK_TICK_MS);
    return () => clearInterval(timer);
  }, []);

  const sandbox = useMemo(() => providers.length > 0 && providers.every((account) => account.sandbox), [providers]);

  return (
    <ApiContext.Provider value={api}>
      <a class="skip-link" href="#jobs">
        Skip to the jobs
      </a>
      <Header
        status={status}
        hasKey={key !== null}
        onForgetKey={() => applyKey(null)}
        onReconnect={() => setSession((count) => count + 1)}
      />
      <main id="main">
        {authProblem ? (
          <KeyPrompt problem={authProblem} onSubmit={applyKey} />
        ) : (
          <>
            <div class="tools">
              <TrackForm providers={providers} />
              {sandbox && <DemoPanel />}
            </div>
            <FilterBar filters={filters} onChange={changeFilters} />
            <NoticeLine notice={listNotice} />
            <JobList jobs={jobs} now={now} loadingMore={loadingMore} onLoadMore={loadMore} onRemoved={removed} />
          </>
        )}
      </main>
    </ApiContext.Provider>
  );
}
