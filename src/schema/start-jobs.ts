/**
 * The start mutations (part 2 of the contract): `copyImageKitFolder`, `moveImageKitFolder`,
 * `renameImageKitFolder` and `purgeImageKitCache`, their inputs, `JobRejectedError` and the
 * `StartJobResult` union. Thin: inputs are mapped to a start request, the start service
 * (`registry/starts.ts`) sends the one POST, tracks the job and keeps idempotency keys; this file
 * maps its answers to the union and its errors to GraphQL errors with codes.
 *
 * Access: starting needs `can: start` and read access to IMAGEKIT (FORBIDDEN otherwise).
 */
import { GraphQLError } from 'graphql';
import { jobFailure } from '../jobs/failures.js';
import type { JobFailure, JobSnapshot } from '../jobs/model.js';
import { checkLabels } from '../registry/labels.js';
import { type StartAnswer, type StartCommand, StartError, type StartErrorCode, type StartRejection, type StartRequest } from '../registry/starts.js';
import { builder, type Context } from './builder.js';
import { ErrorInterface, ProviderErrorType } from './errors.js';
import { ImageKitBulkJobType, PurgeRequestType } from './imagekit.js';
import { ProviderEnum } from './job.js';

/** The backing value of `JobRejectedError`. */
interface JobRejection extends StartRejection {
  readonly rejectedStart: true;
  readonly account: string;
}

const isRejection = (value: unknown): value is JobRejection =>
  typeof value === 'object' && value !== null && (value as Partial<JobRejection>).rejectedStart === true;

export const JobRejectedErrorType = builder.objectRef<JobRejection>('JobRejectedError').implement({
  description: 'The provider refused to start the job (bad path, locked folder, conflict…): nothing was started or tracked.',
  // The interface's shape is the job failures'; a rejection has the one field it declares.
  interfaces: [ErrorInterface as never],
  isTypeOf: isRejection,
  fields: (t) => ({
    message: t.exposeString('message'),
    provider: t.field({ type: ProviderEnum, resolve: () => 'IMAGEKIT' as const }),
    account: t.exposeString('account'),
    reason: t.exposeString('reason', {
      description: "The provider's reason when it gives one (SAME_SOURCE_AND_DESTINATION, NO_FILES_FOLDER…), else LOCKED, CONFLICT or INVALID.",
    }),
    httpStatus: t.exposeInt('httpStatus', { description: "The provider's HTTP status (400, 404, 409, 423)." }),
  }),
});

type StartResult = JobSnapshot | JobRejection | JobFailure;

const StartJobResultUnion = builder.unionType('StartJobResult', {
  description: 'The started job (tracked at once), or why there is none.',
  types: [ImageKitBulkJobType, PurgeRequestType, JobRejectedErrorType, ProviderErrorType],
  resolveType: (value: StartResult) => {
    if (isRejection(value)) return 'JobRejectedError';
    if ('failure' in value) return 'ProviderError';
    return value.details.kind === 'IMAGEKIT_PURGE_REQUEST' ? 'PurgeRequest' : 'ImageKitBulkJob';
  },
});

const COMMON_DESCRIPTIONS = {
  account: 'The ImageKit account (JOBS_CONFIG name); default "default".',
  labels: 'Applied to the tracked job (at most 10, each 1–128 characters).',
  idempotencyKey: 'The same key on the same account within 24 h answers the first call’s job without starting another (1–255 characters).',
};

const CopyImageKitFolderInput = builder.inputType('CopyImageKitFolderInput', {
  fields: (t) => ({
    account: t.string({ description: COMMON_DESCRIPTIONS.account }),
    sourceFolderPath: t.string({ required: true }),
    destinationPath: t.string({ required: true }),
    includeVersions: t.boolean({ description: 'Copy every version of each file; default false.' }),
    labels: t.stringList({ description: COMMON_DESCRIPTIONS.labels }),
    idempotencyKey: t.string({ description: COMMON_DESCRIPTIONS.idempotencyKey }),
  }),
});

const MoveImageKitFolderInput = builder.inputType('MoveImageKitFolderInput', {
  fields: (t) => ({
    account: t.string({ description: COMMON_DESCRIPTIONS.account }),
    sourceFolderPath: t.string({ required: true }),
    destinationPath: t.string({ required: true }),
    labels: t.stringList({ description: COMMON_DESCRIPTIONS.labels }),
    idempotencyKey: t.string({ description: COMMON_DESCRIPTIONS.idempotencyKey }),
  }),
});

const RenameImageKitFolderInput = builder.inputType('RenameImageKitFolderInput', {
  fields: (t) => ({
    account: t.string({ description: COMMON_DESCRIPTIONS.account }),
    folderPath: t.string({ required: true }),
    newFolderName: t.string({ required: true }),
    purgeCache: t.boolean({ description: 'Also purge the CDN cache of the renamed files; the purge request is tracked too (ImageKitBulkJob.purgeRequest).' }),
    labels: t.stringList({ description: COMMON_DESCRIPTIONS.labels }),
    idempotencyKey: t.string({ description: COMMON_DESCRIPTIONS.idempotencyKey }),
  }),
});

const PurgeImageKitCacheInput = builder.inputType('PurgeImageKitCacheInput', {
  fields: (t) => ({
    account: t.string({ description: COMMON_DESCRIPTIONS.account }),
    url: t.string({ required: true, description: 'An absolute http(s) URL.' }),
    labels: t.stringList({ description: COMMON_DESCRIPTIONS.labels }),
    idempotencyKey: t.string({ description: COMMON_DESCRIPTIONS.idempotencyKey }),
  }),
});

interface CommonInput {
  readonly account?: string | null;
  readonly labels?: readonly string[] | null;
  readonly idempotencyKey?: string | null;
}

/** HTTP status and `extensions.code` of each start error. */
const ERRORS: Record<StartErrorCode, { code: string; status: number }> = {
  START_INVALID: { code: 'BAD_USER_INPUT', status: 400 },
  ACCOUNT_UNKNOWN: { code: 'BAD_USER_INPUT', status: 400 },
  IDEMPOTENCY_KEY_INVALID: { code: 'BAD_USER_INPUT', status: 400 },
  IDEMPOTENCY_KEY_REUSED: { code: 'IDEMPOTENCY_KEY_REUSED', status: 409 },
  IDEMPOTENCY_KEY_IN_FLIGHT: { code: 'IDEMPOTENCY_KEY_IN_FLIGHT', status: 409 },
  REGISTRY_UNAVAILABLE: { code: 'REGISTRY_UNAVAILABLE', status: 503 },
  STARTED_NOT_TRACKED: { code: 'REGISTRY_UNAVAILABLE', status: 503 },
};

/** Runs one start for a mutation and maps its answer to `StartJobResult`. */
async function startJob(operation: string, input: CommonInput, request: StartRequest, context: Context): Promise<StartResult> {
  const labels = checkLabels(input.labels ?? []);
  if (!labels.ok) throw new GraphQLError(labels.message, { extensions: { code: 'BAD_USER_INPUT', reason: 'LABELS_INVALID', http: { status: 400 } } });
  const command: StartCommand = {
    operation,
    account: input.account ?? 'default',
    request,
    labels: labels.labels,
    idempotencyKey: input.idempotencyKey ?? null,
    trackedBy: context.caller.keyName,
  };
  let answer: StartAnswer;
  try {
    answer = await context.starts.start(command);
  } catch (error) {
    if (!(error instanceof StartError)) throw error;
    const { code, status } = ERRORS[error.code];
    throw new GraphQLError(error.message, { extensions: { code, reason: error.code, http: { status } } });
  }
  if ('job' in answer) {
    // The mutation's answer is the tracked job: `tracking` below needs no second query.
    context.tracked.clear(answer.job.ref);
    return answer.job;
  }
  if ('rejected' in answer) return { rejectedStart: true, ...answer.rejected };
  const { failed } = answer;
  return jobFailure(failed.ref, failed.code, failed.message, new Date(), failed.retryAfterMs);
}

const START_SCOPES = { $all: { can: 'start', readProvider: 'IMAGEKIT' } } as const;

builder.mutationFields((t) => ({
  copyImageKitFolder: t.field({
    type: StartJobResultUnion,
    description:
      'Copies an ImageKit folder (one POST, never retried); the job is tracked at once. Same idempotencyKey (per account, 24 h) → the same job, no second start.',
    authScopes: START_SCOPES,
    args: { input: t.arg({ type: CopyImageKitFolderInput, required: true }) },
    resolve: (_root, { input }, context) =>
      startJob(
        'copyImageKitFolder',
        input,
        { action: 'COPY_FOLDER', sourceFolderPath: input.sourceFolderPath, destinationPath: input.destinationPath, includeVersions: input.includeVersions ?? false },
        context,
      ),
  }),
  moveImageKitFolder: t.field({
    type: StartJobResultUnion,
    description: 'Moves an ImageKit folder (one POST, never retried); the job is tracked at once. Same idempotencyKey → the same job.',
    authScopes: START_SCOPES,
    args: { input: t.arg({ type: MoveImageKitFolderInput, required: true }) },
    resolve: (_root, { input }, context) =>
      startJob('moveImageKitFolder', input, { action: 'MOVE_FOLDER', sourceFolderPath: input.sourceFolderPath, destinationPath: input.destinationPath }, context),
  }),
  renameImageKitFolder: t.field({
    type: StartJobResultUnion,
    description:
      'Renames an ImageKit folder (one POST, never retried); the job is tracked at once, and with purgeCache its purge request too once its id is known. Same idempotencyKey → the same job.',
    authScopes: START_SCOPES,
    args: { input: t.arg({ type: RenameImageKitFolderInput, required: true }) },
    resolve: (_root, { input }, context) =>
      startJob(
        'renameImageKitFolder',
        input,
        { action: 'RENAME_FOLDER', folderPath: input.folderPath, newFolderName: input.newFolderName, purgeCache: input.purgeCache ?? false },
        context,
      ),
  }),
  purgeImageKitCache: t.field({
    type: StartJobResultUnion,
    description: 'Purges a cached URL at ImageKit (one POST, never retried); the purge request is tracked at once. Same idempotencyKey → the same request.',
    authScopes: START_SCOPES,
    args: { input: t.arg({ type: PurgeImageKitCacheInput, required: true }) },
    resolve: (_root, { input }, context) => startJob('purgeImageKitCache', input, { action: 'PURGE_CACHE', url: input.url }, context),
  }),
}));
