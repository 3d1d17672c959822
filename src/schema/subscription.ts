/** The subscription root: live updates for a set of refs. */
import type { JobUpdate } from '../jobs/job-feed.js';
import { builder } from './builder.js';
import { JobResultUnion } from './errors.js';
import { JobRefInput, JobStateEnum, refsOf } from './job.js';
import { jobStream } from './job-stream.js';

const JobUpdateType = builder.objectRef<JobUpdate>('JobUpdate').implement({
  description: 'One job, now. previousState is what this subscription last reported for it.',
  fields: (t) => ({
    result: t.field({ type: JobResultUnion, resolve: (update) => update.result }),
    previousState: t.field({
      type: JobStateEnum,
      nullable: true,
      description: 'Null on the first event of a job.',
      resolve: (update) => update.previousState,
    }),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

builder.subscriptionType({
  fields: (t) => ({
    jobUpdates: t.field({
      type: JobUpdateType,
      description:
        'Current state of every ref at once, then one event per observed change; completes when every ref is done or not found.',
      args: { refs: t.arg({ type: [JobRefInput], required: true }) },
      // Refs and the caller's right to read them are checked here, at subscribe time: a bad list
      // never starts a stream, and no event is authorised again.
      subscribe: (_root, { refs }, context) => jobStream(refsOf(refs, context.maxRefs), context),
      resolve: (update) => update,
    }),
  }),
});
