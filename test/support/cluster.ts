/**
 * Several instances of the service on one Redis, the way a load balancer would front them. Each
 * instance has its own fake upstream (an independent simulator serving the same jobs), so a test
 * can tell which instance asked upstream and how often.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestApp, type TestApp } from './app.js';
import { type FakeProviders, startFakeProviders, type ZendeskJobs } from './fake-providers.js';

export interface Instance {
  readonly api: TestApp;
  readonly providers: FakeProviders;
  /** Zendesk `show_many` calls this instance made that asked for `id`. */
  zendeskCallsFor(id: string): number;
  /** Job polls this instance made. */
  polls(): number;
  close(): Promise<void>;
}

/** Fast settings for cluster tests; `env` adds to and overrides them. */
export function clusterEnv(redisUrl: string, prefix: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    POLL_INTERVAL_MS: '50',
    POLL_MAX_INTERVAL_MS: '100',
    CACHE_TTL_MS: '20',
    // Long enough that no lease lapses, and no command times out into its fallback (an extra
    // upstream call), on a loaded machine unless a test wants it to.
    REDIS_LEASE_MS: '5000',
    REDIS_COMMAND_TIMEOUT_MS: '5000',
    // Start-up's wait for Redis: several instances connecting at once beside a busy suite (a
    // browser, child processes) took longer than the default 5 s.
    REDIS_CONNECT_TIMEOUT_MS: '20000',
    // Cluster mode on a shared PostgreSQL refuses to start without one webhook secret key.
    WEBHOOK_SECRET_KEY: 'one key for every instance of the test cluster',
    ...env,
  };
}

/** Starts one instance with its own simulator serving `jobs`. */
export async function startInstance(jobs: ZendeskJobs, env: Record<string, string>): Promise<Instance> {
  const providers = await startFakeProviders(jobs);
  let api: TestApp;
  try {
    api = await startTestApp({ ...providers.env, ...env });
  } catch (error) {
    await providers.upstream.close();
    throw error;
  }
  let closed: Promise<void> | null = null;
  return {
    api,
    providers,
    zendeskCallsFor: (id) => providers.requestsTo('/zd').filter((request) => (request.query.ids ?? '').split(',').includes(id)).length,
    polls: () => api.app.server.jobs.poller.pollCount,
    close() {
      closed ??= (async () => {
        await api.close();
        await providers.upstream.close();
      })();
      return closed;
    },
  };
}

export interface ChildInstance {
  /** `http://127.0.0.1:port/graphql` */
  readonly url: string;
  readonly instanceId: string;
  /** SIGKILL: the instance vanishes without releasing anything; resolves when the process is gone. */
  kill(): Promise<void>;
  /** Blocks the instance's event loop for `blockMs` at a time, turn after turn (0: stops); see `child-app.ts`. */
  stall(blockMs: number): void;
}

/** Starts the service in a child process (see `child-app.ts`) configured by `env` alone. */
export async function startChildInstance(env: Record<string, string>): Promise<ChildInstance> {
  const script = fileURLToPath(new URL('./child-app.ts', import.meta.url));
  const inherited = Object.fromEntries(['PATH', 'HOME', 'TMPDIR'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...inherited, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', UPSTREAM_TIMEOUT_MS: '1000', UPSTREAM_RETRY_BASE_MS: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  // A child gone already (killed by a test) closes its end; a late write must not crash the test run.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = await new Promise<{ url: string; instanceId: string }>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { url: string; instanceId: string });
    });
    void exited.then(() => reject(new Error(`child instance exited before listening: ${stderr}`)));
  });
  return {
    ...started,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stall(blockMs) {
      child.stdin.write(blockMs > 0 ? `stall ${blockMs}\n` : 'calm\n');
    },
  };
}
