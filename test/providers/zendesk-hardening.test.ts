/**
 * The Zendesk path against hostile answers (issue 16): long runs of whitespace (the id-quoting
 * pattern was quadratic on them), a million per-item results, counts beyond a GraphQL `Int`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobSnapshot } from '../../src/jobs/model.js';
import type { UpstreamOptions } from '../../src/providers/http.js';
import { createProviderClient } from '../../src/providers/catalog.js';
import { MAX_RESULTS_KEPT, parseZendeskJson, quoteIntegerIds } from '../../src/providers/zendesk/client.js';
import { snapshot } from '../support/outcomes.js';
import { type FakeUpstream, startFakeUpstream } from '../support/fake-upstream.js';

const OPTIONS: UpstreamOptions = { timeoutMs: 5000, retries: 0, retryBaseMs: 1, maxRetryWaitMs: 1000, concurrency: 4 };
const SHOW_MANY = '/api/v2/job_statuses/show_many.json';

let up: FakeUpstream;
beforeEach(async () => {
  up = await startFakeUpstream();
});
afterEach(() => up.close());

const client = () =>
  createProviderClient(
    { provider: 'ZENDESK', name: 'default', baseUrl: up.url, auth: { scheme: 'oauth', accessToken: 'tok' }, sandbox: false },
    { options: OPTIONS },
  );
const zendeskDetails = (job: JobSnapshot) => job.details as Extract<JobSnapshot['details'], { kind: 'ZENDESK_JOB_STATUS' }>;

describe('quoteIntegerIds', () => {
  it('quotes integer ids after { or , whatever the whitespace, and nothing inside strings', () => {
    expect(quoteIntegerIds('{"id":12345678901234567890,"index":3}')).toBe('{"id":"12345678901234567890","index":3}');
    expect(quoteIntegerIds('[ {  "id" :\n -7 } , { "id": 8\t}]')).toBe('[ {  "id" :\n "-7" } , { "id": "8"\t}]');
    const inString = '{"message":"{\\"id\\":1, \\"x\\": [\\"id\\", 2]}","id":"V3-a"}';
    expect(quoteIntegerIds(inString)).toBe(inString);
    expect(quoteIntegerIds('{"a":["id",1],"id":1.5,"b":{"id":2e3}}')).toBe('{"a":["id",1],"id":1.5,"b":{"id":2e3}}');
    expect(quoteIntegerIds('{"id":1')).toBe('{"id":1');
  });

  it('parses 250 000 spaces inside a message and between tokens (quadratic before)', () => {
    const spaces = ' '.repeat(250_000);
    const text = `{"job_statuses":[{${spaces}"id"${spaces}:${spaces}"V3-a",${spaces}"status":"completed","message":"${spaces}","results":[{"id":${spaces}9007199254740993${spaces}}]}]}`;
    const parsed = parseZendeskJson(text) as { job_statuses: Array<{ message: string; results: Array<{ id: unknown }> }> };
    expect(parsed.job_statuses[0]!.message).toHaveLength(250_000);
    expect(parsed.job_statuses[0]!.results[0]!.id).toBe('9007199254740993');
  });
});

describe('Zendesk client bounds', () => {
  it('answers a show_many whose message is 250 000 spaces, and the next ask too', async () => {
    const message = ' '.repeat(250_000);
    up.on('GET', SHOW_MANY, { body: { job_statuses: [{ id: 'V3-a', status: 'working', message }] } });
    const answers = await Promise.all([client().fetchStatuses('ZENDESK_JOB_STATUS', ['V3-a']), client().fetchStatuses('ZENDESK_JOB_STATUS', ['V3-a'])]);
    for (const answer of answers) expect(snapshot(answer.get('V3-a')).message).toBe(message);
    expect(up.requests).toHaveLength(2);
  });

  it(`keeps the first ${MAX_RESULTS_KEPT} results of a job and says how many there were`, async () => {
    const results = Array.from({ length: 5000 }, (_, index) => ({ id: 10_000_000_000_000_000 + index, index, success: true }));
    up.on('GET', SHOW_MANY, { body: { job_statuses: [{ id: 'V3-a', status: 'completed', total: 5000, progress: 5000, results }] } });
    const details = zendeskDetails(snapshot((await client().fetchStatuses('ZENDESK_JOB_STATUS', ['V3-a'])).get('V3-a')));
    expect(details.results).toHaveLength(MAX_RESULTS_KEPT);
    expect(details.results![0]).toMatchObject({ index: 0, success: true });
    expect(details.resultsTotal).toBe(5000);
  });

  it('reads counts beyond a GraphQL Int as absent', async () => {
    up.on('GET', SHOW_MANY, {
      body: { job_statuses: [{ id: 'V3-a', status: 'working', total: 2 ** 40, progress: 2 ** 33, results: [{ id: 1, index: 2 ** 31 }] }] },
    });
    const job = snapshot((await client().fetchStatuses('ZENDESK_JOB_STATUS', ['V3-a'])).get('V3-a'));
    expect(zendeskDetails(job).total).toBeNull();
    expect(job.progress).toBeNull();
    expect(zendeskDetails(job).results).toEqual([expect.objectContaining({ id: '1', index: null })]);
  });
});
