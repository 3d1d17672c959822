/**
 * The security settings the server applies, taken from `Config` in one place.
 */
import type { ApiKey, Config } from '../config/index.js';
import type { QueryLimitOptions } from './query-limits.js';

export interface SecurityOptions extends QueryLimitOptions {
  /** Empty: the API is open. */
  readonly apiKeys: readonly ApiKey[];
  /** Origins allowed cross-origin (`*`: any); empty: same-origin only. */
  readonly corsOrigins: readonly string[];
  /** Which requests without a preflight must carry a CSRF header: simple POSTs, or GETs too. */
  readonly csrfPrevention: 'posts' | 'strict';
  /** When set, the only documents that may run, by hash. */
  readonly trustedDocuments: ReadonlyMap<string, string> | null;
  /** Concurrent operations per WebSocket connection; one more is refused with an error, the socket stays. */
  readonly maxSubscriptionsPerConnection: number;
}

/** The security settings `config` asks for; in production field suggestions are hidden. */
export function securityOptionsOf(config: Config): SecurityOptions {
  return {
    apiKeys: config.apiKeys,
    corsOrigins: config.corsOrigins,
    csrfPrevention: config.csrfPrevention,
    introspection: config.introspection,
    fieldSuggestions: !config.production,
    queryLimits: config.queryLimits,
    trustedDocuments: config.trustedDocuments,
    maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
  };
}
