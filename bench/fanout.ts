/**
 * Scenario 2, fan-out: S WebSocket subscribers over J jobs, half of them Zendesk jobs whose
 * progress changes every second, half ImageKit/SAYMON jobs that stay running (their running
 * statuses carry nothing that could change). Each subscriber watches one of each, so every
 * subscriber should get about one event per second.
 *
 * Measured over a window once every subscriber has its first events:
 * - delivery latency, upstream change → client receipt (the upstream's progress changes at known
 *   instants, `changeTimeOf`), and the part of it that is ours: upstream answer → client receipt
 *   (the simulator records when it first answered each new progress);
 * - the service's RSS and CPU (from /proc);
 * - upstream requests per second against the minimum for polling every watched job once per
 *   interval (`minimumRequests`), and what the naive way (every subscriber polling its own jobs
 *   every interval) would send.
 *
 * The poller runs with `POLL_INTERVAL_MS` = `POLL_MAX_INTERVAL_MS` = 1000, so every watched job is
 * polled once a second whether it changes or not, and the minimum is exact.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientMessage, ClientPlan, ParentMessage } from './fanout-client.js';
import type { FloorOptions } from './fanout-floor-process.js';
import { type BenchRef, minimumRequests } from './operations.js';
import { type ProcessUsage, forkServer, forkUpstream, processUsage, providerEnv, type ServiceProcess, startService, track } from './processes.js';
import { changeTimeOf } from './upstream.js';
import { fmt, percentile, settings, type Table, wallNow } from './stats.js';

export interface FanoutOptions {
  readonly subscribers: number;
  readonly jobs: number;
  readonly windowSec: number;
  readonly delayMs: number;
  /** Service instances; subscribers are dealt to them in turn (cluster mode needs `env.REDIS_URL`). */
  readonly instances: number;
  readonly env?: Record<string, string>;
  /**
   * Instead of the service and the simulator: the bare `ws` server of `fanout-floor-process.ts`,
   * which sends each change as cheaply as any server could, to the same clients: the machine's floor.
   */
  readonly floor?: boolean;
}

export interface FanoutResult {
  readonly subscribers: number;
  readonly instances: number;
  readonly floor: boolean;
  readonly jobs: number;
  readonly connected: number;
  readonly failed: number;
  readonly firstError: string | null;
  readonly connectSec: number;
  readonly eventsPerSecond: number;
  readonly broken: number;
  readonly changeToReceipt: { readonly p50: number; readonly p99: number; readonly samples: number };
  readonly answerToReceipt: { readonly p50: number; readonly p99: number; readonly samples: number };
  /** Per instance, at the end of the window. */
  readonly rssMb: readonly number[];
  readonly peakRssMb: readonly number[];
  /** Per instance, percent of one core over the window. */
  readonly cpuPercent: readonly number[];
  readonly upstreamPerSecond: number;
  readonly minimumPerSecond: number;
  readonly naivePerSecond: number;
  /** Settings given beyond the defaults and the poll interval. */
  readonly settings: Record<string, string>;
}

const INTERVAL_MS = 1000;
/** Subscribers per client process. */
const PER_CLIENT = 2500;
/** Sockets each client process opens at once. */
const PARALLEL_CONNECTS = 50;
/**
 * Opening the sockets and receiving their first events: subscribers not done by then count as
 * failed, and the window measures those that are.
 */
const CONNECT_TIMEOUT_MS = 180_000;
/** Beyond the connect deadline, for the clients to report. */
const REPORT_MARGIN_MS = 15_000;
/** After connecting, the poll schedule settles (first polls happen one interval after each watch). */
const SETTLE_MS = 2 * INTERVAL_MS;

/** The J jobs: half Zendesk (changing), the rest ImageKit bulk jobs, purges and SAYMON ops in turn (steady). */
export function fanoutJobs(jobs: number): { zendesk: BenchRef[]; steady: BenchRef[] } {
  const zendeskCount = Math.ceil(jobs / 2);
  const steadyKinds = ['IMAGEKIT_BULK_JOB', 'IMAGEKIT_PURGE_REQUEST', 'SAYMON_BULK_OP'] as const;
  return {
    zendesk: Array.from({ length: zendeskCount }, (_, index) => ({ kind: 'ZENDESK_JOB_STATUS' as const, id: `zd-${index}` })),
    steady: Array.from({ length: jobs - zendeskCount }, (_, index) => ({ kind: steadyKinds[index % 3]!, id: `steady-${index}` })),
  };
}

export async function runFanout(options: FanoutOptions): Promise<FanoutResult> {
  const timing = { epochMs: wallNow(), changeEveryMs: INTERVAL_MS };
  const { zendesk, steady } = fanoutJobs(options.jobs);
  const target = options.floor ? await floorTarget() : await serviceTarget(options, timing);
  const { services } = target;
  const clients: ChildProcess[] = [];
  try {
    const wsUrls = services.map((service) => service.url.replace(/^http/, 'ws'));

    const connectStarted = wallNow();
    const { plans, watched } = planClients(zendesk, steady, options.subscribers, wsUrls, connectStarted + CONNECT_TIMEOUT_MS);
    const script = fileURLToPath(new URL('./fanout-client.ts', import.meta.url));
    for (let i = 0; i < plans.length; i++) {
      clients.push(track(fork(script, { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })));
    }

    const connected = await withTimeout(
      Promise.all(clients.map((client, index) => ask<Extract<ClientMessage, { type: 'connected' }>>(client, { type: 'connect', plan: plans[index]! }, 'connected'))),
      CONNECT_TIMEOUT_MS + REPORT_MARGIN_MS,
      `the fan-out clients did not report within ${(CONNECT_TIMEOUT_MS + REPORT_MARGIN_MS) / 1000} s`,
    );
    const connectSec = (wallNow() - connectStarted) / 1000;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

    const countsBefore = await target.upstreamRequests();
    const usageBefore = services.map((service) => service.usage());
    const windowStarted = wallNow();
    for (const client of clients) tell(client, { type: 'measure' });
    await new Promise((resolve) => setTimeout(resolve, options.windowSec * 1000));
    const samples = await Promise.all(clients.map((client) => ask<Extract<ClientMessage, { type: 'samples' }>>(client, { type: 'stop' }, 'samples')));
    const windowSec = (wallNow() - windowStarted) / 1000;
    const usageAfter = services.map((service) => service.usage());
    const countsAfter = await target.upstreamRequests();
    const answers = await target.answers();

    const latencies = latenciesOf(samples, zendesk, timing, answers);
    return {
      subscribers: options.subscribers,
      instances: options.instances,
      floor: options.floor ?? false,
      jobs: options.jobs,
      connected: connected.reduce((sum, c) => sum + c.ok, 0),
      failed: connected.reduce((sum, c) => sum + c.failed, 0),
      firstError: connected.find((c) => c.firstError)?.firstError ?? null,
      connectSec,
      eventsPerSecond: samples.reduce((sum, s) => sum + s.received, 0) / windowSec,
      broken: samples.reduce((sum, s) => sum + s.broken, 0),
      changeToReceipt: summary(latencies.changeToReceipt),
      answerToReceipt: summary(latencies.answerToReceipt),
      rssMb: usageAfter.map((usage) => usage.rssBytes / 2 ** 20),
      peakRssMb: usageAfter.map((usage) => usage.peakRssBytes / 2 ** 20),
      cpuPercent: usageAfter.map((usage, index) => cpuPercent(usageBefore[index]!, usage, windowSec)),
      upstreamPerSecond: (countsAfter - countsBefore) / windowSec,
      minimumPerSecond: minimumRequests([...watched.values()]) / (INTERVAL_MS / 1000),
      naivePerSecond: (options.subscribers * (steady.length ? 2 : 1)) / (INTERVAL_MS / 1000),
      settings: Object.fromEntries(Object.entries(options.env ?? {}).filter(([name]) => !name.startsWith('REDIS_'))),
    };
  } finally {
    for (const client of clients) {
      if (client.connected) tell(client, { type: 'close' });
    }
    await Promise.all(clients.map((client) => (client.exitCode === null ? new Promise((resolve) => client.once('exit', resolve)) : null)));
    await target.close();
  }
}

/** What the clients connect to, and where the answer times come from. */
interface FanoutTarget {
  readonly services: readonly ServiceProcess[];
  /** Upstream requests so far. */
  upstreamRequests(): Promise<number>;
  /** `<job id>@<progress>` → when the upstream (or the floor) first answered it. */
  answers(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

async function serviceTarget(options: FanoutOptions, timing: { epochMs: number; changeEveryMs: number }): Promise<FanoutTarget> {
  const upstream = await forkUpstream({ delayMs: options.delayMs, ...timing, recordAnswers: true });
  const services: ServiceProcess[] = [];
  const close = async () => {
    for (const service of services) await service.stop();
    await upstream.close();
  };
  try {
    const env = { ...providerEnv(upstream.url), POLL_INTERVAL_MS: String(INTERVAL_MS), POLL_MAX_INTERVAL_MS: String(INTERVAL_MS), ...options.env };
    for (let i = 0; i < options.instances; i++) services.push(await startService(env));
  } catch (error) {
    await close();
    throw error;
  }
  return { services, upstreamRequests: async () => (await upstream.counts()).total, answers: () => upstream.answers(), close };
}

async function floorTarget(): Promise<FanoutTarget> {
  const floor = await forkServer('./fanout-floor-process.ts', { BENCH_FLOOR_OPTIONS: JSON.stringify({ intervalMs: INTERVAL_MS } satisfies FloorOptions) }, 'fan-out floor');
  const service: ServiceProcess = { url: floor.url, pid: floor.pid, usage: () => processUsage(floor.pid), stop: floor.close };
  return { services: [service], upstreamRequests: async () => 0, answers: () => floor.ask('answers'), close: floor.close };
}

export interface FanoutBenchOptions {
  readonly subscribers: readonly number[];
  readonly jobs: number;
  readonly windowSec: number;
  readonly delayMs: number;
  readonly env?: Record<string, string>;
  /** Extra runs with other settings, to show what a figure depends on. */
  readonly variants?: readonly { readonly subscribers: number; readonly env: Record<string, string> }[];
  /** After each size's service run, the same clients against the floor (`FanoutOptions.floor`); default true. */
  readonly floor?: boolean;
}

export async function runFanoutBench(options: FanoutBenchOptions): Promise<Table> {
  const floor = options.floor ?? true;
  const runs = [
    ...options.subscribers.flatMap((subscribers) => [{ subscribers, env: {}, floor: false }, ...(floor ? [{ subscribers, env: {}, floor: true }] : [])]),
    ...(options.variants ?? []).map((variant) => ({ ...variant, floor: false })),
  ];
  const results: FanoutResult[] = [];
  for (const run of runs) {
    process.stderr.write(`bench: fan-out, ${run.subscribers} subscribers${run.floor ? ', floor' : settings(run.env)}…\n`);
    results.push(await runFanout({ ...options, subscribers: run.subscribers, instances: 1, env: { ...options.env, ...run.env }, floor: run.floor }));
  }
  const table = fanoutTable(`Fan-out: S WebSocket subscribers over ${options.jobs} jobs, upstream latency ${options.delayMs} ms, ${options.windowSec} s window`, results);
  return { ...table, notes: [...(table.notes ?? []), `Service settings: the defaults but the poll interval${settings(options.env)}.`] };
}

export function fanoutTable(title: string, results: readonly FanoutResult[]): Table {
  const ms = (value: number) => fmt(value, 0);
  const list = (values: readonly number[], decimals = 0) => values.map((value) => fmt(value, decimals)).join(' + ');
  return {
    title,
    columns: [
      'S',
      'settings',
      'instances',
      'subscribed',
      'events/s',
      'change→receipt p50 / p99 ms',
      'answer→receipt p50 / p99 ms',
      'RSS MB (peak)',
      'CPU % of a core',
      'upstream req/s',
      'minimum req/s',
      'naive req/s',
    ],
    rows: results.map((r) => [
      fmt(r.subscribers),
      r.floor ? 'floor: bare ws server' : Object.entries(r.settings).map(([name, value]) => `${name}=${value}`).join(' ') || 'defaults',
      String(r.instances),
      `${fmt(r.connected)}${r.failed ? ` (${fmt(r.failed)} failed)` : ''} in ${fmt(r.connectSec, 1)} s`,
      fmt(r.eventsPerSecond),
      r.floor ? '—' : `${ms(r.changeToReceipt.p50)} / ${ms(r.changeToReceipt.p99)}`,
      `${ms(r.answerToReceipt.p50)} / ${ms(r.answerToReceipt.p99)}`,
      `${list(r.rssMb)} (${list(r.peakRssMb)})`,
      list(r.cpuPercent),
      r.floor ? '—' : fmt(r.upstreamPerSecond, 1),
      r.floor ? '—' : fmt(r.minimumPerSecond),
      r.floor ? '—' : fmt(r.naivePerSecond),
    ]),
    notes: [
      'Each subscriber watches one Zendesk job (progress +1 every second) and one ImageKit/SAYMON job (steady); poll interval 1 s.',
      'change→receipt: from the upstream change to the client; its floor with 1 s polling is about 0.5 s (p50) and 1 s (p99) plus the upstream latency.',
      'answer→receipt: from the upstream answer carrying the change to the client, i.e. the service\'s own share.',
      'minimum: one request per watched ImageKit/SAYMON job and one show_many per 100 Zendesk jobs, per interval; naive: every subscriber polling its own jobs every interval.',
      ...(results.some((r) => r.floor)
        ? [
            'floor: the same clients against a bare `ws` server (bench/fanout-floor-process.ts) that, once a second, sends every subscriber of each Zendesk job one message built once for all of them: no GraphQL, no poller, no upstream. Its answer→receipt is what this machine allows any server of one process, with these clients on the same cores.',
          ]
        : []),
      ...results.filter((r) => r.firstError).map((r) => `S=${r.subscribers}: first connection error: ${r.firstError}`),
      ...results.filter((r) => r.broken).map((r) => `S=${r.subscribers}: ${r.broken} subscriptions broke during the window`),
    ],
  };
}

/**
 * Deals the subscribers to client processes (2 500 each). Subscriber i watches Zendesk job
 * i mod Z and steady job i mod (J - Z); whole rounds of jobs go to each instance in turn, so that
 * with two instances every job is watched on both.
 */
function planClients(
  zendesk: readonly BenchRef[],
  steady: readonly BenchRef[],
  subscribers: number,
  wsUrls: readonly string[],
  deadline: number,
): { plans: ClientPlan[]; watched: Map<string, BenchRef> } {
  const round = Math.max(zendesk.length, steady.length);
  const watched = new Map<string, BenchRef>();
  const plans: ClientPlan[] = [];
  for (let first = 0; first < subscribers; first += PER_CLIENT) {
    const count = Math.min(PER_CLIENT, subscribers - first);
    plans.push({
      zendeskIds: zendesk.map((ref) => ref.id),
      parallel: PARALLEL_CONNECTS,
      deadline,
      subscribers: Array.from({ length: count }, (_, offset) => {
        const index = first + offset;
        const refs = [zendesk[index % zendesk.length]!, ...(steady.length ? [steady[index % steady.length]!] : [])];
        for (const ref of refs) watched.set(`${ref.kind}:${ref.id}`, ref);
        return { url: wsUrls[Math.floor(index / round) % wsUrls.length]!, refs };
      }),
    });
  }
  return { plans, watched };
}

/** Each timed event's delay from the upstream change, and from the upstream answer that carried it. */
function latenciesOf(
  samples: readonly { readonly events: Float64Array }[],
  zendesk: readonly BenchRef[],
  timing: { readonly epochMs: number; readonly changeEveryMs: number },
  answers: Readonly<Record<string, number>>,
): { changeToReceipt: number[]; answerToReceipt: number[] } {
  const changeToReceipt: number[] = [];
  const answerToReceipt: number[] = [];
  for (const { events } of samples) {
    for (let i = 0; i < events.length; i += 3) {
      const id = zendesk[events[i]!]!.id;
      const progress = events[i + 1]!;
      const receivedAt = events[i + 2]!;
      changeToReceipt.push(receivedAt - changeTimeOf(id, progress, timing));
      const answeredAt = answers[`${id}@${progress}`];
      if (answeredAt !== undefined) answerToReceipt.push(receivedAt - answeredAt);
    }
  }
  return { changeToReceipt, answerToReceipt };
}

function summary(values: readonly number[]): { p50: number; p99: number; samples: number } {
  return { p50: percentile(values, 50), p99: percentile(values, 99), samples: values.length };
}

function cpuPercent(before: ProcessUsage, after: ProcessUsage, seconds: number): number {
  return ((after.cpuSeconds - before.cpuSeconds) / seconds) * 100;
}

function tell(client: ChildProcess, message: ParentMessage): void {
  client.send(message);
}

/** Sends `message` and resolves with the first answer of type `type`. */
function ask<T extends ClientMessage>(client: ChildProcess, message: ParentMessage, type: T['type']): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (answer: ClientMessage) => {
      if (answer.type !== type) return;
      client.off('message', onMessage);
      client.off('exit', onExit);
      resolve(answer as T);
    };
    const onExit = (code: number | null) => reject(new Error(`fan-out client exited with ${code}`));
    client.on('message', onMessage);
    client.once('exit', onExit);
    tell(client, message);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}
