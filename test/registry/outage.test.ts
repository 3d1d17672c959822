/**
 * A PostgreSQL registry that is down (a TCP proxy in front of the real server, closed and
 * reopened): start-up goes on, part 1 answers, registry fields answer REGISTRY_UNAVAILABLE
 * within the timeout, `/ready` is 503 naming the database, and it all recovers without restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createPostgresDatabase, postgresAvailable, type ScratchPostgres } from '../support/database.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

const withPostgres = await postgresAvailable();

describe.skipIf(!withPostgres)('registry database outage', () => {
  let scratch: ScratchPostgres;
  let proxy: TcpProxy;
  let providers: FakeProviders;
  let api: TestApp;

  beforeAll(async () => {
    scratch = await createPostgresDatabase();
    const url = new URL(scratch.url);
    proxy = await startTcpProxy(Number(url.port || 5432), { startDown: true });
    url.host = `127.0.0.1:${proxy.port}`;
    providers = await startFakeProviders(new Map([['O-1', zendeskJob('O-1', 'working')]]));
    api = await startTestApp({ ...providers.env, DATABASE_URL: url.toString(), REGISTRY_TIMEOUT_MS: '1000', CACHE_TTL_MS: '1' });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await proxy?.close();
    await providers?.upstream.close();
    await scratch?.drop();
  });

  const ready = async () => (await fetch(`${api.app.server.origin}/ready`)).status;
  const track = () => api.request('mutation { trackJobs(refs: [{ kind: ZENDESK_JOB_STATUS, id: "O-1" }]) { __typename } }');
  const list = () => api.request('{ trackedJobs { totalCount } }');

  it('starts without the database, serves part 1, answers REGISTRY_UNAVAILABLE, and recovers', async () => {
    expect(await ready()).toBe(503);
    const body = (await (await fetch(`${api.app.server.origin}/ready`)).json()) as { problems: string[] };
    expect(body.problems.join(' ')).toMatch(/^database: postgres 127\.0\.0\.1:\d+\/jsg_test_/);
    expect(JSON.stringify(body)).not.toMatch(/postgres:\/\//);
    const part1 = await api.request('{ job(ref: { kind: ZENDESK_JOB_STATUS, id: "O-1" }) { ... on Job { state } } }');
    expect(part1.body.data).toEqual({ job: { state: 'RUNNING' } });
    const refused = await list();
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('REGISTRY_UNAVAILABLE');
    expect((await track()).body.errors?.[0]?.extensions?.code).toBe('REGISTRY_UNAVAILABLE');

    await proxy.up();
    await waitFor(async () => (await ready()) === 200, { what: 'ready after the database came back', timeoutMs: 15_000 });
    expect((await track()).body.errors).toBeUndefined();
    expect((await list()).body.data).toEqual({ trackedJobs: { totalCount: 1 } });

    await proxy.down();
    const during = await list();
    expect(during.body.errors?.[0]?.extensions?.code).toBe('REGISTRY_UNAVAILABLE');
    expect(await ready()).toBe(503);
    const stillPart1 = await api.request('{ job(ref: { kind: ZENDESK_JOB_STATUS, id: "O-1" }) { ... on Job { state tracking { labels } } } }');
    expect(stillPart1.body.data).toEqual({ job: { state: 'RUNNING', tracking: null } });
    expect(stillPart1.body.errors?.[0]?.extensions?.code).toBe('REGISTRY_UNAVAILABLE');

    await proxy.up();
    await waitFor(async () => ((await list()).body.data as any)?.trackedJobs?.totalCount === 1, { what: 'recovery without restart', timeoutMs: 15_000 });
    expect(await ready()).toBe(200);
  }, 60_000);
});
