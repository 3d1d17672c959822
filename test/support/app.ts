/**
 * Starts the whole service on an ephemeral loopback port, the way `npm start` does, and talks
 * to it over real HTTP. Every test server gets its own sandbox or fake upstreams.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { type App, type AppParts, startApp } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import type { RegistryDatabase } from '../../src/registry/database.js';
import { openTestPglite } from './database.js';

export interface TestApp {
  readonly app: App;
  /** `http://127.0.0.1:port/graphql` */
  readonly url: string;
  /** POSTs an operation; answers the HTTP status and the parsed body. */
  request<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables> | string,
    variables?: TVariables,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: { data?: TResult | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } }>;
  close(): Promise<void>;
}

/**
 * Settings every test server shares: quiet, fast, ephemeral port; and `/ready` blind to the event
 * loop's delay, which here is the test worker's (shared with the file's other servers and the test
 * itself, on a machine loaded by the rest of the suite): a late loop is test/http/readiness.test.ts's
 * subject, in a child process of its own. `env` may set it again.
 */
const TEST_ENV = {
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'silent',
  UPSTREAM_TIMEOUT_MS: '1000',
  UPSTREAM_RETRY_BASE_MS: '1',
  READY_MAX_EVENT_LOOP_DELAY_MS: '0',
};

/**
 * Without `DATABASE_URL` in `env`, or with `DATABASE_URL=memory:`, the app gets an in-memory
 * registry loaded from this run's pre-migrated PGlite template (well under a second and far less
 * memory, rather than initialising one), or `database`.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  logger: Logger = silentLogger,
  options: { database?: RegistryDatabase; sandboxTimeScale?: number; webhooks?: AppParts['webhooks']; clock?: Clock } = {},
): Promise<TestApp> {
  const config = loadConfig({ ...TEST_ENV, ...env });
  const database = options.database ?? (env.DATABASE_URL && env.DATABASE_URL !== 'memory:' ? undefined : await openTestPglite());
  let app: App;
  try {
    app = await startApp(config, logger, options.clock, { database, sandboxTimeScale: options.sandboxTimeScale, ...(options.webhooks ? { webhooks: options.webhooks } : {}) });
  } catch (error) {
    await database?.close();
    throw error;
  }
  const url = `${app.server.origin}/graphql`;
  return {
    app,
    url,
    async request(document, variables, headers = {}) {
      const query = typeof document === 'string' ? document : print(document);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as never };
    },
    close: () => app.close(),
  };
}
