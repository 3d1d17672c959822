/**
 * Matching many refs in one statement: three parallel arrays unnested into rows, so that 500
 * refs cost three parameters and one index probe each, whatever their number.
 */
import { type Expression, type SqlBool, sql } from 'kysely';
import { type JobRef, refKey } from '../jobs/model.js';

/** `(kind, account, native_id) in (…refs)` for `tracked_jobs`. */
export function refsMatch(refs: readonly JobRef[]): Expression<SqlBool> {
  return sql<SqlBool>`(kind, account, native_id) in (select * from unnest(${refs.map((ref) => ref.kind)}::text[], ${refs.map(
    (ref) => ref.account,
  )}::text[], ${refs.map((ref) => ref.nativeId)}::text[]))`;
}

/** The refs without repeats, first occurrence first. */
export function uniqueRefs(refs: readonly JobRef[]): JobRef[] {
  const seen = new Map<string, JobRef>();
  for (const ref of refs) if (!seen.has(refKey(ref))) seen.set(refKey(ref), ref);
  return [...seen.values()];
}

/** The key of a row's ref, for putting rows back in the caller's order. */
export function rowKey(row: { kind: string; account: string; native_id: string }): string {
  return refKey({ kind: row.kind as JobRef['kind'], account: row.account, nativeId: row.native_id });
}
