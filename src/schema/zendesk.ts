/** Zendesk job statuses, with their per-item results once done. */
import type { JobSnapshot, ZendeskJobResult } from '../jobs/model.js';
import { MAX_RESULTS_KEPT } from '../providers/catalog.js';
import { builder } from './builder.js';
import { detailsOf, jobNodeOptions } from './job-node.js';

export const ZendeskJobResultType = builder.objectRef<ZendeskJobResult>('ZendeskJobResult').implement({
  description: 'One item of a finished Zendesk job. Which fields are set depends on the job type.',
  fields: (t) => ({
    id: t.exposeString('id', { nullable: true, description: 'Kept as a string: Zendesk ids may exceed 2^53.' }),
    index: t.exposeInt('index', { nullable: true }),
    action: t.exposeString('action', { nullable: true }),
    success: t.exposeBoolean('success', { nullable: true }),
    status: t.exposeString('status', { nullable: true }),
    error: t.exposeString('error', { nullable: true }),
    details: t.exposeString('details', { nullable: true }),
    title: t.exposeString('title', { nullable: true }),
    externalId: t.exposeString('externalId', { nullable: true }),
  }),
});

export const ZendeskJobStatusType = builder.node(builder.objectRef<JobSnapshot>('ZendeskJobStatus'), {
  description: 'A Zendesk Support job status. Zendesk keeps it readable for about a day.',
  ...jobNodeOptions('ZENDESK_JOB_STATUS'),
  fields: (t) => ({
    url: t.string({ nullable: true, resolve: (job) => detailsOf(job, 'ZENDESK_JOB_STATUS').url }),
    total: t.int({ nullable: true, resolve: (job) => detailsOf(job, 'ZENDESK_JOB_STATUS').total }),
    jobType: t.string({ nullable: true, resolve: (job) => detailsOf(job, 'ZENDESK_JOB_STATUS').jobType }),
    results: t.field({
      type: [ZendeskJobResultType],
      nullable: true,
      description: `Null until the job is done. At most the first ${MAX_RESULTS_KEPT} of the job's results are kept; \`resultsTotal\` says how many Zendesk answered and \`resultsTruncated\` whether some were dropped.`,
      resolve: (job) => detailsOf(job, 'ZENDESK_JOB_STATUS').results,
    }),
    resultsTotal: t.int({
      nullable: true,
      description: `How many per-item results Zendesk answered; \`results\` holds at most the first ${MAX_RESULTS_KEPT}. Null when \`results\` is.`,
      resolve: (job) => resultsTotalOf(job),
    }),
    resultsTruncated: t.boolean({
      nullable: true,
      description: `True when Zendesk answered more than ${MAX_RESULTS_KEPT} results and only the first ${MAX_RESULTS_KEPT} are in \`results\`. Null when \`results\` is.`,
      resolve: (job) => {
        const { results } = detailsOf(job, 'ZENDESK_JOB_STATUS');
        const total = resultsTotalOf(job);
        return results === null || total === null ? null : total > results.length;
      },
    }),
  }),
});

/** The provider's count of results; statuses remembered before it was recorded count what they kept. */
function resultsTotalOf(job: JobSnapshot): number | null {
  const { results, resultsTotal } = detailsOf(job, 'ZENDESK_JOB_STATUS');
  if (results === null) return null;
  return Math.min(resultsTotal ?? results.length, 2 ** 31 - 1);
}
