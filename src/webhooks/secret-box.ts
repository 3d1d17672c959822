/**
 * Webhook secrets at rest: sealed with AES-256-GCM so that a database dump alone reveals none.
 *
 * We must be able to sign, so a secret cannot be hashed like a password; it is encrypted with a
 * key that never lives in the database:
 * - `WEBHOOK_SECRET_KEY` (any string; 32 random bytes in base64 recommended) when configured: the
 *   key is derived with scrypt, so a weak passphrase is at least expensive to guess. Every
 *   instance of a cluster must be given the same value.
 * - otherwise a key file, `webhook-secret.key` under `DATA_DIR`, generated once (32 random bytes,
 *   mode 0600) and read at every start.
 *
 * The trade-off, said plainly: a dump of the database without the key (file or variable) reveals
 * nothing; the database and the key together reveal every secret. The key file protects against
 * leaked dumps and backups of the database, not against someone who can read `DATA_DIR` as a whole
 * — keep the key out of the database's backups, or configure `WEBHOOK_SECRET_KEY` from a secret
 * store. Losing the key makes the stored secrets unreadable: webhooks then need a new secret
 * (`rotateWebhookSecret`), which {@link openSecret} reports as `WRONG_KEY`.
 *
 * Sealed format (one ASCII string, fits a TEXT column): `v1.<keyId>.<iv>.<tag>.<ciphertext>`, all
 * base64url. `keyId` is a short fingerprint of the key, so a wrong key is told apart from a
 * damaged value. An optional `context` (e.g. the webhook's id) is bound as associated data, so
 * a sealed value copied onto another row does not open there.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, scryptSync } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** The key file's name under `DATA_DIR`. */
export const KEY_FILE_NAME = 'webhook-secret.key';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';
// A fixed salt: the derivation must give every instance the same key from the same variable.
const SCRYPT_SALT = 'job-status-graphql/webhook-secret-key/v1';

/** The key that seals and opens secrets. Its bytes are not enumerable, so it never prints. */
export interface SecretKey {
  /** A short public fingerprint (base64url), stored beside each sealed value. */
  readonly id: string;
  /** Where it came from. */
  readonly source: 'env' | 'file' | 'new-file';
  /** The key file's path, when it came from one. */
  readonly path?: string;
}

const keyBytes = new WeakMap<SecretKey, Buffer>();

function makeKey(bytes: Buffer, source: SecretKey['source'], path?: string): SecretKey {
  const id = createHmac('sha256', bytes).update('webhook-secret-key-id').digest().subarray(0, 6).toString('base64url');
  const key: SecretKey = path === undefined ? { id, source } : { id, source, path };
  keyBytes.set(key, bytes);
  return key;
}

function bytesOf(key: SecretKey): Buffer {
  const bytes = keyBytes.get(key);
  if (!bytes) throw new TypeError('not a key from loadOrCreateKey or keyFromString');
  return bytes;
}

/** Why a key could not be had. */
export type KeyErrorCode = 'KEY_FILE_UNREADABLE' | 'KEY_FILE_INVALID' | 'KEY_FILE_UNWRITABLE';

export type KeyResult =
  | { readonly ok: true; readonly key: SecretKey }
  | { readonly ok: false; readonly code: KeyErrorCode; readonly message: string };

/** The key derived from a configured `WEBHOOK_SECRET_KEY` (scrypt, fixed salt). */
export function keyFromString(value: string): SecretKey {
  return makeKey(scryptSync(value, SCRYPT_SALT, KEY_BYTES), 'env');
}

/**
 * The key: derived from `keyFromEnv` when it is set and not empty, else read from
 * `<dataDir>/webhook-secret.key`, creating it (and `dataDir`) the first time.
 *
 * Instances starting together agree on one file: the key is written to a temporary file and
 * hard-linked into place, which fails if another instance got there first, and then theirs is
 * read. A reader never sees a half-written key. Never rejects.
 */
export async function loadOrCreateKey({
  keyFromEnv,
  dataDir,
}: {
  readonly keyFromEnv?: string | undefined;
  readonly dataDir: string;
}): Promise<KeyResult> {
  if (keyFromEnv !== undefined && keyFromEnv !== '') return { ok: true, key: keyFromString(keyFromEnv) };
  const path = join(dataDir, KEY_FILE_NAME);
  const existing = await readKeyFile(path);
  if (!existing.missing) return existing.result;
  const created = await createKeyFile(dataDir, path);
  // Another instance linked its key first: use theirs.
  if (created.exists) return (await readKeyFile(path)).result;
  return created.result;
}

/** A result, and whether the file was missing (read) or already there (create). */
interface Attempt {
  readonly result: KeyResult;
  readonly missing?: boolean;
  readonly exists?: boolean;
}

function failure(code: KeyErrorCode, message: string): KeyResult {
  return { ok: false, code, message };
}

async function readKeyFile(path: string): Promise<Attempt> {
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      result: failure('KEY_FILE_UNREADABLE', `cannot read the webhook secret key file ${path} (${code ?? 'error'})`),
      missing: code === 'ENOENT',
    };
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== KEY_BYTES || bytes.toString('base64') !== text) {
    return { result: failure('KEY_FILE_INVALID', `the webhook secret key file ${path} does not hold a 32-byte base64 key`) };
  }
  return { result: { ok: true, key: makeKey(bytes, 'file', path) } };
}

async function createKeyFile(dataDir: string, path: string): Promise<Attempt> {
  const bytes = randomBytes(KEY_BYTES);
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dataDir, { recursive: true });
    const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await handle.writeFile(`${bytes.toString('base64')}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temporary, path);
    return { result: { ok: true, key: makeKey(bytes, 'new-file', path) } };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      result: failure('KEY_FILE_UNWRITABLE', `cannot create the webhook secret key file ${path} (${code ?? 'error'})`),
      exists: code === 'EEXIST',
    };
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/**
 * Seals `secret` with `key`. A fresh random IV each time, so sealing one secret twice gives two
 * different strings.
 * @param context bound as associated data; the same value must be given to {@link openSecret}.
 */
export function sealSecret(secret: string, key: SecretKey, context = ''): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', bytesOf(key), iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [VERSION, key.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

/** Why a sealed value did not open. */
export type OpenErrorCode =
  /** Not a sealed value of a format we know. */
  | 'MALFORMED'
  /** Sealed with another key (a lost or replaced key file, a different `WEBHOOK_SECRET_KEY`). */
  | 'WRONG_KEY'
  /** Right key, but the value was altered or sealed with another context. */
  | 'TAMPERED';

export type OpenResult =
  | { readonly ok: true; readonly secret: string }
  | { readonly ok: false; readonly code: OpenErrorCode; readonly message: string };

/** Opens what {@link sealSecret} sealed. Never throws; the message never holds key or secret. */
export function openSecret(sealed: string, key: SecretKey, context = ''): OpenResult {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) return { ok: false, code: 'MALFORMED', message: 'not a sealed webhook secret' };
  const [, keyId, ivText, tagText, cipherText] = parts as [string, string, string, string, string];
  if (keyId !== key.id) {
    return { ok: false, code: 'WRONG_KEY', message: `the webhook secret was sealed with another key (fingerprint ${keyId}; this key is ${key.id})` };
  }
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    return { ok: false, code: 'MALFORMED', message: 'not a sealed webhook secret' };
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', bytesOf(key), iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(Buffer.from(cipherText, 'base64url')), decipher.final()]);
    return { ok: true, secret: plain.toString('utf8') };
  } catch {
    return { ok: false, code: 'TAMPERED', message: 'the sealed webhook secret does not authenticate' };
  }
}
