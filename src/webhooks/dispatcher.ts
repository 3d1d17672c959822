/**
 * The dispatcher: delivers the outbox, on every instance, each delivery once cluster-wide.
 *
 * The path of a delivery: claimed in a batch (`claim.ts`: `FOR UPDATE … SKIP LOCKED`, at most
 * one delivery per job and webhook at a time, so per job the order holds) → signed and POSTed
 * (`deliver.ts`), up to `concurrency` at once per webhook, different jobs in parallel → recorded
 * in batches (`record.ts`): a finished attempt waits up to `recordLingerMs` (20 ms) for others,
 * unless `recordBatchSize` (100) finished or nothing else is running, and whatever finished
 * while the previous batch was being written goes in the next one, as a group commit; a batch of
 * successes is one statement. Recording a delivery makes its job's next event due, so every
 * recorded batch is followed by a claim.
 * - The event loop first: before each statement the dispatcher lets timers and sockets run
 *   (`setImmediate`). On in-memory PGlite a statement runs inside this process's event loop,
 *   and statements chained through promises alone would hold it, and the poller's timers, for
 *   as long as the chain lasts.
 *
 * - Wake-ups: `wake()` is called after the commit of every transaction that wrote deliveries
 *   (the registry's announcements, heard by every instance of a cluster through Redis) and a
 *   poll every `intervalMs` covers retries falling due and rows written where no announcement
 *   reaches (another instance on the same PostgreSQL without Redis). Wake-ups while a claim runs
 *   fold into one more claim.
 * - Bounds: a webhook has at most `concurrency` attempts running, and this instance never holds
 *   more than `2 × concurrency − 1` of its deliveries (claimed, not yet recorded; see `claim.ts`
 *   on leases), nor more than `maxHeld` in all. Attempts are plain HTTP on their own sockets,
 *   apart from the upstream clients, so the poller is not slowed by the network; the database
 *   work is a few statements per batch.
 * - Stop: no more claims; attempts running finish and are recorded; deliveries claimed but not
 *   started are given back (due at once), as are those of a webhook disabled meanwhile.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Logger } from '../logger.js';
import type { Database } from '../registry/schema.js';
import type { GuardOptions } from './address-guard.js';
import { type ClaimedDelivery, claimDue, releaseClaims } from './claim.js';
import { type DeliveryResult, deliver } from './deliver.js';
import { type DeliveryOutcome, type FinishedAttempt, recordAttempts } from './record.js';
import { RETRY_DELAYS_MS, type Random } from './schedule.js';
import { signatureHeaders } from './signing.js';

export type { ClaimedDelivery } from './claim.js';
export type { DeliveryOutcome } from './record.js';

/** The secrets that sign an attempt, or why there are none (the key changed). */
export type SecretsResult = { readonly ok: true; readonly secrets: readonly [string, string?] } | { readonly ok: false; readonly message: string };

/** Attempts at once per webhook, by default (`WEBHOOK_CONCURRENCY`). */
export const DEFAULT_CONCURRENCY = 16;

export interface DispatcherOptions {
  /** The database, once the registry has it open (null meanwhile: nothing is claimed). */
  readonly db: () => Kysely<Database> | null;
  /** Opens a claimed delivery's sealed secrets. */
  readonly secrets: (delivery: ClaimedDelivery, now: number) => Promise<SecretsResult>;
  readonly guard: GuardOptions;
  readonly clock: { now(): number };
  readonly logger?: Logger | undefined;
  /** Between claims when nothing wakes it (ms); default 1000. */
  readonly intervalMs?: number;
  /** Attempts at once per webhook on this instance; default {@link DEFAULT_CONCURRENCY}. */
  readonly concurrency?: number;
  /** Deliveries this instance holds at most (claimed, not yet recorded), all webhooks together; default 256. */
  readonly maxHeld?: number;
  /**
   * Attempts recorded in one statement at most; a batch is written once this many finished, when
   * no attempt is running any more, or `recordLingerMs` after the first of them finished.
   * Default 100.
   */
  readonly recordBatchSize?: number;
  /** How long a finished attempt may wait for others to be recorded with (ms); default 20. */
  readonly recordLingerMs?: number;
  /** Each statement the dispatcher runs (tests count them). */
  readonly onStatement?: (kind: 'claim' | 'record' | 'release') => void;
  /** How long a claim holds a delivery (ms), well above two attempts' timeout; default 60 s. */
  readonly leaseMs?: number;
  /** Per attempt (ms); default 10 s. */
  readonly timeoutMs?: number;
  /** The retry waits; default the contract's. */
  readonly retryDelaysMs?: readonly number[];
  readonly random?: Random;
  readonly onOutcome?: (outcome: DeliveryOutcome) => void;
  /** After each recorded attempt (tests, benchmarks). */
  readonly onAttempt?: (delivery: ClaimedDelivery, result: DeliveryResult) => void;
}

export interface Dispatcher {
  start(): void;
  /** Claims now (a delivery was written); cheap when already busy. */
  wake(): void;
  /** Attempts running on this instance. */
  inFlight(): number;
  /** Stops claiming, waits for the attempts running to be recorded, gives back the rest. */
  stop(): Promise<void>;
}

/** This instance's share of one webhook's deliveries. */
interface Lane {
  /** Claimed, waiting for a free slot. */
  readonly waiting: ClaimedDelivery[];
  running: number;
  /** Claimed and not yet recorded (waiting, running, or finished and being recorded). */
  held: number;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const intervalMs = options.intervalMs ?? 1000;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const maxHeld = Math.max(concurrency, options.maxHeld ?? 256);
  const leaseMs = options.leaseMs ?? 60_000;
  const recordBatchSize = Math.max(1, options.recordBatchSize ?? 100);
  const recordLingerMs = Math.max(0, options.recordLingerMs ?? 20);
  let lingering: NodeJS.Timeout | null = null;
  const recordOptions = { random: options.random ?? Math.random, delays: options.retryDelaysMs ?? RETRY_DELAYS_MS };
  const lanes = new Map<string, Lane>();
  const running = new Set<Promise<void>>();
  let held = 0;
  let finished: FinishedAttempt[] = [];
  let recording: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let pumping: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const warn = (error: unknown, message: string) => options.logger?.warn({ err: error instanceof Error ? error.message : String(error) }, message);

  function lane(webhookId: string): Lane {
    let found = lanes.get(webhookId);
    if (!found) {
      found = { waiting: [], running: 0, held: 0 };
      lanes.set(webhookId, found);
    }
    return found;
  }

  function release(delivery: ClaimedDelivery): void {
    const found = lanes.get(delivery.webhookId);
    held -= 1;
    if (!found) return;
    found.held -= 1;
    if (found.held === 0) lanes.delete(delivery.webhookId);
  }

  function pump(): Promise<void> {
    if (pumping) {
      again = true;
      return pumping;
    }
    pumping = claimLoop().finally(() => {
      pumping = null;
    });
    return pumping;
  }

  async function claimLoop(): Promise<void> {
    try {
      do {
        again = false;
        while (!stopped && held < maxHeld) {
          // Timers and sockets first (the poller): on in-memory PGlite a statement runs in this
          // event loop, and statements chained in microtasks would hold it for as long as they last.
          await nextTurn();
          if (stopped) break;
          const db = options.db();
          if (!db) break;
          const now = options.clock.now();
          options.onStatement?.('claim');
          const skipWebhooks = [...lanes].filter(([, found]) => found.held >= concurrency).map(([id]) => id);
          const claimed = await claimDue(db, { now: new Date(now), leaseUntil: new Date(now + leaseMs), limit: maxHeld - held, perWebhook: concurrency, skipWebhooks });
          if (stopped) {
            options.onStatement?.('release');
            await releaseClaims(db, claimed, new Date(options.clock.now()));
            break;
          }
          for (const delivery of claimed) {
            const found = lane(delivery.webhookId);
            found.held += 1;
            held += 1;
            found.waiting.push(delivery);
          }
          for (const webhookId of new Set(claimed.map((delivery) => delivery.webhookId))) drain(db, lanes.get(webhookId)!);
          if (claimed.length === 0) break;
        }
      } while (again && !stopped);
    } catch (error) {
      warn(error, 'webhook dispatcher could not claim deliveries');
    }
  }

  /** Starts waiting attempts of a lane while it has free slots. */
  function drain(db: Kysely<Database>, found: Lane): void {
    while (!stopped && found.running < concurrency && found.waiting.length > 0) {
      const delivery = found.waiting.shift()!;
      found.running += 1;
      const attempt: Promise<void> = send(delivery).then((result) => {
        found.running -= 1;
        running.delete(attempt);
        finished.push({ delivery, result, at: options.clock.now() });
        drain(db, found);
        soon(db);
      });
      running.add(attempt);
    }
  }

  /** Signs and POSTs one delivery. Never rejects. */
  async function send(delivery: ClaimedDelivery): Promise<DeliveryResult> {
    const now = options.clock.now();
    try {
      const secrets = await options.secrets(delivery, now);
      if (!secrets.ok) return refused(secrets.message);
      return await deliver({
        ...options.guard,
        url: delivery.url,
        body: delivery.payload,
        headers: signatureHeaders({ id: delivery.messageId, timestamp: new Date(now), body: delivery.payload, secrets: secrets.secrets }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
    } catch (error) {
      // Not expected (a malformed stored secret): a failed attempt with a reason, never a crash.
      return refused(`the delivery could not be signed (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  /**
   * Records what finished now when a batch is full or nothing else is running (nothing more would
   * come), else within `recordLingerMs`: a burst is recorded in batches of up to `recordBatchSize`, a
   * statement each, rather than one statement per attempt.
   */
  function soon(db: Kysely<Database>): void {
    if (finished.length >= recordBatchSize || running.size === 0 || stopped) {
      void flush(db);
      return;
    }
    lingering ??= setTimeout(() => {
      lingering = null;
      void flush(db);
    }, recordLingerMs);
  }

  /** Records what finished, batch after batch, until nothing is left; one recorder at a time. */
  function flush(db: Kysely<Database>): Promise<void> {
    if (lingering) clearTimeout(lingering);
    lingering = null;
    // Nothing to record (a batch that lingered was taken by the recorder meanwhile): an IIFE with
    // nothing to await would clear `recording` before being assigned to it.
    if (finished.length === 0) return recording ?? Promise.resolve();
    recording ??= (async () => {
      try {
        while (finished.length > 0) {
          await nextTurn();
          const batch = finished.slice(0, recordBatchSize);
          finished = finished.slice(recordBatchSize);
          options.onStatement?.('record');
          await recordFinished(db, batch);
        }
      } finally {
        recording = null;
      }
    })();
    return recording;
  }

  async function recordFinished(db: Kysely<Database>, batch: readonly FinishedAttempt[]): Promise<void> {
    try {
      const recorded = await recordAttempts(db, batch, recordOptions);
      for (const { attempt, outcome } of recorded.applied) {
        options.onOutcome?.(outcome);
        options.onAttempt?.(attempt.delivery, attempt.result);
      }
      for (const { webhookId, reason } of recorded.disabled) {
        options.logger?.warn({ webhook: webhookId, reason }, 'webhook disabled');
        await giveBack(db, webhookId);
      }
    } catch (error) {
      // The database went away between claim and record: the leases lapse and the deliveries are tried again.
      warn(error, 'webhook attempts could not be recorded');
    } finally {
      for (const attempt of batch) release(attempt.delivery);
    }
    if (!stopped) void pump();
  }

  /** Gives back the deliveries of a lane that were claimed but not started. */
  async function giveBack(db: Kysely<Database>, webhookId: string): Promise<void> {
    const found = lanes.get(webhookId);
    if (!found || found.waiting.length === 0) return;
    const returned = found.waiting.splice(0);
    try {
      options.onStatement?.('release');
      await releaseClaims(db, returned, new Date(options.clock.now()));
    } catch (error) {
      warn(error, 'webhook deliveries could not be given back; their leases will lapse');
    } finally {
      for (const delivery of returned) release(delivery);
    }
  }

  return {
    start() {
      if (timer || stopped) return;
      timer = setInterval(() => void pump(), intervalMs);
      timer.unref();
      void pump();
    },
    wake() {
      if (!stopped) void pump();
    },
    inFlight: () => running.size,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await pumping;
      const db = options.db();
      if (db) for (const webhookId of [...lanes.keys()]) await giveBack(db, webhookId);
      await Promise.allSettled([...running]);
      if (db) await flush(db);
      await recording;
    },
  };
}

function refused(message: string): DeliveryResult {
  return { ok: false, status: null, code: 'REFUSED', error: message, gone: false, responseBytes: 0, truncated: false, durationMs: 0 };
}
