/**
 * `trackedJobUpdates` over graphql-ws and SSE: TRACKED for jobs tracked after subscribing,
 * CHANGED with previousState, UNTRACKED; the filter and the key's providers respected.
 */
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';
import { subscribeSse, subscribeWs, wsClient } from '../support/subscribers.js';
import { waitFor } from '../support/wait.js';

const UPDATES = parse(`subscription Live($filter: TrackedJobFilter) {
  trackedJobUpdates(filter: $filter) { type previousState at job { __typename ... on Job { nativeId state } ... on JobNotFoundError { nativeId } } }
}`) as never;
const TRACK = 'mutation($refs: [JobRef!]!, $labels: [String!]) { trackJobs(refs: $refs, labels: $labels) { ... on Job { id } } }';
const zd = (id: string) => ({ kind: 'ZENDESK_JOB_STATUS', id });

let providers: FakeProviders;
let jobs: Map<string, Record<string, unknown>>;
let api: TestApp;

beforeAll(async () => {
  jobs = new Map();
  providers = await startFakeProviders(jobs);
  api = await startTestApp({ ...providers.env, POLL_INTERVAL_MS: '30', POLL_MAX_INTERVAL_MS: '60', CACHE_TTL_MS: '1' });
});
afterAll(async () => {
  await api?.close();
  await providers?.upstream.close();
});

type Event = { trackedJobUpdates: { type: string; previousState: string | null; job: { nativeId?: string; state?: string } } };

describe('trackedJobUpdates', () => {
  it.each(['ws', 'sse'] as const)('streams TRACKED, CHANGED and UNTRACKED matching the filter over %s', async (transport) => {
    const label = `live-${transport}`;
    const client = transport === 'ws' ? wsClient(api.url) : null;
    const subscriber = client
      ? subscribeWs<Event, unknown>(client, UPDATES, { filter: { labels: [label] } })
      : subscribeSse<Event, unknown>(api.url, UPDATES, { filter: { labels: [label] } });
    try {
      const id = `${transport}-1`;
      jobs.set(id, zendeskJob(id, 'queued'));
      jobs.set(`${transport}-other`, zendeskJob(`${transport}-other`, 'queued'));
      let globalId = '';
      await waitFor(
        async () => {
          if (!globalId) globalId = ((await api.request(TRACK, { refs: [zd(id)], labels: [label] } as never)).body.data as any).trackJobs[0].id;
          return subscriber.events.length > 0;
        },
        { what: 'TRACKED' },
      ).catch(async () => {
        // The subscription may not have been registered when the first track ran: track a second job.
        const again = `${transport}-2`;
        jobs.set(again, zendeskJob(again, 'queued'));
        await api.request(TRACK, { refs: [zd(again)], labels: [label] } as never);
        await subscriber.received(1);
      });
      await api.request(TRACK, { refs: [zd(`${transport}-other`)], labels: ['unrelated'] } as never);
      expect(subscriber.events[0]!.trackedJobUpdates).toMatchObject({ type: 'TRACKED', previousState: null, job: { state: 'QUEUED' } });

      const trackedId = subscriber.events[0]!.trackedJobUpdates.job.nativeId!;
      jobs.set(trackedId, zendeskJob(trackedId, 'working'));
      await waitFor(() => subscriber.events.some((event) => event.trackedJobUpdates.type === 'CHANGED'), { what: 'CHANGED' });
      const changed = subscriber.events.find((event) => event.trackedJobUpdates.type === 'CHANGED')!.trackedJobUpdates;
      expect(changed).toMatchObject({ previousState: 'QUEUED', job: { nativeId: trackedId, state: 'RUNNING' } });

      const ids = (await api.request(`query Labelled { trackedJobs(filter: { labels: ["${label}"] }) { edges { node { ... on Job { id } } } } }`)).body.data as any;
      await api.request('mutation($ids: [ID!]!) { untrackJobs(ids: $ids) }', { ids: ids.trackedJobs.edges.map((edge: any) => edge.node.id) } as never);
      await waitFor(() => subscriber.events.some((event) => event.trackedJobUpdates.type === 'UNTRACKED'), { what: 'UNTRACKED' });
      // The unrelated job never reached this subscriber.
      expect(subscriber.events.every((event) => event.trackedJobUpdates.job.nativeId !== `${transport}-other`)).toBe(true);
      expect(subscriber.isComplete()).toBe(false);
      void globalId;
    } finally {
      subscriber.stop();
      await client?.dispose();
    }
  });
});

describe('label changes on the live list', () => {
  it('announces a relabelled job as CHANGED, to the filter it enters and to the one it leaves, and a re-track never as TRACKED', async () => {
    const client = wsClient(api.url);
    const left = subscribeWs<Event, unknown>(client, UPDATES, { filter: { labels: ['relabel-old'] } });
    const entered = subscribeWs<Event, unknown>(client, UPDATES, { filter: { labels: ['relabel-new'] } });
    try {
      jobs.set('relabel-1', zendeskJob('relabel-1', 'working'));
      let id = '';
      await waitFor(
        async () => {
          if (!id) id = ((await api.request(TRACK, { refs: [zd('relabel-1')], labels: ['relabel-old'] } as never)).body.data as any).trackJobs[0].id;
          else await api.request(TRACK, { refs: [zd('relabel-1')], labels: ['relabel-old'] } as never);
          return left.events.length > 0;
        },
        { what: 'the first event' },
      ).catch(() => {});
      const seenBefore = left.events.length;
      await api.request('mutation($id: ID!, $labels: [String!]!) { setJobLabels(id: $id, labels: $labels) { __typename } }', { id, labels: ['relabel-new'] } as never);
      await waitFor(() => left.events.length > seenBefore && entered.events.length > 0, { what: 'CHANGED to both filters' });
      for (const subscriber of [left, entered]) {
        expect(subscriber.events.at(-1)!.trackedJobUpdates).toMatchObject({ type: 'CHANGED', previousState: 'RUNNING', job: { nativeId: 'relabel-1', state: 'RUNNING' } });
      }
      // Tracking again with a new label: CHANGED (labels grew), not TRACKED.
      await api.request(TRACK, { refs: [zd('relabel-1')], labels: ['relabel-extra'] } as never);
      await waitFor(() => entered.events.length > 1, { what: 'CHANGED for the merged labels' });
      expect(entered.events.map((event) => event.trackedJobUpdates.type)).toEqual(['CHANGED', 'CHANGED']);
    } finally {
      left.stop();
      entered.stop();
      await client.dispose();
    }
  });
});
