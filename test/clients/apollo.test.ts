/**
 * Apollo Client as frontends use it, against a started app: HTTP for queries, `GraphQLWsLink`
 * (graphql-ws, `ws` on Node) for subscriptions, and `InMemoryCache` with the shipped
 * `possible-types.json`. Without `possibleTypes` Apollo Client drops every field inside
 * `... on Job` (an interface) silently; with it, the query returns them and subscription events
 * update the normalized cache.
 */
import { ApolloClient, ApolloLink, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../support/wait.js';
import { ALL_DONE_MS, type ClientTestApp, refsLiteral, shipped, startClientTestApp } from './support.js';

let api: ClientTestApp;
beforeAll(async () => {
  api = await startClientTestApp();
});
afterAll(async () => {
  await api?.close();
});

function apollo(possibleTypes: Record<string, string[]> | undefined) {
  const ws = createClient({ url: api.wsUrl, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0 });
  const link = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
    },
    new GraphQLWsLink(ws),
    new HttpLink({ uri: api.url }),
  );
  const client = new ApolloClient({ link, cache: new InMemoryCache(possibleTypes ? { possibleTypes } : {}) });
  return { client, close: () => ws.dispose() };
}

const JOB_FIELDS = gql`
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

interface JobData {
  __typename: string;
  id?: string;
  kind?: string;
  nativeId?: string;
  state?: string;
  done?: boolean;
  message?: string;
}

describe('Apollo Client with the shipped possibleTypes', () => {
  it('returns the fields inside fragments on Job and Error', async () => {
    const demo = api.app.sandbox!.freshDemoRefs();
    const refs = refsLiteral([...demo, { kind: 'ZENDESK_JOB_STATUS', nativeId: 'V3-missing' }]);
    const { client, close } = apollo(shipped.possibleTypes);
    try {
      const { data } = await client.query<{ jobs: JobData[] }>({ query: jobsQuery(refs), fetchPolicy: 'network-only' });
      const jobs = data!.jobs;
      expect(jobs.map((job) => job.__typename)).toEqual(['ImageKitBulkJob', 'PurgeRequest', 'SaymonBulkOp', 'ZendeskJobStatus', 'JobNotFoundError']);
      for (const [index, ref] of demo.entries()) {
        expect(jobs[index]).toMatchObject({ kind: ref.kind, nativeId: ref.nativeId, id: expect.any(String), state: expect.any(String), done: false });
      }
      expect(jobs[4]!.message).toEqual(expect.any(String));
    } finally {
      close();
    }
  });

  it('updates the normalized cache from a GraphQLWsLink subscription', async () => {
    const [ref] = api.app.sandbox!.freshDemoRefs().filter((candidate) => candidate.kind === 'ZENDESK_JOB_STATUS');
    const refs = refsLiteral([ref!]);
    const { client, close } = apollo(shipped.possibleTypes);
    try {
      const query = jobsQuery(refs);
      const { data } = await client.query<{ jobs: JobData[] }>({ query, fetchPolicy: 'network-only' });
      const id = data!.jobs[0]!.id!;
      expect(data!.jobs[0]).toMatchObject({ done: false });

      const events: string[] = [];
      const subscription = client
        .subscribe<{ jobUpdates: { result: JobData } }>({
          query: gql`
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
        })
        .subscribe({ next: (event) => events.push(event.data?.jobUpdates.result.state ?? 'none') });
      try {
        await waitFor(() => events.length > 0);
        api.clock.advance(ALL_DONE_MS);
        await waitFor(() => ['COMPLETED', 'FAILED'].includes(events[events.length - 1] ?? ''));
        // The query's cached entity, read back without the network: the subscription rewrote it.
        const cached = client.readQuery<{ jobs: JobData[] }>({ query });
        expect(cached!.jobs[0]).toMatchObject({ id, done: true, state: events[events.length - 1] });
        expect(client.cache.identify({ __typename: 'ZendeskJobStatus', id })).toBe(`ZendeskJobStatus:${id}`);
      } finally {
        subscription.unsubscribe();
      }
    } finally {
      close();
    }
  });
});
