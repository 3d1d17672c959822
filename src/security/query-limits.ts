/**
 * Limits on what one operation may ask for, checked before it runs: bracket nesting (on the text,
 * before parsing), graphql-armor's depth, cost, alias, token and directive limits, introspection (off in production unless GraphiQL is on), and
 * field suggestions (hidden in production: "Did you mean …?" reveals the schema piece by piece).
 *
 * Every refusal is a GraphQL error with HTTP status 400, whatever the client accepts: armor would
 * otherwise report some of them as syntax errors, and `application/json` clients would get 200.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { QueryLimits } from '../config/index.js';

export interface QueryLimitOptions {
  readonly queryLimits: QueryLimits;
  readonly introspection: boolean;
  readonly fieldSuggestions: boolean;
}

/** The plugins enforcing `options`, in the order yoga should run them. */
export function queryLimitPlugins(options: QueryLimitOptions): Plugin[] {
  const plugins: Plugin[] = [nestingLimit(options.queryLimits.maxNesting), armor(options)];
  if (!options.introspection) plugins.push({ onValidate: ({ addValidationRule }) => addValidationRule(noIntrospection) });
  return plugins;
}

function armor({ queryLimits, fieldSuggestions }: QueryLimitOptions): Plugin {
  // Armor's own rejection throws "Syntax Error: …"; reporting our error instead keeps the limit's
  // wording and sets the status. Token counting runs inside the parser, with no validation context.
  const refuse = (context: ValidationContext | null, error: GraphQLError) => {
    const refusal = limitExceeded(error.message.replace(/^Syntax Error: /, ''));
    if (context === null) throw refusal;
    context.reportError(refusal);
  };
  const reject = { propagateOnRejection: false, onReject: [refuse], exposeLimits: true };
  return EnvelopArmorPlugin({
    maxDepth: { n: queryLimits.maxDepth, ...reject },
    costLimit: { maxCost: queryLimits.maxCost, ...reject },
    maxAliases: { n: queryLimits.maxAliases, ...reject },
    maxTokens: { n: queryLimits.maxTokens, ...reject },
    maxDirectives: { n: queryLimits.maxDirectives, ...reject },
    blockFieldSuggestion: { enabled: !fieldSuggestions },
  }) as Plugin;
}

/**
 * `spec: false`: yoga would otherwise answer validation errors with 200 to `application/json`
 * clients. (A new object each time: yoga writes to it.) Errors found while parsing, the token
 * limit among them, yoga marks as the spec's parse errors whatever we say: 400 for
 * `application/graphql-response+json`, 200 with `errors` for `application/json`.
 */
function refusedStatus() {
  return { status: 400, spec: false };
}

function limitExceeded(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_LIMIT_EXCEEDED', http: refusedStatus() } });
}

/** Refuses `__schema` and `__type`; `__typename` stays (clients need it to tell union members apart). */
const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value !== '__schema' && node.name.value !== '__type') return;
    context.reportError(
      new GraphQLError('Introspection is disabled on this server (NODE_ENV=production; GRAPHIQL=1 enables it)', {
        nodes: node,
        extensions: { code: 'INTROSPECTION_DISABLED', http: refusedStatus() },
      }),
    );
  },
});

/**
 * Refuses a document nested deeper than `maxNesting` before anything parses it: graphql-js's
 * parser (and armor's token counter around it) recurses once per level, so `[[[…2000 deep…]]]`
 * or `{a:{a:…}}` would overflow the stack, a 500 over HTTP. `onParams` runs for GET and POST
 * (SSE included) before yoga parses; the WebSocket path calls `nestingRefusal` itself.
 */
function nestingLimit(maxNesting: number): Plugin {
  return {
    onParams({ params }) {
      if (typeof params.query !== 'string') return;
      const refusal = nestingRefusal(params.query, maxNesting);
      if (refusal) throw refusal;
    },
  };
}

/** The error for a document nested deeper than `maxNesting` brackets, or null when it is not. */
export function nestingRefusal(query: string, maxNesting: number): GraphQLError | null {
  if (!nestedDeeperThan(query, maxNesting)) return null;
  return limitExceeded(`Document nested too deeply: brackets ({, [, () may be nested at most ${maxNesting} deep`);
}

/**
 * Whether more than `max` brackets are open at once somewhere in `text`, counted the way the
 * lexer sees them: brackets inside strings, block strings and comments do not count. Mismatched
 * brackets are the parser's business; this only bounds how deep it would recurse.
 */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '#') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i += 1;
    } else if (char === '"' && text.startsWith('"""', i)) {
      i += 3;
      while (i < text.length && !text.startsWith('"""', i)) i += text.startsWith('\\"""', i) ? 4 : 1;
      i += 2;
    } else if (char === '"') {
      i += 1;
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
    } else if (char === '{' || char === '[' || char === '(') {
      depth += 1;
      if (depth > max) return true;
    } else if (char === '}' || char === ']' || char === ')') {
      depth = Math.max(0, depth - 1);
    }
  }
  return false;
}
