/**
 * Request ids: the caller's `x-request-id` when it is a sensible one (a proxy's, say), otherwise a
 * fresh UUID. The id is echoed in the response header and carried by every log line of the request.
 */
import { randomUUID } from 'node:crypto';

/** Short printable tokens only: the id goes into logs and headers as it is. */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The id for a request whose `x-request-id` header is `header`. */
export function requestIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && SAFE_ID.test(given) ? given : randomUUID();
}
