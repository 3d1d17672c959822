/**
 * An account's settings, as the provider builders see them wherever they came from, and the checks
 * the builders share: required values, secrets, base URLs. Here, not in `config/`, so that config
 * reads the provider descriptors and never the other way round.
 */
/** A non-secret value for a message: quoted, escaped, and cut short. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}

/** Where an account's settings came from: how its fields are named there, and where problems go. */
export interface Origin {
  /** The field's name at its origin: `ZENDESK_EMAIL` in the environment, `email` in the file. */
  name(field: string): string;
  problem(field: string, message: string): void;
}

/** An account's settings by field, as strings; a field left out is unset. */
export type Fields<F extends string> = Partial<Record<F, string>>;

/** The field's value, or a problem recorded when it is missing. */
export function required<F extends string>(fields: Fields<F>, field: F, at: Origin, missing: string): string | undefined {
  const value = fields[field];
  if (value === undefined) at.problem(field, missing);
  return value;
}

/** Control characters (a pasted line break, most often) would corrupt the header the secret is sent in. */
export function requiredSecret<F extends string>(fields: Fields<F>, field: F, at: Origin, missing: string): string | undefined {
  const value = required(fields, field, at, missing);
  if (value === undefined) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) {
    at.problem(field, 'must not contain control characters or line breaks');
    return undefined;
  }
  return value;
}

/**
 * An http(s) URL without credentials, query or fragment. A path prefix is kept (clients append
 * their routes to it); trailing slashes are dropped. A value holding "@" is not echoed: it may be
 * a URL with a password in it.
 */
export function baseUrlOf<F extends string>(fields: Fields<F>, field: F, at: Origin): string | undefined {
  const value = fields[field] ?? '';
  const got = value.includes('@') ? '' : `, got ${quote(value)}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    at.problem(field, `expected an http(s) URL like "https://example.com/prefix"${got}`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    at.problem(field, `expected an http(s) URL${got}`);
  } else if (url.username || url.password) {
    at.problem(field, 'must not contain credentials; use the account\'s auth settings');
  } else if (url.search || url.hash) {
    at.problem(field, `must not have a query or fragment${got}`);
  } else {
    return url.origin + url.pathname.replace(/\/+$/, '');
  }
  return undefined;
}

/**
 * `maxRequestsPerMinute`: an optional ceiling on the account's upstream calls (the pacer takes the
 * lower of it and what the provider advertises); undefined when unset, null when invalid.
 */
export function ceilingOf<F extends string>(fields: Fields<F>, field: F, at: Origin): number | undefined | null {
  const value = fields[field];
  if (value === undefined) return undefined;
  if (!/^\d{1,7}$/.test(value) || Number(value) < 1) {
    at.problem(field, `expected a whole number of calls per minute, at least 1, got ${quote(value)}`);
    return null;
  }
  return Number(value);
}
