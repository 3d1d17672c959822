/**
 * `npm run bench`: builds the service, runs the scenarios and prints one Markdown table each,
 * headed by the machine, the command and the date (paste it into BENCHMARKS.md).
 *
 *   npm run bench                                   every scenario, full sizes (~6 min)
 *   npm run bench -- --quick                        every scenario, small sizes (< 1 min); or BENCH_QUICK=1
 *   npm run bench -- --scenario query,fanout        some scenarios
 *   npm run bench -- --scenario ratio --rounds 3    fully cached jobs(50 refs) against the floor, 50 connections
 *   npm run bench -- --scenario webhooks --jobs 1000  a burst of finishing jobs delivered to one webhook (PGlite, then PostgreSQL)
 *   npm run bench -- --subscribers 1000,5000 --jobs 200 --window 20 --duration 5 --concurrency 1,10,50 --delay 50
 *   npm run bench -- --scenario fanout --subscribers 10000 --floor false   without the floor row (a bare ws server)
 *   npm run bench -- --env UPSTREAM_CONCURRENCY=32     extra service settings (repeatable)
 *   npm run bench -- --scenario registry --rows 100000 --concurrency 1,50 --duration 3
 *                                                   trackedJobs pages on PGlite and PostgreSQL (BENCH_POSTGRES_URL)
 *   npm run bench -- --scenario registry --databases postgres --cases "no filter" --count false --concurrency 50 --duration 10
 *                                                   one case on one database (e.g. under BENCH_SERVICE_NODE_ARGS=--cpu-prof)
 *   npm run bench -- --scenario tracked --jobs 10000 --window 60   tracking at scale (registry)
 *
 * Everything runs on loopback. Cluster needs Redis on 127.0.0.1:6379 (or BENCH_REDIS_URL); webhooks and
 * registry also measure on PostgreSQL at 127.0.0.1:5432 (or BENCH_POSTGRES_URL) when it answers.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { runClusterBench } from './cluster.js';
import { runFanoutBench } from './fanout.js';
import { runQueryBench } from './query.js';
import { runRatioBench } from './ratio.js';
import { runRegistryBench } from './registry.js';
import { runTrackedBench } from './tracked.js';
import { renderTable, type Table } from './stats.js';
import { runWebhooksBench } from './webhooks.js';

const SCENARIOS = ['query', 'ratio', 'fanout', 'cluster', 'webhooks', 'registry', 'tracked'] as const;
type Scenario = (typeof SCENARIOS)[number];

/** No run may take longer than this, whatever hangs. */
const WATCHDOG_MS = 20 * 60_000;

const { values } = parseArgs({
  options: {
    scenario: { type: 'string' },
    quick: { type: 'boolean', default: process.env.BENCH_QUICK === '1' },
    delay: { type: 'string' },
    concurrency: { type: 'string' },
    duration: { type: 'string' },
    subscribers: { type: 'string' },
    jobs: { type: 'string' },
    window: { type: 'string' },
    rounds: { type: 'string' },
    rows: { type: 'string' },
    databases: { type: 'string' },
    cases: { type: 'string' },
    count: { type: 'string' },
    floor: { type: 'string' },
    env: { type: 'string', multiple: true },
  },
});

const quick = values.quick ?? false;
const list = (text: string | undefined, fallback: number[]) => (text ? text.split(',').map(Number) : fallback);
const scenarios = (values.scenario ? values.scenario.split(',') : [...SCENARIOS]) as Scenario[];
for (const scenario of scenarios) if (!SCENARIOS.includes(scenario)) throw new Error(`unknown scenario "${scenario}"; one of ${SCENARIOS.join(', ')}`);

const delayMs = Number(values.delay ?? 50);
const subscribers = list(values.subscribers, quick ? [500] : [1000, 5000, 10_000]);
const jobs = Number(values.jobs ?? 200);
const windowSec = Number(values.window ?? (quick ? 4 : 20));
/** Extra environment for every service instance, e.g. to see what a setting changes. */
const serviceEnv = Object.fromEntries(
  (values.env ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--env wants NAME=VALUE, got "${pair}"`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);

const watchdog = setTimeout(() => {
  process.stderr.write(`bench: still running after ${WATCHDOG_MS / 60_000} min; giving up\n`);
  process.exit(2);
}, WATCHDOG_MS);
watchdog.unref();
process.on('SIGINT', () => process.exit(130));

const started = new Date();
process.stdout.write('Building the service (tsc -p tsconfig.build.json)…\n');
try {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
} catch {
  // tsc still emits; a type error elsewhere need not stop a measurement, but it must be seen.
  process.stderr.write('bench: WARNING: the build reported type errors (above); measuring the emitted JavaScript anyway\n');
}

print(machine());
print(`Load average at the start (1, 5, 15 min): ${loadAverage()}\n`);
print(`Command: \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`${quick ? ' (quick sizes)' : ''}  \nDate: ${started.toISOString()}\n`);

for (const scenario of scenarios) {
  const begun = Date.now();
  process.stderr.write(`bench: ${scenario}…\n`);
  const tables: Table[] = [];
  if (scenario === 'query') {
    tables.push(
      await runQueryBench({
        concurrencies: list(values.concurrency, quick ? [10] : [1, 10, 50, 100]),
        coldConcurrencies: quick ? [10] : [1, 10],
        durationSec: Number(values.duration ?? (quick ? 2 : 5)),
        delayMs,
        refsPerQuery: 50,
        env: serviceEnv,
      }),
    );
  } else if (scenario === 'ratio') {
    tables.push(
      await runRatioBench({
        concurrency: Number(values.concurrency ?? 50),
        durationSec: Number(values.duration ?? (quick ? 2 : 5)),
        rounds: Number(values.rounds ?? (quick ? 1 : 3)),
        delayMs,
        refsPerQuery: 50,
        env: serviceEnv,
      }),
    );
  } else if (scenario === 'fanout') {
    tables.push(await runFanoutBench({
        subscribers,
        jobs,
        windowSec,
        delayMs,
        env: serviceEnv,
        floor: values.floor !== 'false',
        // Unless sizes were chosen by hand: the same load with more upstream concurrency, which
        // shows how much of the latency is the per-account limit (BENCHMARKS.md).
        variants: quick || values.subscribers ? [] : [{ subscribers: 1000, env: { UPSTREAM_CONCURRENCY: '64' } }],
      }));
  } else if (scenario === 'webhooks') {
    tables.push(await runWebhooksBench({ jobs: Number(values.jobs ?? (quick ? 200 : 1000)), env: serviceEnv }));
  } else if (scenario === 'registry') {
    tables.push(
      ...(await runRegistryBench({
        rows: Number(values.rows ?? (quick ? 20_000 : 100_000)),
        concurrencies: list(values.concurrency, quick ? [1, 50] : [1, 50]),
        durationSec: Number(values.duration ?? (quick ? 1 : 3)),
        directRepeat: quick ? 5 : 20,
        databases: values.databases ? (values.databases.split(',') as ('pglite' | 'postgres')[]) : undefined,
        cases: values.cases ? values.cases.split(',') : undefined,
        counts: values.count ? values.count.split(',').map((value) => value === 'true') : undefined,
        postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
        env: serviceEnv,
      })),
    );
  } else if (scenario === 'tracked') {
    tables.push(
      await runTrackedBench({
        jobs: Number(values.jobs ?? (quick ? 1000 : 10_000)),
        finished: quick ? 9000 : 90_000,
        windowSec: Number(values.window ?? (quick ? 20 : 60)),
        intervalMs: 10_000,
        changeEveryMs: 20_000,
        // 8 calls in flight per account (the default) must carry a third of 10 000 jobs per interval.
        delayMs: values.delay ? delayMs : 20,
        env: serviceEnv,
      }),
    );
  } else {
    tables.push(await runClusterBench({ subscribers: list(values.subscribers, quick ? [500] : [5000]), jobs, windowSec, delayMs, env: serviceEnv }));
  }
  for (const table of tables) print(renderTable(table));
  process.stderr.write(`bench: ${scenario} took ${Math.round((Date.now() - begun) / 1000)} s\n`);
}
print(`Load average at the end (1, 5, 15 min): ${loadAverage()}; the run took ${Math.round((Date.now() - started.getTime()) / 1000)} s.`);
process.exit(0);

/** Other work on the machine skews every figure; the run says how busy it was. */
function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ');
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function machine(): string {
  const model = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const free = (() => {
    try {
      return execFileSync('free', ['-h'], { encoding: 'utf8' }).trimEnd();
    } catch {
      return `${Math.round(totalmem() / 2 ** 30)} GiB total`;
    }
  })();
  const limit = (() => {
    try {
      return execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  })();
  return [
    '## Machine',
    '',
    `- CPU: ${model}, nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()}`,
    `- Node ${process.version}, open-file limit (ulimit -n) ${limit}`,
    '- Memory (`free -h`):',
    '',
    '```',
    free,
    '```',
    '',
  ].join('\n');
}
