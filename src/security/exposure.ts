/**
 * Start-up warnings about how exposed the service is.
 */
import { isIP } from 'node:net';
import type { Config } from '../config/index.js';

/** Loopback: 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** What an operator should hear about at start-up; each entry is one log line. */
export function exposureWarnings(config: Pick<Config, 'host' | 'apiKeys' | 'production' | 'graphiql'>): string[] {
  const warnings: string[] = [];
  if (config.apiKeys.length === 0 && !isLoopback(config.host)) {
    warnings.push(`API_KEYS is not set and HOST=${config.host} listens beyond loopback: anyone who can reach this port can read job statuses`);
  }
  if (config.production && config.graphiql) {
    warnings.push('GRAPHIQL=1 in production: GraphiQL and schema introspection are served');
  }
  return warnings;
}
