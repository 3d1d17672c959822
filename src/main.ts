/**
 * Process entry: configuration, start, and a graceful stop on SIGTERM/SIGINT.
 */
import { startApp } from './app.js';
import { ConfigError, loadConfig } from './config/index.js';
import { limitHeapGrowth } from './heap-growth.js';
import { createLogger } from './logger.js';
import { exposureWarnings } from './security/exposure.js';
import { startupLines } from './startup-log.js';

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
  limitHeapGrowth({ percent: config.server.heapGrowingPercent });
  const logger = createLogger(config.logLevel, { secrets: config.secrets });
  for (const warning of exposureWarnings(config)) logger.warn(warning);
  let app;
  try {
    app = await startApp(config, logger);
  } catch (error) {
    const busy = portInUse(error);
    if (busy === null) throw error;
    // One clear line: which port, which setting chose it, what to do.
    const setting = busy === config.sandbox.port ? 'SANDBOX_PORT' : 'PORT';
    process.stderr.write(`job-status-graphql: port ${busy} is already in use (${setting}); stop the other process or set ${setting} to a free port\n`);
    process.exit(1);
  }
  for (const line of startupLines(config, app)) logger[line.level](line.fields, line.msg);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.server.shutdownTimeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, config.server.shutdownTimeoutMs);
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

/** The port of an `EADDRINUSE` listen error; null for any other error. */
function portInUse(error: unknown): number | null {
  const failure = error as { code?: unknown; port?: unknown } | null;
  return failure?.code === 'EADDRINUSE' && typeof failure.port === 'number' ? failure.port : null;
}

main().catch((error: unknown) => {
  process.stderr.write(`job-status-graphql: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
