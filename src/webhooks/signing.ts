/**
 * Standard Webhooks signing: secrets, message ids and the three signature headers.
 *
 * The HMAC itself is the `standardwebhooks` package's (the reference implementation receivers
 * verify with), so what we sign is by construction what `Webhook.verify` checks:
 * `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the secret's decoded bytes.
 *
 * Secret rotation: after `rotateWebhookSecret` the previous secret keeps signing for
 * {@link ROTATION_OVERLAP_MS} beside the new one; `webhook-signature` then carries both
 * `v1,…` entries separated by a space, as the specification allows, so a receiver that still
 * knows only the old secret keeps accepting deliveries while it switches.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** Every secret starts with this, as Standard Webhooks libraries expect. */
export const SECRET_PREFIX = 'whsec_';

/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 32;

/** The three headers every delivery carries. */
export interface SignatureHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/** What one attempt signs. */
export interface SignatureInput {
  /** The message id: the same for every attempt of one delivery, so receivers can deduplicate. */
  readonly id: string;
  /** When this attempt is sent; receivers reject timestamps more than 5 minutes off. */
  readonly timestamp: Date;
  /** The exact bytes sent as the body. */
  readonly body: string;
  /** The current secret first, then the previous one while the rotation overlap lasts. */
  readonly secrets: readonly [current: string, previous?: string];
}

/**
 * A fresh secret: `whsec_` and the base64 of 32 random bytes.
 * @param bytes how many random bytes (24–32; Standard Webhooks asks for at least 24).
 */
export function newSecret(bytes = MAX_SECRET_BYTES): string {
  if (!Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw new RangeError(`a webhook secret has ${MIN_SECRET_BYTES}–${MAX_SECRET_BYTES} bytes`);
  }
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/** Whether `value` is a secret of our shape: `whsec_` and base64 of 24–32 bytes. */
export function isSecret(value: string): boolean {
  if (!value.startsWith(SECRET_PREFIX)) return false;
  const encoded = value.slice(SECRET_PREFIX.length);
  // Buffer.from(…, 'base64') skips junk silently, so check the alphabet and round-trip first.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return false;
  const decoded = Buffer.from(encoded, 'base64');
  return (
    decoded.toString('base64') === encoded &&
    decoded.length >= MIN_SECRET_BYTES &&
    decoded.length <= MAX_SECRET_BYTES
  );
}

/** A message id for `webhook-id`: `msg_` and 16 random bytes, base64url. */
export function newMessageId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}

/**
 * The signature headers for one attempt. With two secrets, `webhook-signature` holds
 * `v1,<sig by current> v1,<sig by previous>`; a previous secret equal to the current one is
 * signed once.
 *
 * Throws only on a secret that is not of our shape (see {@link isSecret}): secrets are made
 * by {@link newSecret}, so that is a bug or a corrupted store, not a receiver's doing.
 */
export function signatureHeaders({ id, timestamp, body, secrets }: SignatureInput): SignatureHeaders {
  const distinct = [...new Set(secrets.filter((secret): secret is string => secret !== undefined))];
  const signatures = distinct.map((secret) => {
    if (!isSecret(secret)) throw new TypeError('a webhook secret is malformed');
    return new Webhook(secret).sign(id, timestamp, body);
  });
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

/** What the store keeps about a webhook's secrets. */
export interface WebhookSecrets {
  readonly current: string;
  /** The secret before the last rotation, if any. */
  readonly previous?: string | null;
  /** When the last rotation happened (ms since the epoch). */
  readonly rotatedAt?: number | null;
}

/**
 * The secrets that sign at `now`: the current one, and the previous one for
 * {@link ROTATION_OVERLAP_MS} after the rotation.
 */
export function signingSecrets(stored: WebhookSecrets, now: number): readonly [string, string?] {
  const { current, previous, rotatedAt } = stored;
  if (previous && rotatedAt != null && now - rotatedAt < ROTATION_OVERLAP_MS) return [current, previous];
  return [current];
}
