/**
 * The first log lines of `npm start`: what is served where (the API, GraphiQL, the board, the
 * sandbox and its credentials, where state lives), so a newcomer never has to guess a port or
 * wonder why their configured accounts are not the ones answering.
 */
import type { App } from './app.js';
import type { Config } from './config/index.js';

/** One log line: a message, and the same facts as fields for log collectors. */
export interface StartupLine {
  readonly level: 'info' | 'warn';
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Where the README documents the sandbox's fixed development credentials. */
export const CREDENTIALS_DOC = 'README.md, "The sandbox from outside"';

/** The lines, in order, for a started app. Names no secret: the fixed credentials are documented, not logged. */
export function startupLines(config: Config, app: App): StartupLine[] {
  const api = `${app.server.origin}/graphql`;
  const lines: StartupLine[] = [{ level: 'info', msg: `GraphQL API on ${api} (HTTP, SSE and graphql-ws)`, fields: { url: api } }];
  lines.push(
    config.server.graphiql
      ? { level: 'info', msg: `GraphiQL: open ${api} in a browser`, fields: { graphiql: api } }
      : { level: 'info', msg: 'GraphiQL is off (NODE_ENV=production; GRAPHIQL=1 turns it on)', fields: { graphiql: null } },
  );
  lines.push({
    level: 'info',
    msg: `Status board: not served yet; ${app.server.origin}/ points to the API`,
    fields: { board: null },
  });
  if (app.sandbox) {
    const urls = app.sandbox.baseUrls;
    if (config.accounts.length > 0) {
      lines.push({
        level: 'warn',
        msg: `SANDBOX=1: the sandbox providers replace the ${config.accounts.length} configured account(s); no real provider is asked`,
        fields: { replacedAccounts: config.accounts.map((account) => `${account.provider}/${account.name}`) },
      });
    } else {
      lines.push({ level: 'info', msg: 'No provider configured: serving the built-in sandbox providers (simulated ImageKit, SAYMON and Zendesk on loopback)', fields: {} });
    }
    lines.push({
      level: 'info',
      msg: `Sandbox providers: ImageKit ${urls.imagekit}, SAYMON ${urls.saymon}, Zendesk ${urls.zendesk}`,
      fields: { sandbox: urls },
    });
    lines.push(
      config.sandbox.port === null
        ? { level: 'info', msg: 'Sandbox credentials are random for this run; set SANDBOX_PORT for a fixed port and development credentials', fields: {} }
        : { level: 'info', msg: `Sandbox accepts the fixed development credentials documented in ${CREDENTIALS_DOC}`, fields: { credentials: CREDENTIALS_DOC } },
    );
  } else {
    for (const account of app.accounts) {
      lines.push({ level: 'info', msg: `Provider ${account.provider} account "${account.name}" at ${originOf(account.baseUrl)}`, fields: { provider: account.provider, account: account.name } });
    }
  }
  lines.push(
    app.cluster
      ? { level: 'info', msg: `State: shared through Redis (cluster mode, instance ${app.cluster.instanceId})`, fields: { state: 'redis' } }
      : { level: 'info', msg: 'State: in memory, this process only (no database; REDIS_URL for cluster mode)', fields: { state: 'memory' } },
  );
  return lines;
}

/** Scheme, host and port only: a base URL may carry credentials or a token in its path or query. */
function originOf(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : '(invalid URL)';
}
