/**
 * The service in a child process, configured by its environment like `npm start`, for tests that
 * need to kill an instance outright (SIGKILL: no shutdown, no lease released). Prints one JSON
 * line `{"url": …, "instanceId": …}` once it listens.
 */
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/logger.js';

const app = await startApp(loadConfig(), silentLogger);
process.stdout.write(`${JSON.stringify({ url: `${app.server.origin}/graphql`, instanceId: app.cluster?.instanceId ?? null })}\n`);
