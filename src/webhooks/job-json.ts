/**
 * The `job` object of a webhook body: the Job fields as the API shows them, global id
 * included, built in this one place for every event.
 *
 * The global id is the schema's; this module may not import the schema (the arrows point the
 * other way), so the composition root hands in the schema's pure encoder as `globalIdOf`.
 */
import { type JobRef, isFailure } from '../jobs/model.js';
import type { TrackedJob } from '../registry/tracked-job.js';

/** The schema's global id of a job (`schema/global-id.ts`, `jobGlobalId`). */
export type GlobalIdOf = (ref: JobRef) => string;

/**
 * `id kind provider account nativeId state rawStatus done progress message checkedAt` of a
 * tracked job's last outcome. When that outcome is an error (a job not found after it was
 * seen, or one the provider never answered for yet), the last known state is kept and `error`
 * names the failure.
 */
export function webhookJob(job: TrackedJob, globalIdOf: GlobalIdOf): Record<string, unknown> {
  const base = { id: globalIdOf(job.ref), kind: job.ref.kind, provider: job.provider, account: job.ref.account, nativeId: job.ref.nativeId };
  const outcome = job.outcome;
  if (outcome && !isFailure(outcome)) {
    return {
      ...base,
      state: outcome.state,
      rawStatus: outcome.rawStatus,
      done: outcome.done,
      progress: outcome.progress,
      message: outcome.message,
      checkedAt: outcome.checkedAt.toISOString(),
    };
  }
  return {
    ...base,
    state: job.state ?? 'UNKNOWN',
    rawStatus: outcome && isFailure(outcome) && outcome.failure === 'NOT_FOUND' ? 'not found' : (job.rawStatus ?? ''),
    done: job.done,
    progress: null,
    message: outcome?.message ?? null,
    checkedAt: (job.checkedAt ?? job.trackedAt).toISOString(),
    error: outcome && isFailure(outcome) ? outcome.failure : null,
  };
}
