/**
 * The security settings the server applies, as one group: `loadConfig` produces it as
 * `Config.security` and `app.ts` hands it to the server unchanged.
 */
import type { ApiKey } from './api-keys.js';
import type { QueryLimitOptions } from './query-limits.js';

export interface SecurityOptions extends QueryLimitOptions {
  /** `API_KEYS` (named `key1`…, all providers) then `JOBS_CONFIG` `apiKeys`; empty: the API is open. */
  readonly apiKeys: readonly ApiKey[];
  /** `CORS_ORIGINS`, comma-separated origins (or `*`: any); default none: same-origin only. */
  readonly corsOrigins: readonly string[];
  /**
   * `CSRF_PREVENTION`, default `posts`: which requests without a preflight must carry a CSRF header.
   * `posts` guards the simple POSTs a foreign form can send; `strict` guards GETs as well.
   */
  readonly csrfPrevention: 'posts' | 'strict';
  /**
   * `TRUSTED_DOCUMENTS`: the only documents that may run, by hash (a client-preset
   * `persisted-documents.json`); null: any document.
   */
  readonly trustedDocuments: ReadonlyMap<string, string> | null;
  /** `MAX_SUBSCRIPTIONS_PER_CONNECTION`, default 100: concurrent operations per WebSocket; one more is refused, the socket stays. */
  readonly maxSubscriptionsPerConnection: number;
}
