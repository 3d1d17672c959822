/**
 * Global ids: base64 of `<GraphQL type>:<account>:<native id>`. Opaque to clients, stable across
 * restarts and instances, and enough on their own to ask the provider again.
 */
import type { JobKind, JobRef } from '../jobs/model.js';
import { TYPENAME_OF_KIND } from '../providers/catalog.js';
import { badInput } from './bad-input.js';

export { TYPENAME_OF_KIND } from '../providers/catalog.js';

/** The GraphQL object type that represents each kind. */

const KIND_OF_TYPENAME = new Map(Object.entries(TYPENAME_OF_KIND).map(([kind, name]) => [name, kind as JobKind]));

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const ACCOUNT_AND_ID = /^([A-Za-z0-9_-]{1,64}):(.+)$/s;

/** The local part of a job's global id (the relay plugin adds the type name). */
export function localIdOf(ref: JobRef): string {
  return `${ref.account}:${ref.nativeId}`;
}

export function encodeJobGlobalId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64');
}

/** A job's global id, as `Job.id` shows it (webhook bodies carry the same). */
export function jobGlobalId(ref: JobRef): string {
  return encodeJobGlobalId(TYPENAME_OF_KIND[ref.kind], localIdOf(ref));
}

/** The GraphQL type of webhooks: their global ids are `Webhook:<uuid>`. */
export const WEBHOOK_TYPENAME = 'Webhook';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The webhook id a global id names, or null when it names no webhook. */
export function webhookIdOfGlobalId(globalId: string): string | null {
  if (globalId.length > 200 || !BASE64.test(globalId)) return null;
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const prefix = `${WEBHOOK_TYPENAME}:`;
  if (!decoded.startsWith(prefix)) return null;
  const id = decoded.slice(prefix.length);
  return UUID.test(id) ? id : null;
}

/** Throws a 400 that says what is wrong, rather than the relay plugin's generic error. */
export function decodeJobGlobalId(globalId: string): { typename: string; id: string } {
  const webhookId = webhookIdOfGlobalId(globalId);
  if (webhookId !== null) return { typename: WEBHOOK_TYPENAME, id: webhookId };
  const ref = refOfGlobalId(globalId);
  return { typename: TYPENAME_OF_KIND[ref.kind], id: localIdOf(ref) };
}

/** The job a global id names; a 400 error when it names none. */
export function refOfGlobalId(globalId: string): JobRef {
  const invalid = () => badInput(`Invalid global id "${globalId.slice(0, 100)}": not an id this API issued`);
  if (globalId.length > 2048 || !BASE64.test(globalId)) throw invalid();
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const kind = KIND_OF_TYPENAME.get(decoded.slice(0, colon));
  const rest = ACCOUNT_AND_ID.exec(decoded.slice(colon + 1));
  if (colon < 0 || !kind || !rest) throw invalid();
  return { kind, account: rest[1]!, nativeId: rest[2]! };
}
