/**
 * Vitest global setup: builds the status board once per run when `dist/web/` is missing or older
 * than `web/`, so tests that load `GET /` (the board, the browser tests) see the current sources
 * even when the suite runs from a fresh checkout without `npm run build`.
 */
import { buildBoardIfStale } from '../../web/build-if-stale.js';

export default function setup(): void {
  buildBoardIfStale((line) => process.stderr.write(`${line}\n`));
}
