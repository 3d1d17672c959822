/**
 * Unexpected faults are masked the same way on every transport: a field that fails while a
 * subscription event is executed says "Unexpected error." over WebSocket and SSE, as a query
 * says over HTTP, never the fault's own words.
 *
 * Two reproductions: the service itself, with a fake Zendesk answering numbers no GraphQL `Int`
 * can carry (transports compared with HTTP for the same job); and the shared event execution
 * alone, in a small yoga server whose event fields fail in both ways graphql-js knows (a value a
 * scalar cannot serialize, a resolver that throws), so that the proof does not depend on what
 * the provider parsers let through.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSharedEventExecution } from '../src/http/shared-event-execution.js';
import { startTestApp, type TestApp } from './support/app.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from './support/fake-providers.js';
import { JobQuery, JobUpdatesSubscription } from './support/operations.js';
import { subscribeSse, subscribeWs, wsClient } from './support/subscribers.js';

type GraphQLErrorJson = { message: string; path?: unknown; extensions?: Record<string, unknown> };
const OVER_INT = 2 ** 31 + 5;
const UNEXPECTED = { message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } };

describe('the service', () => {
  let providers: FakeProviders;
  let api: TestApp;
  const id = 'V3-too-big';
  beforeAll(async () => {
    const job = zendeskJob(id, 'completed', { total: OVER_INT, results: [{ id: 1, index: OVER_INT, status: 'Updated', success: true }] });
    providers = await startFakeProviders(new Map([[id, job]]));
    api = await startTestApp(providers.env);
  });
  afterAll(async () => {
    await api.close();
    await providers.upstream.close();
  });

  /** Message, path and code of each error, the parts a client sees. */
  const visible = (errors: GraphQLErrorJson[]) => errors.map(({ message, path, extensions }) => ({ message, path, code: extensions?.code }));

  it('masks a subscription event over WebSocket and SSE exactly as the same job over HTTP', async () => {
    const ref = { kind: 'ZENDESK_JOB_STATUS' as const, id };
    const http = await api.request(JobQuery, { ref });
    const httpErrors = visible(http.body.errors ?? []);
    for (const error of httpErrors) expect(error.message).toBe('Unexpected error.');

    const client = wsClient(api.url);
    try {
      const overWs = subscribeWs(client, JobUpdatesSubscription, { refs: [ref] });
      const overSse = subscribeSse(api.url, JobUpdatesSubscription, { refs: [ref] });
      await Promise.all([overWs.completed, overSse.completed]);
      for (const subscriber of [overWs, overSse]) {
        const errors = visible((subscriber.errors as GraphQLErrorJson[][]).flat());
        expect(JSON.stringify(errors)).not.toMatch(/cannot represent/);
        // The same errors at the same fields, below the subscription's root field instead of the query's.
        expect(errors.map(({ path, ...rest }) => ({ ...rest, path: (path as string[]).slice(2) }))).toEqual(
          httpErrors.map(({ path, ...rest }) => ({ ...rest, path: (path as string[]).slice(1) })),
        );
      }
    } finally {
      await client.dispose();
    }
  });
});

describe('shared event execution', () => {
  let server: ReturnType<typeof createServer>;
  let url: string;
  beforeAll(async () => {
    const schema = createSchema({
      typeDefs: 'type Query { ok: Boolean } type Event { count: Int  broken: String  fine: String } type Subscription { events: Event }',
      resolvers: {
        Subscription: {
          events: {
            async *subscribe() {
              yield { events: { count: OVER_INT, fine: 'yes' } };
            },
          },
        },
        Event: {
          broken: () => {
            throw new Error('connect ECONNREFUSED 10.0.0.7:5432 (password=hunter2)');
          },
        },
      },
    });
    const yoga = createYoga({ schema, maskedErrors: { isDev: false }, logging: false, plugins: [useSharedEventExecution({ audienceOf: () => '' })] });
    server = createServer(yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('masks a value a scalar cannot serialize and a thrown error, keeping the rest of the event', async () => {
    const document = parse('subscription { events { count broken fine } }');
    const subscriber = subscribeSse(url, document as never, {} as never);
    await subscriber.completed;
    expect(subscriber.events).toEqual([{ events: { count: null, broken: null, fine: 'yes' } }]);
    const errors = (subscriber.errors as GraphQLErrorJson[][]).flat();
    expect(errors).toHaveLength(2);
    for (const error of errors) expect(error).toMatchObject(UNEXPECTED);
    expect(JSON.stringify(errors)).not.toMatch(/hunter2|cannot represent/);
  });
});
