/**
 * Subscription events executed once per audience rather than once per subscriber.
 *
 * graphql-js runs a subscription's selection against every event, for every subscriber. Here,
 * the job feed hands every stream watching a job the same event object (per `previousState`), so
 * subscribers that sent the same document (yoga's parser cache gives one text one document
 * object), with the same operation name and API key, and the same variables where the selection
 * below the root field uses any, would get identical results: the first such subscriber's
 * execution is kept, keyed by the event object, and the others reuse it. The result objects are
 * shared read-only; transports serialize them per socket and error masking copies before changing.
 *
 * Everything else is the usual subscription path: graphql-js's `createSourceEventStream`, then
 * `execute` with the event as root value, the source stream closed as soon as the subscriber
 * leaves. That `execute` is `@graphql-tools/executor`'s, the one yoga runs queries and mutations
 * with, not graphql-js's: the two classify a field's failure differently (a value a scalar cannot
 * serialize, e.g. an `Int` over 2^31-1, is a plain error in the former and a `GraphQLError` in
 * the latter), and error masking hides only what it takes for unexpected. With the same executor,
 * an event's errors are masked exactly as a query's are, on WebSocket and SSE alike.
 */
import { execute as executeLikeQueries } from '@graphql-tools/executor';
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLInputType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  createSourceEventStream,
  getOperationAST,
  isEnumType,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  typeFromAST,
  visit,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { DirectNext } from './shared-frames.js';

export interface SharedEventExecutionOptions {
  /** From a subscription's context: subscribers whose results may differ by who they are (API key, scopes) must differ here. */
  readonly audienceOf: (context: unknown) => string;
  /** Each event delivered: `executed` (ran the selection) or `shared` (reused another's result). */
  readonly onEvent?: (how: 'executed' | 'shared') => void;
  /**
   * The context an event executes with, made from the subscription's: its per-operation caches
   * (DataLoaders) must be new, or every event of a subscription that lives for hours would answer
   * what its first one loaded (a job's `tracking` as it was at subscribe time). The subscription's
   * own context if omitted.
   */
  readonly eventContext?: (context: unknown) => unknown;
  /**
   * From a subscription's context: where its event results may be written straight to the
   * client (`SharedFrames.directNext`, for WebSocket operations), instead of being handed to
   * the transport one promise at a time. None (SSE) if omitted or undefined.
   */
  readonly directNextOf?: (context: unknown) => DirectNext | null | undefined;
}

type Result = ExecutionResult | Promise<ExecutionResult>;

/** One event's execution. The schema enables no `@defer`/`@stream`, so the result is always a single one. */
function execute(args: ExecutionArgs): Result {
  return executeLikeQueries(args) as Result;
}

/** What a document says about sharing: its id among documents seen, and whether variables shape its events. */
interface DocumentFacts {
  readonly id: number;
  readonly variablesShapeEvents: boolean;
  /**
   * Where variables do not shape events: the smallest values its variables' types accept, to
   * execute events with (see `minimalVariables`); null when some type has none known.
   */
  readonly eventVariables: Record<string, unknown> | null;
}

export function useSharedEventExecution(options: SharedEventExecutionOptions): Plugin {
  const documents = new WeakMap<DocumentNode, DocumentFacts>();
  /** Event object → audience key → the result every subscriber of that audience gets. */
  const executions = new WeakMap<object, Map<string, Result>>();
  let documentsSeen = 0;

  const factsOf = (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): DocumentFacts => {
    let facts = documents.get(document);
    if (!facts) {
      const shaping = variablesShapeEvents(document);
      facts = { id: (documentsSeen += 1), variablesShapeEvents: shaping, eventVariables: shaping ? null : minimalVariables(schema, operation) };
      documents.set(document, facts);
    }
    return facts;
  };

  const executeOne = (args: ExecutionArgs, event: unknown): Result =>
    execute({ ...args, contextValue: options.eventContext?.(args.contextValue) ?? args.contextValue, rootValue: event });

  const executeEvent = (args: ExecutionArgs, key: string, event: unknown): Result => {
    if (typeof event !== 'object' || event === null) return executeOne(args, event);
    let byKey = executions.get(event);
    if (!byKey) {
      byKey = new Map();
      executions.set(event, byKey);
    }
    const known = byKey.get(key);
    if (known) {
      options.onEvent?.('shared');
      return known;
    }
    options.onEvent?.('executed');
    const result = executeOne(args, event);
    byKey.set(key, result);
    return result;
  };

  return {
    onSubscribe({ args, setSubscribeFn }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== 'subscription') return;
      const facts = factsOf(args.schema, args.document, operation);
      setSubscribeFn(async (subscribeArgs: ExecutionArgs) => {
        const source = await createSourceEventStream(subscribeArgs);
        if (!isAsyncIterable(source)) return source;
        const key = [
          facts.id,
          subscribeArgs.operationName ?? '',
          options.audienceOf(subscribeArgs.contextValue),
          facts.variablesShapeEvents ? JSON.stringify(subscribeArgs.variableValues ?? {}) : '',
        ].join('\u0000');
        // The variables chose the stream, at subscribe time; an event's execution coerces them
        // again, at the cost of their size (five hundred refs: milliseconds per event), for
        // nothing: the root fields' `resolve` only passes the event on.
        const eventArgs = facts.eventVariables ? { ...subscribeArgs, variableValues: facts.eventVariables } : subscribeArgs;
        const direct = options.directNextOf?.(subscribeArgs.contextValue) ?? null;
        return mapEvents(source, (event) => executeEvent(eventArgs, key, event), direct);
      });
    },
  };
}

/**
 * For each variable of `operation`, the smallest value its type accepts: nothing for a nullable
 * one, `[]` for a list, an input object of its required fields, an enum's first value, `""`, `0`
 * or `false` for the standard scalars. Null when a required variable is of another scalar, whose
 * values this cannot know. Only for executing events whose selection no variable reaches, with
 * root fields whose `resolve` ignores its arguments (every subscription field of this schema: the
 * arguments are read by `subscribe`).
 */
function minimalVariables(schema: GraphQLSchema, operation: OperationDefinitionNode): Record<string, unknown> | null {
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) continue;
    const type = typeFromAST(schema, definition.type);
    if (!type || !isInputType(type)) return null;
    const value = minimalValue(type);
    if (value === NONE) return null;
    if (value !== undefined) values[definition.variable.name.value] = value;
  }
  return values;
}

const NONE = Symbol('no value known');

function minimalValue(type: GraphQLInputType): unknown {
  if (!isNonNullType(type)) return undefined;
  const inner = type.ofType;
  if (isListType(inner)) return [];
  if (isEnumType(inner)) return inner.getValues()[0]?.name ?? NONE;
  if (isInputObjectType(inner)) {
    const object: Record<string, unknown> = {};
    for (const field of Object.values(inner.getFields())) {
      if (field.defaultValue !== undefined) continue;
      const value = minimalValue(field.type);
      if (value === NONE) return NONE;
      if (value !== undefined) object[field.name] = value;
    }
    return object;
  }
  const standard: Record<string, unknown> = { String: '', ID: '', Int: 0, Float: 0, Boolean: false };
  return inner.name in standard ? standard[inner.name] : NONE;
}

/**
 * Whether any variable is used below the root fields of any operation (in their selections or
 * directives, or in fragments): then subscribers with other variables may see other results.
 * Variables in the root fields' arguments only choose the stream, which each subscriber has its
 * own of. Every operation counts, since the answer is kept per document.
 */
function variablesShapeEvents(document: DocumentNode): boolean {
  let used = false;
  const mark = { Variable: () => void (used = true) };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) visit(definition, mark);
    if (definition.kind === Kind.OPERATION_DEFINITION) markBelowRootFields(definition, mark);
  }
  return used;
}

function markBelowRootFields(operation: OperationDefinitionNode, mark: { Variable: () => void }): void {
  for (const directive of operation.directives ?? []) visit(directive, mark);
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) {
      visit(selection, mark);
      continue;
    }
    if (selection.selectionSet) visit(selection.selectionSet, mark);
    for (const directive of selection.directives ?? []) visit(directive, mark);
  }
}

/** `take` of a source that offers it (the job feed's `EventQueue`), bound; null otherwise. */
function takerOf(events: AsyncIterator<unknown>): ((sink: (value: unknown) => boolean) => Promise<IteratorResult<unknown>>) | null {
  const take = (events as { take?: unknown }).take;
  return typeof take === 'function' ? (take.bind(events) as (sink: (value: unknown) => boolean) => Promise<IteratorResult<unknown>>) : null;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * `source` with each value mapped; leaving (`return`) reaches the source at once, even while a
 * `next` waits. One `then` per value: the mapped result is most often another subscriber's,
 * already settled, and an `async` function here would add two promises per subscriber and event.
 *
 * With `direct`, a `next` call writes each result `direct` accepts itself and goes on to the
 * following event, handing the transport only what `direct` declines (results with errors, a
 * socket with a backlog) and the end. The transport asks for its next value only once it has sent
 * the previous one, so while a `next` waits nothing else of this operation is on its way: writing
 * here keeps the order of its messages, and saves the promises of every layer between (envelop's
 * result hooks, graphql-ws's `for await` and its write callback) for ten thousand subscribers of
 * one change. A `next` waits across any number of events without a promise chain (one settles it).
 */
export function mapEvents(source: AsyncIterable<unknown>, map: (event: unknown) => Result, direct: DirectNext | null = null): AsyncIterableIterator<ExecutionResult> {
  const events = source[Symbol.asyncIterator]();
  let left = false;
  const mapNext = (next: IteratorResult<unknown>): IteratorResult<ExecutionResult> | Promise<IteratorResult<ExecutionResult>> => {
    if (next.done) return { value: undefined, done: true };
    const result = map(next.value);
    return result instanceof Promise ? result.then((value) => ({ value, done: false })) : { value: result, done: false };
  };
  const take = takerOf(events);
  const nextWritingDirectly = (write: DirectNext): Promise<IteratorResult<ExecutionResult>> =>
    new Promise((resolve, reject) => {
      /** What the sink declined last (its result, or what mapping it threw): it settles this `next`. */
      let declined: { readonly result: Result } | { readonly error: unknown } | null = null;
      // Whatever a step throws rejects this `next` (graphql-ws then sends the operation's error);
      // none of them may reject a promise nobody waits for.
      const handOver = (result: ExecutionResult) => {
        try {
          if (left) resolve({ value: undefined, done: true });
          else if (write(result)) pull();
          else resolve({ value: result, done: false });
        } catch (error) {
          reject(error);
        }
      };
      // A settled result is written on the spot, within the push that brought its event. Nothing
      // thrown here may reach the pusher (the feed, delivering to other subscribers).
      const sink = (event: unknown): boolean => {
        if (left) return false;
        try {
          const result = map(event);
          if (!(result instanceof Promise) && write(result)) return true;
          declined = { result };
        } catch (error) {
          declined = { error };
        }
        return false;
      };
      const settle = (next: IteratorResult<unknown>) => {
        const known = declined;
        declined = null;
        if (next.done || left) return resolve({ value: undefined, done: true });
        try {
          if (known && 'error' in known) throw known.error;
          // Declined by the sink: a settled result the writer refused goes to the transport as it is.
          if (known && !(known.result instanceof Promise)) return resolve({ value: known.result, done: false });
          const result = known ? known.result : map(next.value);
          if (result instanceof Promise) result.then(handOver, reject);
          else handOver(result);
        } catch (error) {
          reject(error);
        }
      };
      const pull = () => void (take ? take(sink) : events.next()).then(settle, reject);
      pull();
    });
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    next: () => (direct ? nextWritingDirectly(direct) : events.next().then(mapNext)),
    async return() {
      left = true;
      await events.return?.();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      left = true;
      if (events.throw) await events.throw(error);
      else await events.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
