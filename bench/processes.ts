/**
 * The processes a scenario runs: the upstream simulator (forked, IPC), the service itself (the
 * built `dist/src/main.js`, exactly what `npm start` runs, in a clean environment) and readings of
 * a process's CPU time and memory from `/proc`.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { BenchUpstreamOptions, UpstreamCounts } from './upstream.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every child a scenario starts (see `track`); none may outlive the benchmark, whatever way it ends. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/**
 * How long a child may take to come up before the run is abandoned: generous, since on a shared
 * machine (load average 20) the embedded database's start alone took 70 s.
 */
const START_TIMEOUT_MS = 300_000;

export interface ChildUpstream {
  readonly url: string;
  counts(): Promise<UpstreamCounts>;
  answers(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** Starts the upstream simulator in its own process; resolves once it listens. */
export async function forkUpstream(options: BenchUpstreamOptions): Promise<ChildUpstream> {
  const child = await forkServer('./upstream-process.ts', { BENCH_UPSTREAM_OPTIONS: JSON.stringify(options) }, 'upstream simulator');
  return {
    url: child.url,
    counts: () => child.ask<UpstreamCounts>('counts'),
    answers: () => child.ask<Record<string, number>>('answers'),
    close: child.close,
  };
}

/** A bench server in a child process: its URL, its pid, questions over IPC, and its end. */
export interface ForkedServer {
  readonly url: string;
  readonly pid: number;
  /** Sends `{id, type}` and resolves with the `result` of the child's `{type: 'answer', id}`. */
  ask<T>(type: string): Promise<T>;
  /** Closes the IPC channel, which ends the child. */
  close(): Promise<void>;
}

/**
 * Forks `script` (relative to this directory) with only `env` (plus PATH), and resolves once it
 * sends `{type: 'ready', url}`.
 */
export async function forkServer(script: string, env: Record<string, string>, what: string): Promise<ForkedServer> {
  // fork() passes on this process's loader flags (tsx), so the child may be TypeScript too.
  const child = track(
    fork(fileURLToPath(new URL(script, import.meta.url)), {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start`)), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
    child.once('message', (message: { type: string; url: string }) => {
      clearTimeout(timer);
      resolve(message.url);
    });
  });
  let nextId = 0;
  const ask = <T>(type: string) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      const onMessage = (message: { type: string; id: number; result: T }) => {
        if (message.type !== 'answer' || message.id !== id) return;
        child.off('message', onMessage);
        resolve(message.result);
      };
      child.on('message', onMessage);
      child.send({ id, type });
    });
  return { url, pid: child.pid!, ask, close: () => stopChild(child, () => child.disconnect()) };
}

/** The provider accounts `default`, pointed at the simulator's prefixes. */
export function providerEnv(upstreamUrl: string): Record<string, string> {
  return {
    IMAGEKIT_PRIVATE_KEY: 'private_bench',
    IMAGEKIT_BASE_URL: `${upstreamUrl}/ik`,
    SAYMON_BASE_URL: `${upstreamUrl}/saymon`,
    SAYMON_LOGIN: 'bench',
    SAYMON_PASSWORD: 'bench',
    ZENDESK_BASE_URL: `${upstreamUrl}/zd`,
    ZENDESK_EMAIL: 'bench@example.com',
    ZENDESK_API_TOKEN: 'bench',
  };
}

export interface ServiceProcess {
  /** `http://127.0.0.1:<port>/graphql` */
  readonly url: string;
  readonly pid: number;
  usage(): ProcessUsage;
  stop(): Promise<void>;
}

/**
 * Starts `node dist/src/main.js` with only `env` (plus PATH) on a free loopback port and waits for
 * `/health`. Run `npm run build` (bench/run.ts does) before. `BENCH_SERVICE_NODE_ARGS` adds Node
 * flags (space-separated) for profiling, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
 */
export async function startService(env: Record<string, string>, { startTimeoutMs = START_TIMEOUT_MS }: { startTimeoutMs?: number } = {}): Promise<ServiceProcess> {
  const port = await freePort();
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = track(
    spawn(process.execPath, [...nodeArgs, 'dist/src/main.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', SANDBOX: '0', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exited !== undefined) throw new Error(`service exited with ${exited} during start: ${stderr}`);
    const healthy = await fetch(`${origin}/health`).then((r) => r.ok, () => false);
    if (healthy) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`service did not answer /health within ${startTimeoutMs} ms: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `${origin}/graphql`,
    pid: child.pid!,
    usage: () => processUsage(child.pid!),
    stop: () => stopChild(child, () => child.kill('SIGTERM')),
  };
}

export interface ProcessUsage {
  /** User + system CPU time so far. */
  readonly cpuSeconds: number;
  readonly rssBytes: number;
  /** The largest RSS the process has had. */
  readonly peakRssBytes: number;
}

/** Linux clock ticks per second (`getconf CLK_TCK`), 100 on every mainstream kernel. */
const CLOCK_TICKS = 100;

export function processUsage(pid: number): ProcessUsage {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces); utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 'NaN') * 1024;
  return { cpuSeconds: ticks / CLOCK_TICKS, rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
}

/** Asks a child to stop, and kills it if it has not within ten seconds. */
function stopChild(child: ChildProcess, ask: () => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    ask();
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}
