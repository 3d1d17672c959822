/**
 * API keys over HTTP: a yoga plugin that answers 401 before anything is parsed when `API_KEYS`
 * is set and the request carries no valid key.
 *
 * It runs after yoga's own early answers, which need no key: `/health`, CORS preflights (a
 * browser cannot send the key with them) and the GraphiQL page (a browser cannot send it when
 * navigating; every operation GraphiQL then sends does carry the header the user set). `/ready`
 * and `/metrics` never reach yoga.
 */
import type { Plugin } from 'graphql-yoga';
import type { ApiKeyCheck } from './api-keys.js';
import type { Caller } from './caller.js';

/** What yoga's server context carries once a request is let in; the schema context reads it. */
export interface CallerCarrier {
  caller?: Caller;
}

/**
 * The plugin: identifies the caller of every request that reaches it, or answers 401 (calling
 * `onRefused` with the reason, for logs and metrics).
 */
export function useApiKeys(check: ApiKeyCheck, onRefused: (reason: string) => void): Plugin<CallerCarrier> {
  return {
    onRequest({ request, serverContext, endResponse, fetchAPI }) {
      // A preflight cannot carry the key; with CORS on, yoga has answered it already.
      if (request.method === 'OPTIONS') return;
      const identified = check.identify(request.headers.get('authorization'));
      if ('caller' in identified) {
        // The server context is the object yoga builds each operation's context from.
        (serverContext as CallerCarrier).caller = identified.caller;
        return;
      }
      onRefused(identified.refused);
      endResponse(
        new fetchAPI.Response(JSON.stringify({ errors: [{ message: identified.refused, extensions: { code: 'UNAUTHENTICATED' } }] }), {
          status: 401,
          headers: { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer realm="job-status-graphql"' },
        }),
      );
    },
  };
}
