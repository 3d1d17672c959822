/**
 * The one logger: pino JSON lines, or readable lines (pino-pretty) when stdout is a terminal.
 *
 * Secrets are kept out twice over: by path (fields that hold credentials are censored before
 * serialization) and by value (every configured secret is cut out of each serialized line, so a
 * secret that slips into a message, an error's stack or an upstream URL never reaches the output).
 *
 * Lines written while a request is handled carry its `reqId`: `withLogContext` binds fields to the
 * request's async context and every line logged inside it, by any module, picks them up.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

export type { Logger };

const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'connectionParams.authorization',
  '*.connectionParams.authorization',
  'password',
  '*.password',
  'privateKey',
  '*.privateKey',
  'apiToken',
  '*.apiToken',
  'accessToken',
  '*.accessToken',
  'token',
  '*.token',
];

/** What replaces a secret in a log line. */
export const REDACTED = '[redacted]';

export interface LoggerOptions {
  /** Where lines go; stdout (synchronously, so that nothing is lost on `process.exit`) when omitted. */
  readonly destination?: DestinationStream;
  /** Values never to write, whatever field or message they turn up in (`Config.secrets`). */
  readonly secrets?: readonly string[];
  /**
   * Readable lines instead of JSON. Default: when writing to stdout and stdout is a terminal
   * (someone running `npm start`); log collectors, pipes and files get JSON.
   */
  readonly pretty?: boolean;
}

const logContext = new AsyncLocalStorage<Readonly<Record<string, unknown>>>();

/**
 * Runs `fn` with `fields` added to every line logged inside it, including lines logged later by
 * work it started (promises, timers). Used for a request's `reqId`.
 */
export function withLogContext<T>(fields: Readonly<Record<string, unknown>>, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, fn);
}

/** The service's logger at `level`: JSON lines, request ids from `withLogContext`, secrets cut out. */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? (options.destination === undefined && process.stdout.isTTY === true);
  const destination = pretty ? prettyLines(options.destination) : (options.destination ?? pino.destination({ dest: 1, sync: true }));
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: REDACTED },
      base: { service: 'job-status-graphql' },
      mixin: () => logContext.getStore() ?? {},
    },
    redactingDestination(destination, options.secrets ?? []),
  );
}

/**
 * pino-pretty as a synchronous stream rather than a worker transport: lines still pass through
 * `redactingDestination` first, and nothing is lost on `process.exit`.
 */
function prettyLines(destination: DestinationStream | undefined): DestinationStream {
  return pinoPretty({
    destination: (destination as NodeJS.WritableStream | undefined) ?? 1,
    sync: true,
    // Colours for a terminal only: a stream given by a caller gets plain text.
    colorize: destination === undefined,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,service',
  });
}

/**
 * Wraps a destination so that no secret value is ever written. Each secret is looked for as it
 * is and as it appears inside a JSON string (quotes and backslashes escaped), longest first, so
 * that cutting out one never leaves part of a longer one behind.
 */
export function redactingDestination(destination: DestinationStream, secrets: readonly string[]): DestinationStream {
  const needles = [...new Set(secrets.filter((secret) => secret !== '').flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]))];
  if (needles.length === 0) return destination;
  needles.sort((a, b) => b.length - a.length);
  return {
    write(line: string) {
      let safe = line;
      for (const needle of needles) if (safe.includes(needle)) safe = safe.split(needle).join(REDACTED);
      destination.write(safe);
    },
  };
}

/** A logger that writes nothing, for tests and tools. */
export const silentLogger: Logger = pino({ level: 'silent' });
