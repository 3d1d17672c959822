/**
 * Process entry: configuration, start, and a graceful stop on SIGTERM/SIGINT.
 */
import { startApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { exposureWarnings } from './security/exposure.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`job-status-graphql: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, { secrets: config.secrets });
  for (const warning of exposureWarnings(config)) logger.warn(warning);
  if (config.useSandbox) {
    logger.info('No provider configured (or SANDBOX=1): serving the built-in sandbox providers, which simulate ImageKit, SAYMON and Zendesk on loopback');
  }
  const app = await startApp(config, logger);
  for (const account of app.accounts) {
    logger.info({ provider: account.provider, account: account.name, sandbox: account.sandbox }, 'provider account ready');
  }
  logger.info({ url: `${app.server.origin}/graphql` }, `GraphQL API on ${app.server.origin}/graphql`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    try {
      await app.close();
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`job-status-graphql: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
