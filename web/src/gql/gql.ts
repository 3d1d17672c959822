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
    "\n  fragment JobResultFields on JobResult {\n    __typename\n    ... on Job {\n      id\n      kind\n      provider\n      account\n      nativeId\n      state\n      rawStatus\n      done\n      message\n      checkedAt\n      progress {\n        completed\n        total\n        percent\n      }\n      tracking {\n        trackedAt\n        trackedBy\n        labels\n        firstSeenAt\n        startedAt\n        finishedAt\n        durationMs\n      }\n    }\n    ... on JobNotFoundError {\n      errorMessage: message\n      kind\n      nativeId\n      account\n    }\n    ... on ProviderError {\n      errorMessage: message\n      provider\n      kind\n      nativeId\n      account\n      code\n    }\n  }\n": typeof types.JobResultFieldsFragmentDoc,
    "\n  query BoardProviders {\n    providers {\n      provider\n      account\n      sandbox\n      kinds\n    }\n  }\n": typeof types.BoardProvidersDocument,
    "\n  query BoardTrackedJobs($filter: TrackedJobFilter, $first: Int!, $after: String) {\n    trackedJobs(filter: $filter, orderBy: TRACKED_DESC, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...JobResultFields\n        }\n      }\n    }\n  }\n": typeof types.BoardTrackedJobsDocument,
    "\n  subscription BoardTrackedJobUpdates($filter: TrackedJobFilter) {\n    trackedJobUpdates(filter: $filter) {\n      type\n      previousState\n      at\n      job {\n        ...JobResultFields\n      }\n    }\n  }\n": typeof types.BoardTrackedJobUpdatesDocument,
    "\n  query BoardJobDetail($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Job {\n        id\n        tracking {\n          history(last: 30) {\n            totalCount\n            edges {\n              node {\n                state\n                rawStatus\n                message\n                at\n                progress {\n                  percent\n                }\n              }\n            }\n          }\n        }\n      }\n      ... on ZendeskJobStatus {\n        jobType\n        resultsTotal\n        resultsTruncated\n        results {\n          id\n          index\n          action\n          success\n          status\n          error\n          details\n          title\n          externalId\n        }\n      }\n    }\n  }\n": typeof types.BoardJobDetailDocument,
    "\n  mutation BoardTrackJobs($refs: [JobRef!]!, $labels: [String!]) {\n    trackJobs(refs: $refs, labels: $labels) {\n      ...JobResultFields\n    }\n  }\n": typeof types.BoardTrackJobsDocument,
    "\n  mutation BoardUntrackJobs($ids: [ID!]!) {\n    untrackJobs(ids: $ids)\n  }\n": typeof types.BoardUntrackJobsDocument,
    "\n  fragment StartJobResultFields on StartJobResult {\n    __typename\n    ... on Job {\n      id\n      provider\n      kind\n      nativeId\n    }\n    ... on JobRejectedError {\n      errorMessage: message\n      reason\n      httpStatus\n    }\n    ... on ProviderError {\n      errorMessage: message\n      code\n    }\n  }\n": typeof types.StartJobResultFieldsFragmentDoc,
    "\n  mutation BoardCopyImageKitFolder($input: CopyImageKitFolderInput!) {\n    copyImageKitFolder(input: $input) {\n      ...StartJobResultFields\n    }\n  }\n": typeof types.BoardCopyImageKitFolderDocument,
    "\n  mutation BoardMoveImageKitFolder($input: MoveImageKitFolderInput!) {\n    moveImageKitFolder(input: $input) {\n      ...StartJobResultFields\n    }\n  }\n": typeof types.BoardMoveImageKitFolderDocument,
    "\n  mutation BoardRenameImageKitFolder($input: RenameImageKitFolderInput!) {\n    renameImageKitFolder(input: $input) {\n      ...StartJobResultFields\n    }\n  }\n": typeof types.BoardRenameImageKitFolderDocument,
    "\n  mutation BoardPurgeImageKitCache($input: PurgeImageKitCacheInput!) {\n    purgeImageKitCache(input: $input) {\n      ...StartJobResultFields\n    }\n  }\n": typeof types.BoardPurgeImageKitCacheDocument,
};
const documents: Documents = {
    "\n  fragment JobResultFields on JobResult {\n    __typename\n    ... on Job {\n      id\n      kind\n      provider\n      account\n      nativeId\n      state\n      rawStatus\n      done\n      message\n      checkedAt\n      progress {\n        completed\n        total\n        percent\n      }\n      tracking {\n        trackedAt\n        trackedBy\n        labels\n        firstSeenAt\n        startedAt\n        finishedAt\n        durationMs\n      }\n    }\n    ... on JobNotFoundError {\n      errorMessage: message\n      kind\n      nativeId\n      account\n    }\n    ... on ProviderError {\n      errorMessage: message\n      provider\n      kind\n      nativeId\n      account\n      code\n    }\n  }\n": types.JobResultFieldsFragmentDoc,
    "\n  query BoardProviders {\n    providers {\n      provider\n      account\n      sandbox\n      kinds\n    }\n  }\n": types.BoardProvidersDocument,
    "\n  query BoardTrackedJobs($filter: TrackedJobFilter, $first: Int!, $after: String) {\n    trackedJobs(filter: $filter, orderBy: TRACKED_DESC, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...JobResultFields\n        }\n      }\n    }\n  }\n": types.BoardTrackedJobsDocument,
    "\n  subscription BoardTrackedJobUpdates($filter: TrackedJobFilter) {\n    trackedJobUpdates(filter: $filter) {\n      type\n      previousState\n      at\n      job {\n        ...JobResultFields\n      }\n    }\n  }\n": types.BoardTrackedJobUpdatesDocument,
    "\n  query BoardJobDetail($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Job {\n        id\n        tracking {\n          history(last: 30) {\n            totalCount\n            edges {\n              node {\n                state\n                rawStatus\n                message\n                at\n                progress {\n                  percent\n                }\n              }\n            }\n          }\n        }\n      }\n      ... on ZendeskJobStatus {\n        jobType\n        resultsTotal\n        resultsTruncated\n        results {\n          id\n          index\n          action\n          success\n          status\n          error\n          details\n          title\n          externalId\n        }\n      }\n    }\n  }\n": types.BoardJobDetailDocument,
    "\n  mutation BoardTrackJobs($refs: [JobRef!]!, $labels: [String!]) {\n    trackJobs(refs: $refs, labels: $labels) {\n      ...JobResultFields\n    }\n  }\n": types.BoardTrackJobsDocument,
    "\n  mutation BoardUntrackJobs($ids: [ID!]!) {\n    untrackJobs(ids: $ids)\n  }\n": types.BoardUntrackJobsDocument,
    "\n  fragment StartJobResultFields on StartJobResult {\n    __typename\n    ... on Job {\n      id\n      provider\n      kind\n      nativeId\n    }\n    ... on JobRejectedError {\n      errorMessage: message\n      reason\n      httpStatus\n    }\n    ... on ProviderError {\n      errorMessage: message\n      code\n    }\n  }\n": types.StartJobResultFieldsFragmentDoc,
    "\n  mutation BoardCopyImageKitFolder($input: CopyImageKitFolderInput!) {\n    copyImageKitFolder(input: $input) {\n      ...StartJobResultFields\n    }\n  }\n": types.BoardCopyImageKitFolderDocument,
    "\n  mutation BoardMoveImageKitFolder($input: MoveImageKitFolderInput!) {\n    moveImageKitFolder(input: $input) {\n      ...StartJobResultFields\n    }\n  }\n": types.BoardMoveImageKitFolderDocument,
    "\n  mutation BoardRenameImageKitFolder($input: RenameImageKitFolderInput!) {\n    renameImageKitFolder(input: $input) {\n      ...StartJobResultFields\n    }\n  }\n": types.BoardRenameImageKitFolderDocument,
    "\n  mutation BoardPurgeImageKitCache($input: PurgeImageKitCacheInput!) {\n    purgeImageKitCache(input: $input) {\n      ...StartJobResultFields\n    }\n  }\n": types.BoardPurgeImageKitCacheDocument,
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
export function graphql(source: "\n  fragment JobResultFields on JobResult {\n    __typename\n    ... on Job {\n      id\n      kind\n      provider\n      account\n      nativeId\n      state\n      rawStatus\n      done\n      message\n      checkedAt\n      progress {\n        completed\n        total\n        percent\n      }\n      tracking {\n        trackedAt\n        trackedBy\n        labels\n        firstSeenAt\n        startedAt\n        finishedAt\n        durationMs\n      }\n    }\n    ... on JobNotFoundError {\n      errorMessage: message\n      kind\n      nativeId\n      account\n    }\n    ... on ProviderError {\n      errorMessage: message\n      provider\n      kind\n      nativeId\n      account\n      code\n    }\n  }\n"): (typeof documents)["\n  fragment JobResultFields on JobResult {\n    __typename\n    ... on Job {\n      id\n      kind\n      provider\n      account\n      nativeId\n      state\n      rawStatus\n      done\n      message\n      checkedAt\n      progress {\n        completed\n        total\n        percent\n      }\n      tracking {\n        trackedAt\n        trackedBy\n        labels\n        firstSeenAt\n        startedAt\n        finishedAt\n        durationMs\n      }\n    }\n    ... on JobNotFoundError {\n      errorMessage: message\n      kind\n      nativeId\n      account\n    }\n    ... on ProviderError {\n      errorMessage: message\n      provider\n      kind\n      nativeId\n      account\n      code\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BoardProviders {\n    providers {\n      provider\n      account\n      sandbox\n      kinds\n    }\n  }\n"): (typeof documents)["\n  query BoardProviders {\n    providers {\n      provider\n      account\n      sandbox\n      kinds\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BoardTrackedJobs($filter: TrackedJobFilter, $first: Int!, $after: String) {\n    trackedJobs(filter: $filter, orderBy: TRACKED_DESC, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...JobResultFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query BoardTrackedJobs($filter: TrackedJobFilter, $first: Int!, $after: String) {\n    trackedJobs(filter: $filter, orderBy: TRACKED_DESC, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...JobResultFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription BoardTrackedJobUpdates($filter: TrackedJobFilter) {\n    trackedJobUpdates(filter: $filter) {\n      type\n      previousState\n      at\n      job {\n        ...JobResultFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription BoardTrackedJobUpdates($filter: TrackedJobFilter) {\n    trackedJobUpdates(filter: $filter) {\n      type\n      previousState\n      at\n      job {\n        ...JobResultFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BoardJobDetail($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Job {\n        id\n        tracking {\n          history(last: 30) {\n            totalCount\n            edges {\n              node {\n                state\n                rawStatus\n                message\n                at\n                progress {\n                  percent\n                }\n              }\n            }\n          }\n        }\n      }\n      ... on ZendeskJobStatus {\n        jobType\n        resultsTotal\n        resultsTruncated\n        results {\n          id\n          index\n          action\n          success\n          status\n          error\n          details\n          title\n          externalId\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query BoardJobDetail($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Job {\n        id\n        tracking {\n          history(last: 30) {\n            totalCount\n            edges {\n              node {\n                state\n                rawStatus\n                message\n                at\n                progress {\n                  percent\n                }\n              }\n            }\n          }\n        }\n      }\n      ... on ZendeskJobStatus {\n        jobType\n        resultsTotal\n        resultsTruncated\n        results {\n          id\n          index\n          action\n          success\n          status\n          error\n          details\n          title\n          externalId\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BoardTrackJobs($refs: [JobRef!]!, $labels: [String!]) {\n    trackJobs(refs: $refs, labels: $labels) {\n      ...JobResultFields\n    }\n  }\n"): (typeof documents)["\n  mutation BoardTrackJobs($refs: [JobRef!]!, $labels: [String!]) {\n    trackJobs(refs: $refs, labels: $labels) {\n      ...JobResultFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BoardUntrackJobs($ids: [ID!]!) {\n    untrackJobs(ids: $ids)\n  }\n"): (typeof documents)["\n  mutation BoardUntrackJobs($ids: [ID!]!) {\n    untrackJobs(ids: $ids)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StartJobResultFields on StartJobResult {\n    __typename\n    ... on Job {\n      id\n      provider\n      kind\n      nativeId\n    }\n    ... on JobRejectedError {\n      errorMessage: message\n      reason\n      httpStatus\n    }\n    ... on ProviderError {\n      errorMessage: message\n      code\n    }\n  }\n"): (typeof documents)["\n  fragment StartJobResultFields on StartJobResult {\n    __typename\n    ... on Job {\n      id\n      provider\n      kind\n      nativeId\n    }\n    ... on JobRejectedError {\n      errorMessage: message\n      reason\n      httpStatus\n    }\n    ... on ProviderError {\n      errorMessage: message\n      code\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BoardCopyImageKitFolder($input: CopyImageKitFolderInput!) {\n    copyImageKitFolder(input: $input) {\n      ...StartJobResultFields\n    }\n  }\n"): (typeof documents)["\n  mutation BoardCopyImageKitFolder($input: CopyImageKitFolderInput!) {\n    copyImageKitFolder(input: $input) {\n      ...StartJobResultFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BoardMoveImageKitFolder($input: MoveImageKitFolderInput!) {\n    moveImageKitFolder(input: $input) {\n      ...StartJobResultFields\n    }\n  }\n"): (typeof documents)["\n  mutation BoardMoveImageKitFolder($input: MoveImageKitFolderInput!) {\n    moveImageKitFolder(input: $input) {\n      ...StartJobResultFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BoardRenameImageKitFolder($input: RenameImageKitFolderInput!) {\n    renameImageKitFolder(input: $input) {\n      ...StartJobResultFields\n    }\n  }\n"): (typeof documents)["\n  mutation BoardRenameImageKitFolder($input: RenameImageKitFolderInput!) {\n    renameImageKitFolder(input: $input) {\n      ...StartJobResultFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BoardPurgeImageKitCache($input: PurgeImageKitCacheInput!) {\n    purgeImageKitCache(input: $input) {\n      ...StartJobResultFields\n    }\n  }\n"): (typeof documents)["\n  mutation BoardPurgeImageKitCache($input: PurgeImageKitCacheInput!) {\n    purgeImageKitCache(input: $input) {\n      ...StartJobResultFields\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;