/**
 * SAYMON, described: its kind (bulk operations), its status words (`finished`), how an account is
 * configured (`SAYMON_*`, the file's `saymon`), and its client (`client.ts`, sessions in `session.ts`).
 */
import { baseUrlOf, ceilingOf, quote, required, requiredSecret, type Fields, type Origin } from '../account-fields.js';
import type { ProviderDescriptor } from '../descriptor.js';
import { createSaymonClient } from './client.js';

export type SaymonAuth =
  | { readonly scheme: 'basic'; readonly login: string; readonly password: string }
  | { readonly scheme: 'session'; readonly login: string; readonly password: string }
  | { readonly scheme: 'token'; readonly token: string };

export interface SaymonAccount {
  readonly provider: 'SAYMON';
  readonly name: string;
  readonly baseUrl: string;
  readonly auth: SaymonAuth;
  readonly sandbox: boolean;
  /** `maxRequestsPerMinute`: a ceiling on upstream calls per minute (the pacer takes the lower of it and the advertised limit). */
  readonly maxRequestsPerMinute?: number;
}

const ENV_VARS = {
  baseUrl: { name: 'SAYMON_BASE_URL', default: '—', meaning: 'Enables SAYMON as account `default`: the installation URL, e.g. `https://saas.saymon.info`.' },
  login: { name: 'SAYMON_LOGIN', default: '—', meaning: 'SAYMON login (basic or session auth).' },
  password: { name: 'SAYMON_PASSWORD', default: '—', meaning: 'SAYMON password. Secret.' },
  apiToken: { name: 'SAYMON_API_TOKEN', default: '—', meaning: 'SAYMON API token (`?api-token=`), instead of login and password. Secret.' },
  auth: {
    name: 'SAYMON_AUTH',
    default: '`basic` with a login, `token` with an API token',
    meaning: 'SAYMON auth scheme: `basic`, `session` or `token`; required when both a login and a token are set.',
  },
  maxRequestsPerMinute: {
    name: 'SAYMON_MAX_REQUESTS_PER_MINUTE',
    default: '—',
    meaning: 'Optional ceiling on SAYMON calls per minute for this account; calls are paced to the lower of it and the limit the provider advertises.',
  },
} as const;

/** What the client and the outcome builder read: the label, the kinds, the status words. */
const WORDS = {
  label: 'SAYMON',
  kinds: [{ kind: 'SAYMON_BULK_OP', typename: 'SaymonBulkOp', noun: 'bulk operation' }],
  states: {
    false: { state: 'RUNNING', done: false },
    true: { state: 'COMPLETED', done: true },
  },
} satisfies Pick<ProviderDescriptor, 'label' | 'kinds' | 'states'>;

export const SAYMON = {
  provider: 'SAYMON',
  ...WORDS,
  account: { fileKey: 'saymon', env: ENV_VARS, secretFields: ['password', 'apiToken'], build: saymonAccount },
  createClient: (account, deps) => createSaymonClient(account, deps, WORDS),
} satisfies ProviderDescriptor<SaymonAccount, keyof typeof ENV_VARS, (typeof ENV_VARS)[keyof typeof ENV_VARS]['name']>;

const SAYMON_SCHEMES = ['basic', 'session', 'token'] as const;

function saymonAccount(
  name: string,
  fields: Fields<'baseUrl' | 'login' | 'password' | 'apiToken' | 'auth' | 'maxRequestsPerMinute'>,
  at: Origin,
): SaymonAccount | undefined {
  const baseUrl = required(fields, 'baseUrl', at, 'required to configure SAYMON') && baseUrlOf(fields, 'baseUrl', at);
  const auth = saymonAuth(fields, at);
  const ceiling = ceilingOf(fields, 'maxRequestsPerMinute', at);
  if (baseUrl === undefined || auth === undefined || ceiling === null) return undefined;
  return { provider: 'SAYMON', name, baseUrl, auth, sandbox: false, ...(ceiling && { maxRequestsPerMinute: ceiling }) };
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

