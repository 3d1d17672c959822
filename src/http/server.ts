/**
 * One HTTP server on one port: GraphQL over HTTP and SSE, GraphiQL (yoga) and graphql-ws on
 * `/graphql`; `/health`, `/ready` and `/metrics` beside them, open to probes and scrapers; the
 * status board's static files at `/` (the page asks for an API key itself when one is needed).
 *
 * Every request gets an id (`x-request-id`, echoed) that its log lines carry. Closing is graceful:
 * stop accepting, say "going away" to WebSockets, complete SSE streams, let requests in flight
 * finish, stop the poller.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setMaxListeners } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import DataLoader from 'dataloader';
import type { ServerSettings } from '../config/model.js';
import type { JobService } from '../jobs/service.js';
import { LoadedAnswers } from '../jobs/job-loader.js';
import { type JobRef, refKey } from '../jobs/model.js';
import type { RegistryService } from '../registry/service.js';
import type { StartService } from '../registry/starts.js';
import type { TrackedJob } from '../registry/tracked-job.js';
import type { WebhookService } from '../webhooks/service.js';
import { type Logger, withLogContext } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { requestIdOf } from './request-id.js';
import { type Context, schema } from '../schema/index.js';
import { ApiKeyCheck } from '../security/api-keys.js';
import { type Caller, NO_CALLER, audienceOf, callerJobLoader } from '../security/caller.js';
import { corsOptions } from '../security/cors.js';
import { csrfPreventionPlugin } from '../security/csrf.js';
import { type CallerCarrier, useApiKeys } from '../security/http-auth.js';
import type { SecurityOptions } from '../security/options.js';
import { queryLimitPlugins } from '../security/query-limits.js';
import { DOCUMENT_ID_PARAM, useTrustedDocuments } from '../security/trusted-documents.js';
import { useSharedEventExecution } from './shared-event-execution.js';
import type { DirectNext } from './shared-frames.js';
import { createResponseCache } from './response-cache.js';
import { type EarlyAnswers, serveGraphQL } from './early-answer.js';
import { useChunkedBodyLimit } from './chunked-body-limit.js';
import { BoardFiles, defaultBoardDir, isBoardPath } from './board.js';
import { answerOutsideApi } from './front-door.js';
import { graphiqlOptions } from './graphiql-query.js';
import { type EventLoopDelay, watchEventLoopDelay } from './event-loop-delay.js';
import { attachWebSocket } from './websocket.js';

/** The listen address and request bounds are `Config.server`'s, declared there with their variables. */
export interface ServerOptions extends Pick<ServerSettings, 'host' | 'port' | 'maxRefs' | 'bodyLimitBytes' | 'graphiql' | 'responseCacheMaxBytes'> {
  /** `READY_MAX_EVENT_LOOP_DELAY_MS` (see `Config.server`); omitted or 0: the event loop's delay never makes `/ready` 503. */
  readonly readyMaxEventLoopDelayMs?: number;
  /** The delay's windows (`event-loop-delay.ts`); tests shorten them. */
  readonly eventLoopWindows?: { readonly windowMs: number; readonly windows: number };
  /** The job service, built by the composition root (`app.ts`); the server stops its poller on close. */
  readonly jobs: JobService;
  /** The job registry (tracked jobs), built by the composition root; the server closes nothing of it. */
  readonly registry: RegistryService;
  /** The start mutations' service, built by the composition root. */
  readonly starts: StartService;
  /** Webhooks (built by the composition root, which also stops them). */
  readonly webhooks: WebhookService;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** The query GraphiQL opens with; a function is asked on every page load (fresh sandbox demo jobs). */
  readonly graphiqlQuery?: string | (() => string);
  /** What `/ready` asks besides the event loop's delay; problems listed make it answer 503. Default: always ready. */
  readonly readiness?: () => Promise<readonly string[]> | readonly string[];
  /** Access control and limits. */
  readonly security: SecurityOptions;
  /** Where the server's metrics go (the job service's hooks report to the same). */
  readonly metrics: Metrics;
  /** The built status board (`npm run build:web`); default `<package root>/dist/web`. */
  readonly boardDir?: string;
}

export interface RunningServer {
  /** `http://host:port`, without a path. */
  readonly origin: string;
  readonly port: number;
  readonly jobs: JobService;
  readonly metrics: Metrics;
  /** Open WebSocket connections. */
  webSocketClients(): number;
  /**
   * Stops accepting, closes WebSockets with 1001 Going Away, completes SSE streams, lets requests
   * in flight finish, and stops the poller. The caller bounds how long it may take.
   */
  close(): Promise<void>;
}

type Yoga = YogaServerInstance<CallerCarrier, Context>;

/** Paths served beside GraphQL, without an API key. */
const OPEN_PATHS = new Set(['/health', '/ready', '/metrics']);

/** What yoga serves; every other path gets a pointer to `/graphql` instead of an empty 404. */
const YOGA_PATHS = new Set(['/graphql', '/health']);

/** Starts listening; resolves once the port is bound. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const { metrics } = options;
  const { jobs } = options;
  const stopping = new AbortController();
  // Every open stream listens for shutdown on this one signal.
  setMaxListeners(0, stopping.signal);
  const keys = new ApiKeyCheck(options.security.apiKeys);
  const { yoga, early } = createGraphQLHandler(options, { jobs, keys, metrics, stopping: stopping.signal, clock });
  const board = new BoardFiles(options.boardDir ?? defaultBoardDir());
  const eventLoop = watchEventLoopDelay({ maxDelayMs: options.readyMaxEventLoopDelayMs ?? 0, ...options.eventLoopWindows });

  const inFlight = new Set<ServerResponse>();
  let closing = false;
  const server = createServer((req, res) => {
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      // A keep-alive connection whose last response just ended would otherwise hold `close` open.
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    handle(req, res, { yoga, early, board, options, metrics, eventLoop, closing });
  });
  const sockets = trackSockets(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  }).catch((error: unknown) => {
    eventLoop.close();
    throw error;
  });
  // Attached once listening: attached before, a busy port is also reported by graphql-ws's
  // WebSocket server, as a stack trace, before start-up's own one-line message.
  const webSocket = attachWebSocket(server, yoga, {
    keys,
    security: options.security,
    maxPayloadBytes: options.bodyLimitBytes,
    metrics,
    logger: options.logger,
  });
  metrics.observe({
    poller: () => jobs.poller.stats(),
    feed: () => jobs.feed.stats(),
    webSocketClients: webSocket.clients,
    cacheEntries: () => jobs.store.size,
    eventLoop: () => ({ p99Ms: eventLoop.p99Ms(), overloaded: eventLoop.overloaded() }),
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;

  let closed: Promise<void> | null = null;
  return {
    origin: `http://${host}:${port}`,
    port,
    jobs,
    metrics,
    webSocketClients: webSocket.clients,
    close() {
      closed ??= (async () => {
        closing = true;
        const drained = new Promise<void>((resolve) => server.close(() => resolve()));
        // Responses not yet started end their connection; requests arriving meanwhile get 503.
        for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
        // WebSockets first: upgraded sockets look idle to the HTTP server and must get their 1001.
        await webSocket.close();
        closeIdle(server, sockets);
        stopping.abort();
        jobs.stop();
        eventLoop.close();
        await drained;
      })();
      return closed;
    },
  };
}

interface Handling {
  readonly yoga: Yoga;
  /** Cached answers written before yoga (null with the response cache off, or with trusted documents). */
  readonly early: EarlyAnswers | null;
  readonly board: BoardFiles;
  readonly options: ServerOptions;
  readonly metrics: Metrics;
  readonly eventLoop: EventLoopDelay;
  readonly closing: boolean;
}

/** Routes one request, with its id bound to every log line it causes. */
function handle(req: IncomingMessage, res: ServerResponse, { yoga, early, board, options, metrics, eventLoop, closing }: Handling): void {
  const reqId = requestIdOf(req.headers['x-request-id']);
  res.setHeader('x-request-id', reqId);
  const path = (req.url ?? '/').split('?')[0]!;
  const started = performance.now();
  res.once('close', () => {
    metrics.httpResponse(path, res.statusCode);
    const line = { reqId, method: req.method, path, status: res.statusCode, durationMs: Math.round(performance.now() - started) };
    // Probes, scrapers and the board's hashed files would drown the API's lines.
    if (OPEN_PATHS.has(path) || path.startsWith('/assets/')) options.logger.debug(line, 'request');
    else options.logger.info(line, 'request');
  });

  withLogContext({ reqId }, () => {
    // `/health` answers 200 while the process lives, shutting down or not.
    if (closing && path !== '/health') {
      metrics.refused('shutting_down');
      res.setHeader('connection', 'close');
      sendJson(res, 503, { errors: [{ message: 'The server is shutting down; retry on another instance' }] });
    } else if (path === '/ready') {
      void answerReadiness(res, options, eventLoop);
    } else if (path === '/metrics') {
      void answerMetrics(res, metrics);
    } else if (isBoardPath(path)) {
      board.answer(req, res, path);
    } else if (!YOGA_PATHS.has(path)) {
      answerOutsideApi(req, res);
    } else if (Number(req.headers['content-length'] ?? 0) > options.bodyLimitBytes) {
      metrics.refused('body_too_large');
      const length = Number(req.headers['content-length']);
      res.setHeader('connection', 'close');
      sendJson(res, 413, { errors: [{ message: `Request body is ${length} bytes; at most ${options.bodyLimitBytes} are accepted` }] });
      req.resume();
    } else {
      serveGraphQL(req, res, yoga, early).catch((error: unknown) => {
        options.logger.error({ err: error }, 'request failed unexpectedly');
        if (res.headersSent) res.destroy();
        else sendJson(res, 500, { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      });
    }
  });
}

interface HandlerDeps {
  readonly jobs: JobService;
  readonly keys: ApiKeyCheck;
  readonly metrics: Metrics;
  readonly stopping: AbortSignal;
  readonly clock: Clock;
}

function createGraphQLHandler(options: ServerOptions, deps: HandlerDeps): { yoga: Yoga; early: EarlyAnswers | null } {
  const { jobs, keys, metrics, stopping, clock } = deps;
  const { security } = options;
  const now = () => new Date(clock.now());
  /** What one operation (a request, or one event of a subscription) loads and remembers. */
  const operationCaches = (caller: Caller): Pick<Context, 'loader' | 'answers' | 'tracked'> => {
    const answers = new LoadedAnswers();
    return { loader: callerJobLoader(jobs.store, caller, now, answers), answers, tracked: trackedLoader(options.registry) };
  };
  const cache =
    options.responseCacheMaxBytes > 0
      ? createResponseCache({
          maxBytes: options.responseCacheMaxBytes,
          store: jobs.store,
          registry: options.registry,
          scopeOf: (context) => audienceOf((context as Context).caller),
          answersOf: (context) => (context as Context).answers,
          onLookup: metrics.responseCacheLookup,
        })
      : null;
  const plugins: Plugin[] = [
    // After yoga's request parsers (user plugins come after them); none of ours sets a parser.
    useChunkedBodyLimit(options.bodyLimitBytes),
    useApiKeys(keys, (reason) => {
      metrics.refused('unauthenticated');
      options.logger.info({ reason }, 'request refused: no valid API key');
    }) as Plugin,
    csrfPreventionPlugin(security.csrfPrevention),
    ...(security.trustedDocuments ? [useTrustedDocuments(security.trustedDocuments)] : []),
    ...queryLimitPlugins(security),
    metrics.graphqlPlugin,
    useSharedEventExecution({
      audienceOf: (context) => audienceOf((context as Context).caller),
      onEvent: metrics.subscriptionEvent,
      eventContext: (context) => ({ ...(context as Context), ...operationCaches((context as Context).caller) }),
      directNextOf: (context) => (context as { directNext?: DirectNext | null }).directNext,
    }),
    // Last: a cached answer stops execution, and the plugins above still see the operation.
    ...(cache ? [cache.plugin] : []),
  ];
  const yoga = createYoga<CallerCarrier, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    // The self-contained GraphiQL build: works with no route to a CDN (air-gapped hosts, CI browsers).
    // Loaded on the first page view: its 9 MB bundle would otherwise sit in every instance's heap
    // (~30 MB as module source and string) whether or not anyone opens GraphiQL.
    renderGraphiQL: async (graphiql) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiql),
    // GraphiQL runs subscriptions over SSE with a GET, which CSRF_PREVENTION=strict refuses without this header.
    graphiql: options.graphiql ? () => graphiqlOptions(options.graphiqlQuery) : false,
    // Never the original message, whatever NODE_ENV says: it may quote an upstream or a secret.
    maskedErrors: { isDev: false },
    logging: yogaLogger(options.logger),
    cors: corsOptions(security.corsOrigins),
    // Counted by `useChunkedBodyLimit` and the front door instead (see there for why).
    maxRequestBodySize: false,
    extraParamNames: security.trustedDocuments ? [DOCUMENT_ID_PARAM] : undefined,
    plugins,
    context: (initial): Context => {
      // Set by the API key check (HTTP) or at connection_init (WebSocket); absent only by mistake, then nothing is readable.
      const caller = initial.caller ?? NO_CALLER;
      return {
        store: jobs.store,
        feed: jobs.feed,
        ...operationCaches(caller),
        caller,
        stopping,
        maxRefs: options.maxRefs,
        registry: options.registry,
        starts: options.starts,
        webhooks: options.webhooks,
      };
    },
  });
  // Trusted documents must see every request: none is answered before them.
  return { yoga, early: cache && !security.trustedDocuments ? { cache, keys, metrics } : null };
}

/** Per operation: each ref's tracked job, the refs of one tick in one registry query. */
function trackedLoader(registry: RegistryService): DataLoader<JobRef, TrackedJob | null, string> {
  return new DataLoader((refs: readonly JobRef[]) => registry.getTracked(refs), { cacheKeyFn: refKey });
}

async function answerReadiness(res: ServerResponse, options: ServerOptions, eventLoop: EventLoopDelay): Promise<void> {
  try {
    const overloaded = eventLoop.problem();
    const problems = [...(overloaded ? [overloaded] : []), ...((await options.readiness?.()) ?? [])];
    sendJson(res, problems.length === 0 ? 200 : 503, problems.length === 0 ? { status: 'ready' } : { status: 'not ready', problems });
  } catch {
    sendJson(res, 503, { status: 'not ready', problems: ['readiness check failed'] });
  }
}

async function answerMetrics(res: ServerResponse, metrics: Metrics): Promise<void> {
  try {
    const text = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType });
    res.end(text);
  } catch {
    sendJson(res, 500, { errors: [{ message: 'metrics could not be collected' }] });
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Yoga's log calls, sent to pino with yoga's level names. */
function yogaLogger(logger: Logger) {
  const child = logger.child({ component: 'yoga' });
  return {
    debug: (...args: unknown[]) => child.debug({ args }, 'yoga'),
    info: (...args: unknown[]) => child.info({ args }, 'yoga'),
    warn: (...args: unknown[]) => child.warn({ args }, 'yoga'),
    error: (...args: unknown[]) => child.error({ err: args[0] }, 'yoga error'),
  };
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

/** Ends keep-alive connections with nothing in flight, which would otherwise hold `close` open. */
function closeIdle(server: Server, sockets: Set<Socket>): void {
  server.closeIdleConnections();
  for (const socket of sockets) if (!(socket as Socket & { _httpMessage?: unknown })._httpMessage) socket.destroy();
}
