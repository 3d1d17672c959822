/**
 * The schema's own guarantee, below the per-ref filtering: a job of a provider the caller may not
 * read is never serialized, even if something hands it to the schema (here, a loader that does not
 * filter). The server never builds such a context; this proves the last line holds if it did.
 */
import { providerCatalog } from '../../src/providers/catalog.js';
import { execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { LoadedAnswers, createJobLoader } from '../../src/jobs/job-loader.js';
import { StatusStore } from '../../src/jobs/status-store.js';
import { schema, type Context } from '../../src/schema/index.js';
import type { Caller } from '../../src/security/caller.js';
import { scriptedZendesk } from '../support/scripted-client.js';

function contextFor(caller: Caller): Context {
  const store = new StatusStore({ catalog: providerCatalog, clients: [scriptedZendesk()], clock: { now: () => Date.now() }, cache: { ttlMs: 1000, doneTtlMs: 1000, maxEntries: 10 } });
  return { store, feed: undefined as never, loader: createJobLoader(store), answers: new LoadedAnswers(), caller, stopping: new AbortController().signal, maxRefs: 500, registry: undefined as never, starts: undefined as never, tracked: undefined as never, webhooks: undefined as never };
}

const query = parse('{ job(ref: { kind: ZENDESK_JOB_STATUS, id: "V3-a" }) { __typename ... on Job { state } } }');

describe('scope auth on job types', () => {
  it('refuses to resolve a job of a provider outside the caller\'s scope', async () => {
    const result = await execute({ schema, document: query, contextValue: contextFor({ keyName: 'imagekit-only', providers: new Set(['IMAGEKIT']), can: new Set() }) });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.message).toMatch(/Not authorized/);
  });

  it('resolves it for a caller whose scope includes the provider', async () => {
    const result = await execute({ schema, document: query, contextValue: contextFor({ keyName: 'zendesk-only', providers: new Set(['ZENDESK']), can: new Set() }) });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ job: { __typename: 'ZendeskJobStatus', state: 'RUNNING' } });
  });
});
