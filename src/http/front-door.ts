/**
 * The answer for paths outside the API and the board: a 404 whose JSON body says where the API
 * is, instead of yoga's empty body. (`GET /` is the status board, `./board.ts`.)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const PATHS = {
  board: '/',
  graphql: '/graphql',
  health: '/health',
  ready: '/ready',
  metrics: '/metrics',
} as const;

/** 404 with a JSON body naming the service's paths. */
export function answerOutsideApi(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  const method = req.method ?? 'GET';
  req.resume();
  const body = JSON.stringify({
    errors: [{ message: `Nothing is served at ${method} ${path}: the GraphQL API is at ${PATHS.graphql}, the status board at ${PATHS.board}`, extensions: { code: 'NOT_FOUND' } }],
    paths: PATHS,
  });
  res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
