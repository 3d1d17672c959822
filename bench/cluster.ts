/**
 * Scenario 3, cluster: the fan-out benchmark across two instances sharing one Redis
 * (`REDIS_URL`, a `REDIS_PREFIX` of its own per run), every job watched on both, beside one
 * instance with the same load in the same run. Polls are leased cluster-wide, so upstream
 * requests per second must not double.
 */
import { existsSync } from 'node:fs';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type FanoutResult, fanoutTable, runFanout } from './fanout.js';
import { fmt, type Table } from './stats.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function runClusterBench(options: {
  subscribers: readonly number[];
  jobs: number;
  windowSec: number;
  delayMs: number;
  env?: Record<string, string>;
}): Promise<Table> {
  const title = `Cluster: fan-out over ${options.jobs} jobs, one instance vs two sharing Redis, ${options.windowSec} s window`;
  const unavailable = await whyUnavailable();
  if (unavailable) {
    return { title, columns: ['result'], rows: [[`skipped: ${unavailable}`]] };
  }
  // With the default per-account limit one instance cannot poll every watched job once a second
  // (BENCHMARKS.md, note N1), so two instances would look "worse" merely by catching up. With room
  // to spare upstream, one instance reaches the minimum and the comparison shows sharing alone.
  const env = { UPSTREAM_CONCURRENCY: '64', ...options.env };
  const results: FanoutResult[] = [];
  const verdicts: string[] = [];
  for (const subscribers of options.subscribers) {
    const cluster = (instances: number) => {
      process.stderr.write(`bench: cluster, ${subscribers} subscribers on ${instances} instance(s)…\n`);
      const prefix = `jsg-bench:${process.pid}:${Date.now()}:`;
      return runFanout({ ...options, subscribers, instances, env: { ...env, REDIS_URL, REDIS_PREFIX: prefix, WEBHOOK_SECRET_KEY: 'one key for the bench cluster' } });
    };
    const one = await cluster(1);
    const two = await cluster(2);
    results.push(one, two);
    const ratio = two.upstreamPerSecond / one.upstreamPerSecond;
    // Unshared polling would send one request per watched job per interval from each instance.
    const shared = two.upstreamPerSecond < 1.5 * Math.max(one.upstreamPerSecond, two.minimumPerSecond);
    verdicts.push(
      `S=${fmt(subscribers)}: two instances sent ${fmt(two.upstreamPerSecond, 1)} upstream req/s, ${fmt(ratio, 2)}× one instance and ` +
        `${fmt(two.upstreamPerSecond / two.minimumPerSecond, 2)}× the minimum: ${shared ? 'not doubled, polls are shared' : 'DOUBLED, polls are not shared across instances'}.`,
    );
  }
  const table = fanoutTable(title, results);
  return { ...table, notes: [...verdicts, ...(table.notes ?? [])] };
}

/** Null when cluster mode can run here; else why not. */
async function whyUnavailable(): Promise<string | null> {
  if (!existsSync(fileURLToPath(new URL('../dist/src/cluster', import.meta.url)))) return 'cluster mode unavailable (no src/cluster in this build)';
  const url = new URL(REDIS_URL);
  const answered = await new Promise<boolean>((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString('utf8').startsWith('+PONG')));
    socket.connect(Number(url.port || 6379), url.hostname, () => socket.write('PING\r\n'));
  });
  return answered ? null : `Redis not reachable at ${REDIS_URL}`;
}
