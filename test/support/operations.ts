/**
 * The operations tests send, typed by GraphQL Code Generator (`npm run codegen`).
 */
import { graphql } from '../gql/index.js';

export const JobResultFields = graphql(`
  fragment JobResultFields on JobResult {
    __typename
    ... on Job {
      id
      kind
      provider
      account
      nativeId
      state
      rawStatus
      done
      progress { completed total percent }
      message
      checkedAt
    }
    ... on ImageKitBulkJob { type purgeRequest { id nativeId state } }
    ... on SaymonBulkOp { finished }
    ... on ZendeskJobStatus {
      url
      total
      jobType
      results { id index action success status error details title externalId }
    }
    ... on Error { errorMessage: message }
    ... on JobNotFoundError { kind nativeId account }
    ... on ProviderError { provider account code retryAfterMs kind nativeId }
  }
`);

export const JobQuery = graphql(`
  query Job($ref: JobRef!) {
    job(ref: $ref) { ...JobResultFields }
  }
`);

export const JobsQuery = graphql(`
  query Jobs($refs: [JobRef!]!) {
    jobs(refs: $refs) { ...JobResultFields }
  }
`);

export const NodesQuery = graphql(`
  query Nodes($ids: [ID!]!) {
    nodes(ids: $ids) { __typename id ... on Job { nativeId state account kind } }
  }
`);

export const NodeQuery = graphql(`
  query Node($id: ID!) {
    node(id: $id) { __typename id ... on Job { nativeId state } }
  }
`);

export const ProvidersQuery = graphql(`
  query Providers {
    providers { provider account sandbox kinds }
  }
`);

export const JobUpdatesSubscription = graphql(`
  subscription JobUpdates($refs: [JobRef!]!) {
    jobUpdates(refs: $refs) {
      previousState
      at
      result { ...JobResultFields }
    }
  }
`);

/** A selection shaped by a variable: subscribers with other values must not share results. */
export const JobProgressSubscription = graphql(`
  subscription JobProgress($refs: [JobRef!]!, $withProgress: Boolean!) {
    jobUpdates(refs: $refs) {
      previousState
      result {
        __typename
        ... on Job { nativeId state progress @include(if: $withProgress) { completed } }
      }
    }
  }
`);
