/**
 * Webhooks end to end, through the API and a loopback receiver that verifies every signature with
 * the `standardwebhooks` package: events for tracked, changed and finished jobs (in order per
 * job), retries after a 500 and a timeout, 410 disabling the webhook, secret rotation (two
 * signatures for 24 h), capabilities and ownership, secrets never stored in clear, and the
 * address guard at creation and at delivery.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { Webhook as Verifier } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestPglite } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';
import { type ReceivedRequest, type WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver.js';
import { sample } from '../support/prometheus.js';
import { waitFor } from '../support/wait.js';
import { silentLogger } from '../../src/logger.js';
import type { RegistryDatabase } from '../../src/registry/database.js';

const FULL_KEY = 'full-key-0123456789';
const READER_KEY = 'reader-key-0123456789';
const OTHER_KEY = 'other-hooks-key-0123456789';

type Body = { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };

let dir: string;
let providers: FakeProviders;
let jobs: Map<string, Record<string, unknown>>;
let receiver: WebhookReceiver;
let api: TestApp;
let database: RegistryDatabase;

const gql = async (query: string, variables: Record<string, unknown> = {}, key = FULL_KEY): Promise<{ status: number; body: Body }> =>
  api.request(query, variables as never, { authorization: `Bearer ${key}` }) as never;

const CREATE = `mutation Create($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id url events enabled disabledReason description } } }`;
const DELIVERIES = `query D($id: ID!) { node(id: $id) { ... on Webhook { enabled disabledReason deliveries(first: 50) { totalCount edges { node { event status attempts lastResponseStatus lastError deliveredAt nextAttemptAt } } } } } }`;

async function createWebhook(input: Record<string, unknown>, key = FULL_KEY): Promise<{ id: string; secret: string }> {
  const { body } = await gql(CREATE, { input: { url: `${receiver.url}/hook`, events: ['JOB_TRACKED', 'JOB_CHANGED', 'JOB_FINISHED'], ...input } }, key);
  expect(body.errors).toBeUndefined();
  return { id: body.data.createWebhook.webhook.id, secret: body.data.createWebhook.secret };
}

/** The verified body of a request, or a thrown error when its signature does not verify with `secret`. */
function verified(request: ReceivedRequest, secret: string): any {
  const headers = {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
  return new Verifier(secret).verify(request.body, headers);
}

const forJob = (nativeId: string) => receiver.requests.filter((request) => JSON.parse(request.body).data?.job?.nativeId === nativeId);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jsg-webhooks-'));
  const jobsConfig = join(dir, 'jobs.json');
  await writeFile(
    jobsConfig,
    JSON.stringify({
      apiKeys: [
        { name: 'reader', key: READER_KEY, can: ['read', 'track'] },
        { name: 'other', key: OTHER_KEY, can: ['read', 'track', 'webhooks'] },
      ],
    }),
  );
  jobs = new Map();
  providers = await startFakeProviders(jobs);
  receiver = await startWebhookReceiver();
  database = await openTestPglite();
  api = await startTestApp(
    {
      ...providers.env,
      API_KEYS: FULL_KEY,
      JOBS_CONFIG: jobsConfig,
      POLL_INTERVAL_MS: '20',
      POLL_MAX_INTERVAL_MS: '40',
      CACHE_TTL_MS: '1',
      NOT_FOUND_GRACE_MS: '0',
      WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_DISPATCH_INTERVAL_MS: '20',
      WEBHOOK_RETRY_DELAYS_MS: '30,30,30',
    },
    silentLogger,
    // Attempts time out after 2 s (the contract's 10 s, scaled down): at 300 ms, cold first attempts on a
    // loaded machine timed out after the receiver had the request, and were sent again.
    { database, webhooks: { timeoutMs: 2000 } },
  );
});
afterAll(async () => {
  await api?.close();
  await receiver?.close();
  await providers?.upstream.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await sql`delete from webhooks`.execute(database.db);
  receiver.answer({ status: 204 });
  receiver.requests.length = 0;
});

describe('job events', () => {
  it('delivers job.tracked, job.changed and job.finished, signed, in order, with the Job fields and global id', async () => {
    const { secret } = await createWebhook({ description: 'all events' });
    expect(secret).toMatch(/^whsec_/);
    jobs.set('E-1', zendeskJob('E-1', 'queued'));
    const tracked = await gql('mutation { trackJobs(refs: [{ kind: ZENDESK_JOB_STATUS, id: "E-1" }]) { ... on Job { id } } }');
    const jobId = tracked.body.data.trackJobs[0].id;
    await waitFor(() => forJob('E-1').length >= 1, { what: 'job.tracked' });
    jobs.set('E-1', zendeskJob('E-1', 'working', { progress: 1, total: 2 }));
    await waitFor(() => forJob('E-1').some((request) => JSON.parse(request.body).data.job.state === 'RUNNING'), { what: 'job.changed to RUNNING' });
    jobs.set('E-1', zendeskJob('E-1', 'completed', { progress: 2, total: 2 }));
    await waitFor(() => forJob('E-1').some((request) => JSON.parse(request.body).type === 'job.finished'), { what: 'job.finished' });

    const bodies = forJob('E-1').map((request) => verified(request, secret));
    expect(bodies.map((body) => body.type)).toEqual(['job.tracked', 'job.changed', 'job.changed', 'job.finished']);
    expect(bodies[0]).toMatchObject({ data: { previousState: null, job: { id: jobId, kind: 'ZENDESK_JOB_STATUS', provider: 'ZENDESK', account: 'default', nativeId: 'E-1', state: 'QUEUED', done: false } } });
    expect(bodies[1].data).toMatchObject({ previousState: 'QUEUED', job: { state: 'RUNNING', progress: { completed: 1, total: 2 } } });
    expect(bodies[2].data).toMatchObject({ previousState: 'RUNNING', job: { state: 'COMPLETED', done: true } });
    expect(bodies[3].data).toMatchObject({ previousState: 'RUNNING', job: { id: jobId, state: 'COMPLETED', done: true, rawStatus: 'completed' } });
    expect(Object.keys(bodies[3].data.job).sort()).toEqual(['account', 'checkedAt', 'done', 'id', 'kind', 'message', 'nativeId', 'progress', 'provider', 'rawStatus', 'state']);
    // One message id per event.
    expect(new Set(forJob('E-1').map((request) => request.headers['webhook-id'])).size).toBe(4);
    expect(forJob('E-1').every((request) => request.headers['content-type'] === 'application/json')).toBe(true);
  });

  it('sends only the subscribed events of jobs matching the filter', async () => {
    const { secret } = await createWebhook({ events: ['JOB_FINISHED'], filter: { labels: ['nightly'] } });
    jobs.set('F-1', zendeskJob('F-1', 'queued'));
    jobs.set('F-2', zendeskJob('F-2', 'queued'));
    await gql('mutation { a: trackJobs(refs: [{ kind: ZENDESK_JOB_STATUS, id: "F-1" }], labels: ["nightly"]) { __typename } b: trackJobs(refs: [{ kind: ZENDESK_JOB_STATUS, id: "F-2" }]) { __typename } }');
    jobs.set('F-2', zendeskJob('F-2', 'completed'));
    jobs.set('F-1', zendeskJob('F-1', 'completed'));
    await waitFor(() => forJob('F-1').length === 1, { what: 'job.finished of F-1' });
    await waitFor(async () => (await gql('{ trackedJobs(filter: { done: true, search: "F-2" }) { totalCount } }')).body.data.trackedJobs.totalCount === 1, { what: 'F-2 to finish' });
    expect(verified(forJob('F-1')[0]!, secret).type).toBe('job.finished');
    expect(forJob('F-2')).toHaveLength(0);
  });

  it('keeps the order per job: a later event waits while an earlier one is retried', async () => {
    const { secret } = await createWebhook({});
    receiver.script({ status: 500 }, { status: 500 });
    jobs.set('O-1', zendeskJob('O-1', 'queued'));
    await gql('mutation { trackJobs(refs: [{ kind: ZENDESK_JOB_STATUS, id: "O-1" }]) { __typename } }');
    await waitFor(() => forJob('O-1').length >= 1, { what: 'the first attempt' });
    jobs.set('O-1', zendeskJob('O-1', 'completed'));
    await waitFor(() => forJob('O-1').filter((request) => JSON.parse(request.body).type === 'job.finished').length === 1, { what: 'job.finished' });
    const types = forJob('O-1').map((request) => verified(request, secret).type);
    expect(types).toEqual(['job.tracked', 'job.tracked', 'job.tracked', 'job.changed', 'job.finished']);
    const ids = forJob('O-1').map((request) => request.headers['webhook-id']);
    expect(new Set(ids.slice(0, 3)).size).toBe(1);
  });
});

describe('retries and failures', () => {
  it('retries after a 500 and after a timeout with the same message id, then records the delivery', async () => {
    const { id, secret } = await createWebhook({});
    receiver.script({ status: 500 }, { hang: true });
    const sent = await gql('mutation S($id: ID!) { sendTestWebhook(id: $id) { event status attempts } }', { id });
    expect(sent.body.data.sendTestWebhook).toEqual({ event: 'webhook.test', status: 'PENDING', attempts: 0 });
    await waitFor(() => receiver.requests.length === 3, { what: 'three attempts', timeoutMs: 10_000 });
    const delivery = await waitFor(async () => {
      const node = (await gql(DELIVERIES, { id })).body.data.node.deliveries.edges[0].node;
      return node.status === 'DELIVERED' && node;
    }, { what: 'the delivery to be recorded' });
    expect(delivery).toMatchObject({ event: 'webhook.test', attempts: 3, lastResponseStatus: 204, nextAttemptAt: null });
    expect(new Set(receiver.requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect(verified(receiver.requests[2]!, secret)).toMatchObject({ type: 'webhook.test', data: { webhook: { id } } });
  });

  it('gives up after the last attempt', async () => {
    const { id } = await createWebhook({});
    receiver.answer({ status: 503 });
    await gql('mutation S($id: ID!) { sendTestWebhook(id: $id) { status } }', { id });
    const delivery = await waitFor(async () => {
      const node = (await gql(DELIVERIES, { id })).body.data.node.deliveries.edges[0].node;
      return node.status === 'GAVE_UP' && node;
    }, { what: 'GAVE_UP', timeoutMs: 10_000 });
    expect(delivery).toMatchObject({ attempts: 4, lastResponseStatus: 503, lastError: 'the receiver answered HTTP 503', nextAttemptAt: null });
    expect(receiver.requests).toHaveLength(4);
  });

  it('disables the webhook on 410 Gone, with a reason, and writes no more events for it', async () => {
    const { id } = await createWebhook({});
    receiver.answer({ status: 410 });
    await gql('mutation S($id: ID!) { sendTestWebhook(id: $id) { status } }', { id });
    const node = await waitFor(async () => {
      const found = (await gql(DELIVERIES, { id })).body.data.node;
      return !found.enabled && found;
    }, { what: 'the webhook to be disabled' });
    expect(node.disabledReason).toBe('the receiver answered 410 Gone');
    expect(node.deliveries.edges[0].node).toMatchObject({ status: 'GAVE_UP', attempts: 1, lastResponseStatus: 410 });
    jobs.set('G-1', zendeskJob('G-1', 'completed'));
    await gql('mutation { trackJobs(refs: [{ kind: ZENDESK_JOB_STATUS, id: "G-1" }]) { __typename } }');
    expect((await gql(DELIVERIES, { id })).body.data.node.deliveries.totalCount).toBe(1);
    expect(receiver.requests).toHaveLength(1);

    // Enabled again: the reason goes, events flow again.
    receiver.answer({ status: 204 });
    const enabled = await gql('mutation U($id: ID!) { updateWebhook(id: $id, input: { enabled: true }) { enabled disabledReason } }', { id });
    expect(enabled.body.data.updateWebhook).toEqual({ enabled: true, disabledReason: null });
  });
});

describe('metrics', () => {
  it('/metrics counts deliveries by outcome and shows the queue depth and the oldest pending age', async () => {
    const scrape = async () => (await fetch(`${api.app.server.origin}/metrics`, { headers: { authorization: `Bearer ${FULL_KEY}` } })).text();
    const delivered = (exposition: string) => sample(exposition, 'jsg_webhook_deliveries_total', { outcome: 'delivered' }) ?? 0;
    const failed = (exposition: string) => sample(exposition, 'jsg_webhook_deliveries_total', { outcome: 'failed' }) ?? 0;
    const before = await scrape();
    const { id } = await createWebhook({});
    receiver.script({ status: 500 });
    await gql('mutation S($id: ID!) { sendTestWebhook(id: $id) { status } }', { id });
    await waitFor(async () => delivered(await scrape()) === delivered(before) + 1, { what: 'the delivery counted' });
    const after = await scrape();
    expect(failed(after)).toBe(failed(before) + 1);
    expect(sample(after, 'jsg_webhook_queue_depth')).toBe(0);
    expect(sample(after, 'jsg_webhook_oldest_pending_seconds')).toBe(0);

    // A disabled webhook's delivery waits: it is in the queue, and ages.
    await gql('mutation U($id: ID!) { updateWebhook(id: $id, input: { enabled: false }) { enabled } }', { id });
    await gql('mutation S($id: ID!) { sendTestWebhook(id: $id) { status } }', { id });
    const waiting = await scrape();
    expect(sample(waiting, 'jsg_webhook_queue_depth')).toBe(1);
    expect(sample(waiting, 'jsg_webhook_oldest_pending_seconds')).toBeGreaterThanOrEqual(0);
    await waitFor(async () => (sample(await scrape(), 'jsg_webhook_oldest_pending_seconds') ?? 0) > 0, { what: 'the pending delivery to age' });
  });
});

describe('secrets', () => {
  it('after a rotation signs with both secrets, each verifying on its own', async () => {
    const { id, secret: old } = await createWebhook({});
    const rotated = await gql('mutation R($id: ID!) { rotateWebhookSecret(id: $id) { secret webhook { id } } }', { id });
    const fresh = rotated.body.data.rotateWebhookSecret.secret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(old);
    await gql('mutation S($id: ID!) { sendTestWebhook(id: $id) { status } }', { id });
    const request = await waitFor(() => receiver.requests[0], { what: 'the test delivery' });
    const signatures = String(request.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    expect(signatures.every((signature) => signature.startsWith('v1,'))).toBe(true);
    expect(verified(request, fresh).type).toBe('webhook.test');
    expect(verified(request, old).type).toBe('webhook.test');
    // Each signature alone belongs to one secret.
    const only = (signature: string) => ({ ...request, headers: { ...request.headers, 'webhook-signature': signature } });
    expect(() => verified(only(signatures[0]!), fresh)).not.toThrow();
    expect(() => verified(only(signatures[1]!), old)).not.toThrow();
    expect(() => verified(only(signatures[0]!), old)).toThrow();
  });

  it('stores secrets only sealed and never answers them again', async () => {
    const { id, secret } = await createWebhook({});
    await gql('mutation S($id: ID!) { sendTestWebhook(id: $id) { status } }', { id });
    await waitFor(() => receiver.requests.length === 1, { what: 'a delivery' });
    const dump = JSON.stringify((await sql`select * from webhooks`.execute(database.db)).rows) + JSON.stringify((await sql`select * from webhook_deliveries`.execute(database.db)).rows);
    const raw = secret.slice('whsec_'.length);
    expect(dump).not.toContain(raw);
    const listed = await gql('{ webhooks { id url events } }');
    expect(JSON.stringify(listed.body)).not.toContain(raw);
    const introspected = await gql('{ __type(name: "Webhook") { fields { name } } }');
    expect(introspected.body.data.__type.fields.map((field: { name: string }) => field.name)).not.toContain('secret');
  });
});

describe('access', () => {
  it('needs the webhooks capability, and a key sees only its own webhooks', async () => {
    const { id } = await createWebhook({});
    const denied = await gql('{ webhooks { id } }', {}, READER_KEY);
    expect(denied.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const deniedCreate = await gql(CREATE, { input: { url: `${receiver.url}/x`, events: ['JOB_TRACKED'] } }, READER_KEY);
    expect(deniedCreate.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const own = await createWebhook({ description: 'other' }, OTHER_KEY);
    expect((await gql('{ webhooks { id } }', {}, OTHER_KEY)).body.data.webhooks).toEqual([{ id: own.id }]);
    const foreign = await gql('mutation D($id: ID!) { deleteWebhook(id: $id) }', { id }, OTHER_KEY);
    expect(foreign.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const deleted = await gql('mutation D($id: ID!) { deleteWebhook(id: $id) }', { id: own.id }, OTHER_KEY);
    expect(deleted.body.data.deleteWebhook).toBe(own.id);
  });

  it('refuses a URL that is not http(s) with a 400', async () => {
    for (const url of ['ftp://example.com/hook', 'not a url', 'http://user:pw@example.com/']) {
      const { status, body } = await gql(CREATE, { input: { url, events: ['JOB_TRACKED'] } });
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'URL_INVALID' });
    }
  });
});

describe('the address guard', () => {
  let guarded: TestApp;
  let resolveTo = '93.184.216.34';
  beforeAll(async () => {
    guarded = await startTestApp(
      { ...providers.env, WEBHOOK_DISPATCH_INTERVAL_MS: '20', WEBHOOK_RETRY_DELAYS_MS: '10000' },
      silentLogger,
      { webhooks: { resolve: async () => [{ address: resolveTo, family: 4 }] } },
    );
  });
  afterAll(async () => {
    await guarded?.close();
  });
  const ask = (query: string, variables: Record<string, unknown> = {}) => guarded.request(query, variables as never) as Promise<{ status: number; body: Body }>;

  it('refuses every private range at creation without WEBHOOK_ALLOW_PRIVATE', async () => {
    const refused = [
      'http://127.0.0.1/', 'http://10.1.2.3/', 'http://172.16.0.1/', 'http://192.168.1.1/', 'http://169.254.169.254/latest',
      'http://100.64.0.1/', 'http://0.0.0.0/', 'http://224.0.0.1/', 'http://[::1]/', 'http://[::]/', 'http://[fe80::1]/',
      'http://[fc00::1]/', 'http://[fd12:3456::1]/', 'http://[ff02::1]/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:10.0.0.1]/',
      'http://[64:ff9b::a00:1]/', 'http://2130706433/', `${receiver.url}/hook`,
    ];
    for (const url of refused) {
      const { status, body } = await ask(CREATE, { input: { url, events: ['JOB_TRACKED'] } });
      expect({ url, status, reason: body.errors?.[0]?.extensions?.reason }).toEqual({ url, status: 400, reason: 'URL_FORBIDDEN' });
    }
    expect((await ask('{ webhooks { id } }')).body.data.webhooks).toEqual([]);
  });

  it('checks the address again at delivery: a name that now resolves to loopback is refused, nothing is sent', async () => {
    resolveTo = '93.184.216.34';
    const created = await ask(CREATE, { input: { url: `http://hooks.example.test:${receiver.port}/hook`, events: ['JOB_TRACKED'] } });
    expect(created.body.errors).toBeUndefined();
    const id = created.body.data.createWebhook.webhook.id;
    resolveTo = '127.0.0.1';
    await ask('mutation S($id: ID!) { sendTestWebhook(id: $id) { status } }', { id });
    const delivery = await waitFor(async () => {
      const node = (await ask(DELIVERIES, { id })).body.data.node.deliveries.edges[0].node;
      return node.status === 'FAILED' && node;
    }, { what: 'the refused attempt' });
    expect(delivery.lastError).toMatch(/loopback address, which is refused/);
    expect(delivery.lastResponseStatus).toBeNull();
    expect(receiver.requests).toHaveLength(0);
  });
});
