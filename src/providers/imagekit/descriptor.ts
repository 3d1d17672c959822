/**
 * ImageKit, described: its kinds (bulk jobs, purge requests), its status words, how an account is
 * configured (`IMAGEKIT_*`, the file's `imagekit`), and its client (`client.ts`).
 */
import { baseUrlOf, ceilingOf, requiredSecret, type Fields, type Origin } from '../account-fields.js';
import type { ProviderDescriptor } from '../descriptor.js';
import { createImageKitClient } from './client.js';

export interface ImageKitAccount {
  readonly provider: 'IMAGEKIT';
  readonly name: string;
  readonly baseUrl: string;
  /** Sent as HTTP Basic username with an empty password. */
  readonly privateKey: string;
  readonly sandbox: boolean;
  /** `maxRequestsPerMinute`: a ceiling on upstream calls per minute (the pacer takes the lower of it and the advertised limit). */
  readonly maxRequestsPerMinute?: number;
}

const ENV_VARS = {
  privateKey: {
    name: 'IMAGEKIT_PRIVATE_KEY',
    default: '—',
    meaning: 'Enables ImageKit (bulk jobs and purge requests) as account `default`. Secret.',
  },
  baseUrl: { name: 'IMAGEKIT_BASE_URL', default: 'https://api.imagekit.io', meaning: 'ImageKit API base URL (may carry a path prefix).' },
  maxRequestsPerMinute: {
    name: 'IMAGEKIT_MAX_REQUESTS_PER_MINUTE',
    default: '—',
    meaning: 'Optional ceiling on ImageKit calls per minute for this account; calls are paced to the lower of it and the limit the provider advertises.',
  },
} as const;

/** What the client and the outcome builder read: the label, the kinds, the status words. */
const WORDS = {
  label: 'ImageKit',
  kinds: [
    { kind: 'IMAGEKIT_BULK_JOB', typename: 'ImageKitBulkJob', noun: 'bulk job' },
    { kind: 'IMAGEKIT_PURGE_REQUEST', typename: 'PurgeRequest', noun: 'purge request' },
  ],
  states: {
    Pending: { state: 'RUNNING', done: false },
    Completed: { state: 'COMPLETED', done: true },
    'Partial success': { state: 'COMPLETED', done: true },
  },
} satisfies Pick<ProviderDescriptor, 'label' | 'kinds' | 'states'>;

export const IMAGEKIT = {
  provider: 'IMAGEKIT',
  ...WORDS,
  account: { fileKey: 'imagekit', env: ENV_VARS, secretFields: ['privateKey'], build: imageKitAccount },
  createClient: (account, deps) => createImageKitClient(account, deps, WORDS),
} satisfies ProviderDescriptor<ImageKitAccount, keyof typeof ENV_VARS, (typeof ENV_VARS)[keyof typeof ENV_VARS]['name']>;

function imageKitAccount(name: string, fields: Fields<'privateKey' | 'baseUrl' | 'maxRequestsPerMinute'>, at: Origin): ImageKitAccount | undefined {
  const privateKey = requiredSecret(fields, 'privateKey', at, 'required to configure ImageKit');
  if (privateKey?.includes(':')) at.problem('privateKey', 'must not contain ":" (it is sent as the HTTP Basic username)');
  const baseUrl = fields.baseUrl === undefined ? ENV_VARS.baseUrl.default : baseUrlOf(fields, 'baseUrl', at);
  const ceiling = ceilingOf(fields, 'maxRequestsPerMinute', at);
  if (privateKey === undefined || privateKey.includes(':') || baseUrl === undefined || ceiling === null) return undefined;
  return { provider: 'IMAGEKIT', name, baseUrl, privateKey, sandbox: false, ...(ceiling && { maxRequestsPerMinute: ceiling }) };
}

