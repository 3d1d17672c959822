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
 * Pages of `trackedJobs` are cached the same way against the registry's database: a page keeps the
 * database's snapshot token (`RegistryDatabase.snapshot`, read before the page is executed) and is
 * served only while the token is still the same, i.e. nothing has written to the database since,
 * on this instance or any other sharing it. Reading the token is one cheap statement at most;
 * executing a page of 50 nodes is most of a listing's cost. A token that cannot be read in time
 * means the page is executed.
 *
 * What is cached, and for whom:
 * - only queries whose every field is read from the store's answers (`Query.jobs`, `Query.job`
 *   and the fields of jobs and their errors, `tracking` excepted: the registry's, not the
 *   store's), or from the registry's rows alone (`Query.trackedJobs` and everything under it but
 *   `purgeRequest`, which asks the store); no mutation, subscription, `node`, `providers` or
 *   webhook field, and never the two sources in one query;
 * - only answers without errors, each of whose refs the store remembers (provider trouble is not
 *   remembered, so an answer with a `ProviderError` is never cached; a `JobNotFoundError` is, for
 *   as long as the store keeps the not-found answer; a ref the caller may not read makes the
 *   answer uncacheable);
 * - per caller scope: the key holds the API key's name, providers and capabilities
 *   (`audienceOf`), the document's text, the operation name and the variables as sent.
 *
 * Most hits never reach yoga: `cachedAnswer` finds the answer to a request as sent over HTTP, and
 * `early-answer.ts` writes it before yoga's pipeline runs. The plugin answers the rest (requests
 * with an `Origin`, WebSocket queries) and executes and keeps every miss.
 */
import { type DocumentNode, type ExecutionArgs, type ExecutionResult, GraphQLSchema, TypeInfo, getOperationAST, visit, visitWithTypeInfo } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { LoadedAnswers } from '../jobs/job-loader.js';
import type { AnswerToken, StatusStore } from '../jobs/status-store.js';
import { withinOrNull } from '../jobs/within.js';

/** What the cache needs of the registry: a token of its database's state (`RegistryService.snapshotToken`). */
export interface RegistryToken {
  snapshotToken(): Promise<string | null>;
}

export interface ResponseCacheOptions {
  /** `RESPONSE_CACHE_MAX_BYTES`: most bytes of cached answers (their JSON), least recently used forgotten first. */
  readonly maxBytes: number;
  readonly store: Pick<StatusStore, 'answerToken' | 'stillAnswers'>;
  /** Who the answer is for: callers with different scopes never share an entry. */
  readonly scopeOf: (context: unknown) => string;
  /** The registry database's snapshot (null when it cannot be read in time): `trackedJobs` pages are cached against it. */
  readonly registry?: RegistryToken;
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

/** Root fields answered from the registry's rows alone. */
const REGISTRY_ROOT_FIELDS = new Set(['trackedJobs']);

/** Types under `trackedJobs` besides the snapshot types, each field read from the rows of the page or its history. */
const REGISTRY_TYPES = new Set(['TrackedJobConnection', 'TrackedJobEdge', 'PageInfo', 'JobTracking', 'JobTransitionConnection', 'JobTransitionEdge', 'JobTransition']);

/** Fields under `trackedJobs` that ask the status store (and so its provider) instead: never cached there. */
const NOT_FROM_ROWS = new Set(['purgeRequest']);

/** Directives that change nothing but which fields are selected; any other (`@defer`, `@stream`, a new one) is not cached. */
const PLAIN_DIRECTIVES = new Set(['include', 'skip']);

/** Where a cacheable operation's answer comes from, which decides when a cached one is stale. */
export type CacheSource = 'store' | 'registry';

/** What decides when an answer is stale: the store's token for each of its answers, or the registry's snapshot. */
type Freshness = { readonly source: 'store'; readonly tokens: readonly AnswerToken[] } | { readonly source: 'registry'; readonly snapshot: string };

type CachedAnswer = Freshness & {
  readonly result: ExecutionResult;
  /** The result's JSON, encoded once for every early answer (`early-answer.ts`). */
  readonly body: Buffer;
  /** The operation's own name in the document (for metrics), whatever name the request gave. */
  readonly operationName: string | undefined;
};

/** A request as sent over HTTP, with the scope of its caller: what an answer is cached for. */
export interface CacheRequest {
  readonly query: string;
  readonly operationName?: string | null;
  readonly variables?: Readonly<Record<string, unknown>> | null;
  /** The caller's scope (`audienceOf`). */
  readonly scope: string;
}

/** A cached answer that still holds. */
export interface CachedJson {
  /** The answer's JSON, UTF-8. */
  readonly body: Buffer;
  /** The operation's own name in the document, for the operation metrics. */
  readonly operationName: string | undefined;
}

export interface ResponseCache {
  /** The yoga plugin; put it after every plugin that must see each operation (metrics), since a hit stops execution. */
  readonly plugin: Plugin;
  /**
   * The cached answer to exactly this request (same text, operation name, variables and scope)
   * when it still holds, without executing anything (the registry's snapshot is read for a
   * listing page); null otherwise, and then nothing is counted: executing the request does that.
   */
  cachedAnswer(request: CacheRequest): Promise<CachedJson | null>;
}

/** The cache and its yoga plugin. */
export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const answers = new LRUCache<string, CachedAnswer>({ maxSize: options.maxBytes, sizeCalculation: (_, key) => key.length });
  const documents = new CacheableDocuments();
  /** Listing pages being executed, by key: a request for the same page at the same snapshot waits for that answer. */
  const executing = new Map<string, { readonly snapshot: string; readonly answer: Promise<ExecutionResult | null> }>();
  /** Caches the result when it may be; answers what was cached (the result with its JSON), or null. */
  const keep = (key: string, args: ExecutionArgs, result: unknown, freshness: () => Freshness | null): ExecutionResult | null => {
    if (!isPlainResult(result) || result.errors) return null;
    const json = JSON.stringify(result);
    const body = Buffer.from(json);
    // Its size (the JSON as a string and as bytes) decides what the cache holds; an answer larger than the whole cache is not kept.
    const size = json.length + body.length + key.length;
    if (size > options.maxBytes) return null;
    const fresh = freshness();
    if (!fresh) return null;
    const answer = withStringify(result, json);
    const operationName = getOperationAST(args.document, args.operationName)?.name?.value;
    answers.set(key, { ...fresh, result: answer, body, operationName }, { size });
    return answer;
  };
  /**
   * A listing page: the cached answer or the one being executed at the database's current
   * snapshot, else executed (and kept) here; nothing at all when the snapshot cannot be read.
   */
  const fromRegistry = async (registry: RegistryToken, key: string, cached: CachedAnswer | undefined, stop: (answer: ExecutionResult) => void) => {
    const snapshot = await registry.snapshotToken();
    if (snapshot === null) return;
    let answer = cached?.source === 'registry' && cached.snapshot === snapshot ? cached.result : null;
    const running = executing.get(key);
    if (!answer && running?.snapshot === snapshot) {
      answer = await withinOrNull(running.answer, SHARED_WAIT_MS);
      // An execution that never finished (it threw before its end) is not waited for again.
      if (!answer && executing.get(key) === running) executing.delete(key);
    }
    if (answer) {
      options.onLookup?.('hit');
      stop(answer);
      return;
    }
    options.onLookup?.('miss');
    let settle!: (result: ExecutionResult | null) => void;
    const executed = new Promise<ExecutionResult | null>((resolve) => (settle = resolve));
    executing.set(key, { snapshot, answer: executed });
    return {
      onExecuteDone: ({ args, result }: { args: ExecutionArgs; result: unknown }) => {
        settle(keep(key, args, result, () => ({ source: 'registry', snapshot })));
        if (executing.get(key)?.answer === executed) executing.delete(key);
      },
    };
  };
  const plugin: Plugin = {
    onExecute({ args, setResultAndStopExecution }) {
      const document = documents.of(args.schema, args.document, args.operationName ?? undefined);
      if (document === null) return;
      const text = textOf(args.contextValue);
      const key = keyOf(text === undefined ? { id: document.id } : { text }, args.operationName, options.scopeOf(args.contextValue), args.variableValues);
      const cached = answers.get(key);
      if (document.source === 'registry') return options.registry ? fromRegistry(options.registry, key, cached, setResultAndStopExecution) : undefined;
      if (cached?.source === 'store' && options.store.stillAnswers(cached.tokens)) {
        options.onLookup?.('hit');
        setResultAndStopExecution(cached.result);
        return;
      }
      options.onLookup?.('miss');
      const loaded = options.answersOf(args.contextValue);
      loaded.record();
      return {
        onExecuteDone({ result }) {
          keep(key, args, result, () => {
            const tokens = tokensOf(options.store, loaded);
            return tokens ? { source: 'store', tokens } : null;
          });
        },
      };
    },
  };
  return {
    plugin,
    async cachedAnswer(request) {
      const cached = answers.get(keyOf({ text: request.query }, request.operationName, request.scope, request.variables));
      if (!cached) return null;
      const holds =
        cached.source === 'store'
          ? options.store.stillAnswers(cached.tokens)
          : options.registry !== undefined && (await options.registry.snapshotToken()) === cached.snapshot;
      if (!holds) return null;
      options.onLookup?.('hit');
      return { body: cached.body, operationName: cached.operationName };
    },
  };
}

/**
 * The key of one answer: the operation name, the caller's scope and the variables as sent, and the
 * document's text (yoga's parser cache maps the same text to the same document), or its id when
 * the operation came without its text. The first three are JSON, which holds no raw line break,
 * so no two different requests share a key, whatever their text holds.
 */
function keyOf(document: { text: string } | { id: number }, operationName: string | null | undefined, scope: string, variables: unknown): string {
  const head = `${JSON.stringify(operationName ?? null)}\n${JSON.stringify(scope)}\n${JSON.stringify(variables ?? null)}\n`;
  return 'text' in document ? `${head}t${document.text}` : `${head}#${document.id}`;
}

/**
 * The document's text as the request sent it (yoga puts the request's params on the context, and
 * the WebSocket server does the same); undefined when the context has none.
 */
function textOf(context: unknown): string | undefined {
  const query = (context as { params?: { query?: unknown } } | null)?.params?.query;
  return typeof query === 'string' ? query : undefined;
}

/**
 * How long a request waits for the same page executing for another (at the same snapshot) before
 * executing it itself: only reached when that execution failed without an answer.
 */
const SHARED_WAIT_MS = 2000;

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
 * Which documents (per operation) are cacheable, and from which source, decided once per parsed
 * document: yoga's parser cache hands out the same `DocumentNode` for the same text, so the
 * check runs once per distinct document, and the id stands for the text in the cache keys.
 */
class CacheableDocuments {
  private readonly decided = new WeakMap<DocumentNode, Map<string, { id: number; source: CacheSource } | null>>();
  private nextId = 1;

  /** The document's id and source when the operation is cacheable; null otherwise. */
  of(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): { id: number; source: CacheSource } | null {
    let byOperation = this.decided.get(document);
    if (!byOperation) {
      byOperation = new Map();
      this.decided.set(document, byOperation);
    }
    const known = byOperation.get(operationName ?? '');
    if (known !== undefined) return known;
    const source = cacheSourceOf(schema, document, operationName);
    const decided = source ? { id: this.nextId++, source } : null;
    byOperation.set(operationName ?? '', decided);
    return decided;
  }
}

/** Whether the operation is a query whose every field is answered from the status store's answers. */
export function isStoreOnly(schema: GraphQLSchema, document: DocumentNode, operationName?: string): boolean {
  return cacheSourceOf(schema, document, operationName) === 'store';
}

/**
 * Where every field of the operation is answered from: the status store's answers, the registry's
 * rows, or neither (null: not cacheable). The whole document is checked (every operation and
 * fragment in it): a field elsewhere in it that neither source answers makes it uncacheable,
 * which is only ever too careful.
 */
export function cacheSourceOf(schema: GraphQLSchema, document: DocumentNode, operationName?: string): CacheSource | null {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== 'query') return null;
  const queryType = schema.getQueryType();
  const typeInfo = new TypeInfo(schema);
  let fromStore = true;
  let fromRows = true;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const name = node.name.value;
        if (name === '__typename') return;
        const parent = typeInfo.getParentType();
        if (parent === queryType) {
          if (!STORE_ROOT_FIELDS.has(name)) fromStore = false;
          if (!REGISTRY_ROOT_FIELDS.has(name)) fromRows = false;
          return;
        }
        const snapshotType = parent != null && SNAPSHOT_TYPES.has(parent.name);
        if (!snapshotType || NOT_FROM_SNAPSHOT.has(name)) fromStore = false;
        if (!(snapshotType || (parent != null && REGISTRY_TYPES.has(parent.name))) || NOT_FROM_ROWS.has(name)) fromRows = false;
      },
      Directive(node) {
        if (!PLAIN_DIRECTIVES.has(node.name.value)) fromStore = fromRows = false;
      },
    }),
  );
  return fromStore ? 'store' : fromRows ? 'registry' : null;
}
