/**
 * GraphQL over WebSocket (`graphql-transport-ws`) on the same port and path as HTTP, executed
 * through yoga's envelop so that the same schema, context, limits, metrics and error masking apply.
 *
 * What yoga does per HTTP request is done here per connection or per operation: the `Origin`
 * check (at the upgrade), the API key (at `connection_init`: refused with 4403 Forbidden), the
 * message size cap, trusted documents, the nesting limit (yoga checks it in `onParams`, which
 * this path does not run), and a cap on concurrent operations per connection (one more is
 * answered with an error for that operation alone; the socket stays open). Whatever goes wrong
 * while preparing one operation is that operation's error, never the connection's.
 */
import type { Server } from 'node:http';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { WebSocketServer } from 'ws';
import { type Logger, withLogContext } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { requestIdOf } from './request-id.js';
import type { Context } from '../schema/index.js';
import type { ApiKeyCheck } from '../security/api-keys.js';
import type { Caller } from '../security/caller.js';
import { webSocketOriginAllowed } from '../security/cors.js';
import type { CallerCarrier } from '../security/http-auth.js';
import type { SecurityOptions } from '../security/options.js';
import { nestingRefusal } from '../security/query-limits.js';
import { resolveTrustedDocument } from '../security/trusted-documents.js';
import { KEEP_ALIVE_MS, keepAlive } from './keep-alive.js';
import { SharedFrames } from './shared-frames.js';

type Yoga = YogaServerInstance<CallerCarrier, Context>;

/** Distinct document texts remembered for sharing one copy among subscribers (the most recent). */
const DOCUMENT_TEXTS_KEPT = 1000;
/** Characters of those texts, in all; a text longer than this is not shared. */
const DOCUMENT_TEXT_CHARS_KEPT = 2 ** 20;
type Enveloped = ReturnType<Yoga['getEnveloped']>;

/** What graphql-ws keeps per connection besides the socket and upgrade request. */
type ConnectionExtra = {
  caller?: Caller;
  reqId?: string;
};

export interface WebSocketOptions {
  readonly keys: ApiKeyCheck;
  readonly security: SecurityOptions;
  /** Largest message accepted; a larger one closes the socket with 1009. */
  readonly maxPayloadBytes: number;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Ping interval (and pong deadline) of every client; `KEEP_ALIVE_MS` if omitted. */
  readonly keepAliveMs?: number;
}

export interface WebSocketEndpoint {
  /** Open sockets, for tests and metrics. */
  readonly clients: () => number;
  /** Completes every subscription and closes every socket with 1001 Going Away. */
  close(): Promise<void>;
}

/** Serves graphql-ws on `server`'s GraphQL path; `close` says going away to every socket. */
export function attachWebSocket(server: Server, yoga: Yoga, options: WebSocketOptions): WebSocketEndpoint {
  const { keys, security, metrics, logger } = options;
  const wss = new WebSocketServer({
    server,
    path: yoga.graphqlEndpoint,
    maxPayload: options.maxPayloadBytes,
    verifyClient: ({ origin, req }, done) => {
      if (webSocketOriginAllowed(origin || undefined, req.headers.host, security.corsOrigins)) return done(true);
      metrics.refused('origin');
      logger.info({ origin }, 'WebSocket refused: origin not allowed');
      done(false, 403, 'Origin not allowed');
    },
  });
  const texts = new LRUCache<string, string>({ max: DOCUMENT_TEXTS_KEPT, maxSize: DOCUMENT_TEXT_CHARS_KEPT, sizeCalculation: (text) => Math.max(1, text.length) });
  const canonicalText = (text: string): string => {
    if (typeof text !== 'string') return text;
    const known = texts.get(text);
    if (known !== undefined) return known;
    texts.set(text, text);
    return text;
  };
  // Registered before graphql-ws's own listener, so that every socket's `send` is wrapped first.
  const frames = new SharedFrames();
  wss.on('connection', (socket) => frames.adopt(socket));
  // One timer pings every client (graphql-ws's keep-alive, off below, keeps two per socket).
  const stopKeepAlive = keepAlive(wss, { intervalMs: options.keepAliveMs ?? KEEP_ALIVE_MS });
  /** Each operation's connection id, for the log lines of its execution. */
  const requestIds = new WeakMap<object, string>();
  const inContext = <T>(args: ExecutionArgs, run: () => T): T => withLogContext({ reqId: requestIds.get(args.contextValue as object) }, run);

  const disposable = useServer<Record<string, unknown> | undefined, ConnectionExtra>(
    {
      // Whatever NODE_ENV says: an internal error's message may quote a secret; it must not reach a close reason.
      isProd: true,
      execute: (args) => inContext(args, () => (args.rootValue as Enveloped).execute(args)),
      subscribe: (args) => inContext(args, () => (args.rootValue as Enveloped).subscribe(args)),
      onNext: (ctx, _id, _payload, _args, result) => frames.payloadFor(ctx.extra.socket, result),
      onConnect: (ctx) => {
        const reqId = requestIdOf(ctx.extra.request.headers['x-request-id']);
        ctx.extra.reqId = reqId;
        // The contract's place for the key is the connection_init payload; a non-browser client may use the upgrade's header.
        const identified = keys.identify(ctx.connectionParams?.['authorization'] ?? ctx.extra.request.headers.authorization);
        if ('refused' in identified) {
          metrics.refused('unauthenticated');
          logger.info({ reqId, reason: identified.refused }, 'WebSocket refused: no valid API key');
          return false;
        }
        ctx.extra.caller = identified.caller;
        // Its headers are read: graphql-ws would otherwise keep the upgrade request (headers, raw
        // headers, stream state) for the connection's whole life, a kilobyte or so per subscriber.
        (ctx.extra as { request?: unknown }).request = undefined;
        return true;
      },
      onSubscribe: (ctx, id, payload) =>
        withLogContext({ reqId: ctx.extra.reqId }, async () => {
          // graphql-ws has already registered this operation when it asks us.
          if (Object.keys(ctx.subscriptions).length > security.maxSubscriptionsPerConnection) {
            metrics.refused('subscription_limit');
            const limit = security.maxSubscriptionsPerConnection;
            return [new GraphQLError(`Too many operations on this connection: at most ${limit} may run at once; complete one first`)];
          }
          // Thousands of subscribers send the same text; graphql-ws keeps each one's copy for the
          // subscription's life unless it is swapped for the one copy seen first.
          let query = canonicalText(payload.query);
          (payload as { query: string }).query = query;
          if (security.trustedDocuments) {
            const trusted = resolveTrustedDocument(security.trustedDocuments, payload as typeof payload & { documentId?: unknown });
            if ('refused' in trusted) return [trusted.refused];
            query = trusted.query;
          }
          const enveloped = yoga.getEnveloped({
            ...ctx,
            socket: ctx.extra.socket,
            // Where this operation's events may be written without graphql-ws (`shared-event-execution.ts`).
            directNext: frames.directNext(ctx.extra.socket, id),
            params: { ...payload, query },
            caller: ctx.extra.caller,
          });
          const tooDeep = typeof query === 'string' ? nestingRefusal(query, security.queryLimits.maxNesting) : null;
          if (tooDeep) return [tooDeep];
          let document;
          try {
            document = enveloped.parse(query);
          } catch (error) {
            // A syntax error or the token limit: that operation's error, not the connection's.
            if (error instanceof GraphQLError) return [error];
            // Anything else is unexpected: thrown on, graphql-ws would close the whole socket (4500).
            logger.error({ err: error }, 'WebSocket operation could not be parsed');
            return [new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
          }
          const args: ExecutionArgs = {
            schema: enveloped.schema,
            operationName: payload.operationName,
            document,
            variableValues: payload.variables,
            contextValue: await enveloped.contextFactory(),
            rootValue: enveloped,
          };
          requestIds.set(args.contextValue as object, ctx.extra.reqId ?? id);
          const errors = enveloped.validate(args.schema, args.document);
          if (errors.length > 0) return errors;
          return args;
        }),
    },
    wss,
    0,
  );
  return {
    clients: () => wss.clients.size,
    close: async () => {
      stopKeepAlive();
      await disposable.dispose();
    },
  };
}
