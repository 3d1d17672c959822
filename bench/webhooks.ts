/**
 * Scenario `webhooks`, a burst: J tracked Zendesk jobs (1 000) finish within one second, one
 * webhook subscribed to `JOB_CHANGED` and `JOB_FINISHED` (2 J deliveries, two per job, in order),
 * a loopback receiver that answers 204. Measured:
 * - poll → delivery: from the poll that saw the change (`data.job.checkedAt`, the service's
 *   clock, same machine) to the body's arrival at the receiver, p50/p99/max;
 * - the outbox's throughput: deliveries per second from the first change to the last arrival;
 * - the poller's rate over J/5 other jobs that keep running, as upstream calls and job polls
 *   per second, in the seconds before the burst and while the dispatcher works: it must not drop.
 *
 * The service is the built `dist/src/main.js` in its own process (as `npm start` runs it), on the
 * default embedded database (an on-disk PGlite in a scratch `DATA_DIR`) and on PostgreSQL (a
 * scratch database on BENCH_POSTGRES_URL, skipped when unreachable). The fake Zendesk and the
 * receiver run in this process.
 *
 *   npm run bench -- --scenario webhooks [--jobs 1000]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type ServiceProcess, startService } from './processes.js';
import { fmt, percentile, settings, type Table } from './stats.js';

const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Every tracked job is polled once a second. */
const INTERVAL_MS = 1000;
/** Refs per trackJobs call while setting up. */
const TRACK_BATCH = 25;
/** The longest a burst may take to be delivered before the run is called failed. */
const DELIVERY_DEADLINE_MS = 300_000;

export interface WebhooksBenchOptions {
  /** Jobs finishing in the burst; J/5 more keep running. */
  readonly jobs: number;
  readonly env?: Record<string, string>;
}

interface BurstResult {
  readonly database: string;
  readonly deliveries: number;
  readonly expected: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly throughput: number;
  readonly burstSec: number;
  readonly callsBefore: number;
  readonly callsDuring: number;
  readonly pollsBefore: number;
  readonly pollsDuring: number;
  readonly outOfOrder: number;
  readonly cpuPercent: number;
}

export async function runWebhooksBench(options: WebhooksBenchOptions): Promise<Table> {
  const rows: string[][] = [];
  const notes: string[] = [];
  // A run that fails (a loaded machine, a database away) is a row saying so, not the end of the table.
  const measure = async (database: string, postgresUrl: string | null) => {
    try {
      const result = row(await runBurst(options, postgresUrl));
      process.stderr.write(`bench: ${result.join(' | ')}\n`);
      rows.push(result);
    } catch (error) {
      const failed = [database, `failed: ${(error as Error).message.slice(0, 300)}`];
      process.stderr.write(`bench: ${failed.join(' | ')}\n`);
      rows.push(failed);
    }
  };
  await measure('PGlite (on disk, the default)', null);
  const scratch = await scratchPostgres();
  if (typeof scratch === 'string') notes.push(`PostgreSQL skipped: ${scratch}.`);
  else {
    try {
      await measure('PostgreSQL', scratch.url);
    } finally {
      await scratch.drop();
    }
  }
  notes.push(
    `Poll → delivery: from the poll that saw the change (\`checkedAt\` in the body) to the receiver; throughput: deliveries per second from the first change to the last delivery. ` +
      `Poller: ${Math.round(options.jobs / 5)} other jobs keep running, polled every ${INTERVAL_MS} ms; "before" is the ${INTERVAL_MS * 3 / 1000} s before the burst, "during" from the first change to the last delivery ` +
      `(upstream calls/s are Zendesk show_many requests, polls/s the running jobs' ids in them). Order: deliveries of a job arriving finished before changed (must be 0).`,
  );
  return {
    title: `Webhooks: burst, ${fmt(options.jobs)} jobs finishing within one second, one webhook (JOB_CHANGED + JOB_FINISHED)${settings(options.env)}`,
    columns: ['database', 'delivered', 'poll → delivery p50', 'p99', 'max', 'outbox throughput', 'burst delivered in', 'upstream calls/s before', 'during', 'running-job polls/s before', 'during', 'out of order', 'service CPU'],
    rows,
    notes,
  };
}

function row(result: BurstResult): string[] {
  return [
    result.database,
    `${fmt(result.deliveries)} / ${fmt(result.expected)}`,
    `${fmt(result.p50)} ms`,
    `${fmt(result.p99)} ms`,
    `${fmt(result.max)} ms`,
    `${fmt(result.throughput)} events/s`,
    `${fmt(result.burstSec, 1)} s`,
    fmt(result.callsBefore, 1),
    fmt(result.callsDuring, 1),
    fmt(result.pollsBefore),
    fmt(result.pollsDuring),
    fmt(result.outOfOrder),
    `${fmt(result.cpuPercent)} %`,
  ];
}

async function runBurst(options: WebhooksBenchOptions, postgresUrl: string | null): Promise<BurstResult> {
  const database = postgresUrl ? 'PostgreSQL' : 'PGlite (on disk, the default)';
  process.stderr.write(`bench: webhooks burst on ${database}…\n`);
  const finishing = Array.from({ length: options.jobs }, (_, index) => `B-${index}`);
  const running = Array.from({ length: Math.round(options.jobs / 5) }, (_, index) => `R-${index}`);
  const upstream = fakeZendesk(new Set(running));
  for (const id of [...finishing, ...running]) upstream.statuses.set(id, zendeskJob(id, 'working'));
  const receiver = burstReceiver();
  const dataDir = await mkdtemp(join(tmpdir(), 'jsg-bench-webhooks-'));
  let service: ServiceProcess | null = null;
  try {
    await Promise.all([listen(upstream.server), listen(receiver.server)]);
    service = await startService({
      ZENDESK_BASE_URL: `http://127.0.0.1:${port(upstream.server)}`,
      ZENDESK_EMAIL: 'bench@example.com',
      ZENDESK_API_TOKEN: 'bench-token',
      DATA_DIR: dataDir,
      ...(postgresUrl ? { DATABASE_URL: postgresUrl } : {}),
      POLL_INTERVAL_MS: String(INTERVAL_MS),
      POLL_MAX_INTERVAL_MS: String(INTERVAL_MS),
      CACHE_TTL_MS: '1',
      // Tracking many refs at once is a few hundred statements: slow on a loaded machine.
      REGISTRY_TIMEOUT_MS: '120000',
      WEBHOOK_ALLOW_PRIVATE: '1',
      ...options.env,
    }, { startTimeoutMs: 180_000 });
    const graphql = graphqlAt(service.url);
    await graphql('mutation C($url: String!) { createWebhook(input: { url: $url, events: [JOB_CHANGED, JOB_FINISHED] }) { webhook { id } } }', {
      url: `http://127.0.0.1:${port(receiver.server)}/hook`,
    });
    const all = [...finishing, ...running];
    for (let from = 0; from < all.length; from += TRACK_BATCH) {
      const refs = all.slice(from, from + TRACK_BATCH).map((id) => ({ kind: 'ZENDESK_JOB_STATUS', id }));
      // Tracking again is harmless (labels merge); a loaded machine may answer REGISTRY_UNAVAILABLE once.
      for (let attempt = 1; ; attempt += 1) {
        try {
          await graphql('mutation T($refs: [JobRef!]!) { trackJobs(refs: $refs) { __typename } }', { refs });
          break;
        } catch (error) {
          if (attempt === 5) throw error;
        }
      }
    }
    process.stderr.write(`bench: ${all.length} jobs tracked; waiting for every one to be polled…\n`);
    // Settle (every job polled at least once), then the poller's rate before the burst.
    await waitUntil(() => finishing.every((id) => upstream.seen.has(id)), 300_000, 'every job polled once');
    await sleep(2 * INTERVAL_MS);
    const before = upstream.counts();
    const beforeAt = Date.now();
    await sleep(3 * INTERVAL_MS);
    const beforeCounts = upstream.counts();
    const beforeSec = (Date.now() - beforeAt) / 1000;

    process.stderr.write('bench: the burst…\n');
    // The burst: every job finishes within one second, in 10 slices of 100 ms.
    const burstAt = Date.now();
    const cpuAtBurst = service.usage().cpuSeconds;
    const during = upstream.counts();
    for (let slice = 0; slice < 10; slice += 1) {
      for (const id of finishing.slice((slice * options.jobs) / 10, ((slice + 1) * options.jobs) / 10)) upstream.statuses.set(id, zendeskJob(id, 'completed'));
      await sleep(INTERVAL_MS / 10);
    }
    const expected = 2 * options.jobs;
    await waitUntil(() => receiver.arrivals.length >= expected, DELIVERY_DEADLINE_MS, `${expected} deliveries`).catch(() => {});
    const endAt = Date.now();
    const duringCounts = upstream.counts();
    const cpu = service.usage().cpuSeconds - cpuAtBurst;
    const burstSec = (endAt - burstAt) / 1000;

    const latencies = receiver.arrivals.map((arrival) => arrival.latencyMs);
    const last = Math.max(...receiver.arrivals.map((arrival) => arrival.at));
    return {
      database,
      deliveries: receiver.arrivals.length,
      expected,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      throughput: receiver.arrivals.length / Math.max(0.001, (last - burstAt) / 1000),
      burstSec: (last - burstAt) / 1000,
      callsBefore: (beforeCounts.calls - before.calls) / beforeSec,
      callsDuring: (duringCounts.calls - during.calls) / burstSec,
      pollsBefore: (beforeCounts.runningPolls - before.runningPolls) / beforeSec,
      pollsDuring: (duringCounts.runningPolls - during.runningPolls) / burstSec,
      outOfOrder: receiver.outOfOrder(),
      cpuPercent: (cpu / burstSec) * 100,
    };
  } finally {
    await service?.stop();
    upstream.server.close();
    receiver.server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function zendeskJob(id: string, status: 'working' | 'completed'): Record<string, unknown> {
  return { id, url: `http://zendesk.invalid/${id}.json`, status, total: 10, progress: status === 'completed' ? 10 : 5, message: null, results: null };
}

/** Zendesk `show_many`, answering from `statuses`; counts calls and the polls of `running` ids. */
function fakeZendesk(running: ReadonlySet<string>) {
  const statuses = new Map<string, Record<string, unknown>>();
  const seen = new Set<string>();
  let calls = 0;
  let runningPolls = 0;
  const server = createServer((req, res) => {
    calls += 1;
    const ids = (new URL(req.url ?? '/', 'http://x').searchParams.get('ids') ?? '').split(',').filter((id) => statuses.has(id));
    for (const id of ids) {
      seen.add(id);
      if (running.has(id)) runningPolls += 1;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ job_statuses: ids.map((id) => statuses.get(id)) }));
  });
  return { server, statuses, seen, counts: () => ({ calls, runningPolls }) };
}

/** Answers 204 to every delivery, noting its latency and whether its job's order held. */
function burstReceiver() {
  const arrivals: { latencyMs: number; at: number }[] = [];
  const finished = new Set<string>();
  let outOfOrder = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const now = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; data: { job: { nativeId: string; checkedAt: string } } };
      const job = body.data.job.nativeId;
      if (body.type === 'job.finished') finished.add(job);
      else if (finished.has(job)) outOfOrder += 1;
      arrivals.push({ latencyMs: now - Date.parse(body.data.job.checkedAt), at: now });
      res.writeHead(204).end();
    });
  });
  return { server, arrivals, outOfOrder: () => outOfOrder };
}

function graphqlAt(url: string) {
  return async (query: string, variables: Record<string, unknown>) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { errors?: unknown };
    if (body.errors) throw new Error(`bench: ${JSON.stringify(body.errors)}`);
    return body;
  };
}

async function scratchPostgres(): Promise<{ url: string; drop(): Promise<void> } | string> {
  const name = `jsg_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`create database ${name}`);
  } catch (error) {
    return `no PostgreSQL at ${POSTGRES_URL} (${(error as Error).message})`;
  } finally {
    await admin.end().catch(() => {});
  }
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

const listen = (server: Server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server: Server) => (server.address() as AddressInfo).port;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(20);
  }
}
