/**
 * Webhooks under a burst: 1 000 tracked jobs finish within one second, one webhook subscribed to
 * `JOB_CHANGED` and `JOB_FINISHED` (2 000 deliveries), a loopback receiver. Reports the time from
 * the poll that saw each change (`data.job.checkedAt`) to its arrival (p50/p99), the outbox's
 * throughput, and the poller's rate over 200 other jobs that keep running, before and while
 * the dispatcher works (it must not drop).
 *
 *   npx tsx bench/webhooks.ts                 embedded PGlite in memory
 *   npx tsx bench/webhooks.ts --postgres      a scratch database on BENCH_POSTGRES_URL
 *
 * Prints one Markdown table.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { silentLogger } from '../src/logger.js';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '1000' }, postgres: { type: 'boolean', default: false } } });
const JOBS = Number(values.jobs);
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const statuses = new Map<string, Record<string, unknown>>();
const zendeskJob = (id: string, status: string) => ({ id, url: `http://zendesk.invalid/${id}.json`, status, total: 10, progress: status === 'completed' ? 10 : 5, message: null, results: null });

// Fake Zendesk: show_many answers from `statuses`.
const upstream = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const ids = (url.searchParams.get('ids') ?? '').split(',').filter((id) => statuses.has(id));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ job_statuses: ids.map((id) => statuses.get(id)) }));
});
await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));

const arrivals: { type: string; latencyMs: number; at: number }[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const now = Date.now();
    arrivals.push({ type: body.type, latencyMs: now - Date.parse(body.data.job.checkedAt), at: now });
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));

let databaseUrl = 'memory:';
let drop: (() => Promise<void>) | null = null;
if (values.postgres) {
  const name = `jsg_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const scratch = new URL(POSTGRES_URL);
  scratch.pathname = `/${name}`;
  databaseUrl = scratch.toString();
  drop = async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`drop database if exists ${name} with (force)`);
    await client.end();
  };
}

const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
const config = loadConfig({
  PORT: '0',
  LOG_LEVEL: 'silent',
  ZENDESK_BASE_URL: upstreamUrl,
  ZENDESK_EMAIL: 'bench@example.com',
  ZENDESK_API_TOKEN: 'bench-token',
  DATABASE_URL: databaseUrl,
  POLL_INTERVAL_MS: '1000',
  POLL_MAX_INTERVAL_MS: '1000',
  CACHE_TTL_MS: '1',
  // Tracking 100 refs is 300 statements in one transaction: slow on a loaded machine.
  REGISTRY_TIMEOUT_MS: '60000',
  WEBHOOK_ALLOW_PRIVATE: '1',
});
const app = await startApp(config, silentLogger);
const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
  const response = await fetch(`${app.server.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data?: any; errors?: unknown };
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

try {
  await graphql('mutation C($url: String!) { createWebhook(input: { url: $url, events: [JOB_CHANGED, JOB_FINISHED] }) { webhook { id } } }', {
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
  });
  const finishing = Array.from({ length: JOBS }, (_, index) => `B-${index}`);
  const running = Array.from({ length: Math.round(JOBS / 5) }, (_, index) => `R-${index}`);
  for (const id of [...finishing, ...running]) statuses.set(id, zendeskJob(id, 'working'));
  const all = [...finishing, ...running];
  for (let from = 0; from < all.length; from += 100) {
    const refs = all.slice(from, from + 100).map((id) => ({ kind: 'ZENDESK_JOB_STATUS', id }));
    const tracked = await graphql('mutation T($refs: [JobRef!]!) { trackJobs(refs: $refs) { __typename } }', { refs });
    if (tracked.errors) throw new Error(JSON.stringify(tracked.errors));
  }
  const poller = app.server.jobs.poller;
  // Settle, then the poller's rate before.
  await sleep(3000);
  let polls = poller.pollCount;
  await sleep(3000);
  const rateBefore = (poller.pollCount - polls) / 3;

  // Finish the jobs within one second (in 10 slices of 100 ms).
  const started = Date.now();
  for (let slice = 0; slice < 10; slice += 1) {
    for (const id of finishing.slice((slice * JOBS) / 10, ((slice + 1) * JOBS) / 10)) statuses.set(id, zendeskJob(id, 'completed'));
    await sleep(100);
  }
  polls = poller.pollCount;
  const pollsFrom = Date.now();
  const expected = 2 * JOBS;
  while (arrivals.length < expected && Date.now() - started < 600_000) await sleep(20);
  const rateDuring = (poller.pollCount - polls) / ((Date.now() - pollsFrom) / 1000);
  if (arrivals.length < expected) throw new Error(`only ${arrivals.length} of ${expected} deliveries arrived`);

  const latencies = arrivals.map((arrival) => arrival.latencyMs).sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  const first = Math.min(...arrivals.map((arrival) => arrival.at));
  const last = Math.max(...arrivals.map((arrival) => arrival.at));
  const throughput = arrivals.length / Math.max(0.001, (last - first) / 1000);
  console.log(`| database | deliveries | poll → delivery p50 | p99 | max | outbox throughput | poller polls/s before | while dispatching |`);
  console.log(`|---|---|---|---|---|---|---|---|`);
  console.log(
    `| ${values.postgres ? 'PostgreSQL' : 'PGlite (memory)'} | ${arrivals.length} | ${pct(50)} ms | ${pct(99)} ms | ${latencies[latencies.length - 1]} ms | ${throughput.toFixed(0)}/s | ${rateBefore.toFixed(0)} | ${rateDuring.toFixed(0)} |`,
  );
} finally {
  await app.close();
  upstream.close();
  receiver.close();
  await drop?.();
}
