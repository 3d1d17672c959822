/**
 * The response cache: a query answered from the status store alone is answered again, without
 * executing it, for as long as the store would answer every one of its refs exactly as before.
 *
 * Why not a TTL of its own (as `@graphql-yoga/plugin-response-cache` keeps): a status is reused
 * for `CACHE_TTL_MS` from when the provider answered, so a response cached for a TTL would add
 * its own age to that, and entity invalidation would have to follow every poller change per
 * caller scope. Here a cached response instead keeps the store's token for each answer it was
 * built from (`StatusStore.answerToken`), and is served only while each token is still the
 * store's fresh entry (`stillAnswers`): the poller's next answer, an expiry or an eviction of any
 * one of its refs makes it stale at once. Nothing is ever served that executing the query would
 * not have answered at that moment.
 *
 * What is cached, and for whom:
 * - only queries whose every field is read from the store's answers (`Query.jobs`, `Query.job`
 *   and the fields of jobs and their errors, `tracking` excepted: the registry's, not the
 *   store's); no mutation, subscription, `node`, `trackedJobs`, `providers` or webhook field;
 * - only answers without errors, each of whose refs the store remembers (provider trouble is not
 *   remembered, so an answer with a `ProviderError` is never cached; a `JobNotFoundError` is, for
 *   as long as the store keeps the not-found answer; a ref the caller may not read makes the
 *   answer uncacheable);
 * - per caller scope: the key holds the API key's name, providers and capabilities
 *   (`audienceOf`), the document, the operation name and the variables as sent.
 */
import { type DocumentNode, type ExecutionResult, GraphQLSchema, TypeInfo, getOperationAST, visit, visitWithTypeInfo } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { LoadedAnswers } from '../jobs/job-loader.js';
import type { AnswerToken, StatusStore } from '../jobs/status-store.js';

export interface ResponseCacheOptions {
  /** `RESPONSE_CACHE_MAX_BYTES`: most bytes of cached answers (their JSON), least recently used forgotten first. */
  readonly maxBytes: number;
  readonly store: Pick<StatusStore, 'answerToken' | 'stillAnswers'>;
  /** Who the answer is for: callers with different scopes never share an entry. */
  readonly scopeOf: (context: unknown) => string;
  /** The operation's record of what its job loader answered. */
  readonly answersOf: (context: unknown) => LoadedAnswers;
  /** Metrics hook: each cacheable query answered from the cache (`hit`) or executed (`miss`). */
  readonly onLookup?: (result: 'hit' | 'miss') => void;
}

/** Root fields answered from the status store alone. */
const STORE_ROOT_FIELDS = new Set(['jobs', 'job']);

/**
 * Types whose fields read the snapshot or failure they resolve on (or load more refs through the
 * job loader, as `ImageKitBulkJob.purgeRequest` does): everything under `jobs` but `tracking`.
 * A field added to one of them that reads anything else must be added to `NOT_FROM_SNAPSHOT`;
 * `test/http/response-cache.test.ts` lists every field this lets through.
 */
const SNAPSHOT_TYPES = new Set([
  'JobResult',
  'Job',
  'ImageKitBulkJob',
  'PurgeRequest',
  'SaymonBulkOp',
  'ZendeskJobStatus',
  'ZendeskJobResult',
  'JobProgress',
  'Error',
  'JobNotFoundError',
  'ProviderError',
]);

/** Fields of those types that read the registry: never cached. */
const NOT_FROM_SNAPSHOT = new Set(['tracking']);

/** Directives that change nothing but which fields are selected; any other (`@defer`, `@stream`, a new one) is not cached. */
const PLAIN_DIRECTIVES = new Set(['include', 'skip']);

interface CachedAnswer {
  readonly result: ExecutionResult;
  readonly tokens: readonly AnswerToken[];
}

/** The plugin; put it after every plugin that must see each operation (metrics), since a hit stops execution. */
export function useResponseCache(options: ResponseCacheOptions): Plugin {
  const answers = new LRUCache<string, CachedAnswer>({ maxSize: options.maxBytes, sizeCalculation: (_, key) => key.length });
  const documents = new StoreOnlyDocuments();
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const documentId = documents.idOf(args.schema, args.document, args.operationName ?? undefined);
      if (documentId === null) return;
      const key = `${documentId}\n${args.operationName ?? ''}\n${options.scopeOf(args.contextValue)}\n${JSON.stringify(args.variableValues ?? null)}`;
      const cached = answers.get(key);
      if (cached && options.store.stillAnswers(cached.tokens)) {
        options.onLookup?.('hit');
        setResultAndStopExecution(cached.result);
        return;
      }
      options.onLookup?.('miss');
      const loaded = options.answersOf(args.contextValue);
      loaded.record();
      return {
        onExecuteDone({ result }) {
          if (!isPlainResult(result) || result.errors) return;
          const tokens = tokensOf(options.store, loaded);
          if (!tokens) return;
          const json = JSON.stringify(result);
          // Its size decides what the cache holds; an answer larger than the whole cache is not kept.
          if (json.length + key.length > options.maxBytes) return;
          answers.set(key, { result: withStringify(result, json), tokens }, { size: json.length + key.length });
        },
      };
    },
  };
}

/** The store's token for every answer the operation got, or null when one of them is not the store's. */
function tokensOf(store: ResponseCacheOptions['store'], loaded: LoadedAnswers): AnswerToken[] | null {
  const tokens: AnswerToken[] = [];
  for (let index = 0; index < loaded.refs.length; index += 1) {
    const token = store.answerToken(loaded.refs[index]!, loaded.outcomes[index]!);
    if (!token) return null;
    tokens.push(token);
  }
  return tokens;
}

function isPlainResult(result: unknown): result is ExecutionResult {
  return typeof result === 'object' && result !== null && !(Symbol.asyncIterator in result);
}

/**
 * The result with its JSON made already: yoga serializes a result with its own `stringify` when it
 * has one (the hook graphql-jit uses). Non-enumerable, so that the JSON itself does not carry it.
 */
function withStringify(result: ExecutionResult, json: string): ExecutionResult {
  return Object.defineProperty({ ...result }, 'stringify', { value: () => json, enumerable: false });
}

/**
 * Which documents (per operation) are answered from the store alone, decided once per parsed
 * document: yoga's parser cache hands out the same `DocumentNode` for the same text, so the
 * check runs once per distinct document, and the id stands for the text in the cache keys.
 */
class StoreOnlyDocuments {
  private readonly decided = new WeakMap<DocumentNode, Map<string, number | null>>();
  private nextId = 1;

  /** The document's id when the operation is answered from the store alone; null otherwise. */
  idOf(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): number | null {
    let byOperation = this.decided.get(document);
    if (!byOperation) {
      byOperation = new Map();
      this.decided.set(document, byOperation);
    }
    const known = byOperation.get(operationName ?? '');
    if (known !== undefined) return known;
    const id = isStoreOnly(schema, document, operationName) ? this.nextId++ : null;
    byOperation.set(operationName ?? '', id);
    return id;
  }
}

/**
 * Whether the operation is a query whose every field is answered from the status store's answers.
 * The whole document is checked (every operation and fragment in it): a field elsewhere in it
 * that is not the store's makes it uncacheable, which is only ever too careful.
 */
export function isStoreOnly(schema: GraphQLSchema, document: DocumentNode, operationName?: string): boolean {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== 'query') return false;
  const queryType = schema.getQueryType();
  const typeInfo = new TypeInfo(schema);
  let storeOnly = true;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const name = node.name.value;
        if (name === '__typename') return;
        const parent = typeInfo.getParentType();
        const fromStore = parent === queryType ? STORE_ROOT_FIELDS.has(name) : parent != null && SNAPSHOT_TYPES.has(parent.name) && !NOT_FROM_SNAPSHOT.has(name);
        if (!fromStore) storeOnly = false;
      },
      Directive(node) {
        if (!PLAIN_DIRECTIVES.has(node.name.value)) storeOnly = false;
      },
    }),
  );
  return storeOnly;
}
