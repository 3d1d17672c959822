/**
 * Environment + `JOBS_CONFIG` → one typed, validated `Config`, read once at start-up.
 *
 * Every problem found is reported at once, in one `ConfigError` whose message names each variable
 * (or the file and the key path inside it). Secret values are never echoed; other bad values are,
 * because "got "abc"" is what makes a message actionable.
 *
 * The variables the code may read are the keys of one table (`ENV`); the reader only accepts those
 * names, so the published reference (`ENV_REFERENCE`) cannot drift from the code.
 */
import { envAccounts } from './accounts.js';
import { envApiKeys } from './api-keys.js';
import { EnvReader, MAX_TIMER_MS } from './env-reader.js';
import {
  readBrowserAccess,
  readCorsOrigins,
  readPollIntervals,
  readQueryLimits,
  readRedisUrl,
  readTrustedDocuments,
  readUpstream,
} from './env-settings.js';
import { ENV, type Env } from './env-table.js';
import { Findings } from './findings.js';
import { readRegistry } from './registry.js';
import { readJobsConfig } from './jobs-file.js';
import { LOG_LEVELS, type Config } from './model.js';

export { ENV_REFERENCE } from './env-table.js';
export { ConfigError } from './findings.js';
export { LOG_LEVELS, type ApiKey, type Capability, type Config, type LogLevel, type QueryLimits, type RegistrySettings } from './model.js';
export { isPostgresUrl } from './registry.js';

/** The contract's bound on refs per call. */
const MAX_REFS = 500;

/**
 * Reads, validates and assembles the whole configuration.
 * @throws ConfigError listing every problem found.
 */
export function loadConfig(env: Env = process.env): Config {
  const findings = new Findings();
  const read = new EnvReader(env, findings);

  const fromEnv = envAccounts(read, findings);
  const accounts = [...fromEnv.accounts];
  const apiKeys = envApiKeys(read, findings);
  const jobsConfig = read.text('JOBS_CONFIG');
  if (jobsConfig !== undefined) {
    const file = readJobsConfig(jobsConfig, { env, findings, envProviders: fromEnv.providers, envApiKeys: apiKeys });
    accounts.push(...file.accounts);
    apiKeys.push(...file.apiKeys);
  }

  const production = read.text('NODE_ENV') === 'production';
  const config: Omit<Config, 'secrets'> = {
    port: read.int('PORT', 0, 65_535),
    host: read.text('HOST') ?? ENV.HOST.default,
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS),
    accounts,
    useSandbox: read.flag('SANDBOX') ?? accounts.length === 0,
    sandboxPort: read.text('SANDBOX_PORT') === undefined ? null : read.int('SANDBOX_PORT', 1, 65_535),
    redisUrl: readRedisUrl(read, findings),
    redisPrefix: read.text('REDIS_PREFIX') ?? ENV.REDIS_PREFIX.default,
    redisOptional: read.flag('REDIS_OPTIONAL') ?? false,
    redisLeaseMs: read.int('REDIS_LEASE_MS', 100, MAX_TIMER_MS),
    redisConnectTimeoutMs: read.int('REDIS_CONNECT_TIMEOUT_MS', 1, MAX_TIMER_MS),
    redisCommandTimeoutMs: read.int('REDIS_COMMAND_TIMEOUT_MS', 1, MAX_TIMER_MS),
    apiKeys,
    ...readPollIntervals(read, findings),
    cacheTtlMs: read.int('CACHE_TTL_MS', 1, MAX_TIMER_MS),
    notFoundGraceMs: read.int('NOT_FOUND_GRACE_MS', 0, MAX_TIMER_MS),
    doneTtlMs: read.int('DONE_CACHE_TTL_MS', 1, MAX_TIMER_MS),
    cacheStaleMs: read.int('CACHE_STALE_MS', 0, MAX_TIMER_MS),
    cacheMaxEntries: read.int('CACHE_MAX_ENTRIES', 1),
    upstream: readUpstream(read),
    maxRefs: MAX_REFS,
    maxSubscriptionsPerConnection: read.int('MAX_SUBSCRIPTIONS_PER_CONNECTION', 1),
    shutdownTimeoutMs: read.int('SHUTDOWN_TIMEOUT_MS', 1, MAX_TIMER_MS),
    bodyLimitBytes: read.int('BODY_LIMIT_BYTES', 1),
    corsOrigins: readCorsOrigins(read, findings),
    csrfPrevention: read.oneOf('CSRF_PREVENTION', ['posts', 'strict'] as const),
    production,
    ...readBrowserAccess(read, production),
    queryLimits: readQueryLimits(read),
    trustedDocuments: readTrustedDocuments(read, findings),
    registry: readRegistry(read, findings),
  };
  findings.throwIfAny();
  return { ...config, secrets: findings.secretValues() };
}
