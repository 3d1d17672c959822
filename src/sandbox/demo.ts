/**
 * Ids for GraphiQL's opening query, shaped like each provider's real ids and picked so that each
 * one ends well: a fixed set (the same on every start, so docs and screenshots agree), and fresh
 * sets on demand (a seed per GraphiQL page load), because a job's life starts when the sandbox
 * first sees its id: fixed ids finish once and then stay finished for the life of the process.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { JobKind } from '../jobs/model.js';
import { imagekitBulkPlan, zendeskJobPlan } from './lifecycle.js';

export interface DemoRef {
  readonly kind: JobKind;
  readonly nativeId: string;
}

/**
 * One id per kind: a purging rename that completes, a purge, a SAYMON bulk op, a Zendesk update or
 * delete that completes. The same `seed` gives the same ids; the default one gives the fixed set.
 */
export function demoRefs(seed = ''): DemoRef[] {
  const hex = (text: string, length: number) => seededHex(`${seed}\u0000${text}`, length);
  const objectId = (kind: JobKind) => (n: number) => hex(`${kind}:${n}`, 24);
  const bulkJob = firstId(objectId('IMAGEKIT_BULK_JOB'), (id) => {
    const plan = imagekitBulkPlan(id, undefined, 1);
    return plan.purge && !plan.partial;
  });
  // Updates and deletes print the richest per-item results (action, status, success).
  const zendeskJob = firstId(
    (n) => `V3-${hex(`ZENDESK_JOB_STATUS:${n}`, 32)}`,
    (id) => {
      const plan = zendeskJobPlan(id, undefined, 1);
      return plan.failAfter === null && plan.action !== 'create' && plan.total >= 10;
    },
  );
  return [
    { kind: 'IMAGEKIT_BULK_JOB', nativeId: bulkJob },
    { kind: 'IMAGEKIT_PURGE_REQUEST', nativeId: objectId('IMAGEKIT_PURGE_REQUEST')(0) },
    { kind: 'SAYMON_BULK_OP', nativeId: uuid(hex('SAYMON_BULK_OP:0', 32)) },
    { kind: 'ZENDESK_JOB_STATUS', nativeId: zendeskJob },
  ];
}

/** A fresh seed: ids from it are new to the sandbox, so their jobs start from the beginning. */
export function freshDemoSeed(): string {
  return randomBytes(8).toString('hex');
}

function seededHex(text: string, length: number): string {
  // The empty seed hashes exactly as the fixed ids always did, so they stay what docs show.
  const input = text.startsWith('\u0000') ? text.slice(1) : text;
  return createHash('sha256').update(`sandbox-demo\u0000${input}`).digest('hex').slice(0, length);
}

/** A UUID v4 (version and variant bits set) from 32 hex digits, like SAYMON's bulk ids. */
function uuid(h: string): string {
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The first candidate that fits; hash choices make one within a few dozen tries all but certain. */
function firstId(candidate: (n: number) => string, fits: (id: string) => boolean): string {
  for (let n = 0; n < 10_000; n += 1) {
    const id = candidate(n);
    if (fits(id)) return id;
  }
  return candidate(0);
}
