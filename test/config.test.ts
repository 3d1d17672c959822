import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_REFERENCE } from '../src/config/env.js';
import { type Config, ConfigError, loadConfig } from '../src/config/index.js';

/** Distinctive, so that finding it in a message can only mean a leak. */
const SECRET = 'sEcReT-7f3a9c-do-not-print';

type Env = Record<string, string | undefined>;

function errorOf(env: Env): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

let dir: string;
let fileCount = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'config-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a JOBS_CONFIG file (an object is written as JSON, a string as is) and returns its path. */
async function jobsFile(contents: unknown): Promise<string> {
  fileCount += 1;
  const path = join(dir, `jobs-${fileCount}.json`);
  await writeFile(path, typeof contents === 'string' ? contents : JSON.stringify(contents));
  return path;
}

describe('defaults', () => {
  it('serves the sandbox on 127.0.0.1:4000 with the documented values when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      server: {
        host: '127.0.0.1',
        port: 4000,
        maxRefs: 500,
        bodyLimitBytes: 1048576,
        shutdownTimeoutMs: 10000,
        heapGrowingPercent: 40,
        readyMaxEventLoopDelayMs: 250,
        production: false,
        graphiql: true,
        responseCacheMaxBytes: 16777216,
      },
      logLevel: 'info',
      accounts: [],
      sandbox: { enabled: true, port: null },
      redis: null,
      cache: { ttlMs: 1000, doneTtlMs: 600000, staleMs: 0, maxEntries: 50000 },
      poll: { intervalMs: 2000, maxIntervalMs: 30000, notFoundGraceMs: 10000 },
      upstream: { timeoutMs: 5000, retries: 2, retryBaseMs: 200, maxRetryWaitMs: 2000, concurrency: 8, queueMs: 2000, maxBodyBytes: 8388608 },
      webhooks: { allowPrivate: false, dispatchIntervalMs: 1000, concurrency: 16, retryDelaysMs: [5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000], secretKey: null },
      security: {
        apiKeys: [],
        corsOrigins: [],
        csrfPrevention: 'posts',
        introspection: true,
        fieldSuggestions: true,
        queryLimits: { maxDepth: 12, maxCost: 5000, maxAliases: 15, maxTokens: 10000, maxDirectives: 50, maxNesting: 64 },
        trustedDocuments: null,
        maxSubscriptionsPerConnection: 100,
      },
      registry: { databaseUrl: null, dataDir: './data', retentionDays: 30, retentionMs: 30 * 86_400_000, timeoutMs: 5000 },
      secrets: [],
    });
  });

  it('treats empty and blank variables as unset', () => {
    expect(loadConfig({ PORT: '', HOST: '  ', IMAGEKIT_PRIVATE_KEY: '' })).toMatchObject({ server: { port: 4000, host: '127.0.0.1' }, accounts: [] });
  });

  it('reads every numeric setting', () => {
    const config = loadConfig({
      PORT: '0',
      POLL_INTERVAL_MS: '50',
      POLL_MAX_INTERVAL_MS: '50',
      CACHE_TTL_MS: '5',
      DONE_CACHE_TTL_MS: '7',
      CACHE_STALE_MS: '9',
      CACHE_MAX_ENTRIES: '10',
      UPSTREAM_TIMEOUT_MS: '100',
      UPSTREAM_RETRIES: '0',
      UPSTREAM_RETRY_BASE_MS: '1',
      UPSTREAM_MAX_RETRY_WAIT_MS: '0',
      UPSTREAM_CONCURRENCY: '3',
      MAX_SUBSCRIPTIONS_PER_CONNECTION: '4',
      SHUTDOWN_TIMEOUT_MS: '250',
      BODY_LIMIT_BYTES: '2048',
      RESPONSE_CACHE_MAX_BYTES: '0',
    });
    expect(config).toMatchObject({
      server: { port: 0, shutdownTimeoutMs: 250, bodyLimitBytes: 2048, responseCacheMaxBytes: 0 },
      poll: { intervalMs: 50, maxIntervalMs: 50 },
      cache: { ttlMs: 5, doneTtlMs: 7, staleMs: 9, maxEntries: 10 },
      upstream: { timeoutMs: 100, retries: 0, retryBaseMs: 1, maxRetryWaitMs: 0, concurrency: 3 },
      security: { maxSubscriptionsPerConnection: 4 },
    });
  });

  it('reads the listen address, log level, Redis and CORS settings', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      LOG_LEVEL: 'DEBUG',
      REDIS_URL: 'redis://localhost:6379/0',
      REDIS_PREFIX: 'test:',
      REDIS_OPTIONAL: 'true',
      CORS_ORIGINS: 'https://app.example.com/, http://localhost:5173',
    });
    expect(config).toMatchObject({
      server: { host: '0.0.0.0' },
      logLevel: 'debug',
      redis: { url: 'redis://localhost:6379/0', prefix: 'test:', optional: true },
      security: { corsOrigins: ['https://app.example.com', 'http://localhost:5173'] },
    });
  });

  it('turns GraphiQL and introspection off in production unless asked for', () => {
    const browser = (config: Config) => ({ ...config.server, ...config.security });
    expect(browser(loadConfig({ NODE_ENV: 'production' }))).toMatchObject({ production: true, graphiql: false, introspection: false, fieldSuggestions: false });
    expect(browser(loadConfig({ NODE_ENV: 'production', GRAPHIQL: '1' }))).toMatchObject({ production: true, graphiql: true, introspection: true, fieldSuggestions: false });
    expect(browser(loadConfig({ GRAPHIQL: 'false' }))).toMatchObject({ production: false, graphiql: false, introspection: true, fieldSuggestions: true });
  });
});

describe('accounts from the environment (account "default")', () => {
  it('configures ImageKit from a private key, with the default base URL', () => {
    expect(loadConfig({ IMAGEKIT_PRIVATE_KEY: 'private_abc' }).accounts).toEqual([
      { provider: 'IMAGEKIT', name: 'default', baseUrl: 'https://api.imagekit.io', privateKey: 'private_abc', sandbox: false },
    ]);
  });

  it('accepts an ImageKit key without the private_ prefix', () => {
    expect(loadConfig({ IMAGEKIT_PRIVATE_KEY: 'abc' }).accounts[0]).toMatchObject({ privateKey: 'abc' });
  });

  it('keeps a base URL path prefix and drops the trailing slash', () => {
    const config = loadConfig({ IMAGEKIT_PRIVATE_KEY: 'private_abc', IMAGEKIT_BASE_URL: 'http://proxy.internal/imagekit/' });
    expect(config.accounts[0]).toMatchObject({ baseUrl: 'http://proxy.internal/imagekit' });
  });

  it('configures SAYMON with basic auth from a login and password', () => {
    const config = loadConfig({ SAYMON_BASE_URL: 'https://saas.saymon.info/', SAYMON_LOGIN: 'ops', SAYMON_PASSWORD: 'pw' });
    expect(config.accounts).toEqual([
      {
        provider: 'SAYMON',
        name: 'default',
        baseUrl: 'https://saas.saymon.info',
        auth: { scheme: 'basic', login: 'ops', password: 'pw' },
        sandbox: false,
      },
    ]);
  });

  it('configures SAYMON with session auth when asked', () => {
    const config = loadConfig({ SAYMON_BASE_URL: 'https://s.example', SAYMON_LOGIN: 'ops', SAYMON_PASSWORD: 'pw', SAYMON_AUTH: 'session' });
    expect(config.accounts[0]).toMatchObject({ auth: { scheme: 'session', login: 'ops', password: 'pw' } });
  });

  it('configures SAYMON with token auth from an API token', () => {
    const config = loadConfig({ SAYMON_BASE_URL: 'https://s.example', SAYMON_API_TOKEN: 'tok' });
    expect(config.accounts[0]).toMatchObject({ auth: { scheme: 'token', token: 'tok' } });
  });

  it('lets SAYMON_AUTH choose when both a login and a token are set', () => {
    const env = { SAYMON_BASE_URL: 'https://s.example', SAYMON_LOGIN: 'ops', SAYMON_PASSWORD: 'pw', SAYMON_API_TOKEN: 'tok' };
    expect(errorOf(env)).toMatch(/^SAYMON_AUTH: required when both/);
    expect(loadConfig({ ...env, SAYMON_AUTH: 'token' }).accounts[0]).toMatchObject({ auth: { scheme: 'token', token: 'tok' } });
  });

  it('configures Zendesk from a subdomain with an email and API token', () => {
    const config = loadConfig({ ZENDESK_SUBDOMAIN: 'Acme', ZENDESK_EMAIL: 'agent@acme.test', ZENDESK_API_TOKEN: 'zt' });
    expect(config.accounts).toEqual([
      {
        provider: 'ZENDESK',
        name: 'default',
        baseUrl: 'https://acme.zendesk.com',
        auth: { scheme: 'token', email: 'agent@acme.test', apiToken: 'zt' },
        sandbox: false,
      },
    ]);
  });

  it('configures Zendesk from a base URL with an OAuth token', () => {
    const config = loadConfig({ ZENDESK_BASE_URL: 'http://proxy.internal/zendesk', ZENDESK_OAUTH_TOKEN: 'oa' });
    expect(config.accounts[0]).toMatchObject({
      baseUrl: 'http://proxy.internal/zendesk',
      auth: { scheme: 'oauth', accessToken: 'oa' },
    });
  });

  it('lists the accounts of all three providers', () => {
    const config = loadConfig({
      IMAGEKIT_PRIVATE_KEY: 'private_abc',
      SAYMON_BASE_URL: 'https://s.example',
      SAYMON_API_TOKEN: 'tok',
      ZENDESK_SUBDOMAIN: 'acme',
      ZENDESK_OAUTH_TOKEN: 'oa',
    });
    expect(config.accounts.map((account) => [account.provider, account.name])).toEqual([
      ['IMAGEKIT', 'default'],
      ['SAYMON', 'default'],
      ['ZENDESK', 'default'],
    ]);
    expect(config.sandbox.enabled).toBe(false);
  });
});

describe('JOBS_CONFIG', () => {
  it('declares two Zendesk accounts whose secrets come from the environment', async () => {
    const path = await jobsFile({
      zendesk: {
        eu: { subdomain: 'acme-eu', email: 'eu@acme.test', apiToken: { env: 'ZD_EU_TOKEN' } },
        us: { baseUrl: 'https://proxy.internal/zendesk-us/', oauthToken: { env: 'ZD_US_OAUTH' } },
      },
    });
    const config = loadConfig({ JOBS_CONFIG: path, ZD_EU_TOKEN: 'eu-token', ZD_US_OAUTH: 'us-oauth' });
    expect(config.accounts).toEqual([
      {
        provider: 'ZENDESK',
        name: 'eu',
        baseUrl: 'https://acme-eu.zendesk.com',
        auth: { scheme: 'token', email: 'eu@acme.test', apiToken: 'eu-token' },
        sandbox: false,
      },
      {
        provider: 'ZENDESK',
        name: 'us',
        baseUrl: 'https://proxy.internal/zendesk-us',
        auth: { scheme: 'oauth', accessToken: 'us-oauth' },
        sandbox: false,
      },
    ]);
    expect(config.secrets).toEqual(expect.arrayContaining(['eu-token', 'us-oauth']));
    expect(config.sandbox.enabled).toBe(false);
  });

  it('adds file accounts after the environment ones, for every provider', async () => {
    const path = await jobsFile({
      imagekit: { media: { privateKey: 'private_media', baseUrl: 'http://ik.proxy/x' } },
      saymon: { lab: { baseUrl: 'https://lab.saymon.test', login: 'ops', password: { env: 'LAB_PW' }, auth: 'session' } },
    });
    const config = loadConfig({ JOBS_CONFIG: path, LAB_PW: 'lab-pw', IMAGEKIT_PRIVATE_KEY: 'private_env' });
    expect(config.accounts).toEqual([
      { provider: 'IMAGEKIT', name: 'default', baseUrl: 'https://api.imagekit.io', privateKey: 'private_env', sandbox: false },
      { provider: 'IMAGEKIT', name: 'media', baseUrl: 'http://ik.proxy/x', privateKey: 'private_media', sandbox: false },
      {
        provider: 'SAYMON',
        name: 'lab',
        baseUrl: 'https://lab.saymon.test',
        auth: { scheme: 'session', login: 'ops', password: 'lab-pw' },
        sandbox: false,
      },
    ]);
  });

  it('allows account "default" in the file for a provider the environment does not configure', async () => {
    const path = await jobsFile({ zendesk: { default: { subdomain: 'acme', oauthToken: 'oa' } } });
    const config = loadConfig({ JOBS_CONFIG: path, IMAGEKIT_PRIVATE_KEY: 'private_env' });
    expect(config.accounts.map((account) => `${account.provider}:${account.name}`)).toEqual(['IMAGEKIT:default', 'ZENDESK:default']);
  });

  it('declares API keys limited to providers, after those of API_KEYS', async () => {
    const path = await jobsFile({
      apiKeys: [
        { name: 'support', key: { env: 'SUPPORT_KEY' }, providers: ['ZENDESK'] },
        { name: 'ops', key: 'ops-key' },
      ],
    });
    const config = loadConfig({ JOBS_CONFIG: path, SUPPORT_KEY: 'support-key', API_KEYS: 'a-key, b-key' });
    expect(config.security.apiKeys).toEqual([
      { key: 'a-key', providers: null, name: 'key1', can: ['read', 'track', 'start', 'webhooks'] },
      { key: 'b-key', providers: null, name: 'key2', can: ['read', 'track', 'start', 'webhooks'] },
      { key: 'support-key', providers: ['ZENDESK'], name: 'support', can: ['read', 'track'] },
      { key: 'ops-key', providers: null, name: 'ops', can: ['read', 'track'] },
    ]);
  });

  it('gives JOBS_CONFIG keys the capabilities they list', async () => {
    const path = await jobsFile({ apiKeys: [{ name: 'starter', key: 'starter-key', can: ['read', 'start'] }] });
    expect(loadConfig({ JOBS_CONFIG: path }).security.apiKeys).toEqual([{ key: 'starter-key', providers: null, name: 'starter', can: ['read', 'start'] }]);
    const bad = await jobsFile({ apiKeys: [{ name: 'odd', key: 'odd-key', can: ['fly'] }] });
    expect(() => loadConfig({ JOBS_CONFIG: bad })).toThrow(/apiKeys\[0\]\.can\[0\]/);
  });

  it('reads the registry settings and keeps the database password secret', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://app:s3cret-pw@db:5432/jobs', DATA_DIR: '/var/lib/jsg', TRACK_RETENTION_DAYS: '7' });
    expect(config.registry).toMatchObject({ databaseUrl: 'postgres://app:s3cret-pw@db:5432/jobs', dataDir: '/var/lib/jsg', retentionDays: 7 });
    expect(config.secrets).toContain('s3cret-pw');
    expect(loadConfig({ DATABASE_URL: 'memory:' }).registry.databaseUrl).toBe('memory:');
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:pw@h/db' })).toThrow(/^DATABASE_URL: expected postgres:\/\/…, postgresql:\/\/… or memory:$/);
  });
});

describe('errors name the variable and never the secret', () => {
  it.each([
    [{ POLL_INTERVAL_MS: 'abc' }, 'POLL_INTERVAL_MS: expected a positive integer, got "abc"'],
    [{ CACHE_TTL_MS: '0' }, 'CACHE_TTL_MS: expected a positive integer, got "0"'],
    [{ UPSTREAM_TIMEOUT_MS: '1.5' }, 'UPSTREAM_TIMEOUT_MS: expected a positive integer, got "1.5"'],
    [{ UPSTREAM_RETRIES: '-1' }, 'UPSTREAM_RETRIES: expected a non-negative integer, got "-1"'],
    [{ PORT: '70000' }, 'PORT: expected at most 65535, got "70000"'],
    [{ SHUTDOWN_TIMEOUT_MS: '9999999999' }, 'SHUTDOWN_TIMEOUT_MS: expected at most 2147483647, got "9999999999"'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal, silent, got "verbose"'],
    [{ SANDBOX: 'yes' }, 'SANDBOX: expected 1, 0, true or false, got "yes"'],
    [{ POLL_INTERVAL_MS: '5000', POLL_MAX_INTERVAL_MS: '1000' }, 'POLL_MAX_INTERVAL_MS: must be at least POLL_INTERVAL_MS (5000), got "1000"'],
    [{ CORS_ORIGINS: 'https://app.example.com/path' }, 'CORS_ORIGINS: expected origins like'],
    [{ IMAGEKIT_BASE_URL: 'https://ik.proxy' }, 'IMAGEKIT_PRIVATE_KEY: required to configure ImageKit'],
    [{ IMAGEKIT_PRIVATE_KEY: 'k', IMAGEKIT_BASE_URL: 'ftp://ik.proxy' }, 'IMAGEKIT_BASE_URL: expected an http(s) URL, got "ftp://ik.proxy"'],
    [{ IMAGEKIT_PRIVATE_KEY: 'k', IMAGEKIT_BASE_URL: 'ik.proxy' }, 'IMAGEKIT_BASE_URL: expected an http(s) URL'],
    [{ IMAGEKIT_PRIVATE_KEY: 'k', IMAGEKIT_BASE_URL: 'https://ik.proxy/?a=1' }, 'IMAGEKIT_BASE_URL: must not have a query or fragment'],
    [{ SAYMON_BASE_URL: 'https://s.example' }, 'SAYMON_LOGIN: credentials required: set SAYMON_LOGIN and SAYMON_PASSWORD, or SAYMON_API_TOKEN'],
    [{ SAYMON_BASE_URL: 'https://s.example', SAYMON_LOGIN: 'ops' }, 'SAYMON_PASSWORD: required with SAYMON_LOGIN'],
    [{ SAYMON_LOGIN: 'ops', SAYMON_PASSWORD: 'pw' }, 'SAYMON_BASE_URL: required to configure SAYMON'],
    [{ SAYMON_BASE_URL: 'https://s.example', SAYMON_API_TOKEN: 't', SAYMON_AUTH: 'cookie' }, 'SAYMON_AUTH: expected basic, session or token, got "cookie"'],
    [{ SAYMON_BASE_URL: 'https://s.example', SAYMON_LOGIN: 'ops', SAYMON_AUTH: 'token' }, 'SAYMON_API_TOKEN: required with SAYMON_AUTH "token"'],
    [{ ZENDESK_SUBDOMAIN: 'acme' }, 'ZENDESK_API_TOKEN: credentials required: set ZENDESK_EMAIL and ZENDESK_API_TOKEN, or ZENDESK_OAUTH_TOKEN'],
    [{ ZENDESK_EMAIL: 'a@b.c', ZENDESK_API_TOKEN: 't' }, 'ZENDESK_SUBDOMAIN: required to configure Zendesk (or set ZENDESK_BASE_URL)'],
    [{ ZENDESK_SUBDOMAIN: 'acme.zendesk.com', ZENDESK_OAUTH_TOKEN: 't' }, 'ZENDESK_SUBDOMAIN: expected the subdomain alone, like "acme"'],
    [
      { ZENDESK_SUBDOMAIN: 'acme', ZENDESK_BASE_URL: 'https://acme.zendesk.com', ZENDESK_OAUTH_TOKEN: 't' },
      'ZENDESK_BASE_URL: set ZENDESK_SUBDOMAIN or ZENDESK_BASE_URL, not both',
    ],
    [{ ZENDESK_SUBDOMAIN: 'acme', ZENDESK_API_TOKEN: 't' }, 'ZENDESK_EMAIL: required with ZENDESK_API_TOKEN'],
    [{ ZENDESK_SUBDOMAIN: 'acme', ZENDESK_EMAIL: 'not-an-email', ZENDESK_API_TOKEN: 't' }, 'ZENDESK_EMAIL: expected an email address'],
    [
      { ZENDESK_SUBDOMAIN: 'acme', ZENDESK_EMAIL: 'a@b.c', ZENDESK_API_TOKEN: 't', ZENDESK_OAUTH_TOKEN: 'o' },
      'ZENDESK_OAUTH_TOKEN: set ZENDESK_EMAIL and ZENDESK_API_TOKEN, or ZENDESK_OAUTH_TOKEN, not both',
    ],
    [{ REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL: expected a redis:// or rediss:// URL, got a http: URL'],
  ])('%j', (env, expected) => {
    expect(errorOf(env)).toContain(expected);
  });

  it.each([
    ['an ImageKit key with a line break', { IMAGEKIT_PRIVATE_KEY: `${SECRET}\nx` }, 'IMAGEKIT_PRIVATE_KEY: must not contain control characters'],
    ['an ImageKit key with a colon', { IMAGEKIT_PRIVATE_KEY: `${SECRET}:x` }, 'IMAGEKIT_PRIVATE_KEY: must not contain ":"'],
    [
      'a SAYMON password with a control character',
      { SAYMON_BASE_URL: 'https://s.example', SAYMON_LOGIN: 'ops', SAYMON_PASSWORD: `${SECRET}\u0007` },
      'SAYMON_PASSWORD: must not contain control characters',
    ],
    ['a Zendesk OAuth token with a line break', { ZENDESK_SUBDOMAIN: 'acme', ZENDESK_OAUTH_TOKEN: `${SECRET}\r\nX: y` }, 'ZENDESK_OAUTH_TOKEN'],
    ['a base URL with credentials', { IMAGEKIT_PRIVATE_KEY: 'k', IMAGEKIT_BASE_URL: `https://u:${SECRET}@ik.proxy` }, 'IMAGEKIT_BASE_URL: must not contain credentials'],
    ['an unparsable base URL with an @', { SAYMON_BASE_URL: `${SECRET}@host`, SAYMON_API_TOKEN: 't' }, 'SAYMON_BASE_URL: expected an http(s) URL'],
    ['an API key with a space', { API_KEYS: `ok-key, ${SECRET} x` }, 'API_KEYS: key 2 contains spaces'],
    ['a repeated API key', { API_KEYS: `${SECRET},${SECRET}` }, 'API_KEYS: key 2 repeats an earlier key'],
    ['a Redis URL that is not one', { REDIS_URL: `${SECRET}` }, 'REDIS_URL: expected a redis:// or rediss:// URL'],
    ['a Redis URL of the wrong scheme', { REDIS_URL: `https://:${SECRET}@host` }, 'REDIS_URL: expected a redis:// or rediss:// URL'],
  ])('%s', (_, env, expected) => {
    const message = errorOf(env);
    expect(message).toContain(expected);
    expect(message).not.toContain(SECRET);
  });

  it('reports every problem in one message', () => {
    const message = errorOf({ PORT: 'x', LOG_LEVEL: 'loud', ZENDESK_SUBDOMAIN: 'acme' });
    expect(message).toContain('PORT: expected a non-negative integer, got "x"');
    expect(message).toContain('LOG_LEVEL: expected one of');
    expect(message).toContain('ZENDESK_API_TOKEN: credentials required');
  });

  it('skips the interval comparison when an interval is itself invalid', () => {
    expect(errorOf({ POLL_INTERVAL_MS: 'soon', POLL_MAX_INTERVAL_MS: '100' })).toBe(
      'POLL_INTERVAL_MS: expected a positive integer, got "soon"',
    );
  });
});

describe('JOBS_CONFIG errors name the file and key path and never the secret', () => {
  it('names the variable a secret should come from when it is not set', async () => {
    const path = await jobsFile({ zendesk: { eu: { subdomain: 'acme', email: 'a@b.c', apiToken: { env: 'ZD_EU_TOKEN' } } } });
    expect(errorOf({ JOBS_CONFIG: path })).toBe(`JOBS_CONFIG ${path}: zendesk.eu.apiToken: environment variable ZD_EU_TOKEN is not set`);
    expect(errorOf({ JOBS_CONFIG: path, ZD_EU_TOKEN: ' ' })).toContain('environment variable ZD_EU_TOKEN is not set');
  });

  it('names an unreadable file', async () => {
    const path = join(dir, 'missing.json');
    expect(errorOf({ JOBS_CONFIG: path })).toBe(`JOBS_CONFIG ${path}: cannot read the file (ENOENT)`);
  });

  it('reports invalid JSON by place, without quoting the text', async () => {
    const path = await jobsFile(`{\n  "imagekit": { "a": { "privateKey": "${SECRET}" x } }\n}`);
    const message = errorOf({ JOBS_CONFIG: path });
    expect(message).toMatch(new RegExp(`^JOBS_CONFIG ${path}: not valid JSON \\(line 2, column \\d+\\)$`));
    expect(message).not.toContain(SECRET);
  });

  it('refuses unknown keys at the top level and inside accounts (typos)', async () => {
    const path = await jobsFile({ zendsk: {}, saymon: { lab: { baseUrl: 'https://s.example', apiTokn: SECRET } } });
    const message = errorOf({ JOBS_CONFIG: path });
    expect(message).toContain('unknown key "zendsk" (expected imagekit, saymon, zendesk, apiKeys)');
    expect(message).toContain('saymon.lab: unknown key "apiTokn"');
    expect(message).not.toContain(SECRET);
  });

  it('refuses bad account names', async () => {
    const path = await jobsFile({ imagekit: { 'eu west': { privateKey: SECRET } } });
    const message = errorOf({ JOBS_CONFIG: path });
    expect(message).toBe(`JOBS_CONFIG ${path}: imagekit.eu west: account names must match ^[A-Za-z0-9_-]{1,64}$`);
  });

  it('refuses account "default" in both the environment and the file, naming both', async () => {
    const path = await jobsFile({ imagekit: { default: { privateKey: SECRET } } });
    const message = errorOf({ JOBS_CONFIG: path, IMAGEKIT_PRIVATE_KEY: 'private_env' });
    expect(message).toContain(`JOBS_CONFIG ${path}: imagekit.default: account "default" is also configured by environment variables`);
    expect(message).toContain('IMAGEKIT_PRIVATE_KEY');
    expect(message).not.toContain(SECRET);
  });

  it.each([
    ['a secret of the wrong type', { zendesk: { eu: { subdomain: 'acme', oauthToken: 42 } } }, 'zendesk.eu.oauthToken: expected a string or {"env": "VARIABLE"}'],
    ['an empty inline secret', { zendesk: { eu: { subdomain: 'acme', oauthToken: '' } } }, 'zendesk.eu.oauthToken: must not be empty'],
    [
      'an inline secret with a line break',
      { zendesk: { eu: { subdomain: 'acme', oauthToken: `${SECRET}\nx` } } },
      'zendesk.eu.oauthToken: must not contain control characters',
    ],
    ['missing credentials', { zendesk: { eu: { subdomain: 'acme' } } }, 'zendesk.eu.apiToken: credentials required: set email and apiToken, or oauthToken'],
    ['a bad base URL', { saymon: { lab: { baseUrl: 'saymon.lab', apiToken: SECRET } } }, 'saymon.lab.baseUrl: expected an http(s) URL'],
    ['a bad auth scheme', { saymon: { lab: { baseUrl: 'https://s.example', apiToken: SECRET, auth: 'oauth' } } }, 'saymon.lab.auth: expected basic, session or token'],
    ['an unknown provider in an API key', { apiKeys: [{ name: 'k', key: SECRET, providers: ['GITHUB'] }] }, 'apiKeys[0].providers[0]:'],
    ['an API key without a name', { apiKeys: [{ key: SECRET }] }, 'apiKeys[0].name:'],
    ['an API key name used by API_KEYS', { apiKeys: [{ name: 'key1', key: SECRET }] }, 'apiKeys[0].name: "key1" names another API key'],
    ['a repeated API key', { apiKeys: [{ name: 'a', key: 'k-1' }, { name: 'b', key: { env: 'SAME_AS_A' } }] }, 'apiKeys[1].key: repeats an earlier key'],
    ['a file that is not an object', [], 'expected object'],
  ])('%s', async (_, contents, expected) => {
    const path = await jobsFile(contents);
    const message = errorOf({ JOBS_CONFIG: path, API_KEYS: 'env-key', SAME_AS_A: 'k-1' });
    expect(message).toContain(`JOBS_CONFIG ${path}: `);
    expect(message).toContain(expected);
    expect(message).not.toContain(SECRET);
  });
});

describe('sandbox.port', () => {
  it('is null (ephemeral) unless SANDBOX_PORT names a port', () => {
    expect(loadConfig({}).sandbox.port).toBeNull();
    expect(loadConfig({ SANDBOX_PORT: '4010' }).sandbox.port).toBe(4010);
    expect(() => loadConfig({ SANDBOX_PORT: 'abc' })).toThrow(/SANDBOX_PORT/);
    expect(() => loadConfig({ SANDBOX_PORT: '70000' })).toThrow(/SANDBOX_PORT/);
  });
});

describe('sandbox.enabled', () => {
  it('is on when no account is configured, off when one is', () => {
    expect(loadConfig({}).sandbox.enabled).toBe(true);
    expect(loadConfig({ IMAGEKIT_PRIVATE_KEY: 'private_abc' }).sandbox.enabled).toBe(false);
  });

  it('follows SANDBOX when set', () => {
    expect(loadConfig({ SANDBOX: '1', IMAGEKIT_PRIVATE_KEY: 'private_abc' }).sandbox.enabled).toBe(true);
    expect(loadConfig({ SANDBOX: 'TRUE' }).sandbox.enabled).toBe(true);
    expect(loadConfig({ SANDBOX: '0' }).sandbox.enabled).toBe(false);
    expect(loadConfig({ SANDBOX: 'false' }).sandbox.enabled).toBe(false);
  });

  it('never lists sandbox accounts among the configured ones', () => {
    const config = loadConfig({ SANDBOX: '1', ZENDESK_SUBDOMAIN: 'acme', ZENDESK_OAUTH_TOKEN: 'oa' });
    expect(config.accounts.every((account) => !account.sandbox)).toBe(true);
  });
});

describe('secrets', () => {
  it('lists every configured secret value, longest first, and nothing else', async () => {
    const path = await jobsFile({
      imagekit: { media: { privateKey: { env: 'MEDIA_KEY' } } },
      apiKeys: [{ name: 'ops', key: 'file-api-key' }],
    });
    const config = loadConfig({
      JOBS_CONFIG: path,
      MEDIA_KEY: 'private_media-key',
      IMAGEKIT_PRIVATE_KEY: 'private_ik',
      SAYMON_BASE_URL: 'https://s.example',
      SAYMON_LOGIN: 'ops-login',
      SAYMON_PASSWORD: 'saymon-pw',
      ZENDESK_SUBDOMAIN: 'acme',
      ZENDESK_EMAIL: 'agent@acme.test',
      ZENDESK_API_TOKEN: 'zendesk-token',
      API_KEYS: 'env-api-key',
      REDIS_URL: 'redis://user:redis%40pw@localhost:6379',
    });
    expect([...config.secrets].sort()).toEqual(
      ['env-api-key', 'file-api-key', 'private_ik', 'private_media-key', 'redis%40pw', 'redis@pw', 'saymon-pw', 'zendesk-token'].sort(),
    );
    const lengths = config.secrets.map((secret) => secret.length);
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
  });

  it('excludes empty values', () => {
    expect(loadConfig({ API_KEYS: ' , ', REDIS_URL: 'redis://localhost' }).secrets).toEqual([]);
  });
});

describe('ENV_REFERENCE', () => {
  it('lists exactly the variables the configuration reads', () => {
    const read = new Set<string>();
    const env = new Proxy<Env>({}, { get: (_, name) => (typeof name === 'string' && read.add(name), undefined) });
    loadConfig(env);
    expect(ENV_REFERENCE.map((entry) => entry.name).sort()).toEqual([...read].sort());
  });

  it('documents each variable with a default and a meaning', () => {
    for (const entry of ENV_REFERENCE) {
      expect(entry.name).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(entry.default).not.toBe('');
      expect(entry.meaning).not.toBe('');
    }
  });

  it('covers every variable of the contract', () => {
    const names = ENV_REFERENCE.map((entry) => entry.name);
    for (const name of [
      'PORT',
      'HOST',
      'IMAGEKIT_PRIVATE_KEY',
      'IMAGEKIT_BASE_URL',
      'SAYMON_BASE_URL',
      'SAYMON_LOGIN',
      'SAYMON_PASSWORD',
      'ZENDESK_SUBDOMAIN',
      'ZENDESK_BASE_URL',
      'ZENDESK_EMAIL',
      'ZENDESK_API_TOKEN',
      'ZENDESK_OAUTH_TOKEN',
      'JOBS_CONFIG',
      'SANDBOX',
      'REDIS_URL',
      'API_KEYS',
      'POLL_INTERVAL_MS',
      'POLL_MAX_INTERVAL_MS',
      'CACHE_TTL_MS',
      'LOG_LEVEL',
    ]) {
      expect(names).toContain(name);
    }
  });
});
