/**
 * Zendesk, described: its kind (job statuses), its status words, how an account is configured
 * (`ZENDESK_*`, the file's `zendesk`), and its client (`client.ts`; wire parsing in `wire.ts`).
 */
import { baseUrlOf, ceilingOf, quote, required, requiredSecret, type Fields, type Origin } from '../account-fields.js';
import type { ProviderDescriptor } from '../descriptor.js';
import { createZendeskClient } from './client.js';

export type ZendeskAuth =
  | { readonly scheme: 'token'; readonly email: string; readonly apiToken: string }
  | { readonly scheme: 'oauth'; readonly accessToken: string };

export interface ZendeskAccount {
  readonly provider: 'ZENDESK';
  readonly name: string;
  readonly baseUrl: string;
  readonly auth: ZendeskAuth;
  readonly sandbox: boolean;
  /** `maxRequestsPerMinute`: a ceiling on upstream calls per minute (the pacer takes the lower of it and the advertised limit). */
  readonly maxRequestsPerMinute?: number;
}

const ENV_VARS = {
  subdomain: { name: 'ZENDESK_SUBDOMAIN', default: '—', meaning: 'Enables Zendesk as account `default` at `https://{sub}.zendesk.com`.' },
  baseUrl: { name: 'ZENDESK_BASE_URL', default: '—', meaning: 'Zendesk base URL instead of `ZENDESK_SUBDOMAIN` (e.g. a proxy; may carry a path prefix).' },
  email: { name: 'ZENDESK_EMAIL', default: '—', meaning: 'Zendesk agent email, with `ZENDESK_API_TOKEN`.' },
  apiToken: { name: 'ZENDESK_API_TOKEN', default: '—', meaning: 'Zendesk API token, with `ZENDESK_EMAIL`. Secret.' },
  oauthToken: { name: 'ZENDESK_OAUTH_TOKEN', default: '—', meaning: 'Zendesk OAuth access token, instead of email and API token. Secret.' },
  maxRequestsPerMinute: {
    name: 'ZENDESK_MAX_REQUESTS_PER_MINUTE',
    default: '—',
    meaning: 'Optional ceiling on Zendesk calls per minute for this account; calls are paced to the lower of it and the limit the provider advertises.',
  },
} as const;

/** What the client and the outcome builder read: the label, the kinds, the status words. */
const WORDS = {
  label: 'Zendesk',
  kinds: [{ kind: 'ZENDESK_JOB_STATUS', typename: 'ZendeskJobStatus', noun: 'job status' }],
  states: {
    queued: { state: 'QUEUED', done: false },
    working: { state: 'RUNNING', done: false },
    completed: { state: 'COMPLETED', done: true },
    failed: { state: 'FAILED', done: true },
    killed: { state: 'CANCELLED', done: true },
  },
} satisfies Pick<ProviderDescriptor, 'label' | 'kinds' | 'states'>;

export const ZENDESK = {
  provider: 'ZENDESK',
  ...WORDS,
  account: { fileKey: 'zendesk', env: ENV_VARS, secretFields: ['apiToken', 'oauthToken'], build: zendeskAccount },
  createClient: (account, deps) => createZendeskClient(account, deps, WORDS),
} satisfies ProviderDescriptor<ZendeskAccount, keyof typeof ENV_VARS, (typeof ENV_VARS)[keyof typeof ENV_VARS]['name']>;

type ZendeskFields = Fields<'subdomain' | 'baseUrl' | 'email' | 'apiToken' | 'oauthToken' | 'maxRequestsPerMinute'>;

function zendeskAccount(name: string, fields: ZendeskFields, at: Origin): ZendeskAccount | undefined {
  const baseUrl = zendeskBaseUrl(fields, at);
  const auth = zendeskAuth(fields, at);
  const ceiling = ceilingOf(fields, 'maxRequestsPerMinute', at);
  if (baseUrl === undefined || auth === undefined || ceiling === null) return undefined;
  return { provider: 'ZENDESK', name, baseUrl, auth, sandbox: false, ...(ceiling && { maxRequestsPerMinute: ceiling }) };
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
