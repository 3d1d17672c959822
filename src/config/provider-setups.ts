/**
 * Provider accounts: one builder per provider, shared by the environment and the file.
 */
import type { Provider } from '../jobs/model.js';
import type {
  AccountConfig,
  ImageKitAccount,
  SaymonAccount,
  SaymonAuth,
  ZendeskAccount,
  ZendeskAuth,
} from '../providers/client.js';
import { baseUrlOf, required, requiredSecret, type Fields, type Origin } from './account-fields.js';
import { ENV, type EnvName } from './env-table.js';
import { quote } from './findings.js';

/** How one provider's accounts are configured: their variables, their key in the file, their secrets, their builder. */
export interface ProviderSetup<F extends string> {
  readonly provider: Provider;
  /** The key of this provider's accounts in the JOBS_CONFIG file. */
  readonly fileKey: 'imagekit' | 'saymon' | 'zendesk';
  /** The environment variable of each field, for account `default`. */
  readonly env: Readonly<Record<F, EnvName>>;
  /** Fields whose values join `Config.secrets` (and which builders never echo). */
  readonly secretFields: readonly F[];
  build(name: string, fields: Fields<F>, at: Origin): AccountConfig | undefined;
}

export const IMAGEKIT: ProviderSetup<'privateKey' | 'baseUrl'> = {
  provider: 'IMAGEKIT',
  fileKey: 'imagekit',
  env: { privateKey: 'IMAGEKIT_PRIVATE_KEY', baseUrl: 'IMAGEKIT_BASE_URL' },
  secretFields: ['privateKey'],
  build: imageKitAccount,
};

export const SAYMON: ProviderSetup<'baseUrl' | 'login' | 'password' | 'apiToken' | 'auth'> = {
  provider: 'SAYMON',
  fileKey: 'saymon',
  env: {
    baseUrl: 'SAYMON_BASE_URL',
    login: 'SAYMON_LOGIN',
    password: 'SAYMON_PASSWORD',
    apiToken: 'SAYMON_API_TOKEN',
    auth: 'SAYMON_AUTH',
  },
  secretFields: ['password', 'apiToken'],
  build: saymonAccount,
};

export const ZENDESK: ProviderSetup<'subdomain' | 'baseUrl' | 'email' | 'apiToken' | 'oauthToken'> = {
  provider: 'ZENDESK',
  fileKey: 'zendesk',
  env: {
    subdomain: 'ZENDESK_SUBDOMAIN',
    baseUrl: 'ZENDESK_BASE_URL',
    email: 'ZENDESK_EMAIL',
    apiToken: 'ZENDESK_API_TOKEN',
    oauthToken: 'ZENDESK_OAUTH_TOKEN',
  },
  secretFields: ['apiToken', 'oauthToken'],
  build: zendeskAccount,
};

/** Every provider, in the order their accounts are listed. */
export const PROVIDER_SETUPS: readonly ProviderSetup<string>[] = [IMAGEKIT, SAYMON, ZENDESK];

const IMAGEKIT_DEFAULT_BASE_URL = ENV.IMAGEKIT_BASE_URL.default;

function imageKitAccount(name: string, fields: Fields<'privateKey' | 'baseUrl'>, at: Origin): ImageKitAccount | undefined {
  const privateKey = requiredSecret(fields, 'privateKey', at, 'required to configure ImageKit');
  if (privateKey?.includes(':')) at.problem('privateKey', 'must not contain ":" (it is sent as the HTTP Basic username)');
  const baseUrl = fields.baseUrl === undefined ? IMAGEKIT_DEFAULT_BASE_URL : baseUrlOf(fields, 'baseUrl', at);
  if (privateKey === undefined || privateKey.includes(':') || baseUrl === undefined) return undefined;
  return { provider: 'IMAGEKIT', name, baseUrl, privateKey, sandbox: false };
}

const SAYMON_SCHEMES = ['basic', 'session', 'token'] as const;

function saymonAccount(
  name: string,
  fields: Fields<'baseUrl' | 'login' | 'password' | 'apiToken' | 'auth'>,
  at: Origin,
): SaymonAccount | undefined {
  const baseUrl = required(fields, 'baseUrl', at, 'required to configure SAYMON') && baseUrlOf(fields, 'baseUrl', at);
  const auth = saymonAuth(fields, at);
  if (baseUrl === undefined || auth === undefined) return undefined;
  return { provider: 'SAYMON', name, baseUrl, auth, sandbox: false };
}

function saymonAuth(fields: Fields<'login' | 'password' | 'apiToken' | 'auth'>, at: Origin): SaymonAuth | undefined {
  const scheme = saymonScheme(fields, at);
  if (scheme === undefined) return undefined;
  if (scheme === 'token') {
    const token = requiredSecret(fields, 'apiToken', at, `required with ${at.name('auth')} "token"`);
    return token === undefined ? undefined : { scheme, token };
  }
  const login = required(fields, 'login', at, `required with ${at.name('password')}`);
  const password = requiredSecret(fields, 'password', at, `required with ${at.name('login')}`);
  if (scheme === 'basic' && login?.includes(':')) {
    at.problem('login', 'must not contain ":" with basic auth');
    return undefined;
  }
  return login === undefined || password === undefined ? undefined : { scheme, login, password };
}

/** The explicit `auth`, else what the credentials given imply; both kinds given is ambiguous. */
function saymonScheme(fields: Fields<'login' | 'password' | 'apiToken' | 'auth'>, at: Origin): SaymonAuth['scheme'] | undefined {
  if (fields.auth !== undefined) {
    const scheme = SAYMON_SCHEMES.find((option) => option === fields.auth);
    if (scheme === undefined) at.problem('auth', `expected basic, session or token, got ${quote(fields.auth)}`);
    return scheme;
  }
  const hasLogin = fields.login !== undefined || fields.password !== undefined;
  const hasToken = fields.apiToken !== undefined;
  if (hasLogin && hasToken) {
    at.problem('auth', `required when both a login and ${at.name('apiToken')} are set: basic, session or token`);
    return undefined;
  }
  if (hasToken) return 'token';
  if (hasLogin) return 'basic';
  at.problem('login', `credentials required: set ${at.name('login')} and ${at.name('password')}, or ${at.name('apiToken')}`);
  return undefined;
}

type ZendeskFields = Fields<'subdomain' | 'baseUrl' | 'email' | 'apiToken' | 'oauthToken'>;

function zendeskAccount(name: string, fields: ZendeskFields, at: Origin): ZendeskAccount | undefined {
  const baseUrl = zendeskBaseUrl(fields, at);
  const auth = zendeskAuth(fields, at);
  if (baseUrl === undefined || auth === undefined) return undefined;
  return { provider: 'ZENDESK', name, baseUrl, auth, sandbox: false };
}

/** A DNS label: what Zendesk allows as a subdomain. */
const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** Subdomain and base URL together are refused rather than one silently ignored. */
function zendeskBaseUrl(fields: ZendeskFields, at: Origin): string | undefined {
  const { subdomain } = fields;
  if (subdomain !== undefined && fields.baseUrl !== undefined) {
    at.problem('baseUrl', `set ${at.name('subdomain')} or ${at.name('baseUrl')}, not both`);
    return undefined;
  }
  if (fields.baseUrl !== undefined) return baseUrlOf(fields, 'baseUrl', at);
  if (subdomain === undefined) {
    at.problem('subdomain', `required to configure Zendesk (or set ${at.name('baseUrl')})`);
    return undefined;
  }
  if (!SUBDOMAIN.test(subdomain)) {
    at.problem('subdomain', `expected the subdomain alone, like "acme" for https://acme.zendesk.com, got ${quote(subdomain)}`);
    return undefined;
  }
  return `https://${subdomain.toLowerCase()}.zendesk.com`;
}

/** Zendesk's API-token username is `{email}/token`: an email with ":" would break HTTP Basic. */
const EMAIL = /^[^\s@:]+@[^\s@:]+$/;

function zendeskAuth(fields: ZendeskFields, at: Origin): ZendeskAuth | undefined {
  const wantsToken = fields.email !== undefined || fields.apiToken !== undefined;
  if (wantsToken && fields.oauthToken !== undefined) {
    at.problem('oauthToken', `set ${at.name('email')} and ${at.name('apiToken')}, or ${at.name('oauthToken')}, not both`);
    return undefined;
  }
  if (fields.oauthToken !== undefined) {
    const accessToken = requiredSecret(fields, 'oauthToken', at, 'required');
    return accessToken === undefined ? undefined : { scheme: 'oauth', accessToken };
  }
  if (!wantsToken) {
    at.problem('apiToken', `credentials required: set ${at.name('email')} and ${at.name('apiToken')}, or ${at.name('oauthToken')}`);
    return undefined;
  }
  const email = required(fields, 'email', at, `required with ${at.name('apiToken')}`);
  if (email !== undefined && !EMAIL.test(email)) at.problem('email', 'expected an email address');
  const apiToken = requiredSecret(fields, 'apiToken', at, `required with ${at.name('email')}`);
  if (email === undefined || !EMAIL.test(email) || apiToken === undefined) return undefined;
  return { scheme: 'token', email, apiToken };
}
