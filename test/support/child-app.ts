/**
 * The service in a child process, configured by its environment like `npm start`, for tests that
 * need to kill an instance outright (SIGKILL: no shutdown, no lease released). Prints one JSON
 * line `{"url": …, "instanceId": …}` once it listens.
 */
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/logger.js';
import { openTestPglite } from './pglite-template.js';

// Cluster tests run several children on one Redis with no PostgreSQL: each gets an in-memory
// registry of its own (as `startTestApp` gives them), and so does DATABASE_URL=memory: (loaded
// from the run's template rather than initialised); DATA_DIR or another DATABASE_URL are used as given.
const config = loadConfig();
const inMemory = process.env.DATABASE_URL === 'memory:' || (config.redis !== null && !process.env.DATABASE_URL);
const database = inMemory ? await openTestPglite() : undefined;
const app = await startApp(config, silentLogger, undefined, { database });
process.stdout.write(`${JSON.stringify({ url: `${app.server.origin}/graphql`, instanceId: app.cluster?.instanceId ?? null })}\n`);

// A test hook for readiness under load: `stall <ms>` on stdin blocks this process's event loop
// for <ms> at a time, turn after turn, until `calm`. The delay is real (the service's own loop
// runs late), and its size is what the test asked for.
let stallMs = 0;
const stallTurn = () => {
  if (stallMs === 0) return;
  const until = performance.now() + stallMs;
  while (performance.now() < until) {
    // Busy on purpose: this is the load being simulated.
  }
  setImmediate(stallTurn);
};
let commands = '';
process.stdin.on('data', (chunk: Buffer) => {
  commands += chunk.toString('utf8');
  const lines = commands.split('\n');
  commands = lines.pop() ?? '';
  for (const line of lines) {
    const [command, ms] = line.trim().split(' ');
    const wasStalled = stallMs > 0;
    stallMs = command === 'stall' ? Math.max(1, Number(ms)) : 0;
    if (stallMs > 0 && !wasStalled) setImmediate(stallTurn);
  }
});
