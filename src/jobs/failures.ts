/**
 * The one constructor of `JobFailure` values: the store, the provider modules and the API key
 * scopes all build their failures here, so that every failure has the same fields in the same shape.
 */
import type { JobErrorCode, JobFailure, JobRef } from './model.js';

/**
 * A failure for one ref. `message` must be safe for users (no secret, no upstream body);
 * `retryAfterMs` only when the provider asked for a wait.
 */
export function jobFailure(ref: JobRef, code: JobErrorCode, message: string, checkedAt: Date, retryAfterMs: number | null = null): JobFailure {
  return { failure: code, ref, message, retryAfterMs, checkedAt };
}
