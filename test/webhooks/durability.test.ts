/**
 * The outbox survives `kill -9`, and deliveries happen once cluster-wide:
 * - a child process on an on-disk PGlite records a failed attempt (a retry pending), is killed
 *   with SIGKILL, and a new process on the same data directory delivers the event once, with the
 *   same message id, signed with the same (sealed, key file) secret;
 * - two instances on one PostgreSQL, both dispatching, deliver each event exactly once.
 */
import { rm } from 'node:fs/promises';
import { Webhook as Verifier } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type ChildInstance, startChildInstance } from '../support/cluster.js';
import { createPostgresDatabase, postgresAvailable, type ScratchPostgres } from '../support/database.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';
import { migratedDataDir } from '../support/pglite-template.js';
import { type ReceivedRequest, type WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver.js';
import { waitFor } from '../support/wait.js';

type Body = { data?: any; errors?: unknown[] };

const post = async (url: string, query: string, variables: Record<string, unknown> = {}): Promise<Body> => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as Body;
};

const CREATE = 'mutation C($url: String!) { createWebhook(input: { url: $url, events: [JOB_TRACKED, JOB_CHANGED, JOB_FINISHED] }) { secret webhook { id } } }';
const SEND = 'mutation S($id: ID!) { sendTestWebhook(id: $id) { status } }';
const LAST_DELIVERY = 'query D($id: ID!) { node(id: $id) { ... on Webhook { deliveries(first: 1) { totalCount edges { node { status attempts lastResponseStatus } } } } } }';

function verify(request: ReceivedRequest, secret: string): any {
  return new Verifier(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });
}

let receiver: WebhookReceiver;
let providers: FakeProviders;
let jobs: Map<string, Record<string, unknown>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  jobs = new Map();
  providers = await startFakeProviders(jobs);
});
afterAll(async () => {
  await receiver?.close();
  await providers?.upstream.close();
});

describe('kill -9 with a retry pending', () => {
  let dir: string;
  const children: ChildInstance[] = [];
  beforeAll(async () => {
    // The run's migrated data directory, copied: the first process resumes it rather than paying initdb.
    dir = await migratedDataDir('jsg-webhook-kill-');
  }, 60_000);
  afterAll(async () => {
    for (const child of children) await child.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('delivers the event once after a restart on the same data directory', async () => {
    receiver.requests.length = 0;
    const env = {
      ...providers.env,
      DATA_DIR: dir,
      WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_DISPATCH_INTERVAL_MS: '20',
      // Long enough that the retry is still pending when the process is killed.
      WEBHOOK_RETRY_DELAYS_MS: '1500',
    };
    const first = await startChildInstance(env);
    children.push(first);
    const created = await post(first.url, CREATE, { url: `${receiver.url}/hook` });
    const { secret, webhook } = created.data.createWebhook;
    receiver.script({ status: 500 });
    await post(first.url, SEND, { id: webhook.id });
    await waitFor(async () => (await post(first.url, LAST_DELIVERY, { id: webhook.id })).data.node.deliveries.edges[0].node.status === 'FAILED', {
      what: 'the failed first attempt to be recorded',
    });
    await first.kill();
    expect(receiver.requests).toHaveLength(1);

    const second = await startChildInstance(env);
    children.push(second);
    const delivered = await waitFor(async () => {
      const node = (await post(second.url, LAST_DELIVERY, { id: webhook.id })).data.node.deliveries.edges[0].node;
      return node.status === 'DELIVERED' && node;
    }, { what: 'the retry after the restart', timeoutMs: 15_000 });
    expect(delivered).toEqual({ status: 'DELIVERED', attempts: 2, lastResponseStatus: 204 });
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]!.headers['webhook-id']).toBe(receiver.requests[0]!.headers['webhook-id']);
    expect(verify(receiver.requests[1]!, secret)).toMatchObject({ type: 'webhook.test' });
  }, 60_000);
});

const withPostgres = await postgresAvailable();

describe.skipIf(!withPostgres)('two instances on one PostgreSQL', () => {
  let scratch: ScratchPostgres;
  const apps: TestApp[] = [];
  const attempts = [0, 0];
  beforeAll(async () => {
    scratch = await createPostgresDatabase();
    const env = {
      ...providers.env,
      DATABASE_URL: scratch.url,
      WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_SECRET_KEY: 'one key for the whole cluster, from a secret store',
      WEBHOOK_DISPATCH_INTERVAL_MS: '10',
      POLL_INTERVAL_MS: '20',
      POLL_MAX_INTERVAL_MS: '40',
      CACHE_TTL_MS: '1',
    };
    for (const index of [0, 1]) {
      apps.push(await startTestApp(env, silentLogger, { webhooks: { onAttempt: () => (attempts[index]! += 1) } }));
    }
  }, 60_000);
  afterAll(async () => {
    for (const app of apps) await app.close();
    await scratch?.drop();
  });

  it('delivers each event exactly once', async () => {
    receiver.requests.length = 0;
    receiver.answer({ status: 204 });
    const [a, b] = apps as [TestApp, TestApp];
    const created = await a.request(CREATE, { url: `${receiver.url}/hook` } as never);
    const { secret, webhook } = (created.body.data as any).createWebhook;
    const sends = 30;
    for (let index = 0; index < 10; index += 1) jobs.set(`P-${index}`, zendeskJob(`P-${index}`, 'completed'));
    await Promise.all([
      ...Array.from({ length: sends }, (_, index) => (index % 2 === 0 ? a : b).request(SEND, { id: webhook.id } as never)),
      b.request(`mutation { trackJobs(refs: [${Array.from({ length: 10 }, (_, index) => `{ kind: ZENDESK_JOB_STATUS, id: "P-${index}" }`).join(', ')}]) { __typename } }`),
    ]);
    const expected = sends + 10;
    await waitFor(async () => {
      const node = (await a.request(LAST_DELIVERY, { id: webhook.id } as never)).body.data as any;
      return node.node.deliveries.totalCount === expected && receiver.requests.length >= expected && attempts[0]! + attempts[1]! >= expected;
    }, { what: 'every delivery', timeoutMs: 15_000 });
    const ids = receiver.requests.map((request) => String(request.headers['webhook-id']));
    expect(ids).toHaveLength(expected);
    expect(new Set(ids).size).toBe(expected);
    expect(attempts[0]! + attempts[1]!).toBe(expected);
    // Both instances took part.
    expect(attempts[0]).toBeGreaterThan(0);
    expect(attempts[1]).toBeGreaterThan(0);
    for (const request of receiver.requests) verify(request, secret);
  }, 60_000);
});
