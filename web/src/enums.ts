/**
 * The schema's enum values at run time (codegen emits them as types only), in the order the
 * board offers them, and the words it shows for them.
 */
import type { JobKind, JobState, Provider } from './gql/graphql.js';

export const PROVIDERS = ['IMAGEKIT', 'SAYMON', 'ZENDESK'] as const satisfies readonly Provider[];

export const JOB_STATES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'UNKNOWN'] as const satisfies readonly JobState[];

export const JOB_KINDS = [
  'IMAGEKIT_BULK_JOB',
  'IMAGEKIT_PURGE_REQUEST',
  'SAYMON_BULK_OP',
  'ZENDESK_JOB_STATUS',
] as const satisfies readonly JobKind[];

export const PROVIDER_OF_KIND: Record<JobKind, Provider> = {
  IMAGEKIT_BULK_JOB: 'IMAGEKIT',
  IMAGEKIT_PURGE_REQUEST: 'IMAGEKIT',
  SAYMON_BULK_OP: 'SAYMON',
  ZENDESK_JOB_STATUS: 'ZENDESK',
};

/** The GraphQL object type of each kind: the first part of a job's global id. */
export const TYPENAME_OF_KIND: Record<JobKind, string> = {
  IMAGEKIT_BULK_JOB: 'ImageKitBulkJob',
  IMAGEKIT_PURGE_REQUEST: 'PurgeRequest',
  SAYMON_BULK_OP: 'SaymonBulkOp',
  ZENDESK_JOB_STATUS: 'ZendeskJobStatus',
};

export const PROVIDER_NAMES: Record<Provider, string> = { IMAGEKIT: 'ImageKit', SAYMON: 'SAYMON', ZENDESK: 'Zendesk' };

export const KIND_NAMES: Record<JobKind, string> = {
  IMAGEKIT_BULK_JOB: 'Bulk job',
  IMAGEKIT_PURGE_REQUEST: 'Purge request',
  SAYMON_BULK_OP: 'Bulk operation',
  ZENDESK_JOB_STATUS: 'Job status',
};

export const STATE_NAMES: Record<JobState, string> = {
  QUEUED: 'Queued',
  RUNNING: 'Running',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
  UNKNOWN: 'Unknown',
};

/** Narrows a string (from the URL, a form) to one of `values`, or null. */
export function oneOf<T extends string>(values: readonly T[], text: string | null | undefined): T | null {
  return text != null && (values as readonly string[]).includes(text) ? (text as T) : null;
}
