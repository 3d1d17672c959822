/**
 * Limits on what one operation may ask for, checked before it runs: graphql-armor's depth, cost,
 * alias, token and directive limits, introspection (off in production unless GraphiQL is on), and
 * field suggestions (hidden in production: "Did you mean …?" reveals the schema piece by piece).
 *
 * Every refusal is a GraphQL error with HTTP status 400, whatever the client accepts: armor would
 * otherwise report some of them as syntax errors, and `application/json` clients would get 200.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { QueryLimits } from '../config.js';

export interface QueryLimitOptions {
  readonly queryLimits: QueryLimits;
  readonly introspection: boolean;
  readonly fieldSuggestions: boolean;
}

/** The plugins enforcing `options`, in the order yoga should run them. */
export function queryLimitPlugins(options: QueryLimitOptions): Plugin[] {
  const plugins: Plugin[] = [armor(options)];
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
