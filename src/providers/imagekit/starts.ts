/**
 * Starting ImageKit jobs: `POST /v1/bulkJobs/copyFolder|moveFolder|renameFolder` and
 * `POST /v1/files/purge`, each sent exactly once.
 *
 * ImageKit has no idempotency key, so a start is never retried, whatever happens: a retried copy
 * is a second copy. `http.ts` sends non-GETs once (no retry on 5xx, 429, timeouts or dropped
 * connections); this module adds what a caller must know when the answer is lost: a timeout, a
 * dropped connection, a 5xx or an unreadable 2xx say that the job may have started.
 *
 * The answer is a value, never a throw: `started` (any 2xx carrying the id), `rejected` (ImageKit
 * refused: 400 with its `reason`, 404 `NO_FILES_FOLDER`, 409, 423; nothing started) or `failed`
 * (auth, rate limit, outage, timeout, unreadable answer: the same codes as status calls).
 *
 * A rename with `purgeCache: true` answers only `{jobId}`; the id of the purge request it starts
 * comes with the job's status (`purgeRequestId`). So, unless the POST answer already names it, one
 * follow-up `GET /v1/bulkJobs/{jobId}` (a read, retried as reads are) asks for it; when that read
 * fails or does not name it yet, `purgeRequestId` is null and the job's later statuses carry it.
 */
import { z } from 'zod';
import type { JobKind, ProviderErrorCode } from '../../jobs/model.js';
import type { ProviderClient } from '../../jobs/ports.js';
import type { Upstream, UpstreamError, UpstreamResponse } from '../http.js';
import { type ImageKitStartAction, type ImageKitStartRequest, startRequestProblem } from './start-request.js';

/** A job ImageKit accepted. */
export interface StartedImageKitJob {
  readonly kind: Extract<JobKind, 'IMAGEKIT_BULK_JOB' | 'IMAGEKIT_PURGE_REQUEST'>;
  /** ImageKit's `jobId` or `requestId`. */
  readonly nativeId: string;
  /** The purge request a `purgeCache` rename started, when known (see the file header); null otherwise. */
  readonly purgeRequestId: string | null;
}

/** ImageKit refused to start the job: nothing started, nothing to track. */
export interface ImageKitRejection {
  /** ImageKit's `reason` when it gives one (`SAME_SOURCE_AND_DESTINATION`, `NO_FILES_FOLDER`…), else `LOCKED`, `CONFLICT` or `INVALID`. */
  readonly reason: string;
  readonly httpStatus: number;
  /** Names the account and the action, then ImageKit's own explanation (the private key redacted). */
  readonly message: string;
}

/** No answer to act on: the same codes as status calls. */
export interface ImageKitStartFailure {
  readonly code: ProviderErrorCode;
  /** Safe to show; says so when the job may have started. */
  readonly message: string;
  readonly retryAfterMs: number | null;
  readonly httpStatus: number | null;
  /**
   * The request may have reached ImageKit and started the job (timeout, dropped connection, 5xx,
   * unreadable 2xx): check before starting it again. False for auth and rate-limit refusals.
   */
  readonly mayHaveStarted: boolean;
}

export type ImageKitStartOutcome =
  | { readonly started: StartedImageKitJob }
  | { readonly rejected: ImageKitRejection }
  | { readonly failed: ImageKitStartFailure };

/** What `startImageKitJob` adds: the request was not sent, because it is certainly wrong (a GraphQL error). */
export interface InvalidStartRequest {
  /** Names the field and what is wrong with it. */
  readonly message: string;
}

/** Starting jobs on one ImageKit account. Every method sends at most one POST and never rejects. */
export interface ImageKitStarts {
  start(request: ImageKitStartRequest): Promise<ImageKitStartOutcome>;
}

interface Endpoint {
  readonly path: string;
  readonly kind: StartedImageKitJob['kind'];
  readonly idField: 'jobId' | 'requestId';
  /** How messages say what was asked: `refused to copy the folder`. */
  readonly verb: string;
}

const ENDPOINTS: Record<ImageKitStartAction, Endpoint> = {
  COPY_FOLDER: { path: '/v1/bulkJobs/copyFolder', kind: 'IMAGEKIT_BULK_JOB', idField: 'jobId', verb: 'copy the folder' },
  MOVE_FOLDER: { path: '/v1/bulkJobs/moveFolder', kind: 'IMAGEKIT_BULK_JOB', idField: 'jobId', verb: 'move the folder' },
  RENAME_FOLDER: { path: '/v1/bulkJobs/renameFolder', kind: 'IMAGEKIT_BULK_JOB', idField: 'jobId', verb: 'rename the folder' },
  PURGE_CACHE: { path: '/v1/files/purge', kind: 'IMAGEKIT_PURGE_REQUEST', idField: 'requestId', verb: 'purge the cache' },
};

/** The refusal bodies: `{reason?, message, help}`. */
const RefusalWire = z.looseObject({ reason: z.unknown().optional(), message: z.unknown().optional() });

/** The id of a started job; other fields pass. */
const StartedWire = z.looseObject({ jobId: z.unknown().optional(), requestId: z.unknown().optional(), purgeRequestId: z.unknown().optional() });

/** What the follow-up status read must carry for a purging rename. */
const PurgeOfJobWire = z.looseObject({ purgeRequestId: z.string().nullish() });

/** A reason is kept only when it looks like one of ImageKit's (`UPPER_SNAKE`), so nothing odd reaches users. */
const REASON = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** The most characters of ImageKit's own message kept in a rejection. */
const MAX_PROVIDER_MESSAGE = 300;

const MAY_HAVE_STARTED = 'the job may have started: check before starting it again (a start is never retried)';

/**
 * The starts of one account, through the account's upstream (the one HTTP factory, its auth and
 * deadline). `secret` is the private key, redacted from any provider message that echoes it.
 */
export function createImageKitStarts(upstream: Upstream, secret: string): ImageKitStarts {
  async function start(request: ImageKitStartRequest): Promise<ImageKitStartOutcome> {
    const endpoint = ENDPOINTS[request.action];
    const answer = await upstream.request({ route: endpoint.path, path: endpoint.path, method: 'POST', body: bodyOf(request) });
    if (!answer.ok) return { failed: failureOf(answer) };
    if (answer.status >= 200 && answer.status < 300) return accepted(request, endpoint, answer);
    if (answer.status >= 400 && answer.status < 500) return { rejected: rejectionOf(endpoint, answer) };
    // 1xx cannot reach here; anything else http.ts did not classify is unreadable.
    return { failed: failureOf(upstream.fail('BAD_RESPONSE', `answered ${answer.status} unexpectedly`, answer.status)) };
  }

  async function accepted(request: ImageKitStartRequest, endpoint: Endpoint, answer: UpstreamResponse): Promise<ImageKitStartOutcome> {
    const parsed = StartedWire.safeParse(answer.body);
    const id = parsed.data?.[endpoint.idField];
    if (typeof id !== 'string' || id === '') {
      const what = `answered ${answer.status} without a ${endpoint.idField}`;
      return { failed: failureOf(upstream.fail('BAD_RESPONSE', what, answer.status)) };
    }
    const said = parsed.data?.purgeRequestId;
    const purging = request.action === 'RENAME_FOLDER' && request.purgeCache === true;
    const purgeRequestId = typeof said === 'string' && said !== '' ? said : purging ? await purgeRequestOf(id) : null;
    return { started: { kind: endpoint.kind, nativeId: id, purgeRequestId } };
  }

  /** The purge request a purging rename started, read from the job's status; null when not (yet) known. */
  async function purgeRequestOf(jobId: string): Promise<string | null> {
    const answer = await upstream.request({ route: '/v1/bulkJobs/{jobId}', path: `/v1/bulkJobs/${encodeURIComponent(jobId)}` });
    if (!answer.ok || answer.status < 200 || answer.status >= 300) return null;
    return PurgeOfJobWire.safeParse(answer.body).data?.purgeRequestId || null;
  }

  function rejectionOf(endpoint: Endpoint, answer: UpstreamResponse): ImageKitRejection {
    const body = RefusalWire.safeParse(answer.body).data;
    const said = typeof body?.reason === 'string' && REASON.test(body.reason) ? body.reason : null;
    const reason = said ?? defaultReason(answer.status);
    const explanation = providerMessage(body?.message, secret);
    const message = `${upstream.label} refused to ${endpoint.verb} (${answer.status} ${reason})${explanation ? `: ${explanation}` : ''}`;
    return { reason, httpStatus: answer.status, message };
  }

  return { start };
}

/** The starts of a provider client, when it is an ImageKit client; null for any other. */
export function imageKitStartsOf(client: ProviderClient): ImageKitStarts | null {
  const candidate = client as ProviderClient & Partial<ImageKitStarts>;
  return client.provider === 'IMAGEKIT' && typeof candidate.start === 'function' ? (candidate as ImageKitStarts) : null;
}

/**
 * Starts one ImageKit job on the account of `client`, for the mutations: checks the request
 * (`startRequestProblem`; nothing is sent when it is wrong), then sends its one POST. Never rejects.
 * A client that is not an ImageKit one answers `NOT_CONFIGURED`.
 */
export async function startImageKitJob(
  client: ProviderClient,
  request: ImageKitStartRequest,
): Promise<ImageKitStartOutcome | { readonly invalid: InvalidStartRequest }> {
  const problem = startRequestProblem(request);
  if (problem !== null) return { invalid: { message: problem } };
  const starts = imageKitStartsOf(client);
  if (!starts) {
    const message = `account "${client.account}" is not an ImageKit account`;
    return { failed: { code: 'NOT_CONFIGURED', message, retryAfterMs: null, httpStatus: null, mayHaveStarted: false } };
  }
  try {
    return await starts.start(request);
  } catch {
    // Not expected (nothing below throws); the POST may have gone out all the same.
    const message = `ImageKit account "${client.account}" answered in a way we could not read; ${MAY_HAVE_STARTED}`;
    return { failed: { code: 'BAD_RESPONSE', message, retryAfterMs: null, httpStatus: null, mayHaveStarted: true } };
  }
}

/** The JSON body of each start, with the optional flags sent explicitly (false unless asked). */
function bodyOf(request: ImageKitStartRequest): Record<string, unknown> {
  switch (request.action) {
    case 'COPY_FOLDER':
      return { sourceFolderPath: request.sourceFolderPath, destinationPath: request.destinationPath, includeVersions: request.includeVersions === true };
    case 'MOVE_FOLDER':
      return { sourceFolderPath: request.sourceFolderPath, destinationPath: request.destinationPath };
    case 'RENAME_FOLDER':
      return { folderPath: request.folderPath, newFolderName: request.newFolderName, purgeCache: request.purgeCache === true };
    case 'PURGE_CACHE':
      return { url: request.url };
  }
}

/** The contract's reasons when ImageKit gives none: 404 is its "nothing at the source path". */
function defaultReason(status: number): string {
  if (status === 404) return 'NO_FILES_FOLDER';
  if (status === 409) return 'CONFLICT';
  if (status === 423) return 'LOCKED';
  return 'INVALID';
}

/** A classified failure, saying so when the POST may have done its work before the answer was lost. */
function failureOf(error: UpstreamError): ImageKitStartFailure {
  // 401/403/429 are refusals before any work; everything else may hide a started job.
  const mayHaveStarted = error.code !== 'UNAUTHORIZED' && error.code !== 'RATE_LIMITED' && error.code !== 'NOT_CONFIGURED';
  return {
    code: error.code,
    message: mayHaveStarted ? `${error.message}; ${MAY_HAVE_STARTED}` : error.message,
    retryAfterMs: error.retryAfterMs,
    httpStatus: error.status,
    mayHaveStarted,
  };
}

/**
 * ImageKit's own explanation of a refusal ("A bulk job is running on given folder path"): what a
 * user needs to fix the request. Kept short, on one line, and without the private key should the
 * provider ever echo it.
 */
function providerMessage(value: unknown, secret: string): string | null {
  if (typeof value !== 'string') return null;
  let text = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (secret !== '') text = text.split(secret).join('[redacted]');
  if (text.length > MAX_PROVIDER_MESSAGE) text = `${text.slice(0, MAX_PROVIDER_MESSAGE - 1)}…`;
  return text === '' ? null : text;
}
