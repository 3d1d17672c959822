/**
 * Environment + `JOBS_CONFIG` → one typed, validated `Config`, read once at start-up.
 *
 * Every problem found is reported at once, in one `ConfigError` whose message names each variable
 * (or the file and the key path inside it). Secret values are never echoed; other bad values are,
 * because "got "abc"" is what makes a message actionable.
 *
 * The variables the code may read are the keys of one table (`ENV`, in `env.ts`); the reader only
 * accepts those names, so the published reference (`ENV_REFERENCE`) cannot drift from the code.
 */
import { readAccounts } from './accounts.js';
import { EnvReader, readCache, readPoll, readRedis, readSandbox, readRegistry, readSecurity, readServer, readUpstream, readWebhooks, type Env } from './env.js';
import { Findings } from './findings.js';
import { LOG_LEVELS, type Config } from './model.js';

export { ConfigError } from './findings.js';
export type { Config, LogLevel } from './model.js';

/** The contract's bound on refs per call. */
const MAX_REFS = 500;

/**
 * Reads, validates and assembles the whole configuration.
 * @throws ConfigError listing every problem found.
 */
export function loadConfig(env: Env = process.env): Config {
  const findings = new Findings();
  const read = new EnvReader(env, findings);
  const { accounts, apiKeys } = readAccounts(read, env, findings);
  const server = readServer(read, MAX_REFS);
  const config: Omit<Config, 'secrets'> = {
    server,
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS),
    accounts,
    sandbox: readSandbox(read, accounts.length > 0),
    redis: readRedis(read, findings),
    cache: readCache(read),
    poll: readPoll(read, findings),
    upstream: readUpstream(read),
    security: readSecurity(read, findings, apiKeys, server),
    registry: readRegistry(read, findings),
    webhooks: readWebhooks(read, findings),
  };
  findings.throwIfAny();
  return { ...config, secrets: findings.secretValues() };
}
