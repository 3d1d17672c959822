/**
 * Scenario `registry`: `trackedJobs(first: 50, …)` over 100 000 tracked jobs (10 % unfinished),
 * through the built service over HTTP (autocannon, as the query and ratio scenarios), once on
 * the embedded PGlite (a DATA_DIR) and once on PostgreSQL (a scratch database, dropped after),
 * at 1 and 50 connections, each case with and without `totalCount`, beside the `{ __typename }`
 * floor of the same instance.
 *
 * Each database is migrated by the service's own migration code (`openDatabase`), seeded with
 * one SQL statement (`registry-seed.ts`), and timed with direct calls from this process
 * (`listTrackedJobPage`, `countTrackedJobs`: the database's share of a request) before the
 * service is started on it. The service's tracker resumes the 10 000 unfinished jobs and polls
 * each once (against the bench upstream); the poll interval is set to ten minutes so that the
 * tracker's work does not run during the measurement, which waits until the service is idle.
 * RSS is read after that settling (100 000 tracked jobs, 10 000 watched) and after the run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { print } from 'graphql';
import pg from 'pg';
import { type RegistryDatabase, openDatabase } from '../src/registry/database.js';
import { countTrackedJobs, listTrackedJobPage } from '../src/registry/listing.js';
import { BenchFloorQuery, BenchTrackedJobsQuery } from './operations.js';
import { forkUpstream, providerEnv, type ServiceProcess, startService } from './processes.js';
import { LISTING_CASES, type ListingCase } from './registry-cases.js';
import { seedTrackedJobs } from './registry-seed.js';
import { fmt, percentile, settings, type Table, wallNow } from './stats.js';

export interface RegistryBenchOptions {
  readonly rows: number;
  readonly concurrencies: readonly number[];
  /** Per cell. */
  readonly durationSec: number;
  /** Direct calls per case for the database's share. */
  readonly directRepeat: number;
  /** `BENCH_POSTGRES_URL`; null skips PostgreSQL. */
  readonly postgresUrl: string | null;
  /** Only these databases (default both). */
  readonly databases?: readonly ('pglite' | 'postgres')[];
  /** Only the cases whose name contains one of these (default all). */
  readonly cases?: readonly string[];
  /** Only with (true) or without (false) `totalCount` (default both). */
  readonly counts?: readonly boolean[];
  readonly env?: Record<string, string>;
}

interface Cell {
  readonly perSecond: number;
  /** The service's own CPU time per request (ms, from /proc): what a request costs whatever else runs on the machine. */
  readonly cpuMsPerRequest: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

const HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
/** The tracker polls each unfinished job once after start, then not again during the run. */
const QUIET_POLLING = { POLL_INTERVAL_MS: '600000', POLL_MAX_INTERVAL_MS: '600000' };

export async function runRegistryBench(options: RegistryBenchOptions): Promise<Table[]> {
  const upstream = await forkUpstream({ delayMs: 5, changeEveryMs: 3_600_000, epochMs: wallNow(), recordAnswers: false });
  const tables: Table[] = [];
  try {
    const databases = options.databases ?? ['pglite', 'postgres'];
    if (databases.includes('pglite')) tables.push(await onPglite(options, upstream.url));
    if (options.postgresUrl && databases.includes('postgres')) {
      const postgres = await onPostgres(options, upstream.url, options.postgresUrl).catch((error: unknown) => {
        process.stderr.write(`bench: registry on PostgreSQL skipped: ${String(error)}\n`);
        return null;
      });
      if (postgres) tables.push(postgres);
    }
  } finally {
    await upstream.close();
  }
  return tables;
}

async function onPglite(options: RegistryBenchOptions, upstreamUrl: string): Promise<Table> {
  const dataDir = mkdtempSync(join(tmpdir(), 'jsg-bench-registry-'));
  try {
    const direct = await seedAndTime(() => openDatabase({ dataDir }), options);
    return await measureService('PGlite (DATA_DIR)', { DATA_DIR: dataDir }, direct, options, upstreamUrl);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function onPostgres(options: RegistryBenchOptions, upstreamUrl: string, adminUrl: string): Promise<Table> {
  const name = `jsg_bench_${randomBytes(4).toString('hex')}`;
  await admin(adminUrl, `create database ${name}`);
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const direct = await seedAndTime(() => openDatabase({ url: url.toString() }), options);
    return await measureService('PostgreSQL', { DATABASE_URL: url.toString() }, direct, options, upstreamUrl);
  } finally {
    await admin(adminUrl, `drop database if exists ${name} with (force)`);
  }
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

interface Direct {
  /** Per case: median ms of the page's statements, and of the count. */
  readonly pageMs: number[];
  readonly countMs: number[];
  readonly seedSec: number;
}

/** Migrates (the service's own code) and seeds the database, then times each case's statements directly. */
async function seedAndTime(open: () => Promise<RegistryDatabase>, options: RegistryBenchOptions): Promise<Direct> {
  const database = await open();
  try {
    const seeded = wallNow();
    await seedTrackedJobs(database.db, options.rows);
    const seedSec = (wallNow() - seeded) / 1000;
    const median = async (run: () => Promise<unknown>) => {
      await run();
      const samples: number[] = [];
      for (let index = 0; index < options.directRepeat; index++) {
        const start = performance.now();
        await run();
        samples.push(performance.now() - start);
      }
      return percentile(samples, 50);
    };
    const pageMs: number[] = [];
    const countMs: number[] = [];
    for (const listing of casesOf(options)) {
      const listOptions = listing.options(options.rows);
      pageMs.push(await median(() => listTrackedJobPage(database.db, listOptions)));
      countMs.push(await median(() => countTrackedJobs(database.db, listOptions)));
    }
    return { pageMs, countMs, seedSec };
  } finally {
    await database.close();
  }
}

async function measureService(name: string, databaseEnv: Record<string, string>, direct: Direct, options: RegistryBenchOptions, upstreamUrl: string): Promise<Table> {
  const started = wallNow();
  // Opening an embedded database of 100 000 jobs on a busy machine can take longer than the usual 30 s.
  const service = await startService({ ...providerEnv(upstreamUrl), ...QUIET_POLLING, ...databaseEnv, ...options.env }, { startTimeoutMs: 180_000 });
  try {
    const startSec = (wallNow() - started) / 1000;
    await checkAnswers(service, options.rows, casesOf(options));
    const settleSec = await settled(service);
    const rssSeeded = service.usage().rssBytes;
    const rows: string[][] = [];
    const floorBody = JSON.stringify({ query: print(BenchFloorQuery) });
    for (const connections of options.concurrencies) {
      const floor = await cannon(service, connections, options.durationSec, floorBody);
      rows.push(['floor: `{ __typename }`', String(connections), '—', '—', ...cellOf(floor)]);
      for (const [index, listing] of casesOf(options).entries()) {
        for (const count of options.counts ?? [false, true]) {
          const body = JSON.stringify({ query: print(BenchTrackedJobsQuery), variables: { ...listing.options(options.rows), count } });
          const cell = await cannon(service, connections, options.durationSec, body);
          const directMs = direct.pageMs[index]! + (count ? direct.countMs[index]! : 0);
          rows.push([`${listing.name}${count ? ', with totalCount' : ''}`, String(connections), fmt(directMs, 1), fmt(cell.perSecond / floor.perSecond, 2), ...cellOf(cell)]);
        }
      }
    }
    const after = service.usage();
    return {
      title: `Registry: trackedJobs(first: 50) over ${options.rows.toLocaleString('en-US')} tracked jobs (10 % unfinished), ${name}, ${options.durationSec} s per row`,
      columns: ['query', 'connections', 'direct ms', 'req/s ÷ floor', 'req/s', 'p50 ms', 'p99 ms', 'service CPU ms/req', 'errors'],
      rows,
      notes: [
        `Seeded in ${fmt(direct.seedSec, 0)} s; the service started in ${fmt(startSec, 1)} s and was idle ${fmt(settleSec, 0)} s later (the tracker resumed and polled the unfinished jobs once).`,
        `Service RSS: ${mib(rssSeeded)} MiB with the jobs loaded and watched, ${mib(after.rssBytes)} MiB after the run (peak ${mib(after.peakRssBytes)} MiB).`,
        `"direct ms": the median of ${options.directRepeat} direct calls from the bench process (the page's statements, plus the count's on "with totalCount" rows): the database's share of a request. "service CPU ms/req": the service process's CPU time (user + system, /proc) over the row ÷ its requests (on PGlite it includes the embedded database's).`,
        `Service settings: POLL_INTERVAL_MS and POLL_MAX_INTERVAL_MS 600000 (no polling during the run)${settings(options.env)}. "errors": non-2xx, socket errors and timeouts (each case's answer was checked once before the run).`,
      ],
    };
  } finally {
    await service.stop();
  }
}

function casesOf(options: RegistryBenchOptions): readonly ListingCase[] {
  const wanted = options.cases;
  return wanted ? LISTING_CASES.filter((listing) => wanted.some((part) => listing.name.includes(part))) : LISTING_CASES;
}

function cellOf(cell: Cell): string[] {
  return [fmt(cell.perSecond, 0), fmt(cell.p50Ms, 1), fmt(cell.p99Ms, 1), fmt(cell.cpuMsPerRequest, 2), String(cell.errors)];
}

function mib(bytes: number): string {
  return fmt(bytes / 2 ** 20, 0);
}

/** Waits until the service used less than 2 % of a CPU over a second (at most two minutes); answers the seconds waited. */
async function settled(service: ServiceProcess): Promise<number> {
  const begun = wallNow();
  let last = service.usage().cpuSeconds;
  while (wallNow() - begun < 120_000) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = service.usage().cpuSeconds;
    if (now - last < 0.02) break;
    last = now;
  }
  return (wallNow() - begun) / 1000;
}

/** One query per case before measuring: each must answer 50 jobs without errors, or the figures mean nothing. */
async function checkAnswers(service: ServiceProcess, rows: number, cases: readonly ListingCase[]): Promise<void> {
  for (const listing of cases) {
    const body = JSON.stringify({ query: print(BenchTrackedJobsQuery), variables: { ...listing.options(rows), count: true } });
    const response = await fetch(service.url, { method: 'POST', headers: HEADERS, body });
    const answer = (await response.json()) as { data?: { trackedJobs: { totalCount: number; edges: { node: { __typename: string } }[] } }; errors?: unknown };
    const edges = answer.data?.trackedJobs.edges ?? [];
    const wanted = Math.min(50, answer.data?.trackedJobs.totalCount ?? 0);
    if (!response.ok || answer.errors || edges.length !== wanted || edges.length === 0 || edges.some((edge) => edge.node.__typename.endsWith('Error'))) {
      throw new Error(`the service did not answer "${listing.name}" as expected: ${JSON.stringify(answer).slice(0, 600)}`);
    }
  }
}

async function cannon(service: ServiceProcess, connections: number, durationSec: number, body: string): Promise<Cell> {
  const cpuBefore = service.usage().cpuSeconds;
  const result = await autocannon({ url: service.url, connections, duration: durationSec, timeout: 30, method: 'POST', headers: HEADERS, body });
  return {
    perSecond: result.requests.total / result.duration,
    cpuMsPerRequest: ((service.usage().cpuSeconds - cpuBefore) * 1000) / Math.max(1, result.requests.total),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}
