/**
 * The registry's one error type: a code the schema layer maps to a GraphQL error, and a message
 * safe to show (it never carries a database URL, a credential or a row's data beyond what the
 * caller sent).
 */

export type RegistryErrorCode =
  /** DATABASE_URL is neither postgres://… nor memory:. */
  | 'DATABASE_URL_INVALID'
  /** A migration failed at open; the service should not start. */
  | 'MIGRATION_FAILED'
  /** Labels break the rules of `labels.ts` (too many, empty, too long, control characters). */
  | 'LABELS_INVALID'
  /** A pagination cursor this registry did not make, or made for another order or list. */
  | 'CURSOR_INVALID'
  /** `first`/`last` out of range, or both given. */
  | 'PAGE_SIZE_INVALID'
  /** The database cannot be reached (or did not answer within the registry's timeout). */
  | 'REGISTRY_UNAVAILABLE'
  /** Another live process holds the embedded database's data directory. */
  | 'DATA_DIR_LOCKED';

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly code: RegistryErrorCode;

  constructor(code: RegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Whether `error` is a registry error, with `code` when given. */
export function isRegistryError(error: unknown, code?: RegistryErrorCode): error is RegistryError {
  return error instanceof RegistryError && (code === undefined || error.code === code);
}
