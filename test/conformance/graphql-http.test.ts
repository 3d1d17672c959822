/**
 * GraphQL over HTTP conformance, judged by graphql-http's own audit suite (`serverAudits`) over
 * real HTTP against `/graphql`: every MUST passes. SHOULDs and MAYs are recommendations; they are
 * run and reported (a failing one is listed on stderr) without failing the suite.
 *
 * Known at the time of writing: every SHOULD passes. Under `CSRF_PREVENTION=strict` the MAYs about
 * plain GET requests (5A70, D6D5, 6A70) would get 403, since the audit's bare GETs carry no
 * CSRF header; with the default (`posts`) they pass.
 */
import { type AuditResult, serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ SANDBOX: '1' });
});
afterAll(() => app?.close());

// The URL is read when each audit runs, after the server is up.
const audits = serverAudits({ url: () => app.url, fetchFn: fetch });
const musts = audits.filter((audit) => audit.name.startsWith('MUST'));
const recommendations = audits.filter((audit) => !audit.name.startsWith('MUST'));

describe('GraphQL over HTTP (graphql-http server audits)', () => {
  it('has audits to run', () => {
    expect(musts.length).toBeGreaterThan(5);
  });

  it.for(musts.map((audit) => [`${audit.id} ${audit.name}`, audit] as const))('%s', async ([, audit]) => {
    const result = await audit.fn();
    expect(result.status === 'ok' ? 'ok' : await explain(result)).toBe('ok');
  });

  it('reports the SHOULD and MAY audits that do not pass', async () => {
    const failing: string[] = [];
    for (const audit of recommendations) {
      const result = await audit.fn();
      if (result.status !== 'ok') failing.push(`${audit.id} ${audit.name}: ${await explain(result)}`);
    }
    if (failing.length > 0) process.stderr.write(`graphql-http recommendations not met:\n  ${failing.join('\n  ')}\n`);
    expect(recommendations.length).toBeGreaterThan(0);
  });
});

/** The audit's reason, with what the server answered. */
async function explain(result: AuditResult): Promise<string> {
  if (result.status === 'ok') return 'ok';
  const body = await result.response.text().catch(() => '(body unreadable)');
  return `${result.status}: ${result.reason} (HTTP ${result.response.status}: ${body.slice(0, 300)})`;
}
