import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  ROTATION_OVERLAP_MS,
  isSecret,
  newMessageId,
  newSecret,
  signatureHeaders,
  signingSecrets,
} from '../../src/webhooks/signing.js';

const body = JSON.stringify({ type: 'job.finished', timestamp: '2025-01-01T00:00:00.000Z', data: { job: { id: 'Sm9iOjE=' } } });

describe('webhook secrets', () => {
  it('are whsec_ and the base64 of 24 to 32 random bytes', () => {
    const secret = newSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(Buffer.from(newSecret(24).slice(6), 'base64')).toHaveLength(24);
    expect(newSecret()).not.toBe(secret);
    expect(() => newSecret(16)).toThrow(RangeError);
    expect(() => newSecret(33)).toThrow(RangeError);
  });

  it('are recognised by shape', () => {
    expect(isSecret(newSecret())).toBe(true);
    expect(isSecret(newSecret(24))).toBe(true);
    expect(isSecret(newSecret().slice(6))).toBe(false);
    expect(isSecret(`whsec_${Buffer.alloc(16).toString('base64')}`)).toBe(false);
    expect(isSecret('whsec_not base64!')).toBe(false);
  });

  it('message ids are msg_ and random', () => {
    expect(newMessageId()).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
    expect(newMessageId()).not.toBe(newMessageId());
  });
});

describe('signatureHeaders', () => {
  it('signs what Webhook.verify accepts, and a wrong secret fails', () => {
    const secret = newSecret();
    const headers = signatureHeaders({ id: 'msg_1', timestamp: new Date(), body, secrets: [secret] });
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new Webhook(newSecret()).verify(body, { ...headers })).toThrow('No matching signature');
    expect(() => new Webhook(secret).verify(`${body} `, { ...headers })).toThrow('No matching signature');
  });

  it('during a rotation carries two signatures, each verifying with its own secret', () => {
    const current = newSecret();
    const previous = newSecret();
    const headers = signatureHeaders({ id: 'msg_2', timestamp: new Date(), body, secrets: [current, previous] });
    const entries = headers['webhook-signature'].split(' ');
    expect(entries).toHaveLength(2);
    expect(entries.every((entry) => entry.startsWith('v1,'))).toBe(true);
    expect(new Webhook(current).verify(body, { ...headers })).toBeTruthy();
    expect(new Webhook(previous).verify(body, { ...headers })).toBeTruthy();
    // Each entry alone verifies with exactly one of the secrets.
    const only = (entry: string) => ({ ...headers, 'webhook-signature': entry });
    expect(() => new Webhook(current).verify(body, only(entries[0] ?? ''))).not.toThrow();
    expect(() => new Webhook(previous).verify(body, only(entries[0] ?? ''))).toThrow();
    expect(() => new Webhook(previous).verify(body, only(entries[1] ?? ''))).not.toThrow();
    expect(() => new Webhook(newSecret()).verify(body, { ...headers })).toThrow();
  });

  it('signs once when the previous secret is the current one, and refuses a malformed secret', () => {
    const secret = newSecret();
    const headers = signatureHeaders({ id: 'msg_3', timestamp: new Date(), body, secrets: [secret, secret] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(1);
    expect(() => signatureHeaders({ id: 'msg_3', timestamp: new Date(), body, secrets: ['whsec_'] })).toThrow(TypeError);
  });
});

describe('signingSecrets', () => {
  const stored = { current: 'whsec_new', previous: 'whsec_old', rotatedAt: 1_000_000 };

  it('signs with both secrets for 24 h after a rotation, then with the current one only', () => {
    expect(signingSecrets(stored, 1_000_000)).toEqual(['whsec_new', 'whsec_old']);
    expect(signingSecrets(stored, 1_000_000 + ROTATION_OVERLAP_MS - 1)).toEqual(['whsec_new', 'whsec_old']);
    expect(signingSecrets(stored, 1_000_000 + ROTATION_OVERLAP_MS)).toEqual(['whsec_new']);
    expect(signingSecrets({ current: 'whsec_new' }, 0)).toEqual(['whsec_new']);
    expect(signingSecrets({ current: 'whsec_new', previous: null, rotatedAt: 5 }, 6)).toEqual(['whsec_new']);
  });
});
