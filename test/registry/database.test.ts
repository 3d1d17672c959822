/**
 * Opening the registry database: URL forms, migrations once when instances start together, and
 * an on-disk PGlite that keeps its data across a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/registry/database.js';
import { createRegistry } from '../../src/registry/registry.js';
import { createPostgresDatabase, postgresAvailable } from '../support/database.js';
import { captureLogs } from '../support/logs.js';
import { providerCatalog } from '../../src/providers/catalog.js';

const withPostgres = await postgresAvailable();

describe('opening the registry database', () => {
  it('refuses a URL that is neither postgres nor memory, without echoing it', async () => {
    const error = await openDatabase({ url: 'mysql://user:secret@db/jobs' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'DATABASE_URL_INVALID' });
    expect((error as Error).message).not.toContain('secret');
  });

  describe('on-disk PGlite', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'jsg-registry-')), 'nested', 'data');
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

    it('creates the data directory and keeps tracked jobs across close and reopen', async () => {
      const first = await openDatabase({ dataDir });
      expect(first.kind).toBe('pglite');
      await createRegistry(first.db, { catalog: providerCatalog }).trackJobs([{ kind: 'ZENDESK_JOB_STATUS', account: 'default', nativeId: '42' }], ['kept']);
      await first.close();

      const logs = captureLogs();
      const second = await openDatabase({ dataDir, logger: logs.logger });
      try {
        await second.ping();
        const [job] = await createRegistry(second.db, { catalog: providerCatalog }).getTracked([{ kind: 'ZENDESK_JOB_STATUS', account: 'default', nativeId: '42' }]);
        expect(job?.labels).toEqual(['kept']);
        // Already migrated: nothing applied the second time.
        expect(logs.entries().filter((entry) => entry.msg === 'registry migration applied')).toHaveLength(0);
        // The buffer cache lives in this process's memory: kept small (PostgreSQL's default is 128MB).
        const { rows } = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(second.db);
        expect(rows[0]?.shared_buffers).toBe('32MB');
      } finally {
        await second.close();
      }
    }, 60_000);
  });

  describe.skipIf(!withPostgres)('PostgreSQL', () => {
    it('migrates once when three instances open one fresh database together', async () => {
      const scratch = await createPostgresDatabase();
      const logs = captureLogs();
      try {
        const databases = await Promise.all([1, 2, 3].map(() => openDatabase({ url: scratch.url, logger: logs.logger })));
        try {
          expect(databases.map((database) => database.kind)).toEqual(['postgres', 'postgres', 'postgres']);
          const applied = logs.entries().filter((entry) => entry.msg === 'registry migration applied');
          expect(applied.map((entry) => entry.migration)).toEqual(['0001-registry', '0002-webhooks', '0003-listing-counts', '0004-webhook-claim-index', '0005-label-counts']);
          const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(databases[0]!.db);
          expect(rows.map((row) => row.name)).toEqual(['0001-registry', '0002-webhooks', '0003-listing-counts', '0004-webhook-claim-index', '0005-label-counts']);
          await Promise.all(databases.map((database) => database.ping()));
          // The server's address is logged, never its credentials.
          expect(logs.lines.join('\n')).toContain('127.0.0.1:5432/jsg_test_');
        } finally {
          await Promise.all(databases.map((database) => database.close()));
        }
      } finally {
        await scratch.drop();
      }
    });

    it('fails to open, rather than hang, when the server cannot be reached', async () => {
      await expect(openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 500 })).rejects.toThrow();
    });
  });
});
