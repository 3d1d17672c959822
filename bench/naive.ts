/**
 * The naive way, as a frontend does it today: to show N jobs, one direct GET per job at its
 * provider, all at once, then wait for the last answer. No batching, no cache, no sharing between
 * users. Driven in a closed loop with the same shape as autocannon's (`concurrency` users, each
 * starting its next "query" when the previous one finished) so the two rows compare.
 *
 * The driver is generous to the naive way: unlimited keep-alive sockets (a browser allows six per
 * host over HTTP/1.1) and no authentication round trips.
 */
import { Agent, request } from 'node:http';
import { type BenchRef, directPath } from './operations.js';
import { percentile, wallNow } from './stats.js';

export interface NaiveRun {
  /** Queries (all GETs of one page) completed within the run. */
  readonly queries: number;
  /** Queries completed per second. */
  readonly queriesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Queries with any GET that failed or answered non-2xx. */
  readonly errors: number;
}

export async function runNaive(options: { upstreamUrl: string; refs: readonly BenchRef[]; concurrency: number; durationMs: number }): Promise<NaiveRun> {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const base = new URL(options.upstreamUrl);
  const latencies: number[] = [];
  let errors = 0;
  const started = wallNow();
  const deadline = started + options.durationMs;

  const get = (path: string) =>
    new Promise<boolean>((resolve) => {
      const req = request({ host: base.hostname, port: base.port, path, agent, headers: { accept: 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            JSON.parse(Buffer.concat(chunks).toString('utf8'));
            resolve((res.statusCode ?? 500) < 300);
          } catch {
            resolve(false);
          }
        });
        res.on('error', () => resolve(false));
      });
      req.setTimeout(10_000, () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    });

  async function user(): Promise<void> {
    while (wallNow() < deadline) {
      const begun = wallNow();
      const answers = await Promise.all(options.refs.map((ref) => get(directPath(ref))));
      latencies.push(wallNow() - begun);
      if (answers.some((ok) => !ok)) errors += 1;
    }
  }

  await Promise.all(Array.from({ length: options.concurrency }, user));
  const elapsedSec = (wallNow() - started) / 1000;
  agent.destroy();
  return {
    queries: latencies.length,
    queriesPerSecond: latencies.length / elapsedSec,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
  };
}
