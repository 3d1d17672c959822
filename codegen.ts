/**
 * GraphQL Code Generator: typed documents for the operations tests and benchmarks send, and
 * `possible-types.json` beside `schema.graphql`, the `possibleTypes` map Apollo Client's
 * `InMemoryCache` and urql's graphcache need for the interfaces and unions (without it Apollo
 * Client silently drops fields inside fragments on `Job` and `Error`).
 * `npm run codegen` first prints `schema.graphql` from the Pothos schema, then runs this.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: './schema.graphql',
  // test/clients/ writes documents as outside clients do (gql tags, interpolated refs), not for typing.
  documents: ['test/**/*.ts', 'bench/**/*.ts', '!test/gql/**', '!test/clients/**'],
  ignoreNoDocuments: true,
  generates: {
    './possible-types.json': {
      plugins: ['fragment-matcher'],
      // Apollo Client 3+ shape: `{ possibleTypes: { Interface: [Type, …] } }`.
      config: { apolloClientVersion: 3 },
    },
    './test/gql/': {
      preset: 'client',
      // persistedDocuments: also writes persisted-documents.json (sha256 → document), the list a
      // server started with TRUSTED_DOCUMENTS runs exclusively; documents carry `__meta__.hash`.
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
      config: { useTypeImports: true, enumsAsTypes: true, emitLegacyCommonJSImports: false, scalars: { DateTime: 'string' } },
    },
  },
};

export default config;
