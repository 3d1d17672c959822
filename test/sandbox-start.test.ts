/**
 * The zero-config start: no provider configured, the sandbox serves every kind through the real
 * clients, and GraphiQL's opening query works as it is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultQuery } from '../src/http/graphiql-query.js';
import { startTestApp, type TestApp } from './support/app.js';

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp({});
});
afterAll(async () => {
  await api.close();
});

describe('zero-config start', () => {
  it('serves the sandbox providers when nothing is configured', async () => {
    expect(api.app.sandbox).not.toBeNull();
    const { body } = await api.request('{ providers { provider sandbox } }');
    expect(body.data).toEqual({
      providers: [
        { provider: 'IMAGEKIT', sandbox: true },
        { provider: 'SAYMON', sandbox: true },
        { provider: 'ZENDESK', sandbox: true },
      ],
    });
  });

  it("answers GraphiQL's default query with all four kinds of job", async () => {
    const query = defaultQuery(api.app.sandbox!.demoRefs);
    const { status, body } = await api.request<{ jobs: { __typename: string }[] }, never>(query);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data!.jobs.map((job) => job.__typename)).toEqual(['ImageKitBulkJob', 'PurgeRequest', 'SaymonBulkOp', 'ZendeskJobStatus']);
    // The sandbox was really asked, over HTTP, by the real clients.
    expect(new Set(api.app.sandbox!.requests.map((request) => request.provider))).toEqual(new Set(['IMAGEKIT', 'SAYMON', 'ZENDESK']));
  });

  it('serves GraphiQL to browsers with that query, without any CDN', async () => {
    const response = await fetch(api.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('JobStatuses');
    expect(html).toContain('IMAGEKIT_BULK_JOB');
    expect(html).not.toMatch(/<script[^>]+src="https?:/);
    expect(html).not.toMatch(/<link[^>]+href="https?:\/\/unpkg/);
  });
});
