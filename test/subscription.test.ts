/**
 * Live updates end to end: real graphql-ws and SSE clients, the real poller, a fake Zendesk
 * and SAYMON on loopback whose answers the tests change.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { JobKind } from '../src/jobs/model.js';
import { startTestApp, type TestApp } from './support/app.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from './support/fake-providers.js';
import { JobUpdatesSubscription } from './support/operations.js';
import { subscribeSse, subscribeWs, wsClient } from './support/subscribers.js';
import { waitFor } from './support/wait.js';

const zendeskJobs = new Map<string, Record<string, unknown>>();
let providers: FakeProviders;
let api: TestApp;

beforeAll(async () => {
  providers = await startFakeProviders(zendeskJobs);
  api = await startTestApp({ ...providers.env, POLL_INTERVAL_MS: '40', POLL_MAX_INTERVAL_MS: '80', CACHE_TTL_MS: '20', NOT_FOUND_GRACE_MS: '2000' });
});
afterAll(async () => {
  await api.close();
  await providers.upstream.close();
});

const clients: ReturnType<typeof wsClient>[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await waitFor(() => api.app.server.jobs.poller.stats().watched === 0, { what: 'every watch released' });
});

const ref = (kind: JobKind, id: string) => ({ kind, id });

function summary(event: { jobUpdates: { previousState?: string | null; result: { __typename: string } & Record<string, unknown> } }) {
  const { previousState, result } = event.jobUpdates;
  const now = 'state' in result ? result.state : result.__typename === 'ProviderError' ? result.code : result.__typename;
  return `${String(result.nativeId)}:${previousState ?? '-'}→${String(now)}`;
}

function newClient() {
  const client = wsClient(api.url);
  clients.push(client);
  return client;
}

describe.each([
  ['WebSocket', (refs: ReturnType<typeof ref>[]) => subscribeWs(newClient(), JobUpdatesSubscription, { refs })],
  ['SSE', (refs: ReturnType<typeof ref>[]) => subscribeSse(api.url, JobUpdatesSubscription, { refs })],
])('jobUpdates over %s', (transport, subscribe) => {
  it('sends every job now, then each change, then completes when all are done', async () => {
    const id = `V3-life-${transport}`;
    zendeskJobs.set(id, zendeskJob(id, 'queued'));
    providers.upstream.on('GET', `/saymon/node/api/bulk/done-${transport}/status`, { body: { finished: true } });
    const sub = subscribe([ref('ZENDESK_JOB_STATUS', id), ref('SAYMON_BULK_OP', `done-${transport}`)]);
    await waitFor(() => sub.events.length >= 2, { what: 'initial events' });
    expect(sub.events.map(summary).sort()).toEqual([`${id}:-→QUEUED`, `done-${transport}:-→COMPLETED`].sort());

    zendeskJobs.set(id, zendeskJob(id, 'working', { total: 10, progress: 3 }));
    await waitFor(() => sub.events.length >= 3, { what: 'running event' });
    zendeskJobs.set(id, zendeskJob(id, 'working', { total: 10, progress: 7 }));
    await waitFor(() => sub.events.length >= 4, { what: 'progress event' });
    zendeskJobs.set(id, zendeskJob(id, 'completed', { total: 10, progress: 10, results: [{ id: 1, success: true }] }));
    await sub.completed;
    expect(sub.errors).toEqual([]);
    expect(sub.events.slice(2).map(summary)).toEqual([`${id}:QUEUED→RUNNING`, `${id}:RUNNING→RUNNING`, `${id}:RUNNING→COMPLETED`]);
    const progress = sub.events.map((event) => (event.jobUpdates.result as { progress?: { completed: number } | null }).progress?.completed);
    expect(progress.slice(2)).toEqual([3, 7, 10]);
    // Zendesk was polled through show_many only.
    expect(providers.requestsTo('/zd').every((request) => request.path.endsWith('/show_many.json'))).toBe(true);
  });
});

describe('jobUpdates behaviour', () => {
  it('reports provider trouble, then the job again when it recovers, without ending', async () => {
    const path = '/saymon/node/api/bulk/wobbly/status';
    providers.upstream.on('GET', path, { body: { finished: false } });
    const sub = subscribeWs(newClient(), JobUpdatesSubscription, { refs: [ref('SAYMON_BULK_OP', 'wobbly')] });
    await waitFor(() => sub.events.length >= 1, { what: 'initial event' });
    providers.upstream.on('GET', path, { status: 503, body: { code: 'Down', message: 'down' } });
    await waitFor(() => sub.events.length >= 2, { what: 'error event' });
    providers.upstream.on('GET', path, { body: { finished: false } });
    await waitFor(() => sub.events.length >= 3, { what: 'recovery event' });
    expect(sub.isComplete()).toBe(false);
    expect(sub.events.map(summary)).toEqual(['wobbly:-→RUNNING', 'wobbly:RUNNING→UNAVAILABLE', 'wobbly:RUNNING→RUNNING']);
    providers.upstream.on('GET', path, { body: { finished: true } });
    await sub.completed;
    expect(sub.events.map(summary).at(-1)).toBe('wobbly:RUNNING→COMPLETED');
  });

  it('reports a fresh job not found at once, but keeps watching it through NOT_FOUND_GRACE_MS', async () => {
    const id = 'V3-never';
    const sub = subscribeWs(newClient(), JobUpdatesSubscription, { refs: [ref('ZENDESK_JOB_STATUS', id)] });
    await sub.received(1);
    const asked = () => providers.requestsTo('/zd').filter((request) => (request.query.ids ?? '').split(',').includes(id)).length;
    const before = asked();
    // Still polled, still open: fresh jobs may 404 briefly.
    await waitFor(() => asked() >= before + 3, { what: 'polls through the grace' });
    expect(sub.isComplete()).toBe(false);
    await sub.completed;
    expect(sub.events.map((event) => event.jobUpdates.result.__typename)).toEqual(['JobNotFoundError']);
    expect(sub.errors).toEqual([]);
  });

  it('follows a fresh job that appears within the grace', async () => {
    const id = 'V3-late';
    const sub = subscribeWs(newClient(), JobUpdatesSubscription, { refs: [ref('ZENDESK_JOB_STATUS', id)] });
    await sub.received(1);
    zendeskJobs.set(id, zendeskJob(id, 'working'));
    await sub.received(2);
    zendeskJobs.set(id, zendeskJob(id, 'completed'));
    await sub.completed;
    expect(sub.events.map(summary)).toEqual([`${id}:-→JobNotFoundError`, `${id}:-→RUNNING`, `${id}:RUNNING→COMPLETED`]);
  });

  it('completes at once when a job seen before disappears', async () => {
    const id = 'V3-vanishing';
    zendeskJobs.set(id, zendeskJob(id, 'working'));
    const sub = subscribeWs(newClient(), JobUpdatesSubscription, { refs: [ref('ZENDESK_JOB_STATUS', id)] });
    await sub.received(1);
    zendeskJobs.delete(id);
    await sub.completed;
    expect(sub.events.map(summary)).toEqual([`${id}:-→RUNNING`, `${id}:RUNNING→JobNotFoundError`]);
  });

  it('polls a job once per interval for fifty subscribers, and stops after the last leaves', async () => {
    const id = 'V3-popular';
    zendeskJobs.set(id, zendeskJob(id, 'working', { total: 100, progress: 1 }));
    const { poller } = api.app.server.jobs;
    const client = newClient();
    const subs = Array.from({ length: 50 }, () => subscribeWs(client, JobUpdatesSubscription, { refs: [ref('ZENDESK_JOB_STATUS', id)] }));
    await waitFor(() => subs.every((sub) => sub.events.length === 1), { what: '50 initial events' });
    const pollsBefore = poller.pollCount;
    const callsBefore = providers.requestsTo('/zd').length;
    zendeskJobs.set(id, zendeskJob(id, 'working', { total: 100, progress: 50 }));
    await waitFor(() => subs.every((sub) => sub.events.length === 2), { what: '50 change events' });
    // A poll already counted when `pollsBefore` was read may be the one whose answer carries the
    // change (the upstream answers with what it holds when the request arrives), so 0 is possible.
    const polls = poller.pollCount - pollsBefore;
    // One upstream call per poll, not per subscriber (that would be 50); a poll in flight at either
    // snapshot may be counted on one side only, hence the one call of slack.
    expect(Math.abs(providers.requestsTo('/zd').length - callsBefore - polls)).toBeLessThanOrEqual(1);

    subs.forEach((sub) => sub.stop());
    await waitFor(() => poller.stats().watched === 0, { what: 'polling stopped' });
    expect(poller.stats()).toEqual({ watched: 0, scheduled: 0, timers: 0 });
    expect(api.app.server.jobs.feed.stats()).toEqual({ streams: 0, topics: 0, listeners: 0 });
  });

  it('releases every watch, listener and timer after 1,000 subscribe/unsubscribe cycles over WebSocket', async () => {
    providers.upstream.on('GET', /^\/saymon\/node\/api\/bulk\/cycle-\d+\/status$/, { body: { finished: false } });
    const client = newClient();
    for (let i = 0; i < 1000; i += 1) {
      const sub = subscribeWs(client, JobUpdatesSubscription, { refs: [ref('SAYMON_BULK_OP', `cycle-${i % 10}`), ref('SAYMON_BULK_OP', 'cycle-shared')] });
      await sub.received(2);
      sub.stop();
    }
    const { jobs } = api.app.server;
    await waitFor(() => jobs.feed.stats().streams === 0, { what: 'every stream closed' });
    expect(jobs.feed.stats()).toEqual({ streams: 0, topics: 0, listeners: 0 });
    expect(jobs.poller.stats()).toEqual({ watched: 0, scheduled: 0, timers: 0 });
  }, 60_000);

  it('refuses more than 500 refs at subscribe time', async () => {
    const refs = Array.from({ length: 501 }, (_, i) => ref('SAYMON_BULK_OP', `many-${i}`));
    const sub = subscribeWs(newClient(), JobUpdatesSubscription, { refs });
    await sub.completed;
    expect(JSON.stringify(sub.errors)).toMatch(/Too many refs: 501 given/);
    expect(api.app.server.jobs.poller.stats().watched).toBe(0);
  });
});

describe('graphql-ws protocol misuse', () => {
  /** Opens a raw socket, runs `act`, and answers the close code the server chose. */
  async function closeCodeAfter(act: (socket: WebSocket) => void): Promise<number> {
    const socket = new WebSocket(api.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.once('open', () => act(socket));
    return closed;
  }

  it('closes with the protocol codes', async () => {
    expect(await closeCodeAfter((s) => s.send('{not json'))).toBe(4400);
    expect(await closeCodeAfter((s) => s.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } })))).toBe(4401);
    expect(
      await closeCodeAfter((s) => {
        s.send(JSON.stringify({ type: 'connection_init' }));
        s.send(JSON.stringify({ type: 'connection_init' }));
      }),
    ).toBe(4429);
    expect(await closeCodeAfter((s) => s.send(JSON.stringify({ type: 'teleport' })))).toBe(4400);
  });
});
