/**
 * GraphQL Code Generator for the status board: typed documents (`TypedDocumentNode`) for the
 * operations in `web/src/`, written to `web/src/gql/`, typed against the served schema
 * (`../schema.graphql`, printed from the Pothos schema by `npm run codegen`). Separate from the
 * root `codegen.ts` because the board's documents are a browser bundle's, not the tests'.
 * Run with `npm run codegen:web`.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: './schema.graphql',
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
