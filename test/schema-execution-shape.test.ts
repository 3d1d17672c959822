/**
 * The shape of the query execution path that the benchmarks depend on (BENCHMARKS.md, "Query
 * execution path"): a job's `id` must resolve without a promise, which made every job of a `jobs`
 * answer wait on `Promise.all` and microtasks; likewise a listed job's `tracking` must be the row
 * it was listed from, not a load per node (BENCHMARKS.md, "Registry: listing"). Run through the
 * executor yoga uses, on the served schema, with a loader that answers at once.
 */
import { execute } from '@graphql-tools/executor';
import DataLoader from 'dataloader';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { JobOutcome, JobRef, JobSnapshot } from '../src/jobs/model.js';
import type { Page } from '../src/registry/connection.js';
import type { TrackedJob } from '../src/registry/tracked-job.js';
import { refKey } from '../src/jobs/model.js';
import { TYPENAME_OF_KIND } from '../src/providers/catalog.js';
import { type Context, schema } from '../src/schema/index.js';
import { OPEN_CALLER } from '../src/security/caller.js';

const DETAILS = {
  IMAGEKIT_BULK_JOB: { kind: 'IMAGEKIT_BULK_JOB', type: 'COPY_FOLDER', purgeRequestId: null },
  IMAGEKIT_PURGE_REQUEST: { kind: 'IMAGEKIT_PURGE_REQUEST' },
  SAYMON_BULK_OP: { kind: 'SAYMON_BULK_OP', finished: false },
  ZENDESK_JOB_STATUS: { kind: 'ZENDESK_JOB_STATUS', url: null, total: 3, jobType: null, results: null, resultsTotal: null },
} as const;

function snapshotOf(ref: JobRef): JobSnapshot {
  return {
    ref,
    state: 'RUNNING',
    rawStatus: 'working',
    done: false,
    progress: { completed: 1, total: 3, percent: 33.3 },
    message: null,
    checkedAt: new Date('2026-01-01T00:00:00Z'),
    details: DETAILS[ref.kind] as JobSnapshot['details'],
  };
}

function contextWith(resolved: Map<string, JobOutcome>): Context {
  return {
    loader: new DataLoader(async (refs: readonly JobRef[]) => refs.map((ref) => resolved.get(refKey(ref))!), { cacheKeyFn: refKey }),
    caller: OPEN_CALLER,
  } as unknown as Context;
}

describe('a job\'s fields', () => {
  it("resolve its global id at once, for every kind, as node(id:) reads it", () => {
    for (const [kind, typename] of Object.entries(TYPENAME_OF_KIND)) {
      const ref = { kind, account: 'default', nativeId: 'n-1' } as JobRef;
      const field = (schema.getType(typename) as { getFields(): Record<string, { resolve?: (...args: unknown[]) => unknown }> }).getFields().id!;
      const id = field.resolve!(snapshotOf(ref), {}, contextWith(new Map()), {});
      expect(id).toBe(Buffer.from(`${typename}:default:n-1`).toString('base64'));
    }
  });

  it('answer a jobs query with the same ids through the executor yoga uses', async () => {
    const refs = (['IMAGEKIT_BULK_JOB', 'IMAGEKIT_PURGE_REQUEST', 'SAYMON_BULK_OP', 'ZENDESK_JOB_STATUS'] as const).map((kind, index) => ({
      kind,
      account: 'default',
      nativeId: `j-${index}`,
    }));
    const resolved = new Map(refs.map((ref) => [refKey(ref), snapshotOf(ref) as JobOutcome]));
    const document = parse(`query ($refs: [JobRef!]!) { jobs(refs: $refs) { __typename ... on Job { id nativeId state progress { percent } checkedAt } } }`);
    const result = (await execute({
      schema,
      document,
      variableValues: { refs: refs.map((ref) => ({ kind: ref.kind, id: ref.nativeId })) },
      contextValue: contextWith(resolved),
    })) as { data?: { jobs: { id: string; nativeId: string }[] }; errors?: unknown };
    expect(result.errors).toBeUndefined();
    expect(result.data?.jobs.map((job) => job.nativeId)).toEqual(['j-0', 'j-1', 'j-2', 'j-3']);
    expect(result.data?.jobs[0]?.id).toBe(Buffer.from('ImageKitBulkJob:default:j-0').toString('base64'));
  });
});

describe('a trackedJobs page', () => {
  it("answers each node's tracking from the listed row, loading none", async () => {
    const jobs: TrackedJob[] = (['IMAGEKIT_BULK_JOB', 'SAYMON_BULK_OP', 'ZENDESK_JOB_STATUS'] as const).map((kind, index) => {
      const ref = { kind, account: 'default', nativeId: `t-${index}` } as JobRef;
      const at = new Date(Date.UTC(2026, 0, 1, 0, 0, index));
      return {
        id: index + 1, ref, provider: kind === 'ZENDESK_JOB_STATUS' ? 'ZENDESK' : kind === 'SAYMON_BULK_OP' ? 'SAYMON' : 'IMAGEKIT',
        trackedAt: at, trackedBy: null, labels: [`l-${index}`], state: 'RUNNING', rawStatus: 'working', done: false, final: false,
        outcome: snapshotOf(ref), checkedAt: at, changedAt: at, firstSeenAt: at, startedAt: at, finishedAt: null, notFoundSince: null, finalAt: null,
      } as TrackedJob;
    });
    const page: Page<TrackedJob> = {
      edges: jobs.map((job) => ({ cursor: `c-${job.id}`, node: job })),
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: 'c-1', endCursor: 'c-3' },
    };
    const loaded: JobRef[] = [];
    const context = {
      ...contextWith(new Map()),
      registry: { listTrackedJobPage: async () => page },
      tracked: new DataLoader(async (refs: readonly JobRef[]) => {
        loaded.push(...refs);
        return refs.map(() => null);
      }, { cacheKeyFn: refKey }),
    } as unknown as Context;
    const document = parse('{ trackedJobs(first: 3) { edges { node { ... on Job { nativeId tracking { labels trackedAt } } } } } }');
    const result = (await execute({ schema, document, contextValue: context })) as {
      data?: { trackedJobs: { edges: { node: { nativeId: string; tracking: { labels: string[] } } }[] } };
      errors?: unknown;
    };
    expect(result.errors).toBeUndefined();
    expect(result.data?.trackedJobs.edges.map((edge) => [edge.node.nativeId, edge.node.tracking.labels])).toEqual([
      ['t-0', ['l-0']],
      ['t-1', ['l-1']],
      ['t-2', ['l-2']],
    ]);
    expect(loaded).toEqual([]);
  });
});
