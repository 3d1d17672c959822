/**
 * Tracking at scale (`npm run bench -- --scenario tracked`): the built service with 10 000
 * tracked, unfinished jobs (ImageKit, SAYMON, Zendesk) and nobody watching, against the bench
 * upstream (`upstream.ts`: ImageKit and SAYMON jobs never change, each Zendesk job's progress
 * moves every `changeEveryMs`), with the embedded database on disk (the zero-config default).
 *
 * Over a window it measures upstream calls against the minimum (one per per-id job per interval;
 * Zendesk one `show_many` per 100 ids) and against the same jobs merely watched through
 * `jobUpdates` subscriptions (part 1, no registry); history entries written per observed change,
 * counted from the database afterwards (observed: the distinct Zendesk progress values the
 * upstream first sent in the window); registry errors (`/metrics`); event-loop delay; CPU; RSS.
 * Then it stops the service, adds 90 000 finished jobs straight into the database (tracking them
 * through the API would be upstream calls and minutes for nothing measured here), restarts it on
 * the same data and reads its RSS with 100 000 tracked jobs.
 *
 * The poll interval is fixed (`POLL_INTERVAL_MS` = `POLL_MAX_INTERVAL_MS`) so that the minimum is
 * a number, not a curve.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import WebSocket from 'ws';
import { openDatabase } from '../src/registry/database.js';
import { forkUpstream, providerEnv, type ServiceProcess, startService } from './processes.js';
import { fmt, settings, type Table } from './stats.js';

export interface TrackedBenchOptions {
  /** Tracked unfinished jobs (a third each of ImageKit bulk jobs, SAYMON bulk ops, Zendesk job statuses). */
  readonly jobs: number;
  /** Finished jobs added for the memory reading (straight into the database). */
  readonly finished: number;
  readonly windowSec: number;
  readonly intervalMs: number;
  /** Each Zendesk job's progress moves this often. */
  readonly changeEveryMs: number;
  readonly delayMs: number;
  readonly env: Record<string, string>;
}

type Ref = { kind: string; id: string };

const MB = 2 ** 20;

function refsOf(jobs: number): { refs: Ref[]; perId: number; zendesk: number } {
  const refs: Ref[] = [];
  for (let index = 0; index < jobs; index++) {
    const kind = ['IMAGEKIT_BULK_JOB', 'SAYMON_BULK_OP', 'ZENDESK_JOB_STATUS'][index % 3]!;
    refs.push({ kind, id: `${kind === 'ZENDESK_JOB_STATUS' ? 'zd' : kind === 'SAYMON_BULK_OP' ? 'sy' : 'ik'}-${index}` });
  }
  const zendesk = refs.filter((ref) => ref.kind === 'ZENDESK_JOB_STATUS').length;
  return { refs, perId: refs.length - zendesk, zendesk };
}

async function graphql(service: ServiceProcess, query: string, variables: Record<string, unknown>): Promise<any> {
  const response = await fetch(service.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return body.data;
}

/** `/metrics` values by series name (the first sample of each). */
async function metrics(service: ServiceProcess): Promise<Map<string, number>> {
  const text = await (await fetch(service.url.replace('/graphql', '/metrics'))).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match && !values.has(match[1]!)) values.set(match[1]!, Number(match[3]));
  }
  return values;
}

/** A progress line on stderr (the tables go to stdout at the end): a long run shows where it is. */
const progress = (line: string) => void process.stderr.write(`bench tracked: ${line}\n`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench tracked: gave up waiting for ${what}`);
    await sleep(500);
  }
}

/**
 * Refs per baseline `jobUpdates` subscription. Not 500 (the most one accepts): every event of a
 * subscription is executed with its variables coerced again (`src/http/shared-event-execution.ts`
 * through `@graphql-tools/executor`), so an event of a 500-ref subscription costs milliseconds, and
 * 10 000 refs in 500s kept the part-1 service saturated for more than six minutes before the
 * window (profiled: `coerceInputValue` and `snapshotInputValue` a third of its CPU). The upstream
 * calls do not depend on how the refs are split.
 */
const REFS_PER_SUBSCRIPTION = 100;

/** `jobUpdates` subscriptions of REFS_PER_SUBSCRIPTION refs each over raw graphql-transport-ws sockets; answers a closer. */
async function watchThroughSubscriptions(service: ServiceProcess, refs: readonly Ref[]): Promise<{ events: () => number; close: () => void }> {
  let events = 0;
  const sockets: WebSocket[] = [];
  const query = 'subscription W($refs: [JobRef!]!) { jobUpdates(refs: $refs) { at } }';
  for (let from = 0; from < refs.length; from += REFS_PER_SUBSCRIPTION) {
    const socket = new WebSocket(service.url.replace('http', 'ws'), 'graphql-transport-ws');
    sockets.push(socket);
    // Opened one after another, each once its first answers came (the initial load of its refs):
    // a saturated service must not fail the run on graphql-ws' init timeout.
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('close', (code) => reject(new Error(`bench tracked: subscription socket closed (${code})`)));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string };
        if (message.type === 'connection_ack') {
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables: { refs: refs.slice(from, from + REFS_PER_SUBSCRIPTION) } } }));
        } else if (message.type === 'next') {
          events += 1;
          resolve();
        }
      });
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    });
  }
  return { events: () => events, close: () => sockets.forEach((socket) => (socket.removeAllListeners('close'), socket.close())) };
}

interface Window {
  readonly calls: number;
  readonly cpuShare: number;
  readonly rssMb: number;
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
  readonly startedAt: number;
  readonly endedAt: number;
  /** Upstream calls in each interval of the window, in order. */
  readonly perInterval: number[];
}

/** Lets the service settle for one interval, then measures over `windowSec`. */
async function measureWindow(service: ServiceProcess, upstream: { counts(): Promise<{ total: number }> }, options: TrackedBenchOptions): Promise<Window> {
  await sleep(options.intervalMs * 1.5);
  await metrics(service); // a scrape resets the event-loop histogram
  const before = await upstream.counts();
  const usage = service.usage();
  const startedAt = Date.now();
  const perInterval: number[] = [];
  let last = before.total;
  for (let elapsed = 0; elapsed < options.windowSec * 1000; elapsed += options.intervalMs) {
    await sleep(Math.min(options.intervalMs, options.windowSec * 1000 - elapsed));
    const { total } = await upstream.counts();
    perInterval.push(total - last);
    last = total;
  }
  const after = await upstream.counts();
  const usageAfter = service.usage();
  const endedAt = Date.now();
  const values = await metrics(service);
  return {
    calls: after.total - before.total,
    cpuShare: (usageAfter.cpuSeconds - usage.cpuSeconds) / ((endedAt - startedAt) / 1000),
    rssMb: usageAfter.rssBytes / MB,
    loopP99Ms: (values.get('nodejs_eventloop_lag_p99_seconds') ?? NaN) * 1000,
    loopMaxMs: (values.get('nodejs_eventloop_lag_max_seconds') ?? NaN) * 1000,
    startedAt,
    endedAt,
    perInterval,
  };
}

export async function runTrackedBench(options: TrackedBenchOptions): Promise<Table> {
  const { refs, perId, zendesk } = refsOf(options.jobs);
  const minimumPerInterval = perId + Math.ceil(zendesk / 100);
  const intervals = (options.windowSec * 1000) / options.intervalMs;
  const minimum = minimumPerInterval * intervals;
  const upstream = await forkUpstream({ delayMs: options.delayMs, changeEveryMs: options.changeEveryMs, epochMs: Date.now(), recordAnswers: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'jsg-bench-tracked-'));
  const baseEnv = {
    ...providerEnv(upstream.url),
    POLL_INTERVAL_MS: String(options.intervalMs),
    POLL_MAX_INTERVAL_MS: String(options.intervalMs),
    // Tracking 500 refs asks the upstream for their first answers (hundreds of calls): slow on a loaded machine.
    REGISTRY_TIMEOUT_MS: '120000',
    ...options.env,
  };
  const rows: string[][] = [];
  const notes: string[] = [];
  try {
    // Part 1 baseline: the same jobs watched through subscriptions, nothing tracked.
    const watching = await startService({ ...baseEnv, DATABASE_URL: 'memory:' });
    try {
      const opened = Date.now();
      const subscriptions = await watchThroughSubscriptions(watching, refs);
      progress(`baseline: ${fmt(refs.length)} refs watched in ${fmt((Date.now() - opened) / 1000, 1)} s; measuring ${options.windowSec} s`);
      const window = await measureWindow(watching, upstream, options);
      rows.push([
        `${fmt(options.jobs)} watched (jobUpdates)`,
        fmt(window.calls / intervals),
        fmt(minimumPerInterval),
        fmt(window.calls / minimum, 2),
        '—',
        '—',
        '—',
        fmt(window.loopP99Ms, 1),
        fmt(window.loopMaxMs, 1),
        fmt(window.cpuShare * 100),
        fmt(window.rssMb),
      ]);
      subscriptions.close();
    } finally {
      await watching.stop();
    }

    // Tracked, nobody watching, on the embedded database on disk.
    const env = { ...baseEnv, DATA_DIR: dataDir };
    let service = await startService(env);
    let window: Window;
    let errors: number;
    const trackStarted = Date.now();
    try {
      for (let from = 0; from < refs.length; from += 500) {
        const chunkStarted = Date.now();
        await graphql(service, 'mutation T($refs: [JobRef!]!) { trackJobs(refs: $refs, labels: ["bench"]) { __typename } }', { refs: refs.slice(from, from + 500) });
        progress(`tracked ${fmt(Math.min(from + 500, refs.length))} of ${fmt(refs.length)} (this chunk ${fmt((Date.now() - chunkStarted) / 1000, 1)} s)`);
      }
      notes.push(`Tracking ${fmt(options.jobs)} jobs through \`trackJobs\` (chunks of 500) took ${fmt((Date.now() - trackStarted) / 1000, 1)} s.`);
      window = await measureWindow(service, upstream, options);
      errors = (await metrics(service)).get('jsg_registry_errors_total') ?? NaN;
    } finally {
      await service.stop();
    }

    // Count from the database: history entries written in the window, repeats, observed changes.
    const database = await openDatabase({ dataDir });
    let written: number;
    let repeats: number;
    try {
      const from = new Date(window.startedAt);
      const to = new Date(window.endedAt);
      written = Number((await sql<{ n: number }>`select count(*)::int as n from job_history where at >= ${from} and at < ${to}`.execute(database.db)).rows[0]!.n);
      repeats = Number(
        (await sql<{ n: number }>`select count(*)::int as n from (select job_id, signature from job_history group by 1, 2 having count(*) > 1) as twice`.execute(database.db)).rows[0]!.n,
      );
      // Finished jobs for the memory reading, straight into the database.
      await sql`insert into tracked_jobs (provider, kind, account, native_id, tracked_at, changed_at, labels, state, raw_status, done, final, final_at, finished_at, checked_at)
        select 'ZENDESK', 'ZENDESK_JOB_STATUS', 'default', 'done-' || n, now() - interval '1 day', now() - interval '1 day', array['bench'], 'COMPLETED', 'completed', true, true, now(), now(), now()
        from generate_series(1, ${options.finished}) as n`.execute(database.db);
    } finally {
      await database.close();
    }
    const answers = await upstream.answers();
    let observed = 0;
    for (const sentAt of Object.values(answers)) if (sentAt >= window.startedAt && sentAt < window.endedAt) observed += 1;
    rows.push([
      `${fmt(options.jobs)} tracked, none watched`,
      fmt(window.calls / intervals),
      fmt(minimumPerInterval),
      fmt(window.calls / minimum, 2),
      `${fmt(written)} / ${fmt(observed)}`,
      fmt(repeats),
      fmt(errors),
      fmt(window.loopP99Ms, 1),
      fmt(window.loopMaxMs, 1),
      fmt(window.cpuShare * 100),
      fmt(window.rssMb),
    ]);

    // The same, restarted with 90 % more finished jobs in the database.
    progress(`tracked window measured; restarting with ${fmt(options.finished)} finished jobs added`);
    service = await startService(env);
    try {
      await waitUntil('the tracker to resume', async () => (await metrics(service)).get('jsg_registry_tracked_unfinished_jobs') === options.jobs, 120_000);
      const big = await measureWindow(service, upstream, options);
      const bigIntervals = intervals;
      notes.push(`Restarted row, upstream calls in each ${options.intervalMs / 1000} s of its window: ${big.perInterval.map((calls) => fmt(calls)).join(', ')} (a round that ran late, as on a saturated machine right after a start, is followed by the next one an interval after it was due, so sooner: two rounds can fall in one interval; \`test/jobs/poller.test.ts\`).`);
      const bigErrors = (await metrics(service)).get('jsg_registry_errors_total') ?? NaN;
      rows.push([
        `${fmt(options.jobs + options.finished)} tracked (${fmt(options.finished)} finished), restarted`,
        fmt(big.calls / bigIntervals),
        fmt(minimumPerInterval),
        fmt(big.calls / (minimumPerInterval * bigIntervals), 2),
        '—',
        '—',
        fmt(bigErrors),
        fmt(big.loopP99Ms, 1),
        fmt(big.loopMaxMs, 1),
        fmt(big.cpuShare * 100),
        fmt(big.rssMb),
      ]);
    } finally {
      await service.stop();
    }
  } finally {
    await upstream.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  notes.push(
    `Upstream calls per interval: measured over ${options.windowSec} s at a fixed ${options.intervalMs} ms interval; minimum = one call per ImageKit/SAYMON job + one \`show_many\` per 100 Zendesk jobs.`,
    'History written / observed: entries the database holds for the window / distinct Zendesk progress values the upstream first sent in it (ImageKit and SAYMON jobs never change here). Below 1: progress ticks coalesced while writes waited (state changes are never dropped); above 1 would be a change written twice. Repeats: (job, signature) pairs written more than once, whole run.',
    'Registry errors: `jsg_registry_errors_total` at the end. Event-loop delay: prom-client\'s p99 and max over the window. CPU: the service process, % of one core.',
  );
  return {
    title: `Registry: ${fmt(options.jobs)} tracked jobs, nobody watching (embedded PGlite on disk, upstream delay ${options.delayMs} ms, Zendesk progress every ${options.changeEveryMs / 1000} s${settings(options.env)})`,
    columns: ['case', 'upstream calls / interval', 'minimum', '× minimum', 'history written / observed', 'repeats', 'registry errors', 'loop p99 ms', 'loop max ms', 'CPU %', 'RSS MB'],
    rows,
    notes,
  };
}
