/**
 * urql as frontends use it, against a started app: `@urql/core` over HTTP, graphql-ws (with `ws`
 * on Node) for subscriptions, and graphcache configured as the README shows: the schema (so
 * fragments on the `Job` and `Error` interfaces match exactly) and `keys` for the types without
 * an id (errors, progress, per-item results), which are embedded in their parent.
 */
import { readFileSync } from 'node:fs';
import { cacheExchange, type CacheExchangeOpts } from '@urql/exchange-graphcache';
import { Client, fetchExchange, gql, subscriptionExchange } from '@urql/core';
import { buildSchema, introspectionFromSchema } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../support/wait.js';
import { ALL_DONE_MS, type ClientTestApp, refsLiteral, startClientTestApp } from './support.js';

let api: ClientTestApp;
beforeAll(async () => {
  api = await startClientTestApp();
});
afterAll(async () => {
  await api?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** The README's graphcache set-up. */
const GRAPHCACHE: CacheExchangeOpts = {
  schema: introspectionFromSchema(buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'))),
  keys: {
    JobNotFoundError: () => null,
    ProviderError: () => null,
    JobProgress: () => null,
    ZendeskJobResult: () => null,
    ProviderAccount: () => null,
    JobUpdate: () => null,
  },
};

function urql(options: CacheExchangeOpts) {
  const ws = createClient({ url: api.wsUrl, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0 });
  const client = new Client({
    url: api.url,
    exchanges: [
      cacheExchange(options),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return { subscribe: (sink) => ({ unsubscribe: ws.subscribe(input, sink) }) };
        },
      }),
    ],
  });
  return { client, close: () => ws.dispose() };
}

const JOB_FIELDS = `
  fragment JobFields on Job {
    id
    kind
    nativeId
    state
    done
    progress {
      percent
    }
  }
`;

interface JobData {
  __typename: string;
  id?: string;
  kind?: string;
  nativeId?: string;
  state?: string;
  done?: boolean;
  message?: string;
}

function jobsQuery(refs: string) {
  return gql`
    query Jobs {
      jobs(refs: ${refs}) {
        __typename
        ...JobFields
        ... on Error {
          message
        }
      }
    }
    ${JOB_FIELDS}
  `;
}

describe('urql with graphcache, the schema and keys', () => {
  it('returns the fields inside fragments on Job and Error, without heuristic matching', async () => {
    const warnings = vi.spyOn(console, 'warn');
    const demo = api.app.sandbox!.freshDemoRefs();
    const { client, close } = urql(GRAPHCACHE);
    try {
      const result = await client.query<{ jobs: JobData[] }>(jobsQuery(refsLiteral([...demo, { kind: 'SAYMON_BULK_OP', nativeId: 'missing-op' }])), {}).toPromise();
      expect(result.error).toBeUndefined();
      const jobs = result.data!.jobs;
      expect(jobs.map((job) => job.__typename)).toEqual(['ImageKitBulkJob', 'PurgeRequest', 'SaymonBulkOp', 'ZendeskJobStatus', 'JobNotFoundError']);
      for (const [index, ref] of demo.entries()) expect(jobs[index]).toMatchObject({ kind: ref.kind, nativeId: ref.nativeId, done: false });
      expect(jobs[4]!.message).toEqual(expect.any(String));
      // graphcache warns when it guesses fragment matches or meets a type without a key.
      expect(warnings.mock.calls.map((call) => String(call[0]))).toEqual([]);
    } finally {
      close();
    }
  });

  it('updates the normalized cache from a graphql-ws subscription', async () => {
    const [ref] = api.app.sandbox!.freshDemoRefs().filter((candidate) => candidate.kind === 'SAYMON_BULK_OP');
    const refs = refsLiteral([ref!]);
    const { client, close } = urql(GRAPHCACHE);
    try {
      const query = jobsQuery(refs);
      const first = await client.query<{ jobs: JobData[] }>(query, {}).toPromise();
      expect(first.data!.jobs[0]).toMatchObject({ done: false });
      const states: string[] = [];
      const subscription = client
        .subscription<{ jobUpdates: { result: JobData } }>(
          gql`
            subscription Watch {
              jobUpdates(refs: ${refs}) {
                previousState
                result {
                  __typename
                  ...JobFields
                }
              }
            }
            ${JOB_FIELDS}
          `,
          {},
        )
        .subscribe((result) => states.push(result.data?.jobUpdates.result.state ?? 'none'));
      try {
        await waitFor(() => states.length > 0);
        api.clock.advance(ALL_DONE_MS);
        await waitFor(() => ['COMPLETED', 'FAILED'].includes(states[states.length - 1] ?? ''));
        // Read from the cache only: the subscription's event rewrote the query's job entity.
        const cached = client.readQuery<{ jobs: JobData[] }>(query, {});
        expect(cached?.data?.jobs[0]).toMatchObject({ id: first.data!.jobs[0]!.id, done: true, state: states[states.length - 1] });
      } finally {
        subscription.unsubscribe();
      }
    } finally {
      close();
    }
  });
});
