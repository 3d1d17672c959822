/**
 * A started app for the outside-client tests: sandbox providers on a manual clock (jobs move when
 * the test says so), fast polling, and the shipped `possible-types.json`.
 */
import { readFileSync } from 'node:fs';
import { type App, startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/logger.js';
import { openTestPglite } from '../support/pglite-template.js';
import { type ManualClock, manualClock } from '../support/manual-clock.js';

export interface ClientTestApp {
  readonly app: App;
  readonly clock: ManualClock;
  /** `http://…/graphql` */
  readonly url: string;
  /** `ws://…/graphql` */
  readonly wsUrl: string;
  close(): Promise<void>;
}

export async function startClientTestApp(): Promise<ClientTestApp> {
  const clock = manualClock(Date.now());
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    POLL_INTERVAL_MS: '20',
    POLL_MAX_INTERVAL_MS: '40',
    CACHE_TTL_MS: '1',
    DONE_CACHE_TTL_MS: '1',
    // Its own in-memory registry: ./data is one process's, and test files run side by side;
    // loaded from the run's migrated template rather than initialised.
    DATABASE_URL: 'memory:',
  });
  const database = await openTestPglite();
  let app: App;
  try {
    app = await startApp(config, silentLogger, clock, { database });
  } catch (error) {
    await database.close();
    throw error;
  }
  const url = `${app.server.origin}/graphql`;
  return { app, clock, url, wsUrl: url.replace(/^http/, 'ws'), close: () => app.close() };
}

/** The file the README tells client authors to import. */
export const shipped = JSON.parse(readFileSync(new URL('../../possible-types.json', import.meta.url), 'utf8')) as {
  possibleTypes: Record<string, string[]>;
};

/** Longer than any sandbox job lives (queued + running, at time scale 1). */
export const ALL_DONE_MS = 5 * 60_000;

/** The GraphQL literal for refs. */
export function refsLiteral(refs: readonly { kind: string; nativeId: string }[]): string {
  return `[${refs.map((ref) => `{ kind: ${ref.kind}, id: ${JSON.stringify(ref.nativeId)} }`).join(', ')}]`;
}
