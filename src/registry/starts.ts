/**
 * Starting ImageKit jobs for the start mutations: one POST, never retried, and the started job
 * tracked at once, with idempotency keys that make a client's own retry safe.
 *
 * The provider call is reached through the `JobStarter` port declared here (the composition root
 * plugs in `providers/imagekit/starts.ts`), so the registry never imports a provider.
 *
 * One start, in order:
 * 1. The request is checked (`starter.problem`) and the account must be an ImageKit one: nothing is
 *    claimed or sent otherwise (`START_INVALID`, `ACCOUNT_UNKNOWN`).
 * 2. The registry must answer before anything is sent (never start a job we cannot remember): with
 *    a key, its claim is that answer; without, a ping. Otherwise `REGISTRY_UNAVAILABLE`.
 * 3. With a key, concurrent duplicates in this process share the first call's promise; elsewhere
 *    (another instance, a later retry) the key's row answers: `completed` replays the first
 *    answer without a POST, `in_flight` is polled until it completes (bounded by `waitMs`), a
 *    different operation or input is `IDEMPOTENCY_KEY_REUSED`.
 * 4. One POST. Started: the key is completed with the job's id at once (before tracking, so a
 *    retry after a failed tracking still finds the job and never starts a second one), then the
 *    job (and a purging rename's purge request, when its id is known) is tracked through the
 *    registry's `trackJobs`: its first status is asked of the status store once and recorded, and
 *    `TRACKED` is published. The answer is that status; when the status store could not answer
 *    (a fresh job may 404 briefly), a snapshot built from the start itself: a bulk job `RUNNING`
 *    (`Pending`), a purge request `RUNNING` (`Pending`), `checkedAt` now.
 * 5. Refused (400/404/409/423): the key is released, nothing tracked. Failed: a failure that
 *    certainly started nothing (auth, rate limit) or an error answer from ImageKit (5xx) releases
 *    the key; a lost answer (timeout, dropped connection, unreadable 2xx), where the job may have
 *    started, keeps the key with that answer, so that a retry with the same key cannot start a
 *    second job: the client checks ImageKit first, then retries with a new key.
 */
import { createHash } from 'node:crypto';
import type { JobKind, JobRef, JobSnapshot, ProviderErrorCode } from '../jobs/model.js';
import { isFailure } from '../jobs/model.js';
import { isRegistryError } from './errors.js';
import type { RegistryService, TrackedAnswer } from './service.js';

/** One start, as the mutations' inputs say it (the provider's `ImageKitStartRequest`). */
export type StartRequest =
  | { readonly action: 'COPY_FOLDER'; readonly sourceFolderPath: string; readonly destinationPath: string; readonly includeVersions?: boolean | null }
  | { readonly action: 'MOVE_FOLDER'; readonly sourceFolderPath: string; readonly destinationPath: string }
  | { readonly action: 'RENAME_FOLDER'; readonly folderPath: string; readonly newFolderName: string; readonly purgeCache?: boolean | null }
  | { readonly action: 'PURGE_CACHE'; readonly url: string };

type StartedKind = Extract<JobKind, 'IMAGEKIT_BULK_JOB' | 'IMAGEKIT_PURGE_REQUEST'>;

/** The provider refused to start the job: nothing started. */
export interface StartRejection {
  readonly reason: string;
  readonly httpStatus: number;
  readonly message: string;
}

/** No answer to act on (the status calls' codes). */
export interface StartFailure {
  readonly code: ProviderErrorCode;
  readonly message: string;
  readonly retryAfterMs: number | null;
  readonly httpStatus: number | null;
  /** The POST may have started the job (see the header). */
  readonly mayHaveStarted: boolean;
}

/** What the port answers for one start. */
export type StartOutcome =
  | { readonly started: { readonly kind: StartedKind; readonly nativeId: string; readonly purgeRequestId: string | null } }
  | { readonly rejected: StartRejection }
  | { readonly failed: StartFailure }
  | { readonly invalid: { readonly message: string } };

/** The provider side of starting, plugged in by `app.ts`. */
export interface JobStarter {
  /** Whether `account` is a configured ImageKit account. */
  hasAccount(account: string): boolean;
  /** What is certainly wrong with the request (a message naming the field), or null. Never throws. */
  problem(request: StartRequest): string | null;
  /** Sends the start's one POST on `account`. Never rejects. */
  start(account: string, request: StartRequest): Promise<StartOutcome>;
}

/** One start mutation's call. */
export interface StartCommand {
  /** The mutation's name (`copyImageKitFolder`…): a key reused for another one is refused. */
  readonly operation: string;
  readonly account: string;
  readonly request: StartRequest;
  /** Checked by the caller (`checkLabels`). */
  readonly labels: readonly string[];
  readonly idempotencyKey: string | null;
  /** The API key's name; null when the API is open. */
  readonly trackedBy: string | null;
}

/** A start's answer: the job, or why there is none. */
export type StartAnswer =
  | { readonly job: JobSnapshot }
  | { readonly rejected: StartRejection & { readonly account: string } }
  | { readonly failed: StartFailure & { readonly ref: JobRef } };

export type StartErrorCode =
  | 'START_INVALID'
  | 'ACCOUNT_UNKNOWN'
  | 'IDEMPOTENCY_KEY_INVALID'
  | 'IDEMPOTENCY_KEY_REUSED'
  /** A duplicate waited `waitMs` for the first call with its key, which has not answered. */
  | 'IDEMPOTENCY_KEY_IN_FLIGHT'
  | 'REGISTRY_UNAVAILABLE'
  /** The job started but could not be tracked (the registry went away after the POST). */
  | 'STARTED_NOT_TRACKED';

/** A start that answers no job nor refusal: a GraphQL error with `code`; the message is safe to show. */
export class StartError extends Error {
  override readonly name = 'StartError';
  constructor(
    readonly code: StartErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export interface StartServiceOptions {
  readonly starter: JobStarter;
  readonly registry: Pick<RegistryService, 'claimIdempotencyKey' | 'completeIdempotencyKey' | 'releaseIdempotencyKey' | 'trackJobs' | 'getTracked' | 'readiness'>;
  readonly clock: { now(): number };
  /** How long a duplicate waits for the first call with its key (ms); default 30 s. */
  readonly waitMs?: number;
  /** Between looks at a key another instance holds (ms); default 100. */
  readonly pollMs?: number;
}

export interface StartService {
  /** Starts one job (see the header); throws `StartError` for what is not a job, a refusal or a failure. */
  start(command: StartCommand): Promise<StartAnswer>;
}

/** What a key's row keeps: enough to answer a replay without asking ImageKit to start anything. */
type StoredAnswer =
  | { readonly started: { readonly kind: StartedKind; readonly nativeId: string; readonly purgeRequestId: string | null } }
  | { readonly failed: StartFailure & { readonly ref: JobRef } };

const KIND_OF_ACTION: Record<StartRequest['action'], StartedKind> = {
  COPY_FOLDER: 'IMAGEKIT_BULK_JOB',
  MOVE_FOLDER: 'IMAGEKIT_BULK_JOB',
  RENAME_FOLDER: 'IMAGEKIT_BULK_JOB',
  PURGE_CACHE: 'IMAGEKIT_PURGE_REQUEST',
};

export function createStartService(options: StartServiceOptions): StartService {
  const { starter, registry, clock } = options;
  const waitMs = options.waitMs ?? 30_000;
  const pollMs = options.pollMs ?? 100;
  /** Calls in flight in this process, by account and key: duplicates join them. */
  const inFlight = new Map<string, { readonly operation: string; readonly hash: string; readonly answer: Promise<StartAnswer> }>();

  async function start(command: StartCommand): Promise<StartAnswer> {
    const problem = starter.problem(command.request);
    if (problem !== null) throw new StartError('START_INVALID', problem);
    if (!starter.hasAccount(command.account)) throw new StartError('ACCOUNT_UNKNOWN', `No ImageKit account named "${command.account}" is configured`);
    const key = command.idempotencyKey;
    if (key === null) {
      if ((await registry.readiness()).length > 0) throw unavailable();
      return startOnce(command);
    }
    if (key === '' || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new StartError('IDEMPOTENCY_KEY_INVALID', `idempotencyKey must be 1–${MAX_IDEMPOTENCY_KEY_LENGTH} characters long`);
    }
    const hash = requestHash(command);
    const slot = `${command.account}\u0000${key}`;
    const joined = inFlight.get(slot);
    if (joined) {
      if (joined.operation !== command.operation || joined.hash !== hash) throw reused();
      return joined.answer;
    }
    const answer = startWithKey(command, key, hash);
    inFlight.set(slot, { operation: command.operation, hash, answer });
    try {
      return await answer;
    } finally {
      inFlight.delete(slot);
    }
  }

  async function startWithKey(command: StartCommand, key: string, hash: string): Promise<StartAnswer> {
    const deadline = clock.now() + waitMs;
    for (;;) {
      const claim = await registryCall(() => registry.claimIdempotencyKey({ account: command.account, key, operation: command.operation, requestHash: hash }));
      if (claim.status === 'mismatch') throw reused();
      if (claim.status === 'completed') return replay(command, storedAnswerOf(claim.result));
      if (claim.status === 'claimed') return startClaimed(command, key);
      if (clock.now() >= deadline) {
        throw new StartError('IDEMPOTENCY_KEY_IN_FLIGHT', 'A start with this idempotencyKey is still in flight; ask again shortly');
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  async function startClaimed(command: StartCommand, key: string): Promise<StartAnswer> {
    let outcome: StartOutcome;
    try {
      outcome = await starter.start(command.account, command.request);
    } catch {
      // The port never rejects; should it, nothing is known: keep the key as for a lost answer.
      outcome = { failed: { code: 'BAD_RESPONSE', message: 'The start could not be read; the job may have started', retryAfterMs: null, httpStatus: null, mayHaveStarted: true } };
    }
    if ('started' in outcome) {
      // Before tracking: a retry must find the job even if tracking fails below.
      await registry.completeIdempotencyKey(command.account, key, { started: outcome.started } satisfies StoredAnswer).catch(() => {});
      return track(command, outcome.started);
    }
    if ('failed' in outcome && answerLost(outcome.failed)) {
      const failed = { ...outcome.failed, ref: refOfStart(command, '') };
      await registry.completeIdempotencyKey(command.account, key, { failed } satisfies StoredAnswer).catch(() => {});
      return { failed };
    }
    await registry.releaseIdempotencyKey(command.account, key).catch(() => {});
    return answerOf(command, outcome);
  }

  /** Without a key: one POST, then tracking. */
  async function startOnce(command: StartCommand): Promise<StartAnswer> {
    const outcome = await starter.start(command.account, command.request);
    return 'started' in outcome ? track(command, outcome.started) : answerOf(command, outcome);
  }

  /** Tracks what a start started; answers its first status (see the header). */
  async function track(command: StartCommand, started: Extract<StartOutcome, { started: unknown }>['started']): Promise<StartAnswer> {
    const ref: JobRef = { kind: started.kind, account: command.account, nativeId: started.nativeId };
    let answers: TrackedAnswer[];
    try {
      answers = await registry.trackJobs([ref], command.labels, command.trackedBy);
    } catch (error) {
      throw notTracked(ref, error);
    }
    const first = answers[0]!.outcome;
    // A purging rename whose purge request the start could not name: its first status may.
    const purgeRequestId = started.purgeRequestId ?? (!isFailure(first) && first.details.kind === 'IMAGEKIT_BULK_JOB' ? first.details.purgeRequestId : null);
    if (purgeRequestId) {
      const purge: JobRef = { kind: 'IMAGEKIT_PURGE_REQUEST', account: command.account, nativeId: purgeRequestId };
      try {
        await registry.trackJobs([purge], command.labels, command.trackedBy);
      } catch (error) {
        throw notTracked(purge, error);
      }
    }
    return { job: isFailure(first) ? startedSnapshot(ref, command.request, purgeRequestId, clock.now()) : first };
  }

  /** A key's stored answer again: the job as the registry last saw it (tracking it again if it was forgotten), or the kept failure. */
  async function replay(command: StartCommand, stored: StoredAnswer | null): Promise<StartAnswer> {
    if (stored === null) throw new StartError('REGISTRY_UNAVAILABLE', 'The stored answer of this idempotencyKey could not be read');
    if ('failed' in stored) return { failed: stored.failed };
    const ref: JobRef = { kind: stored.started.kind, account: command.account, nativeId: stored.started.nativeId };
    const [tracked] = await registryCall(() => registry.getTracked([ref]));
    if (tracked?.outcome && !isFailure(tracked.outcome)) return { job: tracked.outcome };
    if (tracked) return { job: startedSnapshot(ref, command.request, stored.started.purgeRequestId, clock.now()) };
    // Never tracked (the registry went away after the POST) or untracked since: track it now.
    return track(command, stored.started);
  }

  return { start };
}

/** A refusal or a failure as the mutation answers it. */
function answerOf(command: StartCommand, outcome: Exclude<StartOutcome, { started: unknown }>): StartAnswer {
  if ('invalid' in outcome) throw new StartError('START_INVALID', outcome.invalid.message);
  if ('rejected' in outcome) return { rejected: { ...outcome.rejected, account: command.account } };
  return { failed: { ...outcome.failed, ref: refOfStart(command, '') } };
}

/**
 * The answer was lost in transit (timeout, dropped connection: no HTTP status; an unreadable 2xx):
 * the job may have started. A 5xx is ImageKit's own answer that it failed, and auth or rate-limit
 * refusals started nothing.
 */
function answerLost(failure: StartFailure): boolean {
  if (!failure.mayHaveStarted) return false;
  return failure.httpStatus === null || (failure.httpStatus >= 200 && failure.httpStatus < 300);
}

/** The ref a start's failure is about: its kind and account, no job id yet. */
function refOfStart(command: StartCommand, nativeId: string): JobRef {
  return { kind: KIND_OF_ACTION[command.request.action], account: command.account, nativeId };
}

/** What the start told us, as a snapshot, when the status store could not answer right after it. */
function startedSnapshot(ref: JobRef, request: StartRequest, purgeRequestId: string | null, now: number): JobSnapshot {
  const base = { ref, state: 'RUNNING', rawStatus: 'Pending', done: false, progress: null, message: null, checkedAt: new Date(now) } as const;
  if (ref.kind === 'IMAGEKIT_PURGE_REQUEST') return { ...base, details: { kind: 'IMAGEKIT_PURGE_REQUEST' } };
  const type = request.action === 'PURGE_CACHE' ? 'UNKNOWN' : request.action;
  return { ...base, details: { kind: 'IMAGEKIT_BULK_JOB', type, purgeRequestId } };
}

/** A hash of everything the caller asked but the key itself: the same key with other input is a reuse. */
function requestHash(command: StartCommand): string {
  const text = JSON.stringify({ operation: command.operation, request: command.request, labels: command.labels });
  return createHash('sha256').update(text).digest('hex');
}

function storedAnswerOf(result: unknown): StoredAnswer | null {
  let value = result;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (typeof value !== 'object' || value === null) return null;
  if ('started' in value || 'failed' in value) return value as StoredAnswer;
  return null;
}

const unavailable = () =>
  new StartError('REGISTRY_UNAVAILABLE', 'The job registry is unavailable right now, so no job was started (it could not be tracked); try again shortly');

const reused = () =>
  new StartError('IDEMPOTENCY_KEY_REUSED', 'This idempotencyKey was already used on this account for another operation or other input; use a new key');

function notTracked(ref: JobRef, error: unknown): StartError {
  if (!isRegistryError(error, 'REGISTRY_UNAVAILABLE') && isRegistryError(error)) throw error;
  return new StartError(
    'STARTED_NOT_TRACKED',
    `ImageKit started ${ref.kind === 'IMAGEKIT_BULK_JOB' ? 'bulk job' : 'purge request'} ${ref.nativeId}, but the job registry could not track it; track it with trackJobs once the registry is back`,
  );
}

/** Registry calls before the POST: an away database is REGISTRY_UNAVAILABLE, and nothing is sent. */
async function registryCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isRegistryError(error) && error.code !== 'REGISTRY_UNAVAILABLE') throw error;
    throw unavailable();
  }
}

