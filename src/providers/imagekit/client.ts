/**
 * ImageKit: bulk jobs (`GET /v1/bulkJobs/{jobId}`) and purge requests (`GET /v1/files/purge/{requestId}`).
 * Neither has a batch endpoint, so each distinct id is one call, at most `concurrency` in flight per
 * account across all callers. The same client starts jobs (`starts.ts`), through the same upstream,
 * so starts and status reads share the account's auth, metrics and deadline.
 */
import pLimit from 'p-limit';
import { z } from 'zod';
import { systemClock } from '../../clock.js';
import type { ImageKitBulkJobType, JobKind, JobOutcome } from '../../jobs/model.js';
import type { ProviderClient } from '../../jobs/ports.js';
import type { ImageKitAccount } from './descriptor.js';
import { type UpstreamDeps, basicAuth, createUpstream } from '../http.js';
import { type ProviderWords, type Answers, answersFor, notServed, unexpectedStatus, unreadableBody } from '../outcome.js';
import { type ImageKitStarts, createImageKitStarts } from './starts.js';

/** An ImageKit account's client: statuses, and starts (`imageKitStartsOf` finds them on a `ProviderClient`). */
export type ImageKitClient = ProviderClient & ImageKitStarts;

const BULK_JOB_ROUTE = '/v1/bulkJobs/{jobId}';
const PURGE_ROUTE = '/v1/files/purge/{requestId}';

/** `{"jobId","type","status","purgeRequestId"?}`; 207 adds `message` (and `help`). */
const BulkJobWire = z.looseObject({
  status: z.string().optional(),
  type: z.string().nullish(),
  purgeRequestId: z.string().nullish(),
  message: z.string().nullish(),
});

/** `{"status":"Pending"|"Completed"}`, nothing else. */
const PurgeWire = z.looseObject({ status: z.string() });

const BULK_JOB_TYPES: readonly string[] = ['COPY_FOLDER', 'MOVE_FOLDER', 'RENAME_FOLDER'] satisfies ImageKitBulkJobType[];

/** A 207 is a rename whose cache purge failed: finished, succeeded with a warning. */
const PARTIAL_SUCCESS = 'Partial success';

/** The client for one ImageKit account, serving bulk jobs and purge requests, and starting them. */
export function createImageKitClient(account: ImageKitAccount, deps: UpstreamDeps, words: ProviderWords & { label: string }): ImageKitClient {
  const clock = deps.clock ?? systemClock;
  const upstream = createUpstream({
    ...deps,
    provider: 'IMAGEKIT',
    label: words.label,
    account: account.name,
    baseUrl: account.baseUrl,
    // The server ignores the password; the trailing colon is required all the same.
    auth: { headers: { authorization: basicAuth(account.privateKey, '') } },
  });
  const limit = pLimit(deps.options.concurrency);
  const kinds: readonly JobKind[] = ['IMAGEKIT_BULK_JOB', 'IMAGEKIT_PURGE_REQUEST'];

  async function bulkJob(answers: Answers, jobId: string): Promise<JobOutcome> {
    const answer = await upstream.request({ route: BULK_JOB_ROUTE, path: `/v1/bulkJobs/${encodeURIComponent(jobId)}` });
    if (!answer.ok) return answers.failure(jobId, answer);
    if (answer.status === 404) return answers.notFound(jobId);
    if (answer.status >= 300) return answers.failure(jobId, unexpectedStatus(upstream, answer.status));
    const parsed = BulkJobWire.safeParse(answer.body);
    const rawStatus = parsed.data?.status ?? (answer.status === 207 ? PARTIAL_SUCCESS : undefined);
    if (!parsed.success || rawStatus === undefined) return answers.failure(jobId, unreadableBody(upstream, answer.status));
    const { type, purgeRequestId, message } = parsed.data;
    return answers.snapshot(jobId, {
      rawStatus,
      message: message ?? null,
      details: {
        kind: 'IMAGEKIT_BULK_JOB',
        type: type && BULK_JOB_TYPES.includes(type) ? (type as ImageKitBulkJobType) : 'UNKNOWN',
        purgeRequestId: purgeRequestId || null,
      },
    });
  }

  async function purgeRequest(answers: Answers, requestId: string): Promise<JobOutcome> {
    const answer = await upstream.request({ route: PURGE_ROUTE, path: `/v1/files/purge/${encodeURIComponent(requestId)}` });
    if (!answer.ok) return answers.failure(requestId, answer);
    // An unknown request id is a 400 ("No request found for this requestId."), not a 404.
    if (answer.status === 404 || answer.status === 400) return answers.notFound(requestId);
    if (answer.status >= 300) return answers.failure(requestId, unexpectedStatus(upstream, answer.status));
    const parsed = PurgeWire.safeParse(answer.body);
    if (!parsed.success) return answers.failure(requestId, unreadableBody(upstream, answer.status));
    return answers.snapshot(requestId, { rawStatus: parsed.data.status, details: { kind: 'IMAGEKIT_PURGE_REQUEST' } });
  }

  // Starts are not queued behind status reads: they are rare, and a caller waits for each.
  const starts = createImageKitStarts(upstream, account.privateKey);

  return {
    ...starts,
    provider: 'IMAGEKIT',
    account: account.name,
    kinds,
    sandbox: account.sandbox,
    rateLimit: upstream.rateLimit,
    maxRequestsPerMinute: account.maxRequestsPerMinute ?? null,
    batchSize: 1,
    async fetchStatuses(kind, nativeIds) {
      if (!kinds.includes(kind)) return notServed(kind, account.name, upstream, clock, words, nativeIds);
      const answers = answersFor(kind, account.name, upstream, clock, words);
      const ask = kind === 'IMAGEKIT_BULK_JOB' ? bulkJob : purgeRequest;
      return answers.each(nativeIds, limit, (id) => ask(answers, id));
    },
  };
}
