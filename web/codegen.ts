/**
 * GraphQL Code Generator for the status board: typed documents (`TypedDocumentNode`) for the
 * operations in `web/src/`, written to `web/src/gql/`. Separate from the root `codegen.ts` because
 * the board is typed against `web/schema-draft.graphql` (today's schema plus the contract's part-2
 * additions) until the server serves part 2; then point `schema` at `../schema.graphql`.
 * Run with `npm run codegen:web`.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: './web/schema-draft.graphql',
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
