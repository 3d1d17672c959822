import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY_FILE_NAME, keyFromString, loadOrCreateKey, openSecret, sealSecret } from '../../src/webhooks/secret-box.js';
import { newSecret } from '../../src/webhooks/signing.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webhook-key-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('sealSecret / openSecret', () => {
  const key = keyFromString('a configured key');

  it('round-trips, and the sealed value shows nothing of the secret', () => {
    const secret = newSecret();
    const sealed = sealSecret(secret, key);
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(sealSecret(secret, key)).not.toBe(sealed);
    expect(openSecret(sealed, key)).toEqual({ ok: true, secret });
  });

  it('tells a wrong key, a tampered value, another context and garbage apart', () => {
    const sealed = sealSecret(newSecret(), key, 'webhook-1');
    expect(openSecret(sealed, keyFromString('another key'), 'webhook-1')).toMatchObject({ ok: false, code: 'WRONG_KEY' });
    expect(openSecret(sealed, key, 'webhook-2')).toMatchObject({ ok: false, code: 'TAMPERED' });
    const parts = sealed.split('.');
    const last = parts[4] ?? '';
    parts[4] = (last[0] === 'A' ? 'B' : 'A') + last.slice(1);
    expect(openSecret(parts.join('.'), key, 'webhook-1')).toMatchObject({ ok: false, code: 'TAMPERED' });
    expect(openSecret('whsec_plain', key)).toMatchObject({ ok: false, code: 'MALFORMED' });
    expect(openSecret('v1.a.b.c.d', key)).toMatchObject({ ok: false, code: 'WRONG_KEY' });
    expect(openSecret(`v1.${key.id}.b.c.d`, key)).toMatchObject({ ok: false, code: 'MALFORMED' });
  });

  it('a key never prints its bytes', () => {
    expect(JSON.stringify(key)).toBe(JSON.stringify({ id: key.id, source: 'env' }));
  });
});

describe('loadOrCreateKey', () => {
  it('derives the key from WEBHOOK_SECRET_KEY when set, the same every time, and writes no file', async () => {
    const dataDir = await tempDir();
    const first = await loadOrCreateKey({ keyFromEnv: 'sekret', dataDir });
    const second = await loadOrCreateKey({ keyFromEnv: 'sekret', dataDir });
    if (!first.ok || !second.ok) throw new Error('expected keys');
    expect(first.key.source).toBe('env');
    expect(openSecret(sealSecret('s', first.key), second.key)).toEqual({ ok: true, secret: 's' });
    await expect(stat(join(dataDir, KEY_FILE_NAME))).rejects.toThrow();
  });

  it('otherwise creates a 0600 key file once under DATA_DIR and reads it back', async () => {
    const dataDir = join(await tempDir(), 'nested', 'data');
    const created = await loadOrCreateKey({ dataDir });
    if (!created.ok) throw new Error(created.message);
    expect(created.key.source).toBe('new-file');
    const path = join(dataDir, KEY_FILE_NAME);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(path, 'utf8')).trim(), 'base64')).toHaveLength(32);
    const sealed = sealSecret('whsec_x', created.key);
    const loaded = await loadOrCreateKey({ keyFromEnv: '', dataDir });
    if (!loaded.ok) throw new Error(loaded.message);
    expect(loaded.key.source).toBe('file');
    expect(openSecret(sealed, loaded.key)).toEqual({ ok: true, secret: 'whsec_x' });
  });

  it('instances starting together agree on one key', async () => {
    const dataDir = await tempDir();
    const results = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateKey({ dataDir })));
    const ids = new Set(results.map((result) => (result.ok ? result.key.id : result.code)));
    expect(ids.size).toBe(1);
    expect(results.filter((result) => result.ok && result.key.source === 'new-file')).toHaveLength(1);
  });

  it('a damaged key file is an error, not a new key', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, KEY_FILE_NAME), 'short\n');
    expect(await loadOrCreateKey({ dataDir })).toMatchObject({ ok: false, code: 'KEY_FILE_INVALID' });
    expect(await readFile(join(dataDir, KEY_FILE_NAME), 'utf8')).toBe('short\n');
  });

  it('an unwritable DATA_DIR is an error value', async () => {
    const file = join(await tempDir(), 'a-file');
    await writeFile(file, '');
    expect(await loadOrCreateKey({ dataDir: join(file, 'data') })).toMatchObject({ ok: false, code: 'KEY_FILE_UNREADABLE' });
  });
});
