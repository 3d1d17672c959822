/**
 * Scenario `ratio`: what executing a fully cached `jobs(50 mixed refs)` costs against the
 * server's own floor (`{ __typename }`), as one number that survives a shared, noisy machine.
 *
 * Absolute queries/s on this virtual machine move by ±30 % between runs (BENCHMARKS.md), so the
 * figure that compares is the ratio jobs/floor, measured on one service in one run, the two
 * rows interleaved and repeated (default three rounds) so that a burst of other work skews one
 * round rather than one side. Every status is cached for the whole run (`CACHE_TTL_MS` of ten
 * minutes, after one warm-up query), so no row waits on the upstream: what is measured is our
 * request path (HTTP, yoga, plugins, parse/validate, cost analysis, execution, serialization).
 *
 * On a machine so busy that the service gets a sliver of a core, queries/s are set by the
 * scheduler rather than by the work per query; the service's own CPU time per query (read from
 * `/proc` around each row) then gives the ratio it would have with a core to itself.
 */
import autocannon from 'autocannon';
import { print } from 'graphql';
import { BenchFloorQuery, BenchJobsQuery, mixedRefs } from './operations.js';
import { forkUpstream, providerEnv, startService } from './processes.js';
import { fmt, settings, type Table, wallNow } from './stats.js';

export interface RatioBenchOptions {
  readonly concurrency: number;
  /** Per row. */
  readonly durationSec: number;
  readonly rounds: number;
  readonly delayMs: number;
  readonly refsPerQuery: number;
  /** Extra service settings. */
  readonly env?: Record<string, string>;
}

/** Long enough that nothing expires during a run. */
const FULLY_CACHED_TTL_MS = '600000';

export async function runRatioBench(options: RatioBenchOptions): Promise<Table> {
  const upstream = await forkUpstream({ delayMs: options.delayMs, changeEveryMs: 1000, epochMs: wallNow(), recordAnswers: false });
  // The registry plays no part in the measured queries: an in-memory one starts faster.
  const service = await startService({ ...providerEnv(upstream.url), CACHE_TTL_MS: FULLY_CACHED_TTL_MS, DATABASE_URL: 'memory:', ...options.env });
  const floorBody = JSON.stringify({ query: print(BenchFloorQuery) });
  const jobsBody = JSON.stringify({ query: print(BenchJobsQuery), variables: { refs: mixedRefs(options.refsPerQuery, 'ratio') } });
  const rows: string[][] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  const cannonWithCpu = async (body: string) => {
    const before = service.usage().cpuSeconds;
    const result = await cannon(service.url, options.concurrency, options.durationSec, body);
    const cpuMs = (service.usage().cpuSeconds - before) * 1000;
    return { ...result, cpuMsPerQuery: result.queries > 0 ? cpuMs / result.queries : Number.NaN };
  };
  try {
    // Fills the cache and checks the answer: every ref must come back as a job.
    const warm = (await (await fetch(service.url, { method: 'POST', headers: HEADERS, body: jobsBody })).json()) as {
      data?: { jobs: { __typename: string }[] };
    };
    if (warm.data?.jobs.length !== options.refsPerQuery || warm.data.jobs.some((job) => job.__typename.endsWith('Error'))) {
      throw new Error(`the service did not answer the benchmark query as expected: ${JSON.stringify(warm).slice(0, 1000)}`);
    }
    const before = await upstream.counts();
    for (let round = 1; round <= options.rounds; round += 1) {
      const floor = await cannonWithCpu(floorBody);
      const jobs = await cannonWithCpu(jobsBody);
      const ratio = jobs.queriesPerSecond / floor.queriesPerSecond;
      const cpuRatio = floor.cpuMsPerQuery / jobs.cpuMsPerQuery;
      ratios.push(ratio);
      cpuRatios.push(cpuRatio);
      rows.push([
        String(round),
        fmt(floor.queriesPerSecond, 0),
        fmt(floor.p99Ms, 1),
        fmt(jobs.queriesPerSecond, 0),
        fmt(jobs.p50Ms, 1),
        fmt(jobs.p99Ms, 1),
        fmt(ratio, 2),
        fmt(floor.cpuMsPerQuery, 3),
        fmt(jobs.cpuMsPerQuery, 3),
        fmt(cpuRatio, 2),
        String(floor.errors + jobs.errors),
      ]);
    }
    const after = await upstream.counts();
    const sorted = [...ratios].sort((a, b) => a - b);
    const cpuSorted = [...cpuRatios].sort((a, b) => a - b);
    return {
      title: `Ratio: fully cached jobs(refs: ${options.refsPerQuery} mixed refs) against { __typename }, ${options.concurrency} connections, ${options.durationSec} s per row`,
      columns: ['round', 'floor queries/s', 'floor p99 ms', 'jobs queries/s', 'jobs p50 ms', 'jobs p99 ms', 'jobs / floor', 'floor CPU ms/query', 'jobs CPU ms/query', 'CPU floor / jobs', 'errors'],
      rows,
      notes: [
        `Median ratio over ${options.rounds} rounds: ${fmt(sorted[Math.floor(sorted.length / 2)], 2)} (range ${fmt(sorted[0], 2)}–${fmt(sorted.at(-1), 2)}).`,
        // What the ratio would be if the service had a core to itself: its own CPU time per query.
        `Median CPU ratio (the service's CPU ms per floor query / per jobs query): ${fmt(cpuSorted[Math.floor(cpuSorted.length / 2)], 2)} (range ${fmt(cpuSorted[0], 2)}–${fmt(cpuSorted.at(-1), 2)}).`,
        `Upstream requests during the rounds: ${after.total - before.total} (fully cached: CACHE_TTL_MS ${FULLY_CACHED_TTL_MS})${settings(options.env)}.`,
      ],
    };
  } finally {
    await service.stop();
    await upstream.close();
  }
}

const HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };

async function cannon(url: string, connections: number, durationSec: number, body: string) {
  const result = await autocannon({ url, connections, duration: durationSec, timeout: 30, method: 'POST', headers: HEADERS, body });
  return {
    queries: result.requests.total,
    queriesPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}
