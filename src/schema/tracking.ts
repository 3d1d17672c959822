/**
 * Tracking in the schema (part 2 of the contract): `Job.tracking` and its history, the
 * `trackedJobs` list, the `trackJobs`/`untrackJobs`/`setJobLabels` mutations and the
 * `trackedJobUpdates` live list. Thin: the registry service does the work; this file maps
 * arguments in, results out, and registry errors to GraphQL errors with codes.
 *
 * Access: reading tracked jobs needs `can: read`, changing them `can: track`; a key only ever
 * sees and changes tracked jobs of the providers it may read (lists are filtered in SQL).
 */
import { GraphQLError } from 'graphql';
import { Repeater } from 'graphql-yoga';
import { onStop } from '../jobs/on-stop.js';
import { jobFailure } from '../jobs/failures.js';
import { type JobOutcome, type JobRef, type JobState, refKey } from '../jobs/model.js';
import type { Page } from '../registry/connection.js';
import { isRegistryError } from '../registry/errors.js';
import { changeMatchesFilter, matchesFilter } from '../registry/filter-match.js';
import { checkLabels } from '../registry/labels.js';
import { TRACKED_JOB_ORDERS, type TrackedJobFilter } from '../registry/listing.js';
import type { HistoryEntry } from '../registry/observations.js';
import { type TrackedJob, reviveTrackedJob } from '../registry/tracked-job.js';
import { deniedFailure, mayRead, partitionRefs, visibleProviders } from '../security/caller.js';
import { PROVIDER_OF_KIND } from '../providers/catalog.js';
import { badInput } from './bad-input.js';
import { builder, type Context } from './builder.js';
import { JobResultUnion } from './errors.js';
import { refOfGlobalId } from './global-id.js';
import { JobInterface, JobKindEnum, JobProgressType, JobRefInput, JobStateEnum, ProviderEnum, refsOf } from './job.js';

/** Registry errors as GraphQL errors: the caller's mistakes are 400s, an away database is REGISTRY_UNAVAILABLE. */
function graphqlErrorOf(error: unknown): unknown {
  if (!isRegistryError(error)) return error;
  if (error.code === 'REGISTRY_UNAVAILABLE') return new GraphQLError(error.message, { extensions: { code: 'REGISTRY_UNAVAILABLE' } });
  if (error.code === 'LABELS_INVALID' || error.code === 'CURSOR_INVALID' || error.code === 'PAGE_SIZE_INVALID') {
    return new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', reason: error.code, http: { status: 400 } } });
  }
  return new GraphQLError('The job registry failed', { extensions: { code: 'REGISTRY_UNAVAILABLE' } });
}

async function registryCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw graphqlErrorOf(error);
  }
}

/** `fn`'s promise, made on the first call and answered to every later one. */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= fn());
}

/** Labels the caller gave, checked before anything is asked of a provider or the database. */
function labelsOf(labels: readonly string[] | null | undefined): string[] {
  const checked = checkLabels(labels ?? []);
  if (!checked.ok) throw new GraphQLError(checked.message, { extensions: { code: 'BAD_USER_INPUT', reason: 'LABELS_INVALID', http: { status: 400 } } });
  return checked.labels;
}

/** What a tracked job answers as a `JobResult`: its last known outcome, never an upstream call. */
export function lastKnownResult(job: TrackedJob): JobOutcome {
  return job.outcome ?? jobFailure(job.ref, 'UNAVAILABLE', 'The provider has not answered for this job yet', job.trackedAt);
}

/**
 * The tracked job each node of a list or live event was read from, keyed by the node itself (an
 * object made for this answer: `trackedJobOf`/`reviveTrackedJob` build a new outcome per row and
 * per event). With it `Job.tracking` answers such a node at once: through the loader it was a
 * promise per node, and a pending field makes the executor build the whole node through
 * `Promise.all` and microtasks (BENCHMARKS.md, "Registry: listing", the service's CPU per page).
 */
const trackingOfNode = new WeakMap<JobOutcome, TrackedJob>();

/** {@link lastKnownResult}, remembered as `job`'s node so that its `tracking` costs nothing. */
function nodeOf(job: TrackedJob): JobOutcome {
  const node = lastKnownResult(job);
  trackingOfNode.set(node, job);
  return node;
}

const JobTransitionType = builder.objectRef<HistoryEntry>('JobTransition').implement({
  description: 'One observed change of a tracked job.',
  fields: (t) => ({
    state: t.field({ type: JobStateEnum, resolve: (entry) => entry.state }),
    rawStatus: t.exposeString('rawStatus'),
    progress: t.field({ type: JobProgressType, nullable: true, resolve: (entry) => entry.progress }),
    message: t.exposeString('message', { nullable: true }),
    at: t.expose('at', { type: 'DateTime', description: 'When the provider was asked (the observation that saw the change).' }),
  }),
});

/**
 * A page of a list as the schema resolves it: `totalCount` is the count, or a function that
 * counts, called only when the query selects the field (counting is most of a big list's cost).
 */
interface ConnectionShape<T> extends Page<T> {
  readonly totalCount: number | (() => Promise<number>);
}

/** A connection type of `node` (edges, pageInfo, totalCount), named as the contract names it. */
function connectionTypes<T>(name: string, nodeType: Parameters<typeof builder.objectRef<T>>[0] extends string ? any : never) {
  const edge = builder.objectRef<{ cursor: string; node: T }>(`${name}Edge`).implement({
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      node: t.field({ type: nodeType, resolve: (edge) => edge.node as never }),
    }),
  });
  return builder.objectRef<ConnectionShape<T>>(`${name}Connection`).implement({
    fields: (t) => ({
      edges: t.field({ type: [edge], resolve: (connection) => connection.edges as never }),
      pageInfo: t.field({ type: builder.pageInfoRef(), resolve: (connection) => connection.pageInfo }),
      totalCount: t.int({
        resolve: (connection) => (typeof connection.totalCount === 'number' ? connection.totalCount : connection.totalCount()),
      }),
    }),
  });
}

const JobTransitionConnection = connectionTypes<HistoryEntry>('JobTransition', JobTransitionType);
const TrackedJobConnection = connectionTypes<JobOutcome>('TrackedJob', JobResultUnion);

const JobTrackingType = builder.objectRef<TrackedJob>('JobTracking').implement({
  description: 'What the service remembers about a job it tracks.',
  fields: (t) => ({
    trackedAt: t.expose('trackedAt', { type: 'DateTime' }),
    trackedBy: t.exposeString('trackedBy', { nullable: true, description: "The API key's name; null when the API is open." }),
    labels: t.exposeStringList('labels'),
    firstSeenAt: t.expose('firstSeenAt', { type: 'DateTime', nullable: true, description: 'First answer from the provider.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true, description: 'First RUNNING (or later) observation.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'First done observation.' }),
    durationMs: t.int({
      nullable: true,
      description: 'finishedAt − (startedAt ?? firstSeenAt); null while running.',
      resolve: (job) => {
        const from = job.startedAt ?? job.firstSeenAt;
        return job.finishedAt && from ? job.finishedAt.getTime() - from.getTime() : null;
      },
    }),
    history: t.field({
      type: JobTransitionConnection,
      description: 'Observed changes, oldest first; the first entry is the first sighting. Pages backward with last/before.',
      args: {
        first: t.arg.int({ defaultValue: 100 }),
        after: t.arg.string(),
        last: t.arg.int(),
        before: t.arg.string(),
      },
      resolve: (job, args, context) =>
        registryCall(() =>
          context.registry.history(job.id, { first: args.last != null ? null : args.first, after: args.after, last: args.last, before: args.before }),
        ),
    }),
  }),
});

builder.interfaceField(JobInterface, 'tracking', (t) =>
  t.field({
    type: JobTrackingType,
    nullable: true,
    description: 'What the service remembers of this job; null when it is not tracked.',
    resolve: (job, _args, context) => trackingOfNode.get(job) ?? registryCall(() => context.tracked.load(job.ref)),
  }),
);

const TrackedJobOrderEnum = builder.enumType('TrackedJobOrder', { values: TRACKED_JOB_ORDERS });

export const TrackedJobFilterInput = builder.inputType('TrackedJobFilter', {
  description: 'Every given field must hold.',
  fields: (t) => ({
    providers: t.field({ type: [ProviderEnum] }),
    kinds: t.field({ type: [JobKindEnum] }),
    accounts: t.stringList(),
    states: t.field({ type: [JobStateEnum], description: 'Of the last snapshot: a job never observed matches none.' }),
    done: t.boolean(),
    labels: t.stringList({ description: 'Every one of them.' }),
    trackedAfter: t.field({ type: 'DateTime', description: 'Exclusive.' }),
    trackedBefore: t.field({ type: 'DateTime', description: 'Exclusive.' }),
    search: t.string({ description: 'A prefix of the native id, or one whole label.' }),
  }),
});

export type FilterArg = { [K in keyof TrackedJobFilter]?: TrackedJobFilter[K] } | null | undefined;

builder.queryField('trackedJobs', (t) =>
  t.field({
    type: TrackedJobConnection,
    description: 'Tracked jobs from the registry: no upstream call; the tracker keeps them fresh. Each node is the last known status (or error).',
    authScopes: { can: 'read' },
    args: {
      filter: t.arg({ type: TrackedJobFilterInput }),
      orderBy: t.arg({ type: TrackedJobOrderEnum, defaultValue: 'TRACKED_DESC' }),
      first: t.arg.int(),
      after: t.arg.string(),
      last: t.arg.int(),
      before: t.arg.string(),
    },
    resolve: async (_root, args, context) => {
      const options = {
        filter: args.filter as FilterArg,
        orderBy: args.orderBy,
        first: args.first,
        after: args.after,
        last: args.last,
        before: args.before,
        visibleProviders: visibleProviders(context.caller),
      };
      const page = await registryCall(() => context.registry.listTrackedJobPage(options));
      return {
        pageInfo: page.pageInfo,
        // Each node's `tracking` is the row it came from (`nodeOf`): no query, no promise.
        edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: nodeOf(edge.node) })),
        // Counted only if selected (a query may select it twice, under aliases: count once).
        totalCount: once(() => registryCall(() => context.registry.countTrackedJobs(options))),
      };
    },
  }),
);

builder.mutationFields((t) => ({
  trackJobs: t.field({
    type: [JobResultUnion],
    description: 'Tracks each ref (again: labels are merged); one result per ref, in order; at most 500 refs. Refs of providers the key may not read are answered UNAUTHORIZED and not tracked; refs of accounts not configured are answered NOT_CONFIGURED and not tracked.',
    authScopes: { can: 'track' },
    args: { refs: t.arg({ type: [JobRefInput], required: true }), labels: t.arg.stringList() },
    resolve: async (_root, args, context) => {
      const refs = refsOf(args.refs, context.maxRefs);
      const labels = labelsOf(args.labels);
      const { allowed } = partitionRefs(context.caller, refs);
      const answers = allowed.length === 0 ? [] : await registryCall(() => context.registry.trackJobs(allowed, labels, context.caller.keyName));
      const byKey = new Map<string, JobOutcome>();
      for (const answer of answers) {
        byKey.set(refKey(answer.job.ref), answer.outcome);
        context.tracked.prime(answer.job.ref, answer.job);
      }
      const now = new Date();
      return refs.map((ref) => byKey.get(refKey(ref)) ?? deniedFailure(ref, now));
    },
  }),
  untrackJobs: t.field({
    type: ['ID'],
    description: 'Forgets the given tracked jobs (global ids); returns those that were tracked. Never cancels a job.',
    authScopes: { can: 'track' },
    args: { ids: t.arg({ type: ['ID'], required: true }) },
    resolve: async (_root, args, context) => {
      if (args.ids.length > context.maxRefs) throw badInput(`Too many ids: ${args.ids.length} given, at most ${context.maxRefs} are accepted`);
      const refs = args.ids.map((id) => ({ id: String(id), ref: refOfGlobalId(String(id)) }));
      const visible = refs.filter((entry) => mayRead(context.caller, PROVIDER_OF_KIND[entry.ref.kind]));
      if (visible.length === 0) return [];
      const gone = await registryCall(() => context.registry.untrackJobs(visible.map((entry) => entry.ref)));
      const keys = new Set(gone.map(refKey));
      const answered = new Set<string>();
      return visible
        .filter((entry) => keys.has(refKey(entry.ref)) && !answered.has(refKey(entry.ref)) && answered.add(refKey(entry.ref)))
        .map((entry) => entry.id);
    },
  }),
  setJobLabels: t.field({
    type: JobResultUnion,
    description: "Replaces a tracked job's labels; answers its last known status. Announced on trackedJobUpdates as CHANGED (state unchanged) when the labels differ; no history entry, no webhook.",
    authScopes: { can: 'track' },
    args: { id: t.arg({ type: 'ID', required: true }), labels: t.arg.stringList({ required: true }) },
    resolve: async (_root, args, context) => {
      const ref = refOfGlobalId(String(args.id));
      if (!mayRead(context.caller, PROVIDER_OF_KIND[ref.kind])) {
        throw new GraphQLError(`This API key may not change ${PROVIDER_OF_KIND[ref.kind]} jobs`, { extensions: { code: 'FORBIDDEN' } });
      }
      const labels = labelsOf(args.labels);
      const job = await registryCall(() => context.registry.setLabels(ref, labels));
      if (!job) throw new GraphQLError('No tracked job has this id', { extensions: { code: 'NOT_FOUND', http: { status: 404 } } });
      context.tracked.prime(job.ref, job);
      return lastKnownResult(job);
    },
  }),
}));

interface TrackedJobEventShape {
  readonly type: 'TRACKED' | 'CHANGED' | 'UNTRACKED';
  readonly job: JobOutcome;
  readonly tracked: TrackedJob;
  readonly previousState: JobState | null;
  readonly at: Date;
}

const TrackedJobEventTypeEnum = builder.enumType('TrackedJobEventType', { values: ['TRACKED', 'CHANGED', 'UNTRACKED'] as const });

const TrackedJobEventType = builder.objectRef<TrackedJobEventShape>('TrackedJobEvent').implement({
  description: 'A tracked job tracked, changed or untracked.',
  fields: (t) => ({
    type: t.field({ type: TrackedJobEventTypeEnum, resolve: (event) => event.type }),
    job: t.field({
      type: JobResultUnion,
      description: "The job's last known outcome after the event (for UNTRACKED: the last one before it was forgotten).",
      resolve: (event) => event.job,
    }),
    previousState: t.field({
      type: JobStateEnum,
      nullable: true,
      description: 'CHANGED: the state before the change (null before the first snapshot); TRACKED: null; UNTRACKED: the last state.',
      resolve: (event) => event.previousState,
    }),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

builder.subscriptionField('trackedJobUpdates', (t) =>
  t.field({
    type: TrackedJobEventType,
    description:
      'Every change of every tracked job matching the filter, and jobs tracked or untracked from now on, cluster-wide. A CHANGED is sent when the job matches the filter after the change or matched it before (a job leaving the filter is sent once more, as it is now). Never completes by itself (it ends when the server shuts down).',
    authScopes: { can: 'read' },
    args: { filter: t.arg({ type: TrackedJobFilterInput }) },
    subscribe: (_root, args, context) => trackedEvents(args.filter as FilterArg, context),
    resolve: (event) => event,
  }),
);

/** The live list for one subscriber: announcements that match its filter and visible providers. */
function trackedEvents(filter: FilterArg, context: Context): AsyncIterable<TrackedJobEventShape> {
  const visible = visibleProviders(context.caller);
  return new Repeater<TrackedJobEventShape>(async (push, stop) => {
    const events = context.registry.events();
    const unstop = onStop(context.stopping, () => void stop());
    void stop.then(() => {
      unstop();
      void events.return?.();
    });
    for (;;) {
      const next = await Promise.race([events.next(), stop.then(() => null)]);
      if (!next || next.done) break;
      const tracked = reviveTrackedJob(next.value.job);
      const relevant = next.value.type === 'CHANGED' ? changeMatchesFilter(tracked, next.value, filter, visible) : matchesFilter(tracked, filter, visible);
      if (!relevant) continue;
      const at = next.value.at instanceof Date ? next.value.at : new Date(next.value.at);
      // The job's `tracking` is this event's (`nodeOf`). The context's loader lives as long as the
      // subscription: it must not answer the first event's tracking for a later one.
      context.tracked.clear(tracked.ref).prime(tracked.ref, tracked);
      await push({ type: next.value.type, job: nodeOf(tracked), tracked, previousState: next.value.previousState, at });
    }
    stop();
  });
}

export type { JobRef };
