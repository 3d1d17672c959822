/**
 * The outbox inside the tracker's batch transactions (one of up to 100 jobs), on PGlite, as the
 * tracker calls it (`onChangedMany` before the commit): one delivery row per job and event, in
 * event order, with one read of the webhooks and one insert for the whole batch.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { providerCatalog } from '../../src/providers/catalog.js';
import type { RegistryDatabase } from '../../src/registry/database.js';
import type { ObservationResult } from '../../src/registry/observations.js';
import { createRegistry } from '../../src/registry/registry.js';
import { createOutbox } from '../../src/webhooks/outbox.js';
import { withWebhookTables } from '../../src/webhooks/tables.js';
import { openTestPglite } from '../support/database.js';
import { manualClock } from '../support/manual-clock.js';
import { observed, ref } from '../support/outcomes.js';

let database: RegistryDatabase;
beforeAll(async () => {
  database = await openTestPglite();
});
afterAll(async () => {
  await database?.close();
});

it('writes a batch of changes with one read of the webhooks and one insert', async () => {
  const clock = manualClock(Date.now());
  const registry = createRegistry(database.db, { clock, catalog: providerCatalog });
  const webhookId = randomUUID();
  await sql`insert into webhooks (id, url, events, created_at, secret_sealed) values (${webhookId}, 'http://127.0.0.1/hook', '{JOB_CHANGED,JOB_FINISHED}', now(), 'sealed')`.execute(database.db);
  const refs = Array.from({ length: 5 }, (_, index) => ref('ZENDESK_JOB_STATUS', `O-${index}`));
  const tracked = await registry.trackJobs(refs);

  // Statements that read the webhooks and that insert deliveries, through Kysely's plugin interface.
  let webhookReads = 0;
  let inserts = 0;
  const counted = database.db.withPlugin({
    transformQuery: (args) => {
      const node = args.node as { kind: string; from?: { froms: { table?: { identifier?: { name: string } } }[] }; into?: { table?: { identifier?: { name: string } } } };
      if (node.kind === 'SelectQueryNode' && node.from?.froms.some((from) => from.table?.identifier?.name === 'webhooks')) webhookReads += 1;
      if (node.kind === 'InsertQueryNode' && node.into?.table?.identifier?.name === 'webhook_deliveries') inserts += 1;
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  const outbox = createOutbox({ globalIdOf: () => 'id', clock });
  const changes: ObservationResult[] = [];
  await createRegistry(counted, { clock, catalog: providerCatalog }).recordObservations(
    tracked.map((result, index) => ({ id: Number(result.job.id), outcomes: [observed(refs[index]!, 'COMPLETED', true, clock.now())] })),
    {
      inTransaction: async (_trx, result) => {
        changes.push(result);
      },
      beforeCommit: (trx) => outbox.onChangedMany(trx, changes),
    },
  );

  const rows = await withWebhookTables(database.db).selectFrom('webhook_deliveries').select(['job_key', 'event']).orderBy('id').execute();
  expect(rows.map((row) => row.event)).toEqual(refs.flatMap(() => ['job.changed', 'job.finished']));
  expect(rows.map((row) => row.job_key)).toEqual(refs.flatMap((job) => [job, job].map(() => `ZENDESK_JOB_STATUS:default:${job.nativeId}`)));
  expect(webhookReads).toBe(1);
  expect(inserts).toBe(1);
});
