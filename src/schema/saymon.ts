/** SAYMON bulk operations: the provider says only whether one has finished. */
import type { JobSnapshot } from '../jobs/model.js';
import { builder } from './builder.js';
import { detailsOf, jobNodeOptions } from './job-node.js';

export const SaymonBulkOpType = builder.node(builder.objectRef<JobSnapshot>('SaymonBulkOp'), {
  description: 'A SAYMON bulk operation. SAYMON reports no progress or outcome, only whether it has finished.',
  ...jobNodeOptions('SAYMON_BULK_OP'),
  fields: (t) => ({
    finished: t.boolean({ resolve: (job) => detailsOf(job, 'SAYMON_BULK_OP').finished }),
  }),
});
