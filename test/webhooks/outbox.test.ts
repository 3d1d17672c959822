/**
 * The outbox inside the tracker's batch transactions (one of up to 100 jobs), on PGlite: one
 * delivery row per job and event, the webhooks read once per transaction, and the event loop
 * given a turn after each job, so a batch does not hold timers (the poller's) until its commit.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { providerCatalog } from '../../src/providers/catalog.js';
import type { RegistryDatabase } from '../../src/registry/database.js';
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

it('writes a batch of changes with one read of the webhooks, letting timers run after each job', async () => {
  const clock = manualClock(Date.now());
  const registry = createRegistry(database.db, { clock, catalog: providerCatalog });
  const webhookId = randomUUID();
  await sql`insert into webhooks (id, url, events, created_at, secret_sealed) values (${webhookId}, 'http://127.0.0.1/hook', '{JOB_CHANGED,JOB_FINISHED}', now(), 'sealed')`.execute(database.db);
  const refs = Array.from({ length: 5 }, (_, index) => ref('ZENDESK_JOB_STATUS', `O-${index}`));
  const tracked = await registry.trackJobs(refs);

  // Statements that read the webhooks, through Kysely's plugin interface.
  let webhookReads = 0;
  const counted = database.db.withPlugin({
    transformQuery: (args) => {
      const node = args.node as { kind: string; from?: { froms: { table: { identifier: { name: string } } }[] } };
      if (node.kind === 'SelectQueryNode' && node.from?.froms.some((from) => from.table?.identifier?.name === 'webhooks')) webhookReads += 1;
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  const outbox = createOutbox({ globalIdOf: () => 'id', clock });
  // Turns of the event loop between one job's rows and the next one's.
  let turns = 0;
  let counting = true;
  const turn = () => {
    turns += 1;
    if (counting) setImmediate(turn);
  };
  setImmediate(turn);
  const turnsAfterJob: number[] = [];
  await createRegistry(counted, { clock, catalog: providerCatalog }).recordObservations(
    tracked.map((result, index) => ({ id: Number(result.job.id), outcomes: [observed(refs[index]!, 'COMPLETED', true, clock.now())] })),
    {
      inTransaction: async (trx, result) => {
        await outbox.onChanged(trx, result);
        turnsAfterJob.push(turns);
      },
    },
  );
  counting = false;

  const rows = await withWebhookTables(database.db).selectFrom('webhook_deliveries').select(['job_key', 'event']).orderBy('id').execute();
  expect(rows.map((row) => row.event)).toEqual(refs.flatMap(() => ['job.changed', 'job.finished']));
  expect(webhookReads).toBe(1);
  // Every job after the first found the loop had turned since the previous one.
  const between = turnsAfterJob.slice(1).map((count, index) => count - turnsAfterJob[index]!);
  expect(between.every((count) => count > 0)).toBe(true);
});
