/**
 * Clean shutdown of the real process (`src/main.ts` in a child process): on SIGTERM it stops
 * accepting, closes WebSockets with 1001 Going Away, completes SSE streams, lets a slow query in
 * flight finish, and exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { print } from 'graphql';
import { type FakeProviders, startFakeProviders, zendeskJob } from './support/fake-providers.js';
import { JobQuery, JobUpdatesSubscription } from './support/operations.js';
import { migratedDataDir } from './support/pglite-template.js';
import { subscribeSse } from './support/subscribers.js';
import { waitFor } from './support/wait.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Service {
  readonly child: ChildProcess;
  /** Parsed JSON log lines written so far. */
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

/** Starts `src/main.ts` as `npm run dev` would, on a free port, with `env` added. */
function startService(env: Record<string, string>): Service {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const complete = buffered.split('\n');
    buffered = complete.pop()!;
    for (const line of complete) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then((code) => {
    if (code !== 0 && stderr) process.stderr.write(`service stderr:\n${stderr}\n`);
  });
  return { child, lines, exited };
}

let providers: FakeProviders;
/** The embedded database's directory: a copy of the run's migrated one (no initdb in the child). */
let dataDir: string;

beforeAll(async () => {
  dataDir = await migratedDataDir('jsg-shutdown-');
  providers = await startFakeProviders(new Map([['V3-working', zendeskJob('V3-working', 'working')]]));
  providers.upstream.on('GET', '/ik/v1/bulkJobs/slow', { delayMs: 1500, body: { jobId: 'slow', type: 'COPY_FOLDER', status: 'Completed' } });
}, 60_000);
afterAll(async () => {
  await providers?.upstream.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('SIGTERM', () => {
  it('says going away to WebSockets, ends SSE streams, finishes the query in flight, and exits 0', { timeout: 120_000 }, async () => {
    const service = startService({ ...providers.env, DATA_DIR: dataDir, SHUTDOWN_TIMEOUT_MS: '10000', UPSTREAM_TIMEOUT_MS: '5000', POLL_INTERVAL_MS: '60000', POLL_MAX_INTERVAL_MS: '60000' });
    try {
      const ready = await waitFor(
        () => {
          if (service.child.exitCode !== null) throw new Error(`the service exited with ${service.child.exitCode}`);
          return service.lines.find((line) => String(line.msg).startsWith('GraphQL API on'));
        },
        { what: 'the service to listen', timeoutMs: 60_000 },
      );
      const url = String(ready.url);
      const variables = { refs: [{ kind: 'ZENDESK_JOB_STATUS' as const, id: 'V3-working' }] };

      // A graphql-ws subscriber, spoken to at the protocol level so that its close code is seen as sent.
      const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      const messages: { type: string }[] = [];
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string };
        messages.push(message);
        if (message.type === 'connection_ack') {
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: print(JobUpdatesSubscription), variables } }));
        }
      });
      const closeCode = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
      const sse = subscribeSse(url, JobUpdatesSubscription, variables);
      await waitFor(() => messages.some((message) => message.type === 'next') && sse.events.length > 0, { what: 'both subscriptions running' });

      const slow = fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: print(JobQuery), variables: { ref: { kind: 'IMAGEKIT_BULK_JOB', id: 'slow' } } }),
      });
      // Awaited below; handled now so that an early failure cannot leave it rejecting unobserved.
      slow.catch(() => undefined);
      await waitFor(() => providers.requestsTo('/ik').length === 1, { what: 'the slow query to reach the upstream' });

      service.child.kill('SIGTERM');
      await waitFor(() => service.lines.some((line) => line.msg === 'stopping'), { what: 'the service to start stopping' });
      // No new work: a new connection is refused; a request on a connection kept alive from before gets 503.
      const late = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }).then(
        (response) => response.status,
        () => 'refused',
      );
      expect(['refused', 503]).toContain(late);

      expect(await closeCode).toBe(1001);
      await sse.completed;
      expect(sse.errors).toEqual([]);
      const answer = await slow;
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({ data: { job: { __typename: 'ImageKitBulkJob', state: 'COMPLETED' } } });
      expect(await service.exited).toBe(0);
      expect(service.lines.map((line) => line.msg)).toContain('stopped');
    } finally {
      service.child.kill('SIGKILL');
    }
  });
});
