/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query BenchFloor { __typename }\n": typeof types.BenchFloorDocument,
    "\n  query BenchJobs($refs: [JobRef!]!) {\n    jobs(refs: $refs) {\n      __typename\n      ... on Job { id kind nativeId state rawStatus done progress { completed total percent } message checkedAt }\n      ... on Error { errorMessage: message }\n    }\n  }\n": typeof types.BenchJobsDocument,
    "\n  query BenchTrackedJobs(\n    $filter: TrackedJobFilter\n    $orderBy: TrackedJobOrder\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n    $count: Boolean!\n  ) {\n    trackedJobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      totalCount @include(if: $count)\n      pageInfo { hasNextPage hasPreviousPage endCursor }\n      edges {\n        cursor\n        node {\n          __typename\n          ... on Job { id kind nativeId state rawStatus done progress { percent } message checkedAt tracking { labels trackedAt } }\n          ... on Error { errorMessage: message }\n        }\n      }\n    }\n  }\n": typeof types.BenchTrackedJobsDocument,
    "\n  subscription BenchJobUpdates($refs: [JobRef!]!) {\n    jobUpdates(refs: $refs) {\n      previousState\n      at\n      result {\n        __typename\n        ... on Job { nativeId state progress { completed } }\n      }\n    }\n  }\n": typeof types.BenchJobUpdatesDocument,
    "query FirstLabels { trackedJobs(first: 1, filter: { search: \"L-\" }) { edges { node { ... on Job { tracking { labels } } } } } }": typeof types.FirstLabelsDocument,
    "\n  fragment JobResultFields on JobResult {\n    __typename\n    ... on Job {\n      id\n      kind\n      provider\n      account\n      nativeId\n      state\n      rawStatus\n      done\n      progress { completed total percent }\n      message\n      checkedAt\n    }\n    ... on ImageKitBulkJob { type purgeRequest { id nativeId state } }\n    ... on SaymonBulkOp { finished }\n    ... on ZendeskJobStatus {\n      url\n      total\n      jobType\n      results { id index action success status error details title externalId }\n    }\n    ... on Error { errorMessage: message }\n    ... on JobNotFoundError { kind nativeId account }\n    ... on ProviderError { provider account code retryAfterMs kind nativeId }\n  }\n": typeof types.JobResultFieldsFragmentDoc,
    "\n  query Job($ref: JobRef!) {\n    job(ref: $ref) { ...JobResultFields }\n  }\n": typeof types.JobDocument,
    "\n  query Jobs($refs: [JobRef!]!) {\n    jobs(refs: $refs) { ...JobResultFields }\n  }\n": typeof types.JobsDocument,
    "\n  query Nodes($ids: [ID!]!) {\n    nodes(ids: $ids) { __typename id ... on Job { nativeId state account kind } }\n  }\n": typeof types.NodesDocument,
    "\n  query Node($id: ID!) {\n    node(id: $id) { __typename id ... on Job { nativeId state } }\n  }\n": typeof types.NodeDocument,
    "\n  query Providers {\n    providers { provider account sandbox kinds }\n  }\n": typeof types.ProvidersDocument,
    "\n  subscription JobUpdates($refs: [JobRef!]!) {\n    jobUpdates(refs: $refs) {\n      previousState\n      at\n      result { ...JobResultFields }\n    }\n  }\n": typeof types.JobUpdatesDocument,
    "\n  subscription JobProgress($refs: [JobRef!]!, $withProgress: Boolean!) {\n    jobUpdates(refs: $refs) {\n      previousState\n      result {\n        __typename\n        ... on Job { nativeId state progress @include(if: $withProgress) { completed } }\n      }\n    }\n  }\n": typeof types.JobProgressDocument,
};
const documents: Documents = {
    "\n  query BenchFloor { __typename }\n": types.BenchFloorDocument,
    "\n  query BenchJobs($refs: [JobRef!]!) {\n    jobs(refs: $refs) {\n      __typename\n      ... on Job { id kind nativeId state rawStatus done progress { completed total percent } message checkedAt }\n      ... on Error { errorMessage: message }\n    }\n  }\n": types.BenchJobsDocument,
    "\n  query BenchTrackedJobs(\n    $filter: TrackedJobFilter\n    $orderBy: TrackedJobOrder\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n    $count: Boolean!\n  ) {\n    trackedJobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      totalCount @include(if: $count)\n      pageInfo { hasNextPage hasPreviousPage endCursor }\n      edges {\n        cursor\n        node {\n          __typename\n          ... on Job { id kind nativeId state rawStatus done progress { percent } message checkedAt tracking { labels trackedAt } }\n          ... on Error { errorMessage: message }\n        }\n      }\n    }\n  }\n": types.BenchTrackedJobsDocument,
    "\n  subscription BenchJobUpdates($refs: [JobRef!]!) {\n    jobUpdates(refs: $refs) {\n      previousState\n      at\n      result {\n        __typename\n        ... on Job { nativeId state progress { completed } }\n      }\n    }\n  }\n": types.BenchJobUpdatesDocument,
    "query FirstLabels { trackedJobs(first: 1, filter: { search: \"L-\" }) { edges { node { ... on Job { tracking { labels } } } } } }": types.FirstLabelsDocument,
    "\n  fragment JobResultFields on JobResult {\n    __typename\n    ... on Job {\n      id\n      kind\n      provider\n      account\n      nativeId\n      state\n      rawStatus\n      done\n      progress { completed total percent }\n      message\n      checkedAt\n    }\n    ... on ImageKitBulkJob { type purgeRequest { id nativeId state } }\n    ... on SaymonBulkOp { finished }\n    ... on ZendeskJobStatus {\n      url\n      total\n      jobType\n      results { id index action success status error details title externalId }\n    }\n    ... on Error { errorMessage: message }\n    ... on JobNotFoundError { kind nativeId account }\n    ... on ProviderError { provider account code retryAfterMs kind nativeId }\n  }\n": types.JobResultFieldsFragmentDoc,
    "\n  query Job($ref: JobRef!) {\n    job(ref: $ref) { ...JobResultFields }\n  }\n": types.JobDocument,
    "\n  query Jobs($refs: [JobRef!]!) {\n    jobs(refs: $refs) { ...JobResultFields }\n  }\n": types.JobsDocument,
    "\n  query Nodes($ids: [ID!]!) {\n    nodes(ids: $ids) { __typename id ... on Job { nativeId state account kind } }\n  }\n": types.NodesDocument,
    "\n  query Node($id: ID!) {\n    node(id: $id) { __typename id ... on Job { nativeId state } }\n  }\n": types.NodeDocument,
    "\n  query Providers {\n    providers { provider account sandbox kinds }\n  }\n": types.ProvidersDocument,
    "\n  subscription JobUpdates($refs: [JobRef!]!) {\n    jobUpdates(refs: $refs) {\n      previousState\n      at\n      result { ...JobResultFields }\n    }\n  }\n": types.JobUpdatesDocument,
    "\n  subscription JobProgress($refs: [JobRef!]!, $withProgress: Boolean!) {\n    jobUpdates(refs: $refs) {\n      previousState\n      result {\n        __typename\n        ... on Job { nativeId state progress @include(if: $withProgress) { completed } }\n      }\n    }\n  }\n": types.JobProgressDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BenchFloor { __typename }\n"): (typeof documents)["\n  query BenchFloor { __typename }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BenchJobs($refs: [JobRef!]!) {\n    jobs(refs: $refs) {\n      __typename\n      ... on Job { id kind nativeId state rawStatus done progress { completed total percent } message checkedAt }\n      ... on Error { errorMessage: message }\n    }\n  }\n"): (typeof documents)["\n  query BenchJobs($refs: [JobRef!]!) {\n    jobs(refs: $refs) {\n      __typename\n      ... on Job { id kind nativeId state rawStatus done progress { completed total percent } message checkedAt }\n      ... on Error { errorMessage: message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BenchTrackedJobs(\n    $filter: TrackedJobFilter\n    $orderBy: TrackedJobOrder\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n    $count: Boolean!\n  ) {\n    trackedJobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      totalCount @include(if: $count)\n      pageInfo { hasNextPage hasPreviousPage endCursor }\n      edges {\n        cursor\n        node {\n          __typename\n          ... on Job { id kind nativeId state rawStatus done progress { percent } message checkedAt tracking { labels trackedAt } }\n          ... on Error { errorMessage: message }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query BenchTrackedJobs(\n    $filter: TrackedJobFilter\n    $orderBy: TrackedJobOrder\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n    $count: Boolean!\n  ) {\n    trackedJobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      totalCount @include(if: $count)\n      pageInfo { hasNextPage hasPreviousPage endCursor }\n      edges {\n        cursor\n        node {\n          __typename\n          ... on Job { id kind nativeId state rawStatus done progress { percent } message checkedAt tracking { labels trackedAt } }\n          ... on Error { errorMessage: message }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription BenchJobUpdates($refs: [JobRef!]!) {\n    jobUpdates(refs: $refs) {\n      previousState\n      at\n      result {\n        __typename\n        ... on Job { nativeId state progress { completed } }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription BenchJobUpdates($refs: [JobRef!]!) {\n    jobUpdates(refs: $refs) {\n      previousState\n      at\n      result {\n        __typename\n        ... on Job { nativeId state progress { completed } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query FirstLabels { trackedJobs(first: 1, filter: { search: \"L-\" }) { edges { node { ... on Job { tracking { labels } } } } } }"): (typeof documents)["query FirstLabels { trackedJobs(first: 1, filter: { search: \"L-\" }) { edges { node { ... on Job { tracking { labels } } } } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment JobResultFields on JobResult {\n    __typename\n    ... on Job {\n      id\n      kind\n      provider\n      account\n      nativeId\n      state\n      rawStatus\n      done\n      progress { completed total percent }\n      message\n      checkedAt\n    }\n    ... on ImageKitBulkJob { type purgeRequest { id nativeId state } }\n    ... on SaymonBulkOp { finished }\n    ... on ZendeskJobStatus {\n      url\n      total\n      jobType\n      results { id index action success status error details title externalId }\n    }\n    ... on Error { errorMessage: message }\n    ... on JobNotFoundError { kind nativeId account }\n    ... on ProviderError { provider account code retryAfterMs kind nativeId }\n  }\n"): (typeof documents)["\n  fragment JobResultFields on JobResult {\n    __typename\n    ... on Job {\n      id\n      kind\n      provider\n      account\n      nativeId\n      state\n      rawStatus\n      done\n      progress { completed total percent }\n      message\n      checkedAt\n    }\n    ... on ImageKitBulkJob { type purgeRequest { id nativeId state } }\n    ... on SaymonBulkOp { finished }\n    ... on ZendeskJobStatus {\n      url\n      total\n      jobType\n      results { id index action success status error details title externalId }\n    }\n    ... on Error { errorMessage: message }\n    ... on JobNotFoundError { kind nativeId account }\n    ... on ProviderError { provider account code retryAfterMs kind nativeId }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Job($ref: JobRef!) {\n    job(ref: $ref) { ...JobResultFields }\n  }\n"): (typeof documents)["\n  query Job($ref: JobRef!) {\n    job(ref: $ref) { ...JobResultFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Jobs($refs: [JobRef!]!) {\n    jobs(refs: $refs) { ...JobResultFields }\n  }\n"): (typeof documents)["\n  query Jobs($refs: [JobRef!]!) {\n    jobs(refs: $refs) { ...JobResultFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Nodes($ids: [ID!]!) {\n    nodes(ids: $ids) { __typename id ... on Job { nativeId state account kind } }\n  }\n"): (typeof documents)["\n  query Nodes($ids: [ID!]!) {\n    nodes(ids: $ids) { __typename id ... on Job { nativeId state account kind } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Node($id: ID!) {\n    node(id: $id) { __typename id ... on Job { nativeId state } }\n  }\n"): (typeof documents)["\n  query Node($id: ID!) {\n    node(id: $id) { __typename id ... on Job { nativeId state } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Providers {\n    providers { provider account sandbox kinds }\n  }\n"): (typeof documents)["\n  query Providers {\n    providers { provider account sandbox kinds }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription JobUpdates($refs: [JobRef!]!) {\n    jobUpdates(refs: $refs) {\n      previousState\n      at\n      result { ...JobResultFields }\n    }\n  }\n"): (typeof documents)["\n  subscription JobUpdates($refs: [JobRef!]!) {\n    jobUpdates(refs: $refs) {\n      previousState\n      at\n      result { ...JobResultFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription JobProgress($refs: [JobRef!]!, $withProgress: Boolean!) {\n    jobUpdates(refs: $refs) {\n      previousState\n      result {\n        __typename\n        ... on Job { nativeId state progress @include(if: $withProgress) { completed } }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription JobProgress($refs: [JobRef!]!, $withProgress: Boolean!) {\n    jobUpdates(refs: $refs) {\n      previousState\n      result {\n        __typename\n        ... on Job { nativeId state progress @include(if: $withProgress) { completed } }\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;