/**
 * Opening the registry database: URL forms, migrations once when instances start together, and
 * an on-disk PGlite that keeps its data across a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, readTogether } from '../../src/registry/database.js';
import { createRegistry } from '../../src/registry/registry.js';
import { createPostgresDatabase, postgresAvailable } from '../support/database.js';
import { captureLogs } from '../support/logs.js';
import { providerCatalog } from '../../src/providers/catalog.js';

const withPostgres = await postgresAvailable();

describe('reading together', () => {
  it('shares one read among the calls made before it is sent, and sends a new one for a call after', async () => {
    let reads = 0;
    let release: (value: number) => void = () => {};
    const read = readTogether(() => new Promise<number>((resolve) => ((reads += 1), (release = resolve))));
    const first = Array.from({ length: 10 }, () => read());
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toBe(1);
    // Arrived while that read is in flight: it must not get the older answer.
    const later = read();
    release(1);
    expect(await Promise.all(first)).toEqual(Array(10).fill(1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toBe(2);
    release(2);
    expect(await later).toBe(2);
  });

  it('passes a failed read on to the calls that shared it, and reads again for the next', async () => {
    let reads = 0;
    const read = readTogether(async () => {
      reads += 1;
      if (reads === 1) throw new Error('gone');
      return 'back';
    });
    await expect(Promise.all([read(), read()])).rejects.toThrow('gone');
    expect(await read()).toBe('back');
    expect(reads).toBe(2);
  });
});

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

    it("answers calls that arrive together alike, and never a snapshot older than a write committed before the call", async () => {
      const scratch = await createPostgresDatabase();
      const database = await openDatabase({ url: scratch.url });
      try {
        const together = await Promise.all(Array.from({ length: 20 }, () => database.snapshot()));
        expect(new Set(together).size).toBe(1);
        await sql`create table snapshot_probe (n int)`.execute(database.db);
        await sql`insert into snapshot_probe values (1)`.execute(database.db);
        // Asked after the write committed: a new read, never the one before it.
        expect(await database.snapshot()).not.toBe(together[0]);
      } finally {
        await database.close();
        await scratch.drop();
      }
    });

    it('fails to open, rather than hang, when the server cannot be reached', async () => {
      await expect(openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 500 })).rejects.toThrow();
    });
  });
});
