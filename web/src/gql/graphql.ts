/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type CopyImageKitFolderInput = {
  /** The ImageKit account (JOBS_CONFIG name); default "default". */
  account?: string | null | undefined;
  destinationPath: string;
  /** The same key on the same account within 24 h answers the first call’s job without starting another (1–255 characters). */
  idempotencyKey?: string | null | undefined;
  /** Copy every version of each file; default false. */
  includeVersions?: boolean | null | undefined;
  /** Applied to the tracked job (at most 10, each 1–128 characters). */
  labels?: Array<string> | null | undefined;
  sourceFolderPath: string;
};

/** What sort of job, which also says which provider serves it. */
export type JobKind =
  | 'IMAGEKIT_BULK_JOB'
  | 'IMAGEKIT_PURGE_REQUEST'
  | 'SAYMON_BULK_OP'
  | 'ZENDESK_JOB_STATUS';

/** A job as the provider names it. */
export type JobRef = {
  /** A configured account name; omitted: "default". */
  account?: string | null | undefined;
  /** The provider's own id. */
  id: string;
  kind: JobKind;
};

/** The provider's word, normalized. UNKNOWN keeps the provider's own word in rawStatus. */
export type JobState =
  | 'CANCELLED'
  | 'COMPLETED'
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING'
  | 'UNKNOWN';

export type MoveImageKitFolderInput = {
  /** The ImageKit account (JOBS_CONFIG name); default "default". */
  account?: string | null | undefined;
  destinationPath: string;
  /** The same key on the same account within 24 h answers the first call’s job without starting another (1–255 characters). */
  idempotencyKey?: string | null | undefined;
  /** Applied to the tracked job (at most 10, each 1–128 characters). */
  labels?: Array<string> | null | undefined;
  sourceFolderPath: string;
};

export type Provider =
  | 'IMAGEKIT'
  | 'SAYMON'
  | 'ZENDESK';

export type ProviderErrorCode =
  | 'BAD_RESPONSE'
  | 'NOT_CONFIGURED'
  | 'RATE_LIMITED'
  | 'TIMEOUT'
  | 'UNAUTHORIZED'
  | 'UNAVAILABLE';

export type PurgeImageKitCacheInput = {
  /** The ImageKit account (JOBS_CONFIG name); default "default". */
  account?: string | null | undefined;
  /** The same key on the same account within 24 h answers the first call’s job without starting another (1–255 characters). */
  idempotencyKey?: string | null | undefined;
  /** Applied to the tracked job (at most 10, each 1–128 characters). */
  labels?: Array<string> | null | undefined;
  /** An absolute http(s) URL. */
  url: string;
};

export type RenameImageKitFolderInput = {
  /** The ImageKit account (JOBS_CONFIG name); default "default". */
  account?: string | null | undefined;
  folderPath: string;
  /** The same key on the same account within 24 h answers the first call’s job without starting another (1–255 characters). */
  idempotencyKey?: string | null | undefined;
  /** Applied to the tracked job (at most 10, each 1–128 characters). */
  labels?: Array<string> | null | undefined;
  newFolderName: string;
  /** Also purge the CDN cache of the renamed files; the purge request is tracked too (ImageKitBulkJob.purgeRequest). */
  purgeCache?: boolean | null | undefined;
};

export type TrackedJobEventType =
  | 'CHANGED'
  | 'TRACKED'
  | 'UNTRACKED';

/** Every given field must hold. */
export type TrackedJobFilter = {
  accounts?: Array<string> | null | undefined;
  done?: boolean | null | undefined;
  kinds?: Array<JobKind> | null | undefined;
  /** Every one of them. */
  labels?: Array<string> | null | undefined;
  providers?: Array<Provider> | null | undefined;
  /** A prefix of the native id, or one whole label. */
  search?: string | null | undefined;
  /** Of the last snapshot: a job never observed matches none. */
  states?: Array<JobState> | null | undefined;
  /** Exclusive. */
  trackedAfter?: string | null | undefined;
  /** Exclusive. */
  trackedBefore?: string | null | undefined;
};

type JobResultFields_ImageKitBulkJob_Fragment = { __typename: 'ImageKitBulkJob', id: string, kind: JobKind, provider: Provider, account: string, nativeId: string, state: JobState, rawStatus: string, done: boolean, message: string | null, checkedAt: string, progress: { completed: number, total: number, percent: number } | null, tracking: { trackedAt: string, trackedBy: string | null, labels: Array<string>, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null, durationMs: number | null } | null };

type JobResultFields_JobNotFoundError_Fragment = { __typename: 'JobNotFoundError', kind: JobKind, nativeId: string, account: string, errorMessage: string };

type JobResultFields_ProviderError_Fragment = { __typename: 'ProviderError', provider: Provider, kind: JobKind, nativeId: string, account: string, code: ProviderErrorCode, errorMessage: string };

type JobResultFields_PurgeRequest_Fragment = { __typename: 'PurgeRequest', id: string, kind: JobKind, provider: Provider, account: string, nativeId: string, state: JobState, rawStatus: string, done: boolean, message: string | null, checkedAt: string, progress: { completed: number, total: number, percent: number } | null, tracking: { trackedAt: string, trackedBy: string | null, labels: Array<string>, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null, durationMs: number | null } | null };

type JobResultFields_SaymonBulkOp_Fragment = { __typename: 'SaymonBulkOp', id: string, kind: JobKind, provider: Provider, account: string, nativeId: string, state: JobState, rawStatus: string, done: boolean, message: string | null, checkedAt: string, progress: { completed: number, total: number, percent: number } | null, tracking: { trackedAt: string, trackedBy: string | null, labels: Array<string>, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null, durationMs: number | null } | null };

type JobResultFields_ZendeskJobStatus_Fragment = { __typename: 'ZendeskJobStatus', id: string, kind: JobKind, provider: Provider, account: string, nativeId: string, state: JobState, rawStatus: string, done: boolean, message: string | null, checkedAt: string, progress: { completed: number, total: number, percent: number } | null, tracking: { trackedAt: string, trackedBy: string | null, labels: Array<string>, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null, durationMs: number | null } | null };

export type JobResultFieldsFragment =
  | JobResultFields_ImageKitBulkJob_Fragment
  | JobResultFields_JobNotFoundError_Fragment
  | JobResultFields_ProviderError_Fragment
  | JobResultFields_PurgeRequest_Fragment
  | JobResultFields_SaymonBulkOp_Fragment
  | JobResultFields_ZendeskJobStatus_Fragment
;

export type BoardProvidersQueryVariables = Exact<{ [key: string]: never; }>;


export type BoardProvidersQuery = { providers: Array<{ provider: Provider, account: string, sandbox: boolean, kinds: Array<JobKind> }> };

export type BoardTrackedJobsQueryVariables = Exact<{
  filter?: TrackedJobFilter | null | undefined;
  first: number;
  after?: string | null | undefined;
}>;


export type BoardTrackedJobsQuery = { trackedJobs: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node:
        | { __typename: 'ImageKitBulkJob', id: string, kind: JobKind, provider: Provider, account: string, nativeId: string, state: JobState, rawStatus: string, done: boolean, message: string | null, checkedAt: string, progress: { completed: number, total: number, percent: number } | null, tracking: { trackedAt: string, trackedBy: string | null, labels: Array<string>, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null, durationMs: number | null } | null }
        | { __typename: 'JobNotFoundError', kind: JobKind, nativeId: string, account: string, errorMessage: string }
        | { __typename: 'ProviderError', provider: Provider, kind: JobKind, nativeId: string, account: string, code: ProviderErrorCode, errorMessage: string }
        | { __typename: 'PurgeRequest', id: string, kind: JobKind, provider: Provider, account: string, nativeId: string, state: JobState, rawStatus: string, done: boolean, message: string | null, checkedAt: string, progress: { completed: number, total: number, percent: number } | null, tracking: { trackedAt: string, trackedBy: string | null, labels: Array<string>, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null, durationMs: number | null } | null }
        | { __typename: 'SaymonBulkOp', id: string, kind: JobKind, provider: Provider, account: string, nativeId: string, state: JobState, rawStatus: string, done: boolean, message: string | null, checkedAt: string, progress: { completed: number, total: number, percent: number } | null, tracking: { trackedAt: string, trackedBy: string | null, labels: Array<string>, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null, durationMs: number | null } | null }
        | { __typename: 'ZendeskJobStatus', id: string, kind: JobKind, provider: Provider, account: string, nativeId: string, state: JobState, rawStatus: string, done: boolean, message: string | null, checkedAt: string, progress: { completed: number, total: number, percent: number } | null, tracking: { trackedAt: string, trackedBy: string | null, labels: Array<string>, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null, durationMs: number | null } | null }
       }> } };

export type BoardTrackedJobUpdatesSubscriptionVariables = Exact<{
  filter?: TrackedJobFilter | null | undefined;
}>;


export type BoardTrackedJobUpdatesSubscription = { trackedJobUpdates: { type: TrackedJobEventType, previousState: JobState | null, at: string, job:
      | { __typename: 'ImageKitBulkJob', id: string, kind: JobKind, provider: Provider, account: string, nativeId: string, state: JobState, rawStatus: string, done: boolean, message: string | null, checkedAt: string, progress: { completed: number, total: number, percent: number } | null, tracking: { trackedAt: string, trackedBy: string | null, labels: Array<string>, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null, durationMs: number | null } | null }
      | { __typename: 'JobNotFoundError', kind: JobKind, nativeId: string, account: string, errorMessage: string }
      | { __typename: 'ProviderError', provider: Provider, kind: JobKind, nativeId: string, account: string, code: ProviderErrorCode, errorMessage: string }
      | { __typename: 'PurgeRequest', id: string, kind: JobKind, provider: Provider, account: string, nativeId: string, state: JobState, rawStatus: string, done: boolean, message: string | null, checkedAt: string, progress: { completed: number, total: number, percent: number } | null, tracking: { trackedAt: string, trackedBy: string | null, labels: Array<string>, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null, durationMs: number | null } | null }
      | { __typename: 'SaymonBulkOp', id: string, kind: JobKind, provider: Provider, account: string, nativeId: string, state: JobState, rawStatus: string, done: boolean, message: string | null, checkedAt: string, progress: { completed: number, total: number, percent: number } | null, tracking: { trackedAt: string, trackedBy: string | null, labels: Array<string>, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null, durationMs: number | null } | null }
      | { __typename: 'ZendeskJobStatus', id: string, kind: JobKind, provider: Provider, account: string, nativeId: string, state: JobState, rawStatus: string, done: boolean, message: string | null, checkedAt: string, progress: { completed: number, total: number, percent: number } | null, tracking: { trackedAt: string, trackedBy: string | null, labels: Array<string>, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null, durationMs: number | null } | null }
     } };

export type BoardJobDetailQueryVariables = Exact<{
  id: string | number;
}>;


export type BoardJobDetailQuery = { node:
    | { __typename: 'ImageKitBulkJob', id: string, tracking: { history: { totalCount: number, edges: Array<{ node: { state: JobState, rawStatus: string, message: string | null, at: string, progress: { percent: number } | null } }> } } | null }
    | { __typename: 'PurgeRequest', id: string, tracking: { history: { totalCount: number, edges: Array<{ node: { state: JobState, rawStatus: string, message: string | null, at: string, progress: { percent: number } | null } }> } } | null }
    | { __typename: 'SaymonBulkOp', id: string, tracking: { history: { totalCount: number, edges: Array<{ node: { state: JobState, rawStatus: string, message: string | null, at: string, progress: { percent: number } | null } }> } } | null }
    | { __typename: 'Webhook' }
    | { __typename: 'ZendeskJobStatus', id: string, jobType: string | null, resultsTotal: number | null, resultsTruncated: boolean | null, tracking: { history: { totalCount: number, edges: Array<{ node: { state: JobState, rawStatus: string, message: string | null, at: string, progress: { percent: number } | null } }> } } | null, results: Array<{ id: string | null, index: number | null, action: string | null, success: boolean | null, status: string | null, error: string | null, details: string | null, title: string | null, externalId: string | null }> | null }
   | null };

export type BoardTrackJobsMutationVariables = Exact<{
  refs: Array<JobRef> | JobRef;
  labels?: Array<string> | string | null | undefined;
}>;


export type BoardTrackJobsMutation = { trackJobs: Array<
    | { __typename: 'ImageKitBulkJob', id: string, kind: JobKind, provider: Provider, account: string, nativeId: string, state: JobState, rawStatus: string, done: boolean, message: string | null, checkedAt: string, progress: { completed: number, total: number, percent: number } | null, tracking: { trackedAt: string, trackedBy: string | null, labels: Array<string>, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null, durationMs: number | null } | null }
    | { __typename: 'JobNotFoundError', kind: JobKind, nativeId: string, account: string, errorMessage: string }
    | { __typename: 'ProviderError', provider: Provider, kind: JobKind, nativeId: string, account: string, code: ProviderErrorCode, errorMessage: string }
    | { __typename: 'PurgeRequest', id: string, kind: JobKind, provider: Provider, account: string, nativeId: string, state: JobState, rawStatus: string, done: boolean, message: string | null, checkedAt: string, progress: { completed: number, total: number, percent: number } | null, tracking: { trackedAt: string, trackedBy: string | null, labels: Array<string>, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null, durationMs: number | null } | null }
    | { __typename: 'SaymonBulkOp', id: string, kind: JobKind, provider: Provider, account: string, nativeId: string, state: JobState, rawStatus: string, done: boolean, message: string | null, checkedAt: string, progress: { completed: number, total: number, percent: number } | null, tracking: { trackedAt: string, trackedBy: string | null, labels: Array<string>, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null, durationMs: number | null } | null }
    | { __typename: 'ZendeskJobStatus', id: string, kind: JobKind, provider: Provider, account: string, nativeId: string, state: JobState, rawStatus: string, done: boolean, message: string | null, checkedAt: string, progress: { completed: number, total: number, percent: number } | null, tracking: { trackedAt: string, trackedBy: string | null, labels: Array<string>, firstSeenAt: string | null, startedAt: string | null, finishedAt: string | null, durationMs: number | null } | null }
  > };

export type BoardUntrackJobsMutationVariables = Exact<{
  ids: Array<string | number> | string | number;
}>;


export type BoardUntrackJobsMutation = { untrackJobs: Array<string> };

type StartJobResultFields_ImageKitBulkJob_Fragment = { __typename: 'ImageKitBulkJob', id: string, provider: Provider, kind: JobKind, nativeId: string };

type StartJobResultFields_JobRejectedError_Fragment = { __typename: 'JobRejectedError', reason: string, httpStatus: number, errorMessage: string };

type StartJobResultFields_ProviderError_Fragment = { __typename: 'ProviderError', code: ProviderErrorCode, errorMessage: string };

type StartJobResultFields_PurgeRequest_Fragment = { __typename: 'PurgeRequest', id: string, provider: Provider, kind: JobKind, nativeId: string };

export type StartJobResultFieldsFragment =
  | StartJobResultFields_ImageKitBulkJob_Fragment
  | StartJobResultFields_JobRejectedError_Fragment
  | StartJobResultFields_ProviderError_Fragment
  | StartJobResultFields_PurgeRequest_Fragment
;

export type BoardCopyImageKitFolderMutationVariables = Exact<{
  input: CopyImageKitFolderInput;
}>;


export type BoardCopyImageKitFolderMutation = { copyImageKitFolder:
    | { __typename: 'ImageKitBulkJob', id: string, provider: Provider, kind: JobKind, nativeId: string }
    | { __typename: 'JobRejectedError', reason: string, httpStatus: number, errorMessage: string }
    | { __typename: 'ProviderError', code: ProviderErrorCode, errorMessage: string }
    | { __typename: 'PurgeRequest', id: string, provider: Provider, kind: JobKind, nativeId: string }
   };

export type BoardMoveImageKitFolderMutationVariables = Exact<{
  input: MoveImageKitFolderInput;
}>;


export type BoardMoveImageKitFolderMutation = { moveImageKitFolder:
    | { __typename: 'ImageKitBulkJob', id: string, provider: Provider, kind: JobKind, nativeId: string }
    | { __typename: 'JobRejectedError', reason: string, httpStatus: number, errorMessage: string }
    | { __typename: 'ProviderError', code: ProviderErrorCode, errorMessage: string }
    | { __typename: 'PurgeRequest', id: string, provider: Provider, kind: JobKind, nativeId: string }
   };

export type BoardRenameImageKitFolderMutationVariables = Exact<{
  input: RenameImageKitFolderInput;
}>;


export type BoardRenameImageKitFolderMutation = { renameImageKitFolder:
    | { __typename: 'ImageKitBulkJob', id: string, provider: Provider, kind: JobKind, nativeId: string }
    | { __typename: 'JobRejectedError', reason: string, httpStatus: number, errorMessage: string }
    | { __typename: 'ProviderError', code: ProviderErrorCode, errorMessage: string }
    | { __typename: 'PurgeRequest', id: string, provider: Provider, kind: JobKind, nativeId: string }
   };

export type BoardPurgeImageKitCacheMutationVariables = Exact<{
  input: PurgeImageKitCacheInput;
}>;


export type BoardPurgeImageKitCacheMutation = { purgeImageKitCache:
    | { __typename: 'ImageKitBulkJob', id: string, provider: Provider, kind: JobKind, nativeId: string }
    | { __typename: 'JobRejectedError', reason: string, httpStatus: number, errorMessage: string }
    | { __typename: 'ProviderError', code: ProviderErrorCode, errorMessage: string }
    | { __typename: 'PurgeRequest', id: string, provider: Provider, kind: JobKind, nativeId: string }
   };

export const JobResultFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"JobResultFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JobResult"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Job"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"account"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"rawStatus"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completed"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tracking"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"trackedAt"}},{"kind":"Field","name":{"kind":"Name","value":"trackedBy"}},{"kind":"Field","name":{"kind":"Name","value":"labels"}},{"kind":"Field","name":{"kind":"Name","value":"firstSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JobNotFoundError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}},{"kind":"Field","name":{"kind":"Name","value":"account"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProviderError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}},{"kind":"Field","name":{"kind":"Name","value":"account"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]} as unknown as DocumentNode<JobResultFieldsFragment, unknown>;
export const StartJobResultFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StartJobResultFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"StartJobResult"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Job"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JobRejectedError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProviderError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]} as unknown as DocumentNode<StartJobResultFieldsFragment, unknown>;
export const BoardProvidersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"BoardProviders"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"providers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"account"}},{"kind":"Field","name":{"kind":"Name","value":"sandbox"}},{"kind":"Field","name":{"kind":"Name","value":"kinds"}}]}}]}}]} as unknown as DocumentNode<BoardProvidersQuery, BoardProvidersQueryVariables>;
export const BoardTrackedJobsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"BoardTrackedJobs"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TrackedJobFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"trackedJobs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"EnumValue","value":"TRACKED_DESC"}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"JobResultFields"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"JobResultFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JobResult"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Job"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"account"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"rawStatus"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completed"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tracking"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"trackedAt"}},{"kind":"Field","name":{"kind":"Name","value":"trackedBy"}},{"kind":"Field","name":{"kind":"Name","value":"labels"}},{"kind":"Field","name":{"kind":"Name","value":"firstSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JobNotFoundError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}},{"kind":"Field","name":{"kind":"Name","value":"account"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProviderError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}},{"kind":"Field","name":{"kind":"Name","value":"account"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]} as unknown as DocumentNode<BoardTrackedJobsQuery, BoardTrackedJobsQueryVariables>;
export const BoardTrackedJobUpdatesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"BoardTrackedJobUpdates"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TrackedJobFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"trackedJobUpdates"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"previousState"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"job"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"JobResultFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"JobResultFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JobResult"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Job"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"account"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"rawStatus"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completed"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tracking"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"trackedAt"}},{"kind":"Field","name":{"kind":"Name","value":"trackedBy"}},{"kind":"Field","name":{"kind":"Name","value":"labels"}},{"kind":"Field","name":{"kind":"Name","value":"firstSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JobNotFoundError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}},{"kind":"Field","name":{"kind":"Name","value":"account"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProviderError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}},{"kind":"Field","name":{"kind":"Name","value":"account"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]} as unknown as DocumentNode<BoardTrackedJobUpdatesSubscription, BoardTrackedJobUpdatesSubscriptionVariables>;
export const BoardJobDetailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"BoardJobDetail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Job"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tracking"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"history"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"IntValue","value":"30"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"rawStatus"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}}]}}]}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ZendeskJobStatus"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"jobType"}},{"kind":"Field","name":{"kind":"Name","value":"resultsTotal"}},{"kind":"Field","name":{"kind":"Name","value":"resultsTruncated"}},{"kind":"Field","name":{"kind":"Name","value":"results"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"success"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"details"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"externalId"}}]}}]}}]}}]}}]} as unknown as DocumentNode<BoardJobDetailQuery, BoardJobDetailQueryVariables>;
export const BoardTrackJobsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"BoardTrackJobs"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refs"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"JobRef"}}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"labels"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"trackJobs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refs"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refs"}}},{"kind":"Argument","name":{"kind":"Name","value":"labels"},"value":{"kind":"Variable","name":{"kind":"Name","value":"labels"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"JobResultFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"JobResultFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JobResult"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Job"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"account"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"rawStatus"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completed"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tracking"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"trackedAt"}},{"kind":"Field","name":{"kind":"Name","value":"trackedBy"}},{"kind":"Field","name":{"kind":"Name","value":"labels"}},{"kind":"Field","name":{"kind":"Name","value":"firstSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JobNotFoundError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}},{"kind":"Field","name":{"kind":"Name","value":"account"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProviderError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}},{"kind":"Field","name":{"kind":"Name","value":"account"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]} as unknown as DocumentNode<BoardTrackJobsMutation, BoardTrackJobsMutationVariables>;
export const BoardUntrackJobsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"BoardUntrackJobs"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"ids"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"untrackJobs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"ids"},"value":{"kind":"Variable","name":{"kind":"Name","value":"ids"}}}]}]}}]} as unknown as DocumentNode<BoardUntrackJobsMutation, BoardUntrackJobsMutationVariables>;
export const BoardCopyImageKitFolderDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"BoardCopyImageKitFolder"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CopyImageKitFolderInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"copyImageKitFolder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StartJobResultFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StartJobResultFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"StartJobResult"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Job"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JobRejectedError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProviderError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]} as unknown as DocumentNode<BoardCopyImageKitFolderMutation, BoardCopyImageKitFolderMutationVariables>;
export const BoardMoveImageKitFolderDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"BoardMoveImageKitFolder"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"MoveImageKitFolderInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"moveImageKitFolder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StartJobResultFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StartJobResultFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"StartJobResult"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Job"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JobRejectedError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProviderError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]} as unknown as DocumentNode<BoardMoveImageKitFolderMutation, BoardMoveImageKitFolderMutationVariables>;
export const BoardRenameImageKitFolderDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"BoardRenameImageKitFolder"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RenameImageKitFolderInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"renameImageKitFolder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StartJobResultFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StartJobResultFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"StartJobResult"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Job"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JobRejectedError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProviderError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]} as unknown as DocumentNode<BoardRenameImageKitFolderMutation, BoardRenameImageKitFolderMutationVariables>;
export const BoardPurgeImageKitCacheDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"BoardPurgeImageKitCache"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"PurgeImageKitCacheInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"purgeImageKitCache"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StartJobResultFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StartJobResultFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"StartJobResult"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Job"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"nativeId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JobRejectedError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProviderError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"errorMessage"},"name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]} as unknown as DocumentNode<BoardPurgeImageKitCacheMutation, BoardPurgeImageKitCacheMutationVariables>;