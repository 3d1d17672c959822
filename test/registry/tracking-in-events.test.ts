/**
 * A `jobUpdates` subscription that selects a job's `tracking` gets it as it is at each event, not
 * as it was when the subscription started: each event executes with new per-operation loaders
 * (a subscription's own context lives as long as the subscription; its DataLoaders would answer
 * the first event's rows for hours).
 */
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';
import { subscribeSse, subscribeWs, wsClient } from '../support/subscribers.js';

const KEY = 'full-key-2f61c0aa93';
const auth = { authorization: `Bearer ${KEY}` };

describe('tracking in subscription events', () => {
  const jobs = new Map<string, Record<string, unknown>>();
  let providers: FakeProviders;
  let api: TestApp;
  beforeAll(async () => {
    providers = await startFakeProviders(jobs);
    api = await startTestApp({ ...providers.env, API_KEYS: KEY, POLL_INTERVAL_MS: '100', POLL_MAX_INTERVAL_MS: '100' });
  });
  afterAll(async () => {
    await api?.close();
    await providers?.upstream.close();
  });

  for (const transport of ['SSE', 'WebSocket'] as const) {
    it(`answers each event's tracking as it is then, not as at subscribe time (${transport})`, async () => {
      const nativeId = `T-${transport}`;
      jobs.set(nativeId, zendeskJob(nativeId, 'working', { progress: 1, total: 10 }));
      const tracked = await api.request<any, any>(`mutation { trackJobs(refs: [{ kind: ZENDESK_JOB_STATUS, id: "${nativeId}" }], labels: ["before"]) { ... on Job { id } } }`, {}, auth);
      expect(tracked.body.errors).toBeUndefined();
      const id = tracked.body.data.trackJobs[0].id;
      const document = parse(`subscription { jobUpdates(refs: [{ kind: ZENDESK_JOB_STATUS, id: "${nativeId}" }]) { result { ... on ZendeskJobStatus { progress { completed } tracking { labels } } } } }`);
      const client = transport === 'WebSocket' ? wsClient(api.url, auth) : null;
      const subscriber = client ? subscribeWs(client, document as never, {}) : subscribeSse(api.url, document as never, {}, auth);
      try {
        await subscriber.received(1);
        expect((subscriber.events[0] as any).jobUpdates.result.tracking.labels).toEqual(['before']);
        const labelled = await api.request<any, any>(`mutation { setJobLabels(id: "${id}", labels: ["after"]) { __typename } }`, {}, auth);
        expect(labelled.body.errors).toBeUndefined();
        jobs.set(nativeId, zendeskJob(nativeId, 'working', { progress: 5, total: 10 }));
        await subscriber.received(2);
        expect((subscriber.events[1] as any).jobUpdates.result.tracking.labels).toEqual(['after']);
      } finally {
        subscriber.stop();
        await client?.dispose();
      }
    });
  }
});
