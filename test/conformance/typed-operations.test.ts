/**
 * The typed operations in test/gql/ are what GraphQL Code Generator (`codegen.ts`, client preset)
 * makes of schema.graphql and the documents in test/ and bench/ today, so that `npm run
 * typecheck` checks every operation the tests and benchmarks send against the real schema.
 * (test/schema.test.ts checks that schema.graphql is the served schema.)
 */
import { describe, it } from 'vitest';
import { expectCodegenCurrent } from '../support/codegen.js';
import config from '../../codegen.js';

describe('typed operations (test/gql)', () => {
  it('are current: `npm run codegen` would not change them', { timeout: 60_000 }, async () => {
    await expectCodegenCurrent(config, 'npm run codegen');
  });
});
