/**
 * Subscription events executed once per audience: real graphql-ws subscribers on one job, the
 * executions counted on `/metrics` (`jsg_subscription_events_total`), and what each subscriber
 * received compared with what it asked for.
 */
import { type ExecutionResult, GraphQLError, GraphQLScalarType } from 'graphql';
import { createPubSub, createSchema, createYoga } from 'graphql-yoga';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mapEvents, useSharedEventExecution } from '../../src/http/shared-event-execution.js';
import { EventQueue } from '../../src/jobs/event-queue.js';
import type { JobKind } from '../../src/jobs/model.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';
import { JobProgressSubscription, JobUpdatesSubscription } from '../support/operations.js';
import { sample } from '../support/prometheus.js';
import { type Subscriber, subscribeWs, wsClient } from '../support/subscribers.js';
import { waitFor } from '../support/wait.js';

const KEYS = { a: 'shared-exec-key-a', b: 'shared-exec-key-b' };
const jobs = new Map<string, Record<string, unknown>>();
let providers: FakeProviders;
let api: TestApp;
const clients: ReturnType<typeof wsClient>[] = [];

beforeAll(async () => {
  providers = await startFakeProviders(jobs);
  api = await startTestApp({ ...providers.env, API_KEYS: `${KEYS.a},${KEYS.b}`, POLL_INTERVAL_MS: '20', POLL_MAX_INTERVAL_MS: '40', CACHE_TTL_MS: '1' });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});
afterAll(async () => {
  await api.close();
  await providers.upstream.close();
});

const ref = (id: string, kind: JobKind = 'ZENDESK_JOB_STATUS') => ({ kind, id });
const working = (id: string, progress: number) => zendeskJob(id, 'working', { total: 10, progress });

function client(key: string) {
  const created = wsClient(api.url, { authorization: `Bearer ${key}` });
  clients.push(created);
  return created;
}

async function executions(): Promise<{ executed: number; shared: number }> {
  const text = await (await fetch(`${api.app.server.origin}/metrics`)).text();
  const count = (execution: string) => sample(text, 'jsg_subscription_events_total', { execution }) ?? 0;
  return { executed: count('executed'), shared: count('shared') };
}

/** The last event a subscriber got for `id`. */
function lastFor<T extends { jobUpdates: { result: Record<string, unknown> } }>(subscriber: Subscriber<T>, id: string) {
  return subscriber.events.filter((event) => event.jobUpdates.result.nativeId === id).at(-1)?.jobUpdates;
}

const progressOf = (update: { result: Record<string, unknown> } | undefined) => (update?.result.progress as { completed: number } | undefined)?.completed;

describe('shared execution of subscription events', () => {
  it('runs each change once for subscribers with the same document and key, whatever refs they watch', async () => {
    jobs.set('V3-one', working('V3-one', 1));
    jobs.set('V3-beside', zendeskJob('V3-beside', 'working'));
    const subscribers = Array.from({ length: 6 }, (_, index) =>
      subscribeWs(client(KEYS.a), JobUpdatesSubscription, { refs: index % 2 ? [ref('V3-one'), ref('V3-beside')] : [ref('V3-one')] }),
    );
    await Promise.all(subscribers.map((subscriber, index) => subscriber.received(index % 2 ? 2 : 1)));
    const before = await executions();

    jobs.set('V3-one', working('V3-one', 5));
    await waitFor(() => subscribers.every((subscriber) => progressOf(lastFor(subscriber, 'V3-one')) === 5), { what: 'the change everywhere' });
    const after = await executions();

    expect(after.executed - before.executed).toBe(1);
    expect(after.shared - before.shared).toBe(5);
    const changes = subscribers.map((subscriber) => lastFor(subscriber, 'V3-one'));
    for (const change of changes) expect(change).toEqual(changes[0]);
    expect(changes[0]).toMatchObject({ previousState: 'RUNNING', result: { state: 'RUNNING', progress: { completed: 5 } } });
  });

  it('keeps results apart where variables shape the selection, and between API keys', async () => {
    jobs.set('V3-two', working('V3-two', 1));
    const subscribe = (key: string, withProgress: boolean) => subscribeWs(client(key), JobProgressSubscription, { refs: [ref('V3-two')], withProgress });
    const withA = [subscribe(KEYS.a, true), subscribe(KEYS.a, true)];
    const withoutA = subscribe(KEYS.a, false);
    const withB = subscribe(KEYS.b, true);
    const all = [...withA, withoutA, withB];
    await Promise.all(all.map((subscriber) => subscriber.received(1)));
    const before = await executions();

    jobs.set('V3-two', working('V3-two', 7));
    await waitFor(() => all.every((subscriber) => subscriber.events.length === 2), { what: 'the change everywhere' });
    const after = await executions();

    // One execution per audience: key a with progress (two subscribers), key a without, key b.
    expect(after.executed - before.executed).toBe(3);
    expect(after.shared - before.shared).toBe(1);
    for (const subscriber of [...withA, withB]) {
      expect(subscriber.events[1]!.jobUpdates.result).toEqual({ __typename: 'ZendeskJobStatus', nativeId: 'V3-two', state: 'RUNNING', progress: { completed: 7 } });
    }
    expect(withoutA.events[1]!.jobUpdates.result).toEqual({ __typename: 'ZendeskJobStatus', nativeId: 'V3-two', state: 'RUNNING' });
  });
});

describe('an event’s execution', () => {
  it('does not coerce the subscription’s variables again: only subscribing reads them', async () => {
    let parsed = 0;
    const Counted = new GraphQLScalarType({ name: 'Counted', parseValue: (value) => ((parsed += 1), value) });
    const ticks = createPubSub<{ tick: [number] }>();
    const yoga = createYoga({
      schema: createSchema({
        typeDefs: 'scalar Counted\ninput Pick { ids: [Counted!]!, mode: Mode! }\nenum Mode { ALL SOME }\ntype Query { ok: Boolean }\ntype Subscription { ticks(pick: Pick!, note: String!): Int }',
        resolvers: { Counted, Subscription: { ticks: { subscribe: () => ticks.subscribe('tick'), resolve: (tick: number) => tick } } },
      }),
      plugins: [useSharedEventExecution({ audienceOf: () => 'everyone' })],
    });
    const enveloped = yoga.getEnveloped({});
    const document = enveloped.parse('subscription Ticks($ids: [Counted!]!, $note: String!) { ticks(pick: { ids: $ids, mode: SOME }, note: $note) }');
    const stream = (await enveloped.subscribe({
      schema: enveloped.schema,
      document,
      variableValues: { ids: Array.from({ length: 100 }, (_, index) => index), note: 'n' },
      contextValue: await enveloped.contextFactory(),
    })) as AsyncIterableIterator<{ data?: { ticks: number } }>;
    const first = stream.next();
    await waitFor(() => parsed === 100, { what: 'the subscription’s own coercion' });
    for (const tick of [1, 2, 3]) ticks.publish('tick', tick);
    expect((await first).value?.data).toEqual({ ticks: 1 });
    expect((await stream.next()).value?.data).toEqual({ ticks: 2 });
    expect((await stream.next()).value?.data).toEqual({ ticks: 3 });
    await stream.return?.();
    expect(parsed).toBe(100);
  });
});

describe('events written directly (mapEvents with a direct writer)', () => {
  type Event = { n: number; fails?: boolean; later?: boolean };
  /** A source the test pushes to, and a map that fails or settles later where the event says so. */
  function setUp(accepts: (result: ExecutionResult) => boolean = () => true) {
    let source!: EventQueue<Event>;
    let cleanedUp = 0;
    const queue = new EventQueue<Event>((created) => {
      source = created;
      return () => void (cleanedUp += 1);
    });
    const written: number[] = [];
    const resultOf = (event: Event): ExecutionResult => (event.fails ? { data: { n: event.n }, errors: [new GraphQLError('no')] } : { data: { n: event.n } });
    const iterator = mapEvents(
      queue,
      (event) => (((event as Event).later ? Promise.resolve(resultOf(event as Event)) : resultOf(event as Event))),
      (result) => {
        if (!accepts(result)) return false;
        written.push((result.data as { n: number }).n);
        return true;
      },
    );
    return { iterator, written, push: (event: Event) => source.push(event), end: () => source.end(), cleanedUp: () => cleanedUp };
  }

  it('writes what the writer accepts while one next waits, and hands over only what it declines, in order', async () => {
    const { iterator, written, push } = setUp((result) => !result.errors);
    const first = iterator.next();
    push({ n: 1 });
    // The feed's queue hands a waiting subscription its event within the push: no promise between.
    expect(written).toEqual([1]);
    push({ n: 2, later: true });
    push({ n: 3 });
    push({ n: 4, fails: true });
    push({ n: 5 });
    const handed = await first;
    expect(handed.value).toMatchObject({ data: { n: 4 }, errors: [{ message: 'no' }] });
    // Nothing after the declined result was written before the transport asked again.
    expect(written).toEqual([1, 2, 3]);
    void iterator.next();
    await waitFor(() => written.length === 4, { what: 'the fifth event written' });
    push({ n: 6 });
    await waitFor(() => written.length === 5, { what: 'the sixth event written' });
    expect(written).toEqual([1, 2, 3, 5, 6]);
  });

  it('ends the waiting next when the source ends, and writes nothing once the subscriber has left', async () => {
    const ending = setUp();
    const waiting = ending.iterator.next();
    ending.push({ n: 1 });
    ending.end();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(ending.written).toEqual([1]);

    const leaving = setUp();
    const pending = leaving.iterator.next();
    leaving.push({ n: 1, later: true });
    await leaving.iterator.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    leaving.push({ n: 2 });
    expect(leaving.written).toEqual([]);
    expect(leaving.cleanedUp()).toBe(1);
  });

  it('fails the waiting next, not the pusher, when an event cannot be mapped', async () => {
    let source!: EventQueue<number>;
    const iterator = mapEvents(
      new EventQueue<number>((created) => ((source = created), () => {})),
      (n) => {
        if (n === 2) throw new Error('cannot map 2');
        return { data: { n: n as number } };
      },
      () => true,
    );
    const waiting = iterator.next();
    source.push(1);
    expect(() => source.push(2)).not.toThrow();
    await expect(waiting).rejects.toThrow('cannot map 2');

    async function* generated() {
      yield 1;
      yield 2;
    }
    const fromGenerator = mapEvents(generated(), (n) => {
      if (n === 2) throw new Error('cannot map 2 either');
      return { data: { n: n as number } };
    }, () => true);
    await expect(fromGenerator.next()).rejects.toThrow('cannot map 2 either');
  });

  it('writes directly from any async source, one value per next of its own', async () => {
    async function* source() {
      yield 1;
      yield 2;
      yield 3;
    }
    const written: number[] = [];
    const iterator = mapEvents(source(), (n) => ({ data: { n: n as number } }), (result) => {
      const n = (result.data as { n: number }).n;
      if (n === 2) return false;
      written.push(n);
      return true;
    });
    expect(await iterator.next()).toEqual({ value: { data: { n: 2 } }, done: false });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(written).toEqual([1, 3]);
  });

  it('hands every result over as before without a writer', async () => {
    let source!: EventQueue<number>;
    const iterator = mapEvents(new EventQueue<number>((created) => ((source = created), () => {})), (n) => ({ data: { n: n as number } }));
    const next = iterator.next();
    source.push(7);
    expect(await next).toEqual({ value: { data: { n: 7 } }, done: false });
  });
});
