/**
 * The dispatcher through the webhook service, on PGlite with a manual clock and a loopback
 * receiver that verifies signatures with the `standardwebhooks` package: batches sent in parallel
 * up to the per-webhook bound while each job keeps its order, the retry schedule with its jitter,
 * giving up, disabling after five days of failures, rotation's 24 h of two signatures, a stop that
 * hands back what it claimed, and an instance whose secret key does not match.
 */
import { sql } from 'kysely';
import { Webhook as Verifier } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/logger.js';
import type { RegistryDatabase } from '../../src/registry/database.js';
import { claimStatement } from '../../src/webhooks/claim.js';
import { DEFAULT_TIMEOUT_MS } from '../../src/webhooks/deliver.js';
import { type WebhookService, type WebhookServiceOptions, createWebhookService } from '../../src/webhooks/service.js';
import { withWebhookTables } from '../../src/webhooks/tables.js';
import { openTestPglite } from '../support/database.js';
import { type CapturedLogs, captureLogs } from '../support/logs.js';
import { type ManualClock, manualClock } from '../support/manual-clock.js';
import { waitFor } from '../support/wait.js';
import { type ReceivedRequest, type WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver.js';

const CALLER = { owner: null, providers: null };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let database: RegistryDatabase;
let receiver: WebhookReceiver;
let clock: ManualClock;
let logs: CapturedLogs;
const services: WebhookService[] = [];
/** Attempts recorded so far by the services of the current test. */
let recorded = 0;

function startService(dispatch: WebhookServiceOptions['dispatch'] = {}, secretKey = 'the test key'): WebhookService {
  const service = createWebhookService({
    clock,
    logger: logs.logger,
    globalIdOf: () => 'unused',
    guard: { allowPrivate: true },
    secretKey,
    dataDir: null,
    dispatch: { intervalMs: 10, onAttempt: () => (recorded += 1), ...dispatch },
  });
  services.push(service);
  service.attach(database.db);
  return service;
}

async function createWebhook(service: WebhookService): Promise<{ id: string; secret: string }> {
  const { webhook, secret } = await service.create(CALLER, { url: `${receiver.url}/hook`, events: ['JOB_CHANGED'] });
  return { id: webhook.id, secret };
}

/** Writes deliveries the way the outbox does: `events` per job, in order. */
async function enqueue(webhookId: string, jobs: readonly string[], events: readonly string[]): Promise<void> {
  const at = new Date(clock.now());
  const rows = jobs.flatMap((job) =>
    events.map((event) => ({
      webhook_id: webhookId,
      job_key: `ZENDESK_JOB_STATUS:default:${job}`,
      event: 'job.changed',
      payload: JSON.stringify({ type: 'job.changed', data: { job: { nativeId: job }, event } }),
      message_id: `msg_${job}_${event}`,
      status: 'PENDING' as const,
      next_attempt_at: at,
      created_at: at,
    })),
  );
  await withWebhookTables(database.db).insertInto('webhook_deliveries').values(rows).execute();
}

async function deliveries(webhookId: string) {
  return withWebhookTables(database.db).selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('id').execute();
}

function verify(request: ReceivedRequest, secret: string): unknown {
  return new Verifier(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });
}

/**
 * Whether one of the request's signatures is `secret`'s, computed by the `standardwebhooks`
 * package. (`verify` would also refuse a timestamp 5 minutes off, and the clock moves by days.)
 */
function signedBy(request: ReceivedRequest, secret: string): boolean {
  const expected = new Verifier(secret).sign(String(request.headers['webhook-id']), new Date(Number(request.headers['webhook-timestamp']) * 1000), request.body);
  return String(request.headers['webhook-signature']).split(' ').includes(expected);
}

beforeAll(async () => {
  database = await openTestPglite();
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await database?.close();
});
beforeEach(async () => {
  await sql`delete from webhooks`.execute(database.db);
  receiver.answer({ status: 204 });
  receiver.requests.length = 0;
  // Signatures carry the clock's time and receivers refuse timestamps 5 min off: start at now.
  clock = manualClock(Date.now());
  logs = captureLogs();
  recorded = 0;
});
afterEach(async () => {
  receiver.release();
  for (const service of services.splice(0)) await service.close();
});

describe('a burst', () => {
  it('goes out in parallel up to the per-webhook bound, each job in order', async () => {
    const service = startService({ concurrency: 4 });
    const { id, secret } = await createWebhook(service);
    const jobs = Array.from({ length: 10 }, (_, index) => `J-${index}`);
    receiver.answer({ hold: true });
    await enqueue(id, jobs, ['first', 'second', 'third']);
    service.wake();
    // Ten jobs are due: the first four attempts are open together, and no more.
    await waitFor(() => receiver.held() === 4, { what: 'four attempts open at once' });
    while (receiver.requests.length < 30) {
      await waitFor(() => receiver.held() > 0 || receiver.requests.length >= 30, { what: `delivery ${receiver.requests.length + 1} of 30` });
      receiver.release();
    }
    expect(receiver.mostHeld()).toBe(4);
    for (const job of jobs) {
      const events = receiver.requests.map((request) => verify(request, secret) as { data: { job: { nativeId: string }; event: string } }).filter((body) => body.data.job.nativeId === job);
      expect(events.map((body) => body.data.event)).toEqual(['first', 'second', 'third']);
    }
    await waitFor(async () => (await deliveries(id)).every((row) => row.status === 'DELIVERED'), { what: 'every delivery recorded' });
    expect((await deliveries(id)).map((row) => row.attempts)).toEqual(Array(30).fill(1));
  });

  it('a stop finishes the attempts under way and hands back what it claimed but did not start', async () => {
    const service = startService({ concurrency: 2 });
    const { id } = await createWebhook(service);
    receiver.answer({ hold: true });
    await enqueue(id, ['S-0', 'S-1', 'S-2', 'S-3', 'S-4'], ['only']);
    service.wake();
    await waitFor(() => receiver.held() === 2, { what: 'two attempts open' });
    // One answered: it is recorded, two more are claimed, one starts, one waits for a slot.
    receiver.release(1);
    await waitFor(() => receiver.requests.length === 3 && receiver.held() === 2, { what: 'the third attempt open' });
    const stopped = service.close();
    receiver.release();
    await stopped;
    const rows = await deliveries(id);
    expect(rows.map((row) => [row.status, row.attempts])).toEqual([
      ['DELIVERED', 1],
      ['DELIVERED', 1],
      ['DELIVERED', 1],
      ['PENDING', 0],
      ['PENDING', 0],
    ]);
    expect(rows[3]!.next_attempt_at!.getTime()).toBeLessThanOrEqual(clock.now());
  });
});

describe('batches', () => {
  /** Statements the dispatcher ran, by kind, and whether timers ran before each (see `yields`). */
  function countStatements() {
    const counts = { claim: 0, record: 0, release: 0 };
    const turned = { claim: true, record: true, release: true };
    let backToBack = 0;
    let stopped = false;
    // Set once per event-loop turn: a statement that finds its kind's unset followed the previous
    // one of its loop within the same turn, without letting timers and sockets run in between.
    const turn = () => {
      turned.claim = turned.record = turned.release = true;
      if (!stopped) setImmediate(turn);
    };
    setImmediate(turn);
    return {
      counts,
      backToBack: () => backToBack,
      stop: () => (stopped = true),
      onStatement(kind: 'claim' | 'record' | 'release') {
        counts[kind] += 1;
        if (!turned[kind]) backToBack += 1;
        turned[kind] = false;
      },
    };
  }

  /** Four attempts of four jobs held open by the receiver, then let go together; their statements counted. */
  async function fourAttemptsFinishingTogether(jobs: string[], options: { recordBatchSize?: number } = {}) {
    const statements = countStatements();
    // No lingering here: a batch is written when it is full or nothing else is running.
    const service = startService({ concurrency: 4, recordLingerMs: 60_000, ...options, onStatement: statements.onStatement });
    const { id } = await createWebhook(service);
    receiver.answer({ hold: true });
    await enqueue(id, jobs, ['only']);
    service.wake();
    await waitFor(() => receiver.held() === 4, { what: 'four attempts open' });
    receiver.release();
    await waitFor(() => recorded === 4, { what: 'four attempts recorded' });
    statements.stop();
    return { id, statements };
  }

  it('records attempts that finish together in one statement, not one each', async () => {
    const { id, statements } = await fourAttemptsFinishingTogether(['B-0', 'B-1', 'B-2', 'B-3']);
    expect(statements.counts.record).toBe(1);
    expect((await deliveries(id)).map((row) => row.status)).toEqual(Array(4).fill('DELIVERED'));
  });

  it('records at most recordBatchSize attempts per statement, letting timers run between statements', async () => {
    const { statements } = await fourAttemptsFinishingTogether(['C-0', 'C-1', 'C-2', 'C-3'], { recordBatchSize: 1 });
    expect(statements.counts.record).toBe(4);
    expect(statements.backToBack()).toBe(0);
  });

  it('claims through the index: reads a few rows per delivery claimed, not the whole queue (no statistics, as on PGlite)', async () => {
    const service = startService();
    const { id } = await createWebhook(service);
    await service.close();
    services.splice(0);
    // 500 jobs with two events each; the claim takes the first event of 16 of them.
    const jobs = Array.from({ length: 500 }, (_, index) => `Q-${index}`);
    await enqueue(id, jobs, ['first', 'second']);
    const statement = claimStatement({ now: new Date(clock.now()), leaseUntil: new Date(clock.now() + 60_000), limit: 256, perWebhook: 16 });
    const { rows } = await sql<{ 'QUERY PLAN': unknown }>`explain (analyze, format json) ${statement}`.execute(database.db);
    expect((await deliveries(id)).filter((row) => row.attempts === 1)).toHaveLength(16);
    // The whole queue is 1 000 rows in flight; the claim reads its 16 and its jobs' lookups.
    expect(rowsRead(rows[0]!['QUERY PLAN'], 'webhook_deliveries')).toBeLessThan(200);
  });
});

/** Rows the plan's scans of `table` read (returned and filtered out), over every loop. */
function rowsRead(plan: unknown, table: string): number {
  let total = 0;
  const visit = (node: Record<string, unknown>) => {
    if (node['Relation Name'] === table && String(node['Node Type']).includes('Scan')) {
      total += (Number(node['Actual Rows'] ?? 0) + Number(node['Rows Removed by Filter'] ?? 0)) * Number(node['Actual Loops'] ?? 1);
    }
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) visit(child);
  };
  for (const entry of plan as { Plan: Record<string, unknown> }[]) visit(entry.Plan);
  return total;
}

describe('failures', () => {
  it('retries after the jittered schedule with the same message id, then gives up', async () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(10_000);
    const factors = [1, 0];
    // 1 → the longest wait (+20 %), 0 → the shortest (−20 %).
    const service = startService({ retryDelaysMs: [10_000, 10_000], random: () => factors.shift() ?? 0.5 });
    const { id } = await createWebhook(service);
    receiver.answer({ status: 500 });
    const start = clock.now();
    await enqueue(id, ['R-1'], ['only']);
    service.wake();
    await waitFor(() => recorded === 1, { what: 'the first failure' });
    const [first] = await deliveries(id);
    expect(first).toMatchObject({ status: 'FAILED', attempts: 1, last_response_status: 500, last_error: 'the receiver answered HTTP 500' });
    expect(first!.next_attempt_at!.getTime()).toBe(start + 12_000);

    clock.advance(12_000);
    await waitFor(() => recorded === 2, { what: 'the second failure' });
    const [second] = await deliveries(id);
    expect(second).toMatchObject({ attempts: 2, status: 'FAILED' });
    expect(second!.next_attempt_at!.getTime()).toBe(start + 12_000 + 8_000);

    clock.advance(8_000);
    await waitFor(() => recorded === 3, { what: 'giving up' });
    expect((await deliveries(id))[0]).toMatchObject({ status: 'GAVE_UP', attempts: 3, next_attempt_at: null });
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect((await service.get(CALLER, id))?.enabled).toBe(true);
  });

  it('disables a webhook whose every delivery failed for 5 days, with a reason', async () => {
    const service = startService({ retryDelaysMs: [3 * DAY, 3 * DAY, 3 * DAY], random: () => 0.5 });
    const { id } = await createWebhook(service);
    receiver.answer({ status: 503 });
    await enqueue(id, ['D-1'], ['only']);
    service.wake();
    await waitFor(() => recorded === 1, { what: 'the first failure' });
    clock.advance(3 * DAY);
    await waitFor(() => recorded === 2, { what: 'the second failure' });
    expect(await service.get(CALLER, id)).toMatchObject({ enabled: true, failingSince: new Date(clock.now() - 3 * DAY) });
    clock.advance(3 * DAY);
    const webhook = await waitFor(async () => {
      const found = await service.get(CALLER, id);
      return found && !found.enabled && found;
    }, { what: 'the webhook disabled' });
    expect(webhook.disabledReason).toBe('every delivery failed for 5 days');
    expect(receiver.requests).toHaveLength(3);
  });

  it('a success ends the failure run', async () => {
    const service = startService({ retryDelaysMs: [1000], random: () => 0.5 });
    const { id } = await createWebhook(service);
    receiver.script({ status: 500 });
    await enqueue(id, ['O-1'], ['only']);
    service.wake();
    await waitFor(async () => (await service.get(CALLER, id))?.failingSince, { what: 'the failure run to start' });
    clock.advance(1000);
    await waitFor(async () => (await deliveries(id))[0]?.status === 'DELIVERED', { what: 'the retry delivered' });
    expect(await service.get(CALLER, id)).toMatchObject({ enabled: true, failingSince: null });
  });
});

describe('secrets', () => {
  it('after a rotation signs with both secrets for 24 h, then with the new one only; neither is logged', async () => {
    const service = startService();
    const { id, secret: old } = await createWebhook(service);
    const { secret: rotated } = await service.rotateSecret(CALLER, id);
    await service.sendTest(CALLER, id, 'hook-1');
    await waitFor(() => receiver.requests.length === 1, { what: 'the first test delivery' });
    expect(String(receiver.requests[0]!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect([signedBy(receiver.requests[0]!, old), signedBy(receiver.requests[0]!, rotated)]).toEqual([true, true]);
    // Recorded before a day passes: a day lapses the lease of a delivery still being recorded,
    // and it would rightly be sent again (at least once).
    await waitFor(() => recorded === 1, { what: 'the first test delivery recorded' });

    clock.advance(DAY + 1);
    await service.sendTest(CALLER, id, 'hook-1');
    await waitFor(() => receiver.requests.length === 2, { what: 'the second test delivery' });
    expect(String(receiver.requests[1]!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect([signedBy(receiver.requests[1]!, old), signedBy(receiver.requests[1]!, rotated)]).toEqual([false, true]);

    const logged = logs.lines.join('\n');
    expect(logged).toContain('webhook secret rotated');
    for (const secret of [old, rotated]) expect(logged).not.toContain(secret.slice('whsec_'.length));
  });

  it('an instance with another key fails each attempt with a lastError naming both key fingerprints, logged once, never crashing', async () => {
    const sealing = startService({}, 'the key of instance A');
    const { id, secret } = await createWebhook(sealing);
    await sealing.close();
    services.splice(0);
    const other = startService({ retryDelaysMs: [1000, 1000], random: () => 0.5 }, 'a different key on instance B');
    await other.sendTest(CALLER, id, 'hook-1');
    await waitFor(() => recorded === 1, { what: 'the failed attempt' });
    const [failed] = await deliveries(id);
    expect(failed!.status).toBe('FAILED');
    expect(failed!.last_error).toMatch(
      /^this instance cannot sign: the webhook secret was sealed with another key \(fingerprint [\w-]+; this key is [\w-]+\)\. Every instance must have the same WEBHOOK_SECRET_KEY/,
    );
    clock.advance(1000);
    await waitFor(() => recorded === 2, { what: 'the second failed attempt' });
    expect(receiver.requests).toHaveLength(0);
    const errors = logs.entries().filter((entry) => String(entry.msg).startsWith('webhook deliveries fail'));
    expect(errors).toHaveLength(1);
    expect(logs.lines.join('\n')).not.toContain(secret.slice('whsec_'.length));
  });

  it('cluster mode without WEBHOOK_SECRET_KEY is not refused for the key (instances from one directory share its key file)', async () => {
    const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', REDIS_URL: 'redis://127.0.0.1:1', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', REDIS_CONNECT_TIMEOUT_MS: '500' });
    // It gets as far as Redis, which does not answer here: the failure is about Redis, not the key.
    const failure = await startApp(config, silentLogger).then(() => null, (error: Error) => error);
    expect(failure?.message).toMatch(/^REDIS_URL: cannot connect/);
  });
});
