/**
 * Ids for GraphiQL's opening query: fixed (the same on every start, so docs and screenshots agree),
 * shaped like each provider's real ids, and picked so that each one ends well.
 */
import { createHash } from 'node:crypto';
import type { JobKind } from '../jobs/model.js';
import { imagekitBulkPlan, zendeskJobPlan } from './lifecycle.js';

export interface DemoRef {
  readonly kind: JobKind;
  readonly nativeId: string;
}

/** One id per kind: a purging rename that completes, a purge, a SAYMON bulk op, a Zendesk update or delete that completes. */
export function demoRefs(): DemoRef[] {
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
    { kind: 'SAYMON_BULK_OP', nativeId: uuid(0) },
    { kind: 'ZENDESK_JOB_STATUS', nativeId: zendeskJob },
  ];
}

function hex(seed: string, length: number): string {
  return createHash('sha256').update(`sandbox-demo\u0000${seed}`).digest('hex').slice(0, length);
}

/** 24 hex digits, like ImageKit's ObjectId-style ids. */
function objectId(kind: JobKind): (n: number) => string {
  return (n) => hex(`${kind}:${n}`, 24);
}

/** A UUID v4 (version and variant bits set), like SAYMON's bulk ids. */
function uuid(n: number): string {
  const h = hex(`SAYMON_BULK_OP:${n}`, 32);
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
