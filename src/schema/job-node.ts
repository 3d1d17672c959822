/**
 * How each kind of job becomes a Relay node: its global id, how `node(id:)` loads it, and how
 * a snapshot is recognised as that type in unions and interfaces.
 */
import { GraphQLError, type GraphQLSchema, isObjectType } from 'graphql';
import { type JobDetails, type JobKind, type JobOutcome, type JobSnapshot, isFailure } from '../jobs/model.js';
import { PROVIDER_OF_KIND, TYPENAME_OF_KIND } from '../providers/catalog.js';
import type { Context } from './builder.js';
import { JobInterface } from './job.js';
import { localIdOf, refOfGlobalId, encodeJobGlobalId } from './global-id.js';

/** The details of a snapshot already known to be of `kind`. */
export function detailsOf<K extends JobKind>(job: JobSnapshot, kind: K): Extract<JobDetails, { kind: K }> {
  if (job.details.kind !== kind) throw new Error(`Expected a ${kind} snapshot, got ${job.details.kind}`);
  return job.details as Extract<JobDetails, { kind: K }>;
}

/**
 * The options every job type passes to `builder.node`.
 *
 * `authScopes` is the guarantee that no job of a provider the caller may not read is ever
 * serialized, whatever path leads to it. It is the last line: refs are filtered before loading
 * (`callerJobLoader`, `jobUpdates`), so that a denied ref gets its own `ProviderError` instead of
 * an error that would null the whole `jobs` list. `runScopesOnType` checks once per object.
 */
export function jobNodeOptions(kind: JobKind) {
  return {
    authScopes: { readProvider: PROVIDER_OF_KIND[kind] },
    runScopesOnType: true,
    interfaces: [JobInterface],
    id: { resolve: (job: JobSnapshot) => localIdOf(job.ref) },
    isTypeOf: (value: unknown) => isSnapshotOf(value, kind),
    loadManyWithoutCache: (ids: string[], context: Context) => loadJobs(kind, ids, context),
  };
}

function isSnapshotOf(value: unknown, kind: JobKind): boolean {
  const outcome = value as JobOutcome;
  return typeof value === 'object' && value !== null && !isFailure(outcome) && outcome.details?.kind === kind;
}

/**
 * `node`/`nodes`: an unknown job is null (as Relay expects); provider trouble is an error in
 * that position only, so the other nodes still resolve.
 */
async function loadJobs(kind: JobKind, localIds: string[], context: Context): Promise<(JobSnapshot | null)[]> {
  const refs = localIds.map((id) => refOfGlobalId(encodeJobGlobalId(TYPENAME_OF_KIND[kind], id)));
  const outcomes = await context.loader.loadMany(refs);
  return outcomes.map((outcome) => {
    if (outcome instanceof Error) throw outcome;
    if (!isFailure(outcome)) return outcome;
    if (outcome.failure === 'NOT_FOUND') return null;
    // graphql-js turns an Error value in a list into an error at that index only.
    return new GraphQLError(outcome.message, { extensions: { code: outcome.failure } }) as unknown as JobSnapshot;
  });
}

/**
 * Gives every job type's `id` a synchronous resolver. The relay plugin's `id` is an `async`
 * function, so every job of a `jobs` answer had one pending promise, and the executor then built
 * the job's whole object through `Promise.all` and a few microtasks: a sixth of a fully cached
 * 50-ref query's CPU (BENCHMARKS.md, note N3). The id is the same string the relay plugin makes
 * (`encodeGlobalID(typename, localId)`), computed from the snapshot at once.
 */
export function resolveJobIdsAtOnce(schema: GraphQLSchema): GraphQLSchema {
  for (const typename of Object.values(TYPENAME_OF_KIND)) {
    const type = schema.getType(typename);
    const field = isObjectType(type) ? type.getFields().id : undefined;
    if (!field) throw new Error(`The schema has no job type ${typename} with an id`);
    field.resolve = (job: JobSnapshot) => encodeJobGlobalId(typename, localIdOf(job.ref));
  }
  return schema;
}
