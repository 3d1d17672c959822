/**
 * Forgetting finished tracked jobs after `TRACK_RETENTION_DAYS`. Deletes run in small batches,
 * each its own short statement, so that the sweep never holds many row locks for long and the
 * tracker and API interleave with it; rows another transaction holds are skipped this round.
 * History rows go with their job (on delete cascade).
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

/**
 * Deletes the jobs that became final before `olderThan`, `batchSize` per statement, until none
 * is left; answers how many were deleted.
 */
export async function sweepFinished(db: Kysely<Database>, olderThan: Date, batchSize = 500): Promise<number> {
  let deleted = 0;
  for (;;) {
    const result = await db
      .deleteFrom('tracked_jobs')
      .where(
        'id',
        'in',
        sql<number>`(select id from tracked_jobs where final and final_at < ${olderThan} order by final_at, id limit ${batchSize} for update skip locked)`,
      )
      .executeTakeFirst();
    const count = Number(result.numDeletedRows);
    deleted += count;
    if (count < batchSize) return deleted;
  }
}
