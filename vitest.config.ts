import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import SlowestFirstSequencer from './test/support/sequencer.js';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (`main`) and ESM (`module`) builds. Node loads the CJS one for
    // dependencies such as yoga; without this alias vite would hand our sources the ESM one, and
    // `instanceof GraphQLError` would fail across the two copies.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The status board's dist/web/, built once when stale: GET / and the browser tests serve it.
    globalSetup: ['test/support/board-build.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Servers bind ephemeral loopback ports, so files may run side by side.
    pool: 'forks',
    // One module graph per worker, not per file: importing the service (graphql, yoga, Pothos,
    // PGlite's WebAssembly…) again for each of ~80 files cost more CPU than most of the tests.
    // Files therefore share a process, one after another: each closes what it opens (servers,
    // databases, clients, timers; fake timers restored), and nothing in src/ keeps module-level
    // state. A file that cannot would go to a project of its own with `isolate: true`.
    isolate: false,
    // Vitest's default is one fork less than the CPUs: a single fork on a 2-core machine, where
    // most test time is spent waiting on loopback servers, poll intervals and child processes.
    // Two forks use both cores; `--maxWorkers=N` overrides.
    maxWorkers: 2,
    // The longest files first, also in a fresh clone without durations of an earlier run.
    sequence: { sequencer: SlowestFirstSequencer },
  },
});
