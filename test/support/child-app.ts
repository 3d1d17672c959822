/**
 * The service in a child process, configured by its environment like `npm start`, for tests that
 * need to kill an instance outright (SIGKILL: no shutdown, no lease released). Prints one JSON
 * line `{"url": …, "instanceId": …}` once it listens.
 */
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/logger.js';
import { openTestPglite } from './database.js';

// Cluster tests run several children on one Redis with no PostgreSQL: each gets an in-memory
// registry of its own (as `startTestApp` gives them); DATA_DIR or DATABASE_URL are used as given.
const config = loadConfig();
const database = config.redis && !process.env.DATABASE_URL ? await openTestPglite() : undefined;
const app = await startApp(config, silentLogger, undefined, { database });
process.stdout.write(`${JSON.stringify({ url: `${app.server.origin}/graphql`, instanceId: app.cluster?.instanceId ?? null })}\n`);
