/**
 * Trusted documents: with TRUSTED_DOCUMENTS set, only the documents `npm run codegen` listed run,
 * named by hash, over HTTP and WebSocket; anything else is refused with a clear 400.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';
import { JobsQuery, JobUpdatesSubscription } from '../support/operations.js';
import { wsClient } from '../support/subscribers.js';

const PERSISTED = fileURLToPath(new URL('../gql/persisted-documents.json', import.meta.url));
const hashOf = (document: unknown) => (document as { __meta__: { hash: string } }).__meta__.hash;
const variables = { refs: [{ kind: 'ZENDESK_JOB_STATUS', id: 'V3-done' }] };

let providers: FakeProviders;
let api: TestApp;

beforeAll(async () => {
  providers = await startFakeProviders(new Map([['V3-done', zendeskJob('V3-done', 'completed')]]));
  api = await startTestApp({ ...providers.env, TRUSTED_DOCUMENTS: PERSISTED });
});
afterAll(async () => {
  await api.close();
  await providers.upstream.close();
});
afterEach(() => {
  providers.upstream.requests.length = 0;
});

async function post(body: unknown) {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data?: { jobs: { __typename: string }[] }; errors?: { message: string }[] } };
}

describe('trusted documents over HTTP', () => {
  it('runs a listed document named by documentId or by its persisted-query hash', async () => {
    const byId = await post({ documentId: hashOf(JobsQuery), variables });
    expect(byId.status).toBe(200);
    expect(byId.body.data!.jobs[0]!.__typename).toBe('ZendeskJobStatus');
    const byHash = await post({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: hashOf(JobsQuery).replace(/^sha256:/, '') } } });
    expect(byHash.status).toBe(200);
    expect(byHash.body.data!.jobs[0]!.__typename).toBe('ZendeskJobStatus');
  });

  it('refuses query text, even of a listed document, and documents it does not know, with a 400 that says why', async () => {
    const text = await post({ query: '{ providers { provider } }' });
    expect(text.status).toBe(400);
    expect(text.body.errors![0]!.message).toMatch(/runs only trusted documents: send "documentId"/);
    const unknown = await post({ documentId: 'sha256:0000' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors![0]!.message).toMatch(/^Unknown document "sha256:0000"/);
    const nothing = await post({ variables });
    expect(nothing.status).toBe(400);
    expect(nothing.body.errors![0]!.message).toMatch(/named no document/);
    expect(providers.upstream.requests).toHaveLength(0);
  });

  it('refuses the text of a listed document even once its answer is cached (no answer skips the check)', async () => {
    const text = loadConfig({ TRUSTED_DOCUMENTS: PERSISTED }).security.trustedDocuments!.get(hashOf(JobsQuery))!;
    expect((await post({ documentId: hashOf(JobsQuery), variables })).status).toBe(200);
    expect((await post({ documentId: hashOf(JobsQuery), variables })).status).toBe(200);
    const asText = await post({ query: text, variables });
    expect(asText.status).toBe(400);
    expect(asText.body.errors![0]!.message).toMatch(/runs only trusted documents/);
  });
});

describe('trusted documents over WebSocket', () => {
  const clients: ReturnType<typeof wsClient>[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });

  /** Subscribes with a raw payload and collects what comes back until the operation ends. */
  function run(payload: { query: string; variables?: Record<string, unknown>; extensions?: Record<string, unknown> }) {
    const client = wsClient(api.url);
    clients.push(client);
    return new Promise<{ data: unknown[]; errors: unknown[] }>((resolve) => {
      const data: unknown[] = [];
      const errors: unknown[] = [];
      client.subscribe(payload, {
        next: (value) => void data.push(value.data),
        error: (error) => {
          errors.push(error);
          resolve({ data, errors });
        },
        complete: () => resolve({ data, errors }),
      });
    });
  }

  it('runs a listed subscription named by hash and refuses query text', async () => {
    const hash = hashOf(JobUpdatesSubscription).replace(/^sha256:/, '');
    const trusted = await run({ query: '', variables, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(trusted.errors).toEqual([]);
    expect(trusted.data).toEqual([expect.objectContaining({ jobUpdates: expect.objectContaining({ result: expect.objectContaining({ state: 'COMPLETED' }) }) })]);
    const arbitrary = await run({ query: 'subscription { jobUpdates(refs: []) { at } }' });
    expect(JSON.stringify(arbitrary.errors)).toMatch(/runs only trusted documents/);
  });
});

describe('TRUSTED_DOCUMENTS configuration', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jsg-trusted-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the documents by hash', () => {
    const config = loadConfig({ TRUSTED_DOCUMENTS: PERSISTED });
    expect(config.security.trustedDocuments!.get(hashOf(JobsQuery))).toMatch(/query Jobs\(/);
  });

  it('stops start-up with one message naming the variable when the file is missing, not JSON or not a document list', async () => {
    const notJson = join(dir, 'not.json');
    await writeFile(notJson, '{ "sha256:x": ');
    const wrongShape = join(dir, 'shape.json');
    await writeFile(wrongShape, JSON.stringify({ 'sha256:x': 42 }));
    const cases = [
      [join(dir, 'missing.json'), /^TRUSTED_DOCUMENTS: cannot read ".*missing\.json" \(ENOENT\)$/],
      [notJson, /^TRUSTED_DOCUMENTS: ".*not\.json" is not valid JSON$/],
      [wrongShape, /^TRUSTED_DOCUMENTS: expected ".*shape\.json" to hold a non-empty JSON object mapping document hashes to documents$/],
    ] as const;
    for (const [path, message] of cases) {
      expect(() => loadConfig({ TRUSTED_DOCUMENTS: path })).toThrow(ConfigError);
      expect(() => loadConfig({ TRUSTED_DOCUMENTS: path })).toThrow(message);
    }
  });

  it('reads and checks the ARMOR_* limits', () => {
    expect(loadConfig({ ARMOR_MAX_DEPTH: '20', ARMOR_MAX_COST: '100', ARMOR_MAX_ALIASES: '0', ARMOR_MAX_TOKENS: '50', ARMOR_MAX_DIRECTIVES: '3', ARMOR_MAX_NESTING: '9' }).security.queryLimits).toEqual({
      maxDepth: 20,
      maxCost: 100,
      maxAliases: 0,
      maxTokens: 50,
      maxDirectives: 3,
      maxNesting: 9,
    });
    expect(() => loadConfig({ ARMOR_MAX_DEPTH: '0', ARMOR_MAX_COST: 'lots' })).toThrow(
      'ARMOR_MAX_DEPTH: expected a positive integer, got "0"; ARMOR_MAX_COST: expected a positive integer, got "lots"',
    );
  });
});
