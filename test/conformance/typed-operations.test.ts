/**
 * The typed operations in test/gql/ are what GraphQL Code Generator (`codegen.ts`, client preset)
 * makes of schema.graphql and the documents in test/ and bench/ today, so that `npm run
 * typecheck` checks every operation the tests and benchmarks send against the real schema.
 * (test/schema.test.ts checks that schema.graphql is the served schema.)
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('typed operations (test/gql)', () => {
  it('are current: `npm run codegen` would not change them', { timeout: 60_000 }, async () => {
    const previous = process.cwd();
    process.chdir(ROOT);
    try {
      const outputs = await generate({ ...config, silent: true }, false);
      expect(outputs.length).toBeGreaterThan(0);
      for (const output of outputs) {
        const checkedIn = readFileSync(resolve(ROOT, output.filename), 'utf8');
        expect(checkedIn, `${output.filename} is stale: run npm run codegen`).toBe(output.content);
      }
    } finally {
      process.chdir(previous);
    }
  });
});
