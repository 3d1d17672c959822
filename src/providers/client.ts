/**
 * What the domain needs of an upstream: one client per configured provider account, answering
 * statuses for batches of native ids. Batching, auth and error classification live below this line.
 */
import type { JobKind, JobOutcome, Provider } from '../jobs/model.js';

export interface ImageKitAccount {
  readonly provider: 'IMAGEKIT';
  readonly name: string;
  readonly baseUrl: string;
  /** Sent as HTTP Basic username with an empty password. */
  readonly privateKey: string;
  readonly sandbox: boolean;
}

export type SaymonAuth =
  | { readonly scheme: 'basic'; readonly login: string; readonly password: string }
  | { readonly scheme: 'session'; readonly login: string; readonly password: string }
  | { readonly scheme: 'token'; readonly token: string };

export interface SaymonAccount {
  readonly provider: 'SAYMON';
  readonly name: string;
  readonly baseUrl: string;
  readonly auth: SaymonAuth;
  readonly sandbox: boolean;
}

export type ZendeskAuth =
  | { readonly scheme: 'token'; readonly email: string; readonly apiToken: string }
  | { readonly scheme: 'oauth'; readonly accessToken: string };

export interface ZendeskAccount {
  readonly provider: 'ZENDESK';
  readonly name: string;
  readonly baseUrl: string;
  readonly auth: ZendeskAuth;
  readonly sandbox: boolean;
}

export type AccountConfig = ImageKitAccount | SaymonAccount | ZendeskAccount;

/** How every upstream call behaves; the same for all providers. */
export interface UpstreamOptions {
  /** Per attempt. */
  readonly timeoutMs: number;
  /** Extra attempts after the first, for 429, 5xx and network errors only. */
  readonly retries: number;
  /** Base of the exponential backoff between attempts (full jitter). */
  readonly retryBaseMs: number;
  /** A 429 asking to wait longer than this is not retried; its wait is reported instead. */
  readonly maxRetryWaitMs: number;
  /** Calls in flight at once per account, for providers asked one id per call. */
  readonly concurrency: number;
  /**
   * Most bytes read of one answer, after inflation; past it the answer is `BAD_RESPONSE`.
   * `DEFAULT_MAX_BODY_BYTES` (8 MiB) if omitted.
   */
  readonly maxBodyBytes?: number;
}

/** One finished upstream HTTP exchange, for metrics and logs. */
export interface UpstreamExchange {
  readonly provider: Provider;
  readonly account: string;
  /** The route template, e.g. `/api/v2/job_statuses/show_many.json`, never the ids. */
  readonly route: string;
  /** HTTP status, or `timeout` / `network`. */
  readonly outcome: string;
  readonly durationMs: number;
}

export interface ProviderClient {
  readonly provider: Provider;
  readonly account: string;
  readonly kinds: readonly JobKind[];
  readonly sandbox: boolean;
  /**
   * How many ids one upstream call answers (Zendesk `show_many`: 100; one-id APIs: 1). The store
   * hands the client batches of at most this size, so each call's answers are delivered as soon as
   * that call returns instead of waiting for the slowest call of a large ask.
   */
  readonly batchSize: number;
  /**
   * Asks the provider for the status of every id (all of one kind this client serves).
   * Never rejects: every id in the input has an entry in the answer, a snapshot or a failure.
   * Duplicates in the input are asked once.
   */
  fetchStatuses(kind: JobKind, nativeIds: readonly string[]): Promise<Map<string, JobOutcome>>;
}
