/**
 * The status board's GraphQL documents against the server: `web/src/gql/` is what GraphQL Code
 * Generator (`web/codegen.ts`) makes of `web/src/` and the served schema today, and every
 * document the board sends validates against the schema the server serves and stays within the
 * server's default query limits, so a change that breaks the board fails here, not in a browser.
 *
 * While the ImageKit start mutations are not served yet (`web/schema-pending.graphql`, see
 * `web/codegen.ts`), the demo panel's four documents are checked against that pending SDL and
 * reported as such; once the schema serves them they are checked like the others.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { type DocumentNode, extendSchema, Kind, parse, print, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import * as documents from '../../web/src/gql/graphql.js';
import config, { startMutationsPending } from '../../web/codegen.js';
import { startTestApp } from '../support/app.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_MUTATIONS = new Set(['copyImageKitFolder', 'moveImageKitFolder', 'renameImageKitFolder', 'purgeImageKitCache']);

const boardDocuments = Object.entries(documents as Record<string, unknown>).filter(
  (entry): entry is [string, DocumentNode] => entry[0].endsWith('Document') && (entry[1] as DocumentNode | null)?.kind === Kind.DOCUMENT,
);

/** Whether the document's operation calls a start mutation. */
function startsJobs(document: DocumentNode): boolean {
  return document.definitions.some(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      definition.selectionSet.selections.some((selection) => selection.kind === Kind.FIELD && START_MUTATIONS.has(selection.name.value)),
  );
}

const pending = startMutationsPending();

describe('the board\'s typed operations (web/src/gql)', () => {
  it('are current: `npm run codegen:web` would not change them', { timeout: 60_000 }, async () => {
    const previous = process.cwd();
    process.chdir(ROOT);
    try {
      const outputs = await generate({ ...config, silent: true }, false);
      expect(outputs.length).toBeGreaterThan(0);
      for (const output of outputs) {
        const checkedIn = readFileSync(resolve(ROOT, output.filename), 'utf8');
        expect(checkedIn, `${output.filename} is stale: run npm run codegen:web`).toBe(output.content);
      }
    } finally {
      process.chdir(previous);
    }
  });

  it('include every operation the board sends', () => {
    const names = boardDocuments.map(([name]) => name).sort();
    expect(names).toEqual(
      expect.arrayContaining(['BoardJobDetailDocument', 'BoardProvidersDocument', 'BoardTrackJobsDocument', 'BoardTrackedJobUpdatesDocument', 'BoardTrackedJobsDocument', 'BoardUntrackJobsDocument']),
    );
  });

  const withPending = pending ? extendSchema(schema, parse(readFileSync(resolve(ROOT, 'web/schema-pending.graphql'), 'utf8'))) : schema;

  for (const [name, document] of boardDocuments) {
    const awaitsStarts = pending && startsJobs(document);
    it(`${name} validates against the served schema${awaitsStarts ? ' (+ web/schema-pending.graphql: start mutations not served yet)' : ''}`, () => {
      const errors = validate(awaitsStarts ? withPending : schema, document).map((error) => error.message);
      expect(errors).toEqual([]);
    });
  }

  it('web/schema-pending.graphql is read only while the start mutations are not served', () => {
    const served = Object.keys(schema.getMutationType()?.getFields() ?? {});
    expect(pending).toBe(!served.includes('copyImageKitFolder'));
  });
});

function isSubscription(document: DocumentNode): boolean {
  return document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'subscription');
}

describe('the board\'s operations on a running server', () => {
  it('stay within the default query limits (depth, cost, tokens)', { timeout: 30_000 }, async () => {
    const api = await startTestApp({ SANDBOX: '1' });
    try {
      for (const [name, document] of boardDocuments) {
        // Subscriptions are not answered to a plain POST; theirs are shallow selections of the list's fragment.
        if ((pending && startsJobs(document)) || isSubscription(document)) continue;
        // No variables: the operation is refused after the limits are checked, which is all this asks.
        const answer = await api.request(print(document));
        const refusals = (answer.body.errors ?? []).filter((error) => error.extensions?.code === 'QUERY_LIMIT_EXCEEDED').map((error) => error.message);
        expect(refusals, name).toEqual([]);
      }
    } finally {
      await api.close();
    }
  });
});
