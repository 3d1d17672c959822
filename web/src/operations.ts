/**
 * Every GraphQL document the status board sends, in one place, so the server side can be checked
 * against this list. `npm run codegen:web` turns each into a `TypedDocumentNode` in `./gql/`.
 *
 * `message` is aliased on errors (`errorMessage`) because a job's `message` is nullable and an
 * error's is not: GraphQL forbids one response name with two shapes in one selection.
 */
import { graphql } from './gql/index.js';

/** The fields a row shows, for any result a tracked job may have. */
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
      message
      checkedAt
      progress {
        completed
        total
        percent
      }
      tracking {
        trackedAt
        trackedBy
        labels
        firstSeenAt
        startedAt
        finishedAt
        durationMs
      }
    }
    ... on JobNotFoundError {
      errorMessage: message
      kind
      nativeId
      account
    }
    ... on ProviderError {
      errorMessage: message
      provider
      kind
      nativeId
      account
      code
    }
  }
`);

export const ProvidersQuery = graphql(`
  query BoardProviders {
    providers {
      provider
      account
      sandbox
      kinds
    }
  }
`);

export const TrackedJobsQuery = graphql(`
  query BoardTrackedJobs($filter: TrackedJobFilter, $first: Int!, $after: String) {
    trackedJobs(filter: $filter, orderBy: TRACKED_DESC, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...JobResultFields
        }
      }
    }
  }
`);

export const TrackedJobUpdatesSubscription = graphql(`
  subscription BoardTrackedJobUpdates($filter: TrackedJobFilter) {
    trackedJobUpdates(filter: $filter) {
      type
      previousState
      at
      job {
        ...JobResultFields
      }
    }
  }
`);

/**
 * A job's detail panel: its latest history and, for Zendesk, the per-item results. The server's
 * cost limit (ARMOR_MAX_COST, default 5000) counts `last` as a list size: 30 entries keep the
 * whole document near 3 700.
 */
export const JobDetailQuery = graphql(`
  query BoardJobDetail($id: ID!) {
    node(id: $id) {
      __typename
      ... on Job {
        id
        tracking {
          history(last: 30) {
            totalCount
            edges {
              node {
                state
                rawStatus
                message
                at
                progress {
                  percent
                }
              }
            }
          }
        }
      }
      ... on ZendeskJobStatus {
        jobType
        resultsTotal
        resultsTruncated
        results {
          id
          index
          action
          success
          status
          error
          details
          title
          externalId
        }
      }
    }
  }
`);

export const TrackJobsMutation = graphql(`
  mutation BoardTrackJobs($refs: [JobRef!]!, $labels: [String!]) {
    trackJobs(refs: $refs, labels: $labels) {
      ...JobResultFields
    }
  }
`);

export const UntrackJobsMutation = graphql(`
  mutation BoardUntrackJobs($ids: [ID!]!) {
    untrackJobs(ids: $ids)
  }
`);

/** What a start mutation answers, for the demo panel's message. */
export const StartJobResultFields = graphql(`
  fragment StartJobResultFields on StartJobResult {
    __typename
    ... on Job {
      id
      provider
      kind
      nativeId
    }
    ... on JobRejectedError {
      errorMessage: message
      reason
      httpStatus
    }
    ... on ProviderError {
      errorMessage: message
      code
    }
  }
`);

export const CopyImageKitFolderMutation = graphql(`
  mutation BoardCopyImageKitFolder($input: CopyImageKitFolderInput!) {
    copyImageKitFolder(input: $input) {
      ...StartJobResultFields
    }
  }
`);

export const MoveImageKitFolderMutation = graphql(`
  mutation BoardMoveImageKitFolder($input: MoveImageKitFolderInput!) {
    moveImageKitFolder(input: $input) {
      ...StartJobResultFields
    }
  }
`);

export const RenameImageKitFolderMutation = graphql(`
  mutation BoardRenameImageKitFolder($input: RenameImageKitFolderInput!) {
    renameImageKitFolder(input: $input) {
      ...StartJobResultFields
    }
  }
`);

export const PurgeImageKitCacheMutation = graphql(`
  mutation BoardPurgeImageKitCache($input: PurgeImageKitCacheInput!) {
    purgeImageKitCache(input: $input) {
      ...StartJobResultFields
    }
  }
`);
