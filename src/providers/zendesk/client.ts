/**
 * Zendesk Support: job statuses, always asked through
 * `GET /api/v2/job_statuses/show_many.json?ids=a,b,c` in chunks of at most 100 distinct ids
 * (chunks in flight bounded by `concurrency` per account). Ids absent from the answer are not
 * found: Zendesk keeps job statuses for about a day, then forgets them.
 */
import pLimit from 'p-limit';
import { systemClock } from '../../clock.js';
import type { JobOutcome } from '../../jobs/model.js';
import type { ProviderClient } from '../../jobs/ports.js';
import type { ZendeskAccount, ZendeskAuth } from './descriptor.js';
import { type UpstreamAuth, type UpstreamDeps, basicAuth, createUpstream } from '../http.js';
import { type ProviderWords, answersFor, notServed, unexpectedStatus, unreadableBody } from '../outcome.js';
import { parseJobStatuses, parseZendeskJson } from './wire.js';

export { MAX_RESULTS_KEPT, parseJobStatus, parseJobStatuses, parseZendeskJson, quoteIntegerIds } from './wire.js';

const SHOW_MANY_PATH = '/api/v2/job_statuses/show_many.json';
/** Zendesk documents no cap on `ids`; 100 keeps the URL short and matches its other `show_many` limits. */
export const SHOW_MANY_CHUNK = 100;

function authOf(auth: ZendeskAuth): UpstreamAuth {
  return {
    headers: {
      authorization: auth.scheme === 'token' ? basicAuth(`${auth.email}/token`, auth.apiToken) : `Bearer ${auth.accessToken}`,
    },
  };
}

/** The client for one Zendesk account, serving job statuses. */
export function createZendeskClient(account: ZendeskAccount, deps: UpstreamDeps, words: ProviderWords & { label: string }): ProviderClient {
  const clock = deps.clock ?? systemClock;
  const upstream = createUpstream({
    ...deps,
    provider: 'ZENDESK',
    label: words.label,
    account: account.name,
    baseUrl: account.baseUrl,
    auth: authOf(account.auth),
  });
  const limit = pLimit(deps.options.concurrency);
  const answers = answersFor('ZENDESK_JOB_STATUS', account.name, upstream, clock, words);

  async function showMany(ids: readonly string[]): Promise<Array<[string, JobOutcome]>> {
    const answer = await upstream.request({
      route: SHOW_MANY_PATH,
      path: SHOW_MANY_PATH,
      query: { ids: ids.join(',') },
      parse: parseZendeskJson,
    });
    const all = (outcome: (id: string) => JobOutcome) => ids.map((id): [string, JobOutcome] => [id, outcome(id)]);
    if (!answer.ok) return all((id) => answers.failure(id, answer));
    // show_many answers 200 with the known ones; a 404 should not happen, and means none is known.
    if (answer.status === 404) return all(answers.notFound);
    if (answer.status >= 300) return all((id) => answers.failure(id, unexpectedStatus(upstream, answer.status)));
    const statuses = parseJobStatuses(answer.body);
    if (!statuses) return all((id) => answers.failure(id, unreadableBody(upstream, answer.status)));
    const saidById = new Map(statuses.map((entry) => [entry.id, entry.said]));
    return all((id) => {
      const said = saidById.get(id);
      if (said === undefined) return answers.notFound(id);
      return said ? answers.snapshot(id, said) : answers.failure(id, unreadableBody(upstream, answer.status));
    });
  }

  return {
    provider: 'ZENDESK',
    account: account.name,
    kinds: ['ZENDESK_JOB_STATUS'],
    sandbox: account.sandbox,
    rateLimit: upstream.rateLimit,
    maxRequestsPerMinute: account.maxRequestsPerMinute ?? null,
    batchSize: SHOW_MANY_CHUNK,
    async fetchStatuses(kind, nativeIds) {
      if (kind !== 'ZENDESK_JOB_STATUS') return notServed(kind, account.name, upstream, clock, words, nativeIds);
      const distinct = [...new Set(nativeIds)];
      // A comma would split the id in `ids=`; no Zendesk job id has one, so none is asked for.
      const askable = distinct.filter((id) => id !== '' && !id.includes(','));
      const chunks: string[][] = [];
      for (let start = 0; start < askable.length; start += SHOW_MANY_CHUNK) chunks.push(askable.slice(start, start + SHOW_MANY_CHUNK));
      const unreadable = (chunk: string[]) => chunk.map((id): [string, JobOutcome] => [id, answers.unreadable(id)]);
      const answered = await Promise.all(chunks.map((chunk) => limit(() => showMany(chunk)).catch(() => unreadable(chunk))));
      const outcomes = new Map<string, JobOutcome>(answered.flat());
      for (const id of distinct) if (!outcomes.has(id)) outcomes.set(id, answers.notFound(id));
      return outcomes;
    },
  };
}
