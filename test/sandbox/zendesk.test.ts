import { describe, expect, it } from 'vitest';
import { zendeskJobPlan } from '../../src/sandbox/lifecycle.js';
import { basic, call, json, started, zendeskAuth } from './support.js';

/** Every Zendesk job has ended 40 s after it was first seen (time scale 1). */
const ALL_DONE_MS = 40_000;
const JOB_ID_SHAPE = /^V3-[0-9a-f]{32}$/;

/** An id the hash sends to completion (not failure) with more than ten items: the lifecycle decides, not the test. */
function completingId(prefix: string): string {
  for (let n = 0; ; n += 1) {
    const id = `${prefix}-${n}`;
    const plan = zendeskJobPlan(id, undefined, 1);
    if (plan.failAfter === null && plan.total > 10) return id;
  }
}

describe('sandbox Zendesk', () => {
  it('accepts the API token scheme and a Bearer equal to the token', async () => {
    const { sandbox } = await started();
    const url = `${sandbox.baseUrls.zendesk}/api/v2/job_statuses/V3-eb3753c8075be0c165b61b89a50ea0aa.json`;
    expect((await call(url, { headers: zendeskAuth(sandbox) })).status).toBe(200);
    expect((await call(url, { headers: { authorization: `Bearer ${sandbox.credentials.zendeskApiToken}` } })).status).toBe(200);
  });

  it("refuses anything else with 401 Couldn't authenticate you", async () => {
    const { sandbox } = await started();
    const { zendeskEmail: email, zendeskApiToken: token } = sandbox.credentials;
    const url = `${sandbox.baseUrls.zendesk}/api/v2/job_statuses/V3-eb3753c8075be0c165b61b89a50ea0aa.json`;
    const attempts: (Record<string, string> | undefined)[] = [
      undefined,
      { authorization: basic(`${email}/token`, 'wrong') },
      { authorization: basic(email, token) }, // password-style auth: removed by Zendesk
      { authorization: basic(`other@example.com/token`, token) },
      { authorization: 'Bearer wrong' },
    ];
    for (const headers of attempts) {
      const refused = await call(url, { headers });
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({ error: "Couldn't authenticate you" });
    }
  });

  it('moves a job from queued through working with rising progress to completed with per-item results', async () => {
    const { sandbox, clock } = await started();
    const id = completingId('V3-lifecycle');
    const url = `${sandbox.baseUrls.zendesk}/api/v2/job_statuses/${id}.json`;
    const read = async () => (await call(url, { headers: zendeskAuth(sandbox) })).body.job_status;

    const queued = await read();
    expect(queued).toEqual({
      id,
      job_type: expect.stringMatching(/^organization_(create|update|delete)$/),
      url,
      total: expect.any(Number),
      progress: null,
      status: 'queued',
      message: null,
      results: null,
    });

    const progress: number[] = [];
    let last = queued;
    for (let step = 0; step < 40 && last.status !== 'completed'; step += 1) {
      clock.advance(1_000);
      last = await read();
      if (last.status === 'working') {
        progress.push(last.progress);
        expect(last.message).toMatch(new RegExp(`^(Creating|Updating|Deleting) [Oo]rganization #${last.progress}$`));
        expect(last.results).toBeNull();
      }
    }
    expect(progress.length).toBeGreaterThan(5);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(progress[progress.length - 1]).toBeGreaterThan(progress[0] ?? Infinity);

    expect(last).toMatchObject({ status: 'completed', progress: queued.total, total: queued.total });
    expect(last.message).toMatch(/^Completed at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000$/);
    expect(last.results).toHaveLength(queued.total);
    for (const result of last.results) expect(result).toMatchObject({ id: expect.any(Number), status: expect.stringMatching(/^(Created|Updated|Deleted)$/) });
  });

  it('fails jobs whose id contains "fail", with the failing item in the results', async () => {
    const { sandbox, clock } = await started();
    const url = `${sandbox.baseUrls.zendesk}/api/v2/job_statuses/V3-will-fail`;
    await call(url, { headers: zendeskAuth(sandbox) });
    clock.advance(ALL_DONE_MS);
    const { job_status: failed } = (await call(url, { headers: zendeskAuth(sandbox) })).body;
    expect(failed.status).toBe('failed');
    expect(failed.message).toMatch(/^Failed at /);
    expect(failed.results.at(-1)).toMatchObject({ index: failed.progress, error: expect.any(String), details: expect.any(String) });
    expect(failed.results).toHaveLength(failed.progress + 1);
  });

  it('serves show with and without .json, and 404 RecordNotFound for missing ids', async () => {
    const { sandbox } = await started();
    const base = `${sandbox.baseUrls.zendesk}/api/v2/job_statuses`;
    const withSuffix = await call(`${base}/V3-abc.json`, { headers: zendeskAuth(sandbox) });
    const without = await call(`${base}/V3-abc`, { headers: zendeskAuth(sandbox) });
    expect(without.body).toEqual(withSuffix.body);
    const missing = await call(`${base}/V3-missing.json`, { headers: zendeskAuth(sandbox) });
    expect(missing).toEqual({ status: 404, body: { error: 'RecordNotFound', description: 'Not found' }, headers: expect.anything() });
  });

  it('answers show_many with every found id, in order, leaving missing ones out', async () => {
    const { sandbox } = await started();
    const url = `${sandbox.baseUrls.zendesk}/api/v2/job_statuses/show_many.json?ids=V3-a,V3-missing-1,V3-b,V3-NOTFOUND,V3-a`;
    const answer = await call(url, { headers: zendeskAuth(sandbox) });
    expect(answer.status).toBe(200);
    expect(answer.body.job_statuses.map((job: { id: string }) => job.id)).toEqual(['V3-a', 'V3-b']);
  });

  it('lists known jobs newest first, page by page with cursors', async () => {
    const { sandbox, clock } = await started();
    const auth = zendeskAuth(sandbox);
    const ids = ['V3-one', 'V3-two', 'V3-three', 'V3-four', 'V3-five'];
    for (const id of ids) {
      await call(`${sandbox.baseUrls.zendesk}/api/v2/job_statuses/${id}.json`, { headers: auth });
      clock.advance(100);
    }
    const listed: string[] = [];
    let next: string | null = `${sandbox.baseUrls.zendesk}/api/v2/job_statuses.json?page[size]=2`;
    let pages = 0;
    while (next) {
      const page = await call(next, { headers: auth });
      expect(page.status).toBe(200);
      listed.push(...page.body.job_statuses.map((job: { id: string }) => job.id));
      expect(page.body.meta.has_more).toBe(page.body.links.next !== null);
      next = page.body.links.next;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(listed).toEqual([...ids].reverse());

    const bad = await call(`${sandbox.baseUrls.zendesk}/api/v2/job_statuses.json?page[after]=garbage`, { headers: auth });
    expect(bad.status).toBe(400);
  });

  it('starts jobs from the organization bulk calls, answering queued like the recording', async () => {
    const { sandbox, clock } = await started();
    const auth = zendeskAuth(sandbox);
    const base = `${sandbox.baseUrls.zendesk}/api/v2/organizations`;
    const created = await call(`${base}/create_many.json`, json('POST', { organizations: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }, auth));
    const updated = await call(`${base}/update_many.json`, json('PUT', { organizations: [{ id: 19856122753300, notes: 'x' }, { id: 19856122753684 }] }, auth));
    const updatedByIds = await call(`${base}/update_many.json?ids=1,2,3,4`, json('PUT', { organization: { notes: 'x' } }, auth));
    const destroyed = await call(`${base}/destroy_many.json?ids=19856122753300,19856122753684`, { method: 'DELETE', headers: auth });

    const totals = [3, 2, 4, 2];
    const jobTypes = ['organization_create', 'organization_update', 'organization_update', 'organization_delete'];
    for (const [index, answer] of [created, updated, updatedByIds, destroyed].entries()) {
      expect(answer.status).toBe(200);
      const job = answer.body.job_status;
      expect(job).toEqual({
        id: expect.stringMatching(JOB_ID_SHAPE),
        job_type: jobTypes[index],
        url: `${sandbox.baseUrls.zendesk}/api/v2/job_statuses/${job.id}.json`,
        total: totals[index],
        progress: null,
        status: 'queued',
        message: null,
        results: null,
      });
    }

    clock.advance(ALL_DONE_MS);
    const ids = [created, updated, updatedByIds, destroyed].map((answer) => answer.body.job_status.id as string);
    const many = await call(`${sandbox.baseUrls.zendesk}/api/v2/job_statuses/show_many.json?ids=${ids.join(',')}`, { headers: auth });
    expect(many.body.job_statuses.map((job: { id: string }) => job.id)).toEqual(ids);
    for (const job of many.body.job_statuses) expect(['completed', 'failed']).toContain(job.status);
    const destroyedJob = many.body.job_statuses[3];
    if (destroyedJob.status === 'completed') {
      expect(destroyedJob.results).toEqual([
        { action: 'delete', id: 19856122753300, status: 'Deleted', success: true },
        { action: 'delete', id: 19856122753684, status: 'Deleted', success: true },
      ]);
    }
  });

  it('starts jobs from the ticket and user bulk calls, where most real jobs come from', async () => {
    const { sandbox, clock } = await started();
    const auth = zendeskAuth(sandbox);
    const api = `${sandbox.baseUrls.zendesk}/api/v2`;
    const answers = [
      await call(`${api}/tickets/update_many.json?ids=11,12,13`, json('PUT', { ticket: { status: 'solved' } }, auth)),
      await call(`${api}/tickets/update_many.json`, json('PUT', { tickets: [{ id: 21, status: 'open' }, { id: 22 }] }, auth)),
      await call(`${api}/tickets/destroy_many.json?ids=31,32`, { method: 'DELETE', headers: auth }),
      await call(`${api}/users/create_many.json`, json('POST', { users: [{ name: 'A', email: 'a@example.com' }] }, auth)),
      await call(`${api}/users/update_many.json?ids=41,42`, json('PUT', { user: { organization_id: 1 } }, auth)),
    ];
    const expected = [
      { job_type: 'bulk_update', total: 3 },
      { job_type: 'bulk_update', total: 2 },
      { job_type: 'bulk_delete', total: 2 },
      { job_type: 'user_create', total: 1 },
      { job_type: 'user_update', total: 2 },
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.map((answer) => ({ job_type: answer.body.job_status.job_type, total: answer.body.job_status.total }))).toEqual(expected);
    for (const answer of answers) expect(answer.body.job_status).toMatchObject({ status: 'queued', progress: null, results: null });

    clock.advance(ALL_DONE_MS);
    const deleted = (await call(`${api}/job_statuses/${answers[2]!.body.job_status.id}.json`, { headers: auth })).body.job_status;
    expect(deleted.job_type).toBe('bulk_delete');
    if (deleted.status === 'completed') {
      expect(deleted.results).toEqual([
        { action: 'delete', id: 31, status: 'Deleted', success: true },
        { action: 'delete', id: 32, status: 'Deleted', success: true },
      ]);
    }
    expect((await call(`${api}/tickets/update_many.json`, json('PUT', { tickets: [] }, auth))).status).toBe(400);
    expect((await call(`${api}/users/create_many.json`, { method: 'POST', headers: {} })).status).toBe(401);
  });

  it('answers bad bulk calls with 400', async () => {
    const { sandbox } = await started();
    const auth = zendeskAuth(sandbox);
    const base = `${sandbox.baseUrls.zendesk}/api/v2/organizations`;
    expect((await call(`${base}/create_many.json`, { method: 'POST', body: '{oops', headers: { ...auth, 'content-type': 'application/json' } })).status).toBe(400);
    expect((await call(`${base}/create_many.json`, json('POST', { organizations: [] }, auth))).status).toBe(400);
    expect((await call(`${base}/destroy_many.json?ids=a,b`, { method: 'DELETE', headers: auth })).status).toBe(400);
    expect((await call(`${base}/destroy_many.json`, { method: 'DELETE', headers: auth })).body).toMatchObject({ error: 'InvalidValue' });
  });
});
