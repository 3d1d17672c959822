/**
 * A newcomer's first minutes: what `npm start` prints (readable lines naming what is served
 * where, the SANDBOX=1 replacement said out loud, a busy port in one line), what a browser sees
 * at `/` and at unknown paths, and GraphiQL's demo jobs, fresh on every page load.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { startTestApp, type TestApp } from './support/app.js';
import { migratedDataDir } from './support/pglite-template.js';
import { waitFor } from './support/wait.js';

const ROOT = new URL('../', import.meta.url);

/** Runs `src/main.ts` as `npm run dev` does until `until` holds for its output (or it exits). */
async function runMain(env: Record<string, string>, until: (out: string) => boolean): Promise<{ stdout: string; stderr: string; code: number | null }> {
  // Each run its own embedded database directory: the zero-config default, without two runs
  // sharing ./data; a copy of the run's migrated one, so that the child resumes it rather than
  // paying initdb (creating a data directory is test/registry/database.test.ts's subject).
  const dataDir = await migratedDataDir('jsg-newcomer-');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let code: number | null | undefined;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('exit', (exitCode) => (code = exitCode));
  try {
    // A start takes seconds on an idle 2-core machine, several times that beside the rest of the
    // suite: a generous deadline, a condition all the same.
    await waitFor(() => until(stdout + stderr) || code !== undefined, { timeoutMs: 60_000 });
  } finally {
    if (code === undefined) {
      child.kill('SIGTERM');
      await waitFor(() => code !== undefined, { timeoutMs: 10_000 });
    }
    await rm(dataDir, { recursive: true, force: true });
  }
  return { stdout, stderr, code: code ?? null };
}

function messages(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}

describe('npm start, first lines', () => {
  it('name the API, GraphiQL, the sandbox base URLs and where the development credentials are documented', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const { stdout } = await runMain({ SANDBOX_PORT: String(port) }, (out) => out.includes('State:'));
    const lines = messages(stdout);
    expect(lines[0]).toMatch(/^GraphQL API on http:\/\/127\.0\.0\.1:\d+\/graphql/);
    expect(lines).toContainEqual(expect.stringMatching(/^GraphiQL: open http:\/\/127\.0\.0\.1:\d+\/graphql in a browser$/));
    expect(lines).toContain(
      `Sandbox providers: ImageKit http://127.0.0.1:${port}/imagekit, SAYMON http://127.0.0.1:${port}/saymon, Zendesk http://127.0.0.1:${port}/zendesk`,
    );
    expect(lines).toContainEqual(expect.stringContaining('fixed development credentials documented in README.md'));
    expect(lines).toContainEqual(expect.stringMatching(/^State: in memory/));
  });

  it('say that SANDBOX=1 replaces the configured accounts', { timeout: 90_000 }, async () => {
    const { stdout } = await runMain({ SANDBOX: '1', IMAGEKIT_PRIVATE_KEY: 'private_real_key_1234' }, (out) => out.includes('State:'));
    const warning = stdout.split('\n').find((line) => line.includes('SANDBOX=1'));
    expect(warning).toBeDefined();
    expect(JSON.parse(warning!)).toMatchObject({ level: 40, replacedAccounts: ['IMAGEKIT/default'] });
    expect(stdout).not.toContain('private_real_key_1234');
  });

  it('report a port already in use in one line, without a stack trace', { timeout: 90_000 }, async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      const { stderr, code } = await runMain({ PORT: String(port) }, () => false);
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([`job-status-graphql: port ${port} is already in use (PORT); stop the other process or set PORT to a free port`]);
    } finally {
      holder.close();
    }
  });
});

describe('readable logs', () => {
  it('prints pretty lines when asked (a terminal), JSON otherwise', () => {
    const pretty = new PassThrough();
    let prettyText = '';
    pretty.on('data', (chunk: Buffer) => (prettyText += chunk.toString()));
    createLogger('info', { destination: pretty, pretty: true, secrets: ['s3cret-value'] }).info({ port: 4000 }, 'GraphQL API on http://x/graphql s3cret-value');
    expect(prettyText).toMatch(/INFO.*GraphQL API on http:\/\/x\/graphql \[redacted\]/);
    expect(prettyText).not.toMatch(/^\{/);

    const json = new PassThrough();
    let jsonText = '';
    json.on('data', (chunk: Buffer) => (jsonText += chunk.toString()));
    createLogger('info', { destination: json }).info('plain');
    expect(JSON.parse(jsonText)).toMatchObject({ msg: 'plain' });
  });
});

describe('in a browser', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({});
  });
  afterAll(async () => {
    await api?.close();
  });

  it('GET / points to /graphql', async () => {
    const origin = api.app.server.origin;
    const html = await fetch(`${origin}/`, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await html.text()).toContain('href="/graphql"');
    const text = await fetch(`${origin}/`);
    expect(await text.text()).toContain('/graphql');
  });

  it('unknown paths answer 404 with a body that says where the API is', async () => {
    const response = await fetch(`${api.app.server.origin}/graphiql`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { errors: { message: string }[]; paths: { graphql: string } };
    expect(body.errors[0]!.message).toContain('/graphql');
    expect(body.paths.graphql).toBe('/graphql');
  });

  it('GraphiQL gets fresh demo jobs on every page load, so they always move', async () => {
    const load = async () => {
      const html = await (await fetch(api.url, { headers: { accept: 'text/html' } })).text();
      return [...html.matchAll(/ZENDESK_JOB_STATUS, id: \\?"(V3-[0-9a-f]{32})\\?"/g)].map((match) => match[1]);
    };
    const first = await load();
    const second = await load();
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
    expect(second[0]).not.toBe(first[0]);
    // New to the sandbox: the job starts at the beginning, not finished from an earlier visit.
    const { body } = await api.request<{ jobs: { done: boolean; state: string }[] }, never>(
      `{ jobs(refs: [{ kind: ZENDESK_JOB_STATUS, id: "${second[0]}" }]) { ... on Job { done state } } }`,
    );
    expect(body.data!.jobs[0]).toMatchObject({ done: false });
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
