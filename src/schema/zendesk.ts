/** Zendesk job statuses, with their per-item results once done. */
import type { JobSnapshot, ZendeskJobResult } from '../jobs/model.js';
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
      description: 'Null until the job is done.',
      resolve: (job) => detailsOf(job, 'ZENDESK_JOB_STATUS').results,
    }),
  }),
});
