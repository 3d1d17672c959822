/**
 * An in-process `ProviderClient` whose answers a test scripts, for unit tests of the domain
 * (store, poller, feed) under fake timers. Anything that crosses HTTP uses real loopback
 * servers instead (`fake-upstream.ts`, the sandbox).
 */
import type { JobKind, JobOutcome, JobRef, JobSnapshot, JobState } from '../../src/jobs/model.js';
import type { ProviderClient } from '../../src/jobs/ports.js';

export interface ScriptedClient extends ProviderClient {
  /** Every fetchStatuses call: the time it was made and the ids asked. */
  readonly calls: { at: number; ids: string[] }[];
  /** What the next calls answer for an id (default: RUNNING with no progress). */
  answer(id: string, outcome: (ref: JobRef) => JobOutcome): void;
  /** How long each call takes to answer (a timer, so fake timers drive it); default 0. */
  latencyMs: number;
}

export function scriptedZendesk(account = 'default'): ScriptedClient {
  const answers = new Map<string, (ref: JobRef) => JobOutcome>();
  const calls: { at: number; ids: string[] }[] = [];
  return {
    provider: 'ZENDESK',
    account,
    kinds: ['ZENDESK_JOB_STATUS'],
    sandbox: false,
    batchSize: 100,
    calls,
    latencyMs: 0,
    answer: (id, outcome) => answers.set(id, outcome),
    async fetchStatuses(kind: JobKind, ids: readonly string[]) {
      calls.push({ at: Date.now(), ids: [...ids] });
      if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      return new Map(ids.map((nativeId) => {
        const ref = { kind, account, nativeId };
        return [nativeId, (answers.get(nativeId) ?? ((r) => zendeskSnapshot(r, 'working')))(ref)];
      }));
    },
  };
}

const ZENDESK_STATES: Record<string, { state: JobState; done: boolean }> = {
  queued: { state: 'QUEUED', done: false },
  working: { state: 'RUNNING', done: false },
  completed: { state: 'COMPLETED', done: true },
  failed: { state: 'FAILED', done: true },
};

export function zendeskSnapshot(ref: JobRef, status: 'queued' | 'working' | 'completed' | 'failed', progress?: number): JobSnapshot {
  return {
    ref,
    ...ZENDESK_STATES[status]!,
    rawStatus: status,
    progress: progress === undefined ? null : { completed: progress, total: 100, percent: progress },
    message: null,
    checkedAt: new Date(),
    details: { kind: 'ZENDESK_JOB_STATUS', url: null, total: 100, jobType: null, results: null },
  };
}
