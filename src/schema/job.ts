/**
 * What every job shares: the enums, `JobRef`, `JobProgress`, the `Job` interface, `DateTime`,
 * and the one function that turns user refs into domain refs (with the contract's limits).
 */
import { DEFAULT_ACCOUNT, JOB_STATES, type JobKind, type JobProgress, type JobRef, type JobSnapshot } from '../jobs/model.js';
import { JOB_KINDS, PROVIDERS, PROVIDER_OF_KIND } from '../providers/catalog.js';
import { badInput } from './bad-input.js';
import { builder } from './builder.js';

/** Longest provider id we accept; real ids are 24 to 40 characters. */
export const MAX_NATIVE_ID_LENGTH = 256;

export const ProviderEnum = builder.enumType('Provider', { values: PROVIDERS });
export const JobKindEnum = builder.enumType('JobKind', {
  values: JOB_KINDS,
  description: 'What sort of job, which also says which provider serves it.',
});
export const JobStateEnum = builder.enumType('JobState', {
  values: JOB_STATES,
  description: "The provider's word, normalized. UNKNOWN keeps the provider's own word in rawStatus.",
});

builder.scalarType('DateTime', {
  description: 'An instant, as an ISO 8601 string in UTC.',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : new Date(NaN);
    if (Number.isNaN(date.getTime())) throw badInput('DateTime must be an ISO 8601 string');
    return date;
  },
});

export const JobRefInput = builder.inputType('JobRef', {
  description: 'A job as the provider names it.',
  fields: (t) => ({
    kind: t.field({ type: JobKindEnum, required: true }),
    id: t.string({ required: true, description: "The provider's own id." }),
    account: t.string({ required: false, description: 'A configured account name; omitted: "default".' }),
  }),
});

/** Turns user input into domain refs, refusing what no provider could answer. */
export function refsOf(input: readonly { kind: JobKind; id: string; account?: string | null }[], maxRefs: number): JobRef[] {
  if (input.length > maxRefs) throw badInput(`Too many refs: ${input.length} given, at most ${maxRefs} are accepted`);
  return input.map((ref, index) => {
    const where = input.length > 1 ? ` (ref ${index})` : '';
    if (ref.id.trim() === '') throw badInput(`Job id must not be empty${where}`);
    if (ref.id.length > MAX_NATIVE_ID_LENGTH) {
      throw badInput(`Job id is ${ref.id.length} characters long${where}; at most ${MAX_NATIVE_ID_LENGTH} are accepted`);
    }
    return { kind: ref.kind, nativeId: ref.id, account: ref.account ?? DEFAULT_ACCOUNT };
  });
}

export const JobProgressType = builder.objectRef<JobProgress>('JobProgress').implement({
  fields: (t) => ({
    completed: t.exposeInt('completed'),
    total: t.exposeInt('total'),
    percent: t.exposeFloat('percent', { description: '0 to 100.' }),
  }),
});

export const JobInterface = builder.interfaceRef<JobSnapshot>('Job').implement({
  interfaces: [builder.nodeInterfaceRef()],
  description: 'What every provider says of a job, normalized.',
  fields: (t) => ({
    kind: t.field({ type: JobKindEnum, resolve: (job) => job.ref.kind }),
    provider: t.field({ type: ProviderEnum, resolve: (job) => PROVIDER_OF_KIND[job.ref.kind] }),
    account: t.string({ resolve: (job) => job.ref.account }),
    nativeId: t.string({ description: "The provider's own id.", resolve: (job) => job.ref.nativeId }),
    state: t.field({ type: JobStateEnum, resolve: (job) => job.state }),
    rawStatus: t.exposeString('rawStatus', { description: 'The provider\'s own word ("Pending", "working", "true" for SAYMON finished).' }),
    done: t.exposeBoolean('done', { description: 'Terminal: the state will not change again.' }),
    progress: t.field({ type: JobProgressType, nullable: true, resolve: (job) => job.progress }),
    message: t.exposeString('message', { nullable: true }),
    checkedAt: t.expose('checkedAt', { type: 'DateTime', description: 'When the provider was asked for this status.' }),
  }),
});
