/**
 * Errors as data: one ref's trouble is that ref's result, never the whole response's.
 */
import { type JobFailure, type JobOutcome, isFailure } from '../jobs/model.js';
import { PROVIDER_OF_KIND, TYPENAME_OF_KIND } from '../providers/catalog.js';
import { builder } from './builder.js';
import { ImageKitBulkJobType, PurgeRequestType } from './imagekit.js';
import { JobKindEnum, ProviderEnum } from './job.js';
import { SaymonBulkOpType } from './saymon.js';
import { ZendeskJobStatusType } from './zendesk.js';

export const ErrorInterface = builder.interfaceRef<JobFailure>('Error').implement({
  fields: (t) => ({ message: t.exposeString('message') }),
});

export const JobNotFoundErrorType = builder.objectRef<JobFailure>('JobNotFoundError').implement({
  description: 'The provider does not know this job (never existed, or past its retention).',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => isFailure(value as JobOutcome) && (value as JobFailure).failure === 'NOT_FOUND',
  fields: (t) => ({
    kind: t.field({ type: JobKindEnum, resolve: (failure) => failure.ref.kind }),
    nativeId: t.string({ resolve: (failure) => failure.ref.nativeId }),
    account: t.string({ resolve: (failure) => failure.ref.account }),
  }),
});

export const ProviderErrorCodeEnum = builder.enumType('ProviderErrorCode', {
  values: ['NOT_CONFIGURED', 'UNAUTHORIZED', 'RATE_LIMITED', 'TIMEOUT', 'UNAVAILABLE', 'BAD_RESPONSE'] as const,
});

export const ProviderErrorType = builder.objectRef<JobFailure>('ProviderError').implement({
  description: 'The provider (or its configuration) could not answer for this job just now.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => isFailure(value as JobOutcome) && (value as JobFailure).failure !== 'NOT_FOUND',
  fields: (t) => ({
    provider: t.field({ type: ProviderEnum, resolve: (failure) => PROVIDER_OF_KIND[failure.ref.kind] }),
    account: t.string({ resolve: (failure) => failure.ref.account }),
    kind: t.field({ type: JobKindEnum, description: 'The job this error is about (added to the contract).', resolve: (failure) => failure.ref.kind }),
    nativeId: t.string({ description: 'The job this error is about (added to the contract).', resolve: (failure) => failure.ref.nativeId }),
    code: t.field({
      type: ProviderErrorCodeEnum,
      resolve: (failure) => (failure.failure === 'NOT_FOUND' ? 'BAD_RESPONSE' : failure.failure),
    }),
    retryAfterMs: t.int({
      nullable: true,
      description: 'How long the provider asked us to wait, when it said so.',
      resolve: (failure) => failure.retryAfterMs,
    }),
  }),
});

export const JobResultUnion = builder.unionType('JobResult', {
  types: [ImageKitBulkJobType, PurgeRequestType, SaymonBulkOpType, ZendeskJobStatusType, JobNotFoundErrorType, ProviderErrorType],
  resolveType: (outcome: JobOutcome) => {
    if (isFailure(outcome)) return outcome.failure === 'NOT_FOUND' ? 'JobNotFoundError' : 'ProviderError';
    return TYPENAME_OF_KIND[outcome.details.kind];
  },
});
