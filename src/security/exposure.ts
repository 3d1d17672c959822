/**
 * Start-up warnings about how exposed the service is.
 */
import { isIP } from 'node:net';
import type { SecurityOptions } from './options.js';

/** What the warnings look at: `Config.server`'s address and mode, and the configured keys. */
export interface Exposure {
  readonly server: { readonly host: string; readonly production: boolean; readonly graphiql: boolean };
  readonly security: Pick<SecurityOptions, 'apiKeys'>;
}

/** Loopback: 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** What an operator should hear about at start-up; each entry is one log line. */
export function exposureWarnings({ server, security }: Exposure): string[] {
  const warnings: string[] = [];
  if (security.apiKeys.length === 0 && !isLoopback(server.host)) {
    warnings.push(`API_KEYS is not set and HOST=${server.host} listens beyond loopback: anyone who can reach this port can read job statuses`);
  }
  if (server.production && server.graphiql) {
    warnings.push('GRAPHIQL=1 in production: GraphiQL and schema introspection are served');
  }
  return warnings;
}
