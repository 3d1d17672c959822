/**
 * The order test files start in. With two workers the run ends when the last file does, so the
 * longest must start first. Vitest's own sequencer does that when it has the durations of an
 * earlier run (`node_modules/.vite/vitest/`); a fresh clone (CI: `npm ci`) has none, and vitest
 * then starts the largest files first, which put short files that wait on child processes
 * (`newcomer`, `persistence`, `readiness`) at the end. Without durations for every file, the
 * files below start first, in this order, and the rest in vitest's order.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The slowest files (child processes, a browser, Redis clusters, thousands of rows), slowest first. */
export const SLOWEST_FILES = [
  'test/browser/board.test.ts',
  'test/cluster/cluster.test.ts',
  'test/newcomer.test.ts',
  'test/registry/tracker-writes.test.ts',
  'test/subscription.test.ts',
  'test/registry/listing.test.ts',
  'test/registry/persistence.test.ts',
  'test/security/limits.test.ts',
  'test/http/readiness.test.ts',
  'test/query.test.ts',
  'test/webhooks/durability.test.ts',
  'test/registry/pglite-thread.test.ts',
  'test/shutdown.test.ts',
  'test/registry/database.test.ts',
  'test/observability.test.ts',
  'test/start/start-jobs.test.ts',
];

export default class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const path = (file: TestSpecification) => relative(root, file.moduleId).split('\\').join('/');
    if (sorted.every((file) => this.ctx.cache.getFileTestResults(`${file.project.name}:${path(file)}`))) return sorted;
    const rank = (file: TestSpecification) => {
      const index = SLOWEST_FILES.indexOf(path(file));
      return index === -1 ? SLOWEST_FILES.length : index;
    };
    // Stable: files of equal rank keep vitest's order.
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}
