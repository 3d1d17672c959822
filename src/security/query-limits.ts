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
import { LRUCache } from 'lru-cache';

/** Bounds on each operation's shape; an operation over any of them is refused with a 400 before it runs. */
export interface QueryLimits {
  /** `ARMOR_MAX_DEPTH`, default 12: nesting of fields (fragments count). The test `jobs` query reaches 5. */
  readonly maxDepth: number;
  /** `ARMOR_MAX_COST`, default 5000: graphql-armor's cost (objects 2, scalars 1, ×1.5 per level). */
  readonly maxCost: number;
  /** `ARMOR_MAX_ALIASES`, default 15: aliases per operation; each alias may multiply upstream work. */
  readonly maxAliases: number;
  /** `ARMOR_MAX_TOKENS`, default 10000: lexical tokens, checked while parsing; 500 refs written inline need ~6000. */
  readonly maxTokens: number;
  /** `ARMOR_MAX_DIRECTIVES`, default 50: directives per operation. */
  readonly maxDirectives: number;
  /**
   * `ARMOR_MAX_NESTING`, default 64: brackets (`{`, `[`, `(`) open at once, counted on the text
   * before parsing, since graphql-js's parser recurses per level and a deep enough document
   * (`[[[…]]]`, `{a:{a:…}}`) overflows its stack.
   */
  readonly maxNesting: number;
}

export interface QueryLimitOptions {
  /** `ARMOR_MAX_*`: bounds on the shape of each operation, enforced before it runs (graphql-armor). */
  readonly queryLimits: QueryLimits;
  /** Schema introspection: on unless `NODE_ENV=production`, where only `GRAPHIQL=1` turns it back on (GraphiQL needs it). */
  readonly introspection: boolean;
  /** "Did you mean …?" hints: hidden in production. */
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
  // Clients send the same few documents again and again: a document once found shallow enough
  // is not scanned again (the scan was ~2 % of a cached listing request's CPU). Bounded by text size.
  const shallow = new LRUCache<string, true>({ maxSize: 4 * 1024 * 1024, sizeCalculation: (_, query) => Math.max(1, query.length) });
  return {
    onParams({ params }) {
      const { query } = params;
      if (typeof query !== 'string' || shallow.has(query)) return;
      const refusal = nestingRefusal(query, maxNesting);
      if (refusal) throw refusal;
      shallow.set(query, true);
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
