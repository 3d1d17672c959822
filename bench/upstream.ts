/**
 * The benchmarks' upstream: one loopback HTTP server answering the ImageKit (`/ik`), SAYMON
 * (`/saymon`) and Zendesk (`/zd`) wire formats after a fixed added latency, counting every request.
 *
 * Unlike the sandbox it simulates no life cycle: every job runs forever, so that figures do not
 * depend on when a job happens to finish. ImageKit and SAYMON say only "still running" while a job
 * runs (`Pending`, `{"finished": false}`), so those jobs never change; a Zendesk job's `progress`
 * advances by one every `changeEveryMs`, each job at its own phase (see `changeTimeOf`), which is
 * what the fan-out benchmark measures delivery against. Credentials are not checked.
 *
 * Run as a child process (`bench/upstream-process.ts`) so that its work does not share a CPU
 * thread with the load generator.
 */
import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { wallNow } from './stats.js';

export interface BenchUpstreamOptions {
  /** Added to every answer, in milliseconds. */
  readonly delayMs: number;
  /** Zendesk progress advances this often. */
  readonly changeEveryMs: number;
  /** Wall-clock origin of every job's progress (ms since the epoch, fractional). */
  readonly epochMs: number;
  /** Remember when each Zendesk (job, progress) pair was first answered, for the fan-out benchmark. */
  readonly recordAnswers: boolean;
}

export interface UpstreamCounts {
  readonly imagekit: number;
  readonly saymon: number;
  readonly zendesk: number;
  readonly total: number;
}

export interface BenchUpstream {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  counts(): UpstreamCounts;
  /** `"<id>@<progress>"` → wall-clock ms at which the first answer saying so was sent. */
  answers(): Record<string, number>;
  close(): Promise<void>;
}

/** Each Zendesk job's progress changes at its own offset within the period, as real jobs would. */
function phaseOf(id: string, changeEveryMs: number): number {
  return (createHash('sha256').update(id).digest().readUInt32BE(0) / 2 ** 32) * changeEveryMs;
}

/** The Zendesk progress of job `id` at wall-clock `atMs`. */
export function progressAt(id: string, atMs: number, options: Pick<BenchUpstreamOptions, 'epochMs' | 'changeEveryMs'>): number {
  return Math.max(0, Math.floor((atMs - options.epochMs - phaseOf(id, options.changeEveryMs)) / options.changeEveryMs));
}

/** When job `id`'s progress became `progress` at the upstream (wall-clock ms). */
export function changeTimeOf(id: string, progress: number, options: Pick<BenchUpstreamOptions, 'epochMs' | 'changeEveryMs'>): number {
  return options.epochMs + phaseOf(id, options.changeEveryMs) + progress * options.changeEveryMs;
}

/** Large enough that no job completes during a run. */
const ZENDESK_TOTAL = 1_000_000;

export async function startBenchUpstream(options: BenchUpstreamOptions): Promise<BenchUpstream> {
  const counts = { imagekit: 0, saymon: 0, zendesk: 0 };
  const answers = new Map<string, number>();

  function zendeskStatus(id: string, atMs: number): { status: Record<string, unknown>; key: string } {
    const progress = progressAt(id, atMs, options);
    return {
      key: `${id}@${progress}`,
      status: { id, url: `http://zendesk.invalid/api/v2/job_statuses/${id}.json`, status: 'working', total: ZENDESK_TOTAL, progress, message: null, results: null, job_type: 'bulk_update' },
    };
  }

  /** Answers after the fixed delay; `sent` runs once the body is written. */
  function reply(res: ServerResponse, status: number, body: unknown, sent?: (atMs: number) => void): void {
    const timer = setTimeout(() => {
      if (res.destroyed) return;
      const payload = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
      res.end(payload);
      sent?.(wallNow());
    }, options.delayMs);
    res.once('close', () => clearTimeout(timer));
  }

  const server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://upstream.invalid');
    const path = url.pathname;
    const arrivedAt = wallNow();
    let match: RegExpExecArray | null;
    if (path.startsWith('/ik/')) {
      counts.imagekit += 1;
      if ((match = /^\/ik\/v1\/bulkJobs\/([^/]+)$/.exec(path))) {
        reply(res, 200, { jobId: decodeURIComponent(match[1]!), type: 'COPY_FOLDER', status: 'Pending' });
      } else if (/^\/ik\/v1\/files\/purge\/[^/]+$/.test(path)) {
        reply(res, 200, { status: 'Pending' });
      } else reply(res, 404, { message: 'Not found' });
    } else if (path.startsWith('/saymon/')) {
      counts.saymon += 1;
      if (/^\/saymon\/node\/api\/bulk\/[^/]+\/status$/.test(path)) reply(res, 200, { finished: false });
      else reply(res, 404, { code: 404, message: 'Not found' });
    } else if (path.startsWith('/zd/')) {
      counts.zendesk += 1;
      if (path === '/zd/api/v2/job_statuses/show_many.json') {
        const ids = (url.searchParams.get('ids') ?? '').split(',').filter(Boolean);
        const statuses = ids.map((id) => zendeskStatus(id, arrivedAt));
        reply(res, 200, { job_statuses: statuses.map((entry) => entry.status) }, (sentAt) => {
          if (options.recordAnswers) for (const { key } of statuses) if (!answers.has(key)) answers.set(key, sentAt);
        });
      } else if ((match = /^\/zd\/api\/v2\/job_statuses\/([^/]+)\.json$/.exec(path))) {
        reply(res, 200, { job_status: zendeskStatus(decodeURIComponent(match[1]!), arrivedAt).status });
      } else reply(res, 404, { error: 'InvalidEndpoint' });
    } else {
      reply(res, 404, { error: 'no such provider prefix' });
    }
  });
  // Many keep-alive clients (the naive way opens thousands of sockets).
  server.maxConnections = 50_000;
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts, total: counts.imagekit + counts.saymon + counts.zendesk }),
    answers: () => Object.fromEntries(answers),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
