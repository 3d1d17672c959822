/**
 * The operations the benchmarks send, typed by GraphQL Code Generator (`npm run codegen`), and
 * the refs they ask about.
 */
import type { JobKind } from '../test/gql/graphql.js';
import { graphql } from '../test/gql/index.js';

/** The floor: a query that touches no job, to show the server's own cost per request. */
export const BenchFloorQuery = graphql(`
  query BenchFloor { __typename }
`);

/** What a status dashboard asks for each job. */
export const BenchJobsQuery = graphql(`
  query BenchJobs($refs: [JobRef!]!) {
    jobs(refs: $refs) {
      __typename
      ... on Job { id kind nativeId state rawStatus done progress { completed total percent } message checkedAt }
      ... on Error { errorMessage: message }
    }
  }
`);

/** A page of the registry's list, as a status board asks for it; `totalCount` only when `count`. */
export const BenchTrackedJobsQuery = graphql(`
  query BenchTrackedJobs(
    $filter: TrackedJobFilter
    $orderBy: TrackedJobOrder
    $first: Int
    $after: String
    $last: Int
    $before: String
    $count: Boolean!
  ) {
    trackedJobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      totalCount @include(if: $count)
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges {
        cursor
        node {
          __typename
          ... on Job { id kind nativeId state rawStatus done progress { percent } message checkedAt tracking { labels trackedAt } }
          ... on Error { errorMessage: message }
        }
      }
    }
  }
`);

/** Live updates, with what the fan-out benchmark needs to time each event. */
export const BenchJobUpdatesSubscription = graphql(`
  subscription BenchJobUpdates($refs: [JobRef!]!) {
    jobUpdates(refs: $refs) {
      previousState
      at
      result {
        __typename
        ... on Job { nativeId state progress { completed } }
      }
    }
  }
`);

export interface BenchRef {
  readonly kind: JobKind;
  readonly id: string;
}

const KINDS: readonly JobKind[] = ['IMAGEKIT_BULK_JOB', 'IMAGEKIT_PURGE_REQUEST', 'SAYMON_BULK_OP', 'ZENDESK_JOB_STATUS'];

/** `count` refs, the four kinds in turn, with ids unique to `tag`. */
export function mixedRefs(count: number, tag: string): BenchRef[] {
  return Array.from({ length: count }, (_, index) => ({ kind: KINDS[index % KINDS.length]!, id: `${tag}-${index}` }));
}

/** Requests a client would make to ask each ref directly, one GET per job. */
export function directPath(ref: BenchRef): string {
  const id = encodeURIComponent(ref.id);
  switch (ref.kind) {
    case 'IMAGEKIT_BULK_JOB':
      return `/ik/v1/bulkJobs/${id}`;
    case 'IMAGEKIT_PURGE_REQUEST':
      return `/ik/v1/files/purge/${id}`;
    case 'SAYMON_BULK_OP':
      return `/saymon/node/api/bulk/${id}/status`;
    case 'ZENDESK_JOB_STATUS':
      return `/zd/api/v2/job_statuses/${id}.json`;
  }
}

/** The fewest upstream requests that can answer `refs`: one per ImageKit/SAYMON job, Zendesk per 100. */
export function minimumRequests(refs: readonly BenchRef[]): number {
  const zendesk = refs.filter((ref) => ref.kind === 'ZENDESK_JOB_STATUS').length;
  return refs.length - zendesk + Math.ceil(zendesk / 100);
}
