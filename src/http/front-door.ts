/**
 * Answers for paths outside the API, until the status board takes `GET /`: a browser opening the
 * server's root gets a small page pointing to `/graphql` (GraphiQL), and any other unknown path a
 * 404 that says where the API is, instead of yoga's empty body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const PATHS = {
  graphql: '/graphql',
  health: '/health',
  ready: '/ready',
  metrics: '/metrics',
} as const;

const ROOT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>job-status-graphql</title></head>
<body>
<main>
<h1>job-status-graphql</h1>
<p>One GraphQL API for the bulk job statuses of ImageKit, SAYMON and Zendesk.</p>
<ul>
<li><a href="/graphql">/graphql</a>: the API (POST, GET, SSE, graphql-ws); open it in a browser for GraphiQL.</li>
<li><a href="/health">/health</a>, <a href="/ready">/ready</a>, <a href="/metrics">/metrics</a>: probes and Prometheus metrics.</li>
</ul>
</main>
</body>
</html>
`;

/**
 * `GET`/`HEAD /`: the pointer page (HTML for browsers, text otherwise); anything else: 404 with a
 * JSON body naming the API's paths.
 */
export function answerOutsideApi(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  const method = req.method ?? 'GET';
  req.resume();
  if (path === '/' && (method === 'GET' || method === 'HEAD')) {
    const html = /text\/html/i.test(req.headers.accept ?? '');
    const body = html ? ROOT_PAGE : `job-status-graphql: the GraphQL API is at ${PATHS.graphql} (open it in a browser for GraphiQL).\n`;
    res.writeHead(200, { 'content-type': html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(method === 'HEAD' ? undefined : body);
    return;
  }
  const body = JSON.stringify({
    errors: [{ message: `Nothing is served at ${method} ${path}: the GraphQL API is at ${PATHS.graphql}`, extensions: { code: 'NOT_FOUND' } }],
    paths: PATHS,
  });
  res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
