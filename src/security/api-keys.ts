/**
 * API keys: which caller a bearer token names, compared in constant time.
 *
 * Both the presented token and every configured key are hashed (SHA-256) before comparison, so
 * that `timingSafeEqual` always compares equal lengths, and every key is compared even after a
 * match: the time taken says nothing about how much of a key was right, or which key it was.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Provider } from '../jobs/model.js';
import { type Caller, type Capability, OPEN_CALLER } from './caller.js';

/** A key that requests must carry when API keys are configured. */
export interface ApiKey {
  /** The bearer token itself (a secret). */
  readonly key: string;
  /** The providers whose jobs this key may read; `null`: all. */
  readonly providers: Provider[] | null;
  /** Safe to log: `key1`, `key2`… for `API_KEYS`, the file's `name` for `JOBS_CONFIG` keys. */
  readonly name: string;
  /** What the key may do: `JOBS_CONFIG` `can` (default read and track); `API_KEYS` keys can do everything. */
  readonly can: readonly Capability[];
}

/** What a check concluded: the caller, or why the request is refused (a message safe to show). */
export type Identification = { readonly caller: Caller } | { readonly refused: string };

interface KnownKey {
  readonly digest: Buffer;
  readonly caller: Caller;
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/** The configured keys, ready to identify callers; an empty list means an open API. */
export class ApiKeyCheck {
  private readonly keys: readonly KnownKey[];

  constructor(apiKeys: readonly ApiKey[]) {
    this.keys = apiKeys.map((apiKey) => ({
      digest: digest(apiKey.key),
      caller: { keyName: apiKey.name, providers: apiKey.providers ? new Set(apiKey.providers) : null, can: new Set(apiKey.can) },
    }));
  }

  /** False when no key is configured: the API is open. */
  get required(): boolean {
    return this.keys.length > 0;
  }

  /** Identifies the caller from an `Authorization` value (`Bearer <key>`), as sent over HTTP or in `connection_init`. */
  identify(authorization: unknown): Identification {
    if (!this.required) return { caller: OPEN_CALLER };
    if (authorization === undefined || authorization === null || authorization === '') {
      return { refused: 'This API requires an API key: send the header "Authorization: Bearer <key>"' };
    }
    const token = typeof authorization === 'string' ? BEARER.exec(authorization)?.[1] : undefined;
    if (token === undefined) return { refused: 'The Authorization value must be "Bearer <key>"' };
    const presented = digest(token);
    let match: Caller | null = null;
    for (const key of this.keys) if (timingSafeEqual(presented, key.digest) && match === null) match = key.caller;
    return match ? { caller: match } : { refused: 'The API key is not valid' };
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
