/**
 * GraphQL Code Generator for the status board: typed documents (`TypedDocumentNode`) for the
 * operations in `web/src/`, written to `web/src/gql/`, typed against the served schema
 * (`../schema.graphql`, printed from the Pothos schema by `npm run codegen`). Separate from the
 * root `codegen.ts` because the board's documents are a browser bundle's, not the tests'.
 *
 * While the served schema lacks the ImageKit start mutations (issue "Start ImageKit jobs",
 * built beside the board), `web/schema-pending.graphql` adds exactly the contract's SDL for them,
 * so the demo panel stays typed; once `schema.graphql` has `copyImageKitFolder` the file is no
 * longer read and should be deleted. Run with `npm run codegen:web`.
 */
import { readFileSync } from 'node:fs';
import type { CodegenConfig } from '@graphql-codegen/cli';

const SERVED = './schema.graphql';
const PENDING = './web/schema-pending.graphql';

/** True while the served schema does not have the start mutations yet. */
export function startMutationsPending(): boolean {
  return !/\bcopyImageKitFolder\s*\(/.test(readFileSync(SERVED, 'utf8'));
}

const config: CodegenConfig = {
  schema: startMutationsPending() ? [SERVED, PENDING] : SERVED,
  documents: ['web/src/**/*.ts', 'web/src/**/*.tsx', '!web/src/gql/**'],
  generates: {
    './web/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        emitLegacyCommonJSImports: false,
        scalars: { DateTime: 'string' },
      },
    },
  },
};

export default config;
