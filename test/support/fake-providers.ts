/**
 * One fake upstream standing in for all three providers (each under its own path prefix), with
 * the environment that points the service at it. Tests script its answers per job id.
 */
import { type FakeUpstream, startFakeUpstream } from './fake-upstream.js';

export const CREDENTIALS = {
  IMAGEKIT_PRIVATE_KEY: 'private_s3cr3tImageKitKey',
  SAYMON_LOGIN: 'operator',
  SAYMON_PASSWORD: 's3cr3t-saymon-password',
  ZENDESK_EMAIL: 'ops@example.com',
  ZENDESK_API_TOKEN: 's3cr3tZendeskToken',
} as const;

export interface FakeProviders {
  readonly upstream: FakeUpstream;
  readonly env: Record<string, string>;
  /** Requests whose path starts with the provider's prefix. */
  requestsTo(prefix: '/ik' | '/saymon' | '/zd'): FakeUpstream['requests'];
}

/** Zendesk job statuses that `show_many` knows, by id. */
export type ZendeskJobs = Map<string, Record<string, unknown>>;

export async function startFakeProviders(zendeskJobs: ZendeskJobs = new Map()): Promise<FakeProviders> {
  const upstream = await startFakeUpstream();
  upstream.on('GET', '/zd/api/v2/job_statuses/show_many.json', (request) => ({
    body: {
      job_statuses: (request.query.ids ?? '')
        .split(',')
        .filter((id) => zendeskJobs.has(id))
        .map((id) => zendeskJobs.get(id)),
    },
  }));
  return {
    upstream,
    env: {
      ...CREDENTIALS,
      IMAGEKIT_BASE_URL: `${upstream.url}/ik`,
      SAYMON_BASE_URL: `${upstream.url}/saymon`,
      ZENDESK_BASE_URL: `${upstream.url}/zd`,
    },
    requestsTo: (prefix) => upstream.requests.filter((request) => request.path.startsWith(`${prefix}/`)),
  };
}

export function zendeskJob(id: string, status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, url: `https://example.zendesk.com/api/v2/job_statuses/${id}.json`, total: null, progress: null, status, message: null, results: null, ...extra };
}
