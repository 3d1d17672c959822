/**
 * Scenario 1, queries: autocannon against `jobs(refs: 50 mixed refs)` at several concurrencies,
 * beside the naive way (50 direct GETs per query, `naive.ts`) and the floor (`{ __typename }`),
 * all against the same simulator with the same added latency, in one run.
 */
import autocannon from 'autocannon';
import { print } from 'graphql';
import { runNaive } from './naive.js';
import { type BenchRef, BenchFloorQuery, BenchJobsQuery, minimumRequests, mixedRefs } from './operations.js';
import { forkUpstream, providerEnv, type ServiceProcess, startService } from './processes.js';
import { fmt, settings, type Table, wallNow } from './stats.js';
import type { UpstreamCounts } from './upstream.js';

export interface QueryBenchOptions {
  readonly concurrencies: readonly number[];
  /** Per cell. */
  readonly durationSec: number;
  readonly delayMs: number;
  readonly refsPerQuery: number;
  /** Concurrencies at which the "new refs every query" row runs (its upstream work grows with load). */
  readonly coldConcurrencies: readonly number[];
  /** Extra service settings. */
  readonly env?: Record<string, string>;
}

interface Row {
  readonly way: string;
  readonly concurrency: number;
  readonly queriesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly upstreamPerQuery: number;
  readonly upstreamPerSecond: number;
  readonly errors: number;
}

const WAYS = {
  floor: 'floor: `{ __typename }`',
  shared: 'service, the same 50 refs for every user',
  stale: 'the same, with `CACHE_STALE_MS=5000`',
  cold: 'service, 50 new refs every query',
  naive: 'naive: 50 direct GETs per query',
} as const;

export async function runQueryBench(options: QueryBenchOptions): Promise<Table> {
  const upstream = await forkUpstream({ delayMs: options.delayMs, changeEveryMs: 1000, epochMs: wallNow(), recordAnswers: false });
  const services: ServiceProcess[] = [];
  const rows: Row[] = [];
  try {
    const service = await startService({ ...providerEnv(upstream.url), ...options.env });
    services.push(service);
    // The same service serving expired running statuses while it refreshes them (BENCHMARKS note N2).
    const staleService = await startService({ ...providerEnv(upstream.url), CACHE_STALE_MS: '5000', ...options.env });
    services.push(staleService);
    const shared = mixedRefs(options.refsPerQuery, 'shared');
    await checkAnswers(service.url, shared);

    /** Runs `drive` and attributes the upstream requests made meanwhile to its queries. */
    const measure = async (way: string, concurrency: number, drive: () => Promise<Omit<Row, 'way' | 'concurrency' | 'upstreamPerQuery' | 'upstreamPerSecond'> & { sent: number; seconds: number }>) => {
      const before = await upstream.counts();
      const run = await drive();
      // Queries cut off at the end of the run still finish their upstream calls; count them too,
      // and divide by the queries sent rather than those answered.
      const after = await quiescent(() => upstream.counts());
      const upstreamRequests = after.total - before.total;
      rows.push({
        way,
        concurrency,
        queriesPerSecond: run.queriesPerSecond,
        p50Ms: run.p50Ms,
        p99Ms: run.p99Ms,
        errors: run.errors,
        upstreamPerQuery: run.sent > 0 ? upstreamRequests / run.sent : Number.NaN,
        upstreamPerSecond: upstreamRequests / run.seconds,
      });
    };

    for (const concurrency of options.concurrencies) {
      await measure(WAYS.floor, concurrency, () => cannon(service.url, concurrency, options.durationSec, () => ({ query: print(BenchFloorQuery) })));
      await measure(WAYS.shared, concurrency, () => cannon(service.url, concurrency, options.durationSec, () => jobsBody(shared)));
      await measure(WAYS.stale, concurrency, () => cannon(staleService.url, concurrency, options.durationSec, () => jobsBody(shared)));
      if (options.coldConcurrencies.includes(concurrency)) {
        let query = 0;
        await measure(WAYS.cold, concurrency, () =>
          cannon(service.url, concurrency, options.durationSec, () => jobsBody(mixedRefs(options.refsPerQuery, `c${concurrency}q${query++}`))),
        );
      }
      await measure(WAYS.naive, concurrency, async () => {
        const started = wallNow();
        const run = await runNaive({ upstreamUrl: upstream.url, refs: shared, concurrency, durationMs: options.durationSec * 1000 });
        return { ...run, sent: run.queries, seconds: (wallNow() - started) / 1000 };
      });
    }
  } finally {
    for (const service of services) await service.stop();
    await upstream.close();
  }

  const refs = mixedRefs(options.refsPerQuery, 'x');
  return {
    title: `Query: jobs(refs: ${options.refsPerQuery} mixed refs), upstream latency ${options.delayMs} ms, ${options.durationSec} s per row`,
    columns: ['way', 'concurrency', 'queries/s', 'p50 ms', 'p99 ms', 'upstream req/query', 'upstream req/s', 'errors'],
    rows: rows.map((row) => [
      row.way,
      String(row.concurrency),
      fmt(row.queriesPerSecond, 0),
      fmt(row.p50Ms, 1),
      fmt(row.p99Ms, 1),
      fmt(row.upstreamPerQuery, 2),
      fmt(row.upstreamPerSecond, 0),
      String(row.errors),
    ]),
    notes: [
      `Refs: ${describeMix(refs)}. Fewest upstream requests that can answer one query with nothing cached: ${minimumRequests(refs)} (Zendesk batched per 100); the naive way makes ${refs.length}.`,
      `Service settings: the defaults (CACHE_TTL_MS 1000, UPSTREAM_CONCURRENCY 8 per account)${settings(options.env)}. "errors": non-2xx, socket errors and timeouts.`,
    ],
  };
}

function jobsBody(refs: readonly BenchRef[]): { query: string; variables: unknown } {
  return { query: print(BenchJobsQuery), variables: { refs } };
}

/** A closed-loop autocannon run; a fresh body per request when `body` makes one. */
async function cannon(url: string, connections: number, durationSec: number, body: () => unknown) {
  const result = await autocannon({
    url,
    connections,
    duration: durationSec,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }),
      },
    ],
  });
  return {
    sent: result.requests.sent,
    seconds: result.duration,
    queriesPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

/** One query before measuring: the service must answer every ref with a job, or the figures mean nothing. */
async function checkAnswers(url: string, refs: readonly BenchRef[]): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify(jobsBody(refs)),
  });
  const body = (await response.json()) as { data?: { jobs: { __typename: string }[] }; errors?: unknown };
  const jobs = body.data?.jobs ?? [];
  const bad = jobs.filter((job) => !['ImageKitBulkJob', 'PurgeRequest', 'SaymonBulkOp', 'ZendeskJobStatus'].includes(job.__typename));
  if (!response.ok || body.errors || jobs.length !== refs.length || bad.length > 0) {
    throw new Error(`the service did not answer the benchmark query as expected: ${JSON.stringify(body).slice(0, 1000)}`);
  }
}

/** Reads `counts` until it stops moving (no change for 300 ms, at most 15 s). */
async function quiescent(counts: () => Promise<UpstreamCounts>): Promise<UpstreamCounts> {
  let last = await counts();
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = await counts();
    if (now.total === last.total) return now;
    last = now;
  }
  return last;
}

function describeMix(refs: readonly BenchRef[]): string {
  const counts = new Map<string, number>();
  for (const ref of refs) counts.set(ref.kind, (counts.get(ref.kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => `${count} ${kind}`).join(', ');
}
