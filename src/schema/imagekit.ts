/** ImageKit's two kinds of job: folder bulk jobs and cache purge requests. */
import { GraphQLError } from 'graphql';
import { isFailure, type JobSnapshot } from '../jobs/model.js';
import { builder } from './builder.js';
import { detailsOf, jobNodeOptions } from './job-node.js';

export const PurgeRequestType = builder.node(builder.objectRef<JobSnapshot>('PurgeRequest'), {
  description: 'An ImageKit cache purge request. COMPLETED means fresh content is now served.',
  ...jobNodeOptions('IMAGEKIT_PURGE_REQUEST'),
  fields: () => ({}),
});

export const ImageKitBulkJobTypeEnum = builder.enumType('ImageKitBulkJobType', {
  values: ['COPY_FOLDER', 'MOVE_FOLDER', 'RENAME_FOLDER', 'UNKNOWN'] as const,
});

export const ImageKitBulkJobType = builder.node(builder.objectRef<JobSnapshot>('ImageKitBulkJob'), {
  description: 'An ImageKit copy, move or rename folder job.',
  ...jobNodeOptions('IMAGEKIT_BULK_JOB'),
  fields: (t) => ({
    type: t.field({ type: ImageKitBulkJobTypeEnum, resolve: (job) => detailsOf(job, 'IMAGEKIT_BULK_JOB').type }),
    purgeRequest: t.field({
      type: PurgeRequestType,
      nullable: true,
      description: 'The cache purge a rename started with purgeCache: true; null when there is none or it is no longer known.',
      resolve: async (job, _args, context) => {
        const purgeRequestId = detailsOf(job, 'IMAGEKIT_BULK_JOB').purgeRequestId;
        if (!purgeRequestId) return null;
        const outcome = await context.loader.load({ kind: 'IMAGEKIT_PURGE_REQUEST', account: job.ref.account, nativeId: purgeRequestId });
        if (!isFailure(outcome)) return outcome;
        if (outcome.failure === 'NOT_FOUND') return null;
        throw new GraphQLError(outcome.message, { extensions: { code: outcome.failure } });
      },
    }),
  }),
});
