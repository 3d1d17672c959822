/**
 * The status board's GraphQL documents against the server: `web/src/gql/` is what GraphQL Code
 * Generator (`web/codegen.ts`) makes of `web/src/` and the served schema today, and every
 * document the board sends validates against the schema the server serves and stays within the
 * server's default query limits, so a change that breaks the board fails here, not in a browser.
 * The demo panel's start mutations are checked like the others, against the real schema.
 */
import { type DocumentNode, Kind, print, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { expectCodegenCurrent } from '../support/codegen.js';
import { schema } from '../../src/schema/index.js';
import * as documents from '../../web/src/gql/graphql.js';
import config from '../../web/codegen.js';
import { startTestApp } from '../support/app.js';

const boardDocuments = Object.entries(documents as Record<string, unknown>).filter(
  (entry): entry is [string, DocumentNode] => entry[0].endsWith('Document') && (entry[1] as DocumentNode | null)?.kind === Kind.DOCUMENT,
);

describe('the board\'s typed operations (web/src/gql)', () => {
  it('are current: `npm run codegen:web` would not change them', { timeout: 60_000 }, async () => {
    await expectCodegenCurrent(config, 'npm run codegen:web');
  });

  it('include every operation the board sends', () => {
    const names = boardDocuments.map(([name]) => name).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'BoardCopyImageKitFolderDocument',
        'BoardJobDetailDocument',
        'BoardMoveImageKitFolderDocument',
        'BoardProvidersDocument',
        'BoardPurgeImageKitCacheDocument',
        'BoardRenameImageKitFolderDocument',
        'BoardTrackJobsDocument',
        'BoardTrackedJobUpdatesDocument',
        'BoardTrackedJobsDocument',
        'BoardUntrackJobsDocument',
      ]),
    );
  });

  for (const [name, document] of boardDocuments) {
    it(`${name} validates against the served schema`, () => {
      expect(validate(schema, document).map((error) => error.message)).toEqual([]);
    });
  }
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
        if (isSubscription(document)) continue;
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
