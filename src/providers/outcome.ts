/**
 * How the provider modules build their answers: snapshots and failures made one way, stamped with
 * the clock when the upstream answered, and the one-call-per-id fan-out ImageKit and SAYMON share.
 */
import type { LimitFunction } from 'p-limit';
import type { Clock } from '../clock.js';
import { jobFailure } from '../jobs/failures.js';
import type { JobDetails, JobFailure, JobKind, JobOutcome, JobProgress, JobSnapshot } from '../jobs/model.js';
import type { ProviderDescriptor } from './descriptor.js';
import type { Upstream, UpstreamError } from './http.js';

/** What a provider said of one job, before normalization. */
export interface Said {
  /** The provider's own word; mapped through the contract's state table. */
  readonly rawStatus: string;
  readonly progress?: JobProgress | null;
  readonly message?: string | null;
  readonly details: JobDetails;
}

/** Builds the outcomes of one kind for one account. */
export interface Answers {
  snapshot(nativeId: string, said: Said): JobSnapshot;
  failure(nativeId: string, error: UpstreamError): JobFailure;
  notFound(nativeId: string): JobFailure;
  /** For a fault of our own while reading an answer: the id fails, the others go on. */
  unreadable(nativeId: string): JobFailure;
  /**
   * Asks once per distinct id through `limit` (shared by every caller of the client, so the bound
   * holds per account) and collects the answers. A fault in `ask` becomes that id's BAD_RESPONSE.
   */
  each(nativeIds: readonly string[], limit: LimitFunction, ask: (nativeId: string) => Promise<JobOutcome>): Promise<Map<string, JobOutcome>>;
}

/** What the outcome builder reads of the provider's descriptor: the nouns of its kinds and its state table. */
export type ProviderWords = Pick<ProviderDescriptor, 'kinds' | 'states'>;

/** The outcome builder for one kind of one account; `checkedAt` is read from `clock` when each outcome is built. */
export function answersFor(kind: JobKind, account: string, upstream: Upstream, clock: Clock, words: ProviderWords): Answers {
  const noun = words.kinds.find((info) => info.kind === kind)?.noun ?? 'job';
  const refOf = (nativeId: string) => ({ kind, nativeId, account });
  const now = () => new Date(clock.now());

  const failure = (nativeId: string, error: UpstreamError): JobFailure =>
    jobFailure(refOf(nativeId), error.code, error.message, now(), error.retryAfterMs);

  const unreadable = (nativeId: string) => failure(nativeId, upstream.fail('BAD_RESPONSE', 'answered in a way we could not read'));

  return {
    snapshot(nativeId, said) {
      const { state, done } = words.states[said.rawStatus] ?? { state: 'UNKNOWN', done: false };
      return {
        ref: refOf(nativeId),
        state,
        rawStatus: said.rawStatus,
        done,
        progress: said.progress ?? null,
        message: said.message ?? null,
        checkedAt: now(),
        details: said.details,
      };
    },
    failure,
    notFound: (nativeId) => jobFailure(refOf(nativeId), 'NOT_FOUND', `${upstream.label} has no ${noun} ${JSON.stringify(nativeId)}`, now()),
    unreadable,
    async each(nativeIds, limit, ask) {
      const ids = [...new Set(nativeIds)];
      const outcomes = await Promise.all(ids.map((id) => limit(() => ask(id)).catch(() => unreadable(id))));
      return new Map(ids.map((id, index) => [id, outcomes[index]!]));
    },
  };
}

/** The answer for a kind the client does not serve: every id fails as not configured. */
export function notServed(
  kind: JobKind,
  account: string,
  upstream: Upstream,
  clock: Clock,
  words: ProviderWords,
  nativeIds: readonly string[],
): Map<string, JobOutcome> {
  const answers = answersFor(kind, account, upstream, clock, words);
  const error = upstream.fail('NOT_CONFIGURED', `does not serve ${kind}`);
  return new Map(nativeIds.map((id) => [id, answers.failure(id, error)]));
}

/** A status the provider module has no reading for (a 4xx other than the documented ones). */
export function unexpectedStatus(upstream: Upstream, status: number): UpstreamError {
  return upstream.fail('BAD_RESPONSE', `answered ${status} unexpectedly`, status);
}

/** JSON, but not the shape the provider documents. */
export function unreadableBody(upstream: Upstream, status: number): UpstreamError {
  return upstream.fail('BAD_RESPONSE', `answered ${status} with a body we could not read`, status);
}
