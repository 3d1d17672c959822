/**
 * Trusted documents: with `TRUSTED_DOCUMENTS` set, the server runs only the documents listed in
 * that file (GraphQL Code Generator's `persisted-documents.json`), named by their hash. Anything
 * else, arbitrary query text included, is refused with a 400 before it is parsed.
 *
 * Clients name a document by `documentId` (GraphQL-over-HTTP's proposal, what the client preset
 * emits) or by `extensions.persistedQuery.sha256Hash` (Apollo's format, the bare hex digest).
 */
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The request parameter (besides the standard ones) a client names its document with. */
export const DOCUMENT_ID_PARAM = 'documentId';

/** The hash a request names its document by, or null when it names none. */
function documentIdOf(params: { readonly documentId?: unknown; readonly extensions?: unknown }): string | null {
  if (typeof params.documentId === 'string' && params.documentId !== '') return params.documentId;
  const persisted = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | null | undefined)?.persistedQuery;
  if (persisted?.version === 1 && typeof persisted.sha256Hash === 'string' && persisted.sha256Hash !== '') return persisted.sha256Hash;
  return null;
}

/** The document a hash names; the client preset writes keys as `sha256:<hex>`, Apollo sends bare hex. */
function trustedDocument(documents: ReadonlyMap<string, string>, id: string): string | undefined {
  return documents.get(id) ?? documents.get(`sha256:${id}`);
}

const ONLY_TRUSTED = 'This server runs only trusted documents: send "documentId" (or extensions.persistedQuery.sha256Hash) instead of "query"';

/** The three ways a request can miss: each a 400 that says what to send instead. */
const refusals = {
  queryText: () => refusal(ONLY_TRUSTED, 'PERSISTED_QUERY_ONLY'),
  noDocument: () => refusal(`${ONLY_TRUSTED}; this request named no document`, 'PERSISTED_QUERY_ID_REQUIRED'),
  unknown: (id: string) => refusal(`Unknown document "${id.slice(0, 80)}": not one of this server's trusted documents`, 'PERSISTED_QUERY_NOT_FOUND'),
};

function refusal(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

type Params = { readonly query?: unknown; readonly documentId?: unknown; readonly extensions?: unknown };

/** The document a request may run, or why it may not (for transports yoga's plugin does not cover: WebSocket). */
export function resolveTrustedDocument(documents: ReadonlyMap<string, string>, params: Params): { readonly query: string } | { readonly refused: GraphQLError } {
  if (typeof params.query === 'string' && params.query !== '') return { refused: refusals.queryText() };
  const id = documentIdOf(params);
  if (id === null) return { refused: refusals.noDocument() };
  const query = trustedDocument(documents, id);
  return query === undefined ? { refused: refusals.unknown(id) } : { query };
}

/** The yoga plugin refusing every document not in `documents` (HTTP and SSE). */
export function useTrustedDocuments(documents: ReadonlyMap<string, string>): Plugin {
  return usePersistedOperations({
    allowArbitraryOperations: false,
    extractPersistedOperationId: (params) => documentIdOf(params as Params),
    getPersistedOperation: (id) => trustedDocument(documents, id) ?? null,
    customErrors: {
      persistedQueryOnly: refusals.queryText,
      keyNotFound: refusals.noDocument,
      notFound: (payload) => refusals.unknown(documentIdOf(payload.params as Params) ?? ''),
    },
  }) as Plugin;
}
