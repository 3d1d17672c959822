/**
 * A real logger (the one `main.ts` makes) whose lines are kept in memory, parsed, for tests that
 * read what the service logged.
 */
import { createLogger, type Logger } from '../../src/logger.js';

export interface CapturedLogs {
  readonly logger: Logger;
  /** Every line written, as text. */
  readonly lines: string[];
  /** Every line, parsed. */
  entries(): Record<string, unknown>[];
}

export function captureLogs(secrets: readonly string[] = [], level = 'debug'): CapturedLogs {
  const lines: string[] = [];
  const logger = createLogger(level, { destination: { write: (line: string) => void lines.push(line) }, secrets });
  return { logger, lines, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
