/**
 * CSRF prevention: yoga's plugin, applied to the requests that need it here.
 *
 * A foreign page can make a browser send "simple" requests without a CORS preflight: GETs and
 * form or `text/plain` POSTs. Yoga's plugin refuses them all unless they carry a header only
 * scripts allowed by CORS can set. This API has no mutations (yoga refuses them over GET anyway)
 * and a cross-site page cannot read the answers, so by default (`posts`) GETs are let through:
 * GraphQL over HTTP defines GET queries, and a browser's native `EventSource` (SSE subscriptions)
 * cannot set headers. `strict` applies the plugin to GETs too.
 */
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { Plugin } from 'graphql-yoga';

/** The headers that mark a request as sent by a script (any value). */
export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight'];

export function csrfPreventionPlugin(mode: 'posts' | 'strict'): Plugin {
  const plugin = useCSRFPrevention({ requestHeaders: CSRF_HEADERS }) as Plugin;
  if (mode === 'strict') return plugin;
  return {
    onRequestParse(payload) {
      if (payload.request.method === 'GET') return undefined;
      return plugin.onRequestParse?.(payload);
    },
  };
}
