import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Resolver } from '../../src/webhooks/address-guard.js';
import { MAX_RESPONSE_BYTES, USER_AGENT, deliver } from '../../src/webhooks/deliver.js';
import { newMessageId, newSecret, signatureHeaders } from '../../src/webhooks/signing.js';
import { type WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver.js';

const secret = newSecret();
const body = JSON.stringify({ type: 'webhook.test', timestamp: new Date().toISOString(), data: { webhook: { id: 'V2ViaG9vazox' } } });
const signed = () => signatureHeaders({ id: newMessageId(), timestamp: new Date(), body, secrets: [secret] });

/** A resolver that answers `address` for every name and counts its calls. */
function pinnedResolver(address: string): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };
  return Object.assign(resolve, { calls });
}

let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe('deliver', () => {
  it('POSTs the signed JSON body; the receiver verifies it with each secret of a rotation', async () => {
    const previous = newSecret();
    const headers = signatureHeaders({ id: 'msg_abc', timestamp: new Date(), body, secrets: [secret, previous] });
    const result = await deliver({ url: `${receiver.url}/hooks/in?team=a`, body, headers, allowPrivate: true });

    expect(result).toMatchObject({ ok: true, status: 204, code: null, error: null, gone: false });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(receiver.requests).toHaveLength(1);
    const [received] = receiver.requests;
    expect(received).toMatchObject({ method: 'POST', path: '/hooks/in?team=a', body });
    expect(received?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'webhook-id': 'msg_abc',
      host: `127.0.0.1:${receiver.port}`,
    });
    const asReceived = received?.headers as Record<string, string>;
    expect(new Webhook(secret).verify(received?.body ?? '', asReceived)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(received?.body ?? '', asReceived)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newSecret()).verify(received?.body ?? '', asReceived)).toThrow();
  });

  it('a 500 is a failure with its status', async () => {
    receiver.answer({ status: 500, body: 'oops' });
    expect(await deliver({ url: receiver.url, body, headers: signed(), allowPrivate: true })).toMatchObject({
      ok: false,
      status: 500,
      code: 'HTTP_STATUS',
      error: 'the receiver answered HTTP 500',
      gone: false,
    });
  });

  it('a 410 says gone', async () => {
    receiver.answer({ status: 410 });
    expect(await deliver({ url: receiver.url, body, headers: signed(), allowPrivate: true })).toMatchObject({
      ok: false,
      status: 410,
      code: 'HTTP_STATUS',
      gone: true,
    });
  });

  it('a 302 is a failure and is not followed', async () => {
    const elsewhere = await startWebhookReceiver();
    try {
      receiver.answer({ status: 302, headers: { location: `${elsewhere.url}/stolen` } });
      const result = await deliver({ url: receiver.url, body, headers: signed(), allowPrivate: true });
      expect(result).toMatchObject({ ok: false, status: 302, code: 'REDIRECT', gone: false });
      expect(receiver.requests).toHaveLength(1);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('reads at most 64 KB of a 1 MB answer and still counts the 2xx', async () => {
    receiver.answer({ status: 200, bodyBytes: 1024 * 1024 });
    const result = await deliver({ url: receiver.url, body, headers: signed(), allowPrivate: true });
    expect(result).toMatchObject({ ok: true, status: 200, truncated: true, responseBytes: MAX_RESPONSE_BYTES });
  });

  it('reads a small answer whole', async () => {
    receiver.answer({ status: 200, body: '{"received":true}' });
    expect(await deliver({ url: receiver.url, body, headers: signed(), allowPrivate: true })).toMatchObject({
      ok: true,
      responseBytes: 17,
      truncated: false,
    });
  });

  it('times out on a receiver that never answers', async () => {
    receiver.answer({ hang: true });
    const result = await deliver({ url: receiver.url, body, headers: signed(), allowPrivate: true, timeoutMs: 150 });
    expect(result).toMatchObject({ ok: false, status: null, code: 'TIMEOUT', gone: false });
    expect(receiver.requests).toHaveLength(1);
  });

  it('the deadline covers the body: headers then a body that never ends is a timeout', async () => {
    receiver.answer({ status: 200, hangBody: true });
    const result = await deliver({ url: receiver.url, body, headers: signed(), allowPrivate: true, timeoutMs: 150 });
    expect(result).toMatchObject({ ok: false, code: 'TIMEOUT' });
  });

  it('the deadline covers name resolution', async () => {
    const never: Resolver = () => new Promise(() => undefined);
    const result = await deliver({ url: 'http://slow-dns.example.test/', body, headers: signed(), resolve: never, timeoutMs: 100 });
    expect(result).toMatchObject({ ok: false, code: 'TIMEOUT' });
  });

  it('refuses a host name resolving to a private address, sending nothing', async () => {
    const resolve = pinnedResolver('127.0.0.1');
    const url = `http://hooks.example.test:${receiver.port}/in`;
    const result = await deliver({ url, body, headers: signed(), resolve });
    expect(result).toMatchObject({ ok: false, status: null, code: 'REFUSED', gone: false });
    expect(result.error).toContain('loopback');
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses loopback literals unless allowPrivate', async () => {
    expect(await deliver({ url: receiver.url, body, headers: signed() })).toMatchObject({ ok: false, code: 'REFUSED' });
    expect(receiver.requests).toHaveLength(0);
  });

  it('connects to the checked address (no second lookup) and keeps the name as Host', async () => {
    const resolve = pinnedResolver('127.0.0.1');
    const url = `http://hooks.example.test:${receiver.port}/in`;
    const result = await deliver({ url, body, headers: signed(), resolve, allowPrivate: true });
    expect(result).toMatchObject({ ok: true, status: 204 });
    expect(resolve.calls).toEqual(['hooks.example.test']);
    expect(receiver.requests[0]?.headers.host).toBe(`hooks.example.test:${receiver.port}`);
  });

  it('a refused connection is a CONNECTION failure, and a bad URL is REFUSED: it never rejects', async () => {
    const gone = await startWebhookReceiver();
    await gone.close();
    expect(await deliver({ url: gone.url, body, headers: signed(), allowPrivate: true })).toMatchObject({
      ok: false,
      status: null,
      code: 'CONNECTION',
    });
    expect(await deliver({ url: 'not a url', body, headers: signed() })).toMatchObject({ ok: false, code: 'REFUSED' });
    const badHeaders = { ...signed(), 'webhook-id': 'bad\r\nvalue' };
    expect(await deliver({ url: receiver.url, body, headers: badHeaders, allowPrivate: true })).toMatchObject({ ok: false, code: 'CONNECTION' });
  });
});

describe('deliver over https', () => {
  let dir: string;
  let server: HttpsServer;
  let port: number;
  let cert: string;
  let hosts: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'webhook-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-subj', '/CN=hooks.example.test', '-addext', 'subjectAltName=DNS:hooks.example.test',
    ], { stdio: 'ignore' });
    cert = await readFile(join(dir, 'cert.pem'), 'utf8');
    hosts = [];
    server = createHttpsServer({ key: await readFile(join(dir, 'key.pem')), cert }, (req, res) => {
      hosts.push(`${(req.socket as { servername?: string }).servername ?? ''} ${req.headers.host ?? ''}`);
      req.resume();
      req.on('end', () => res.writeHead(200).end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('sends the name for SNI and the certificate check while connecting to the checked address', async () => {
    const resolve = pinnedResolver('127.0.0.1');
    const result = await deliver({ url: `https://hooks.example.test:${port}/`, body, headers: signed(), resolve, allowPrivate: true, ca: cert });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(hosts).toEqual([`hooks.example.test hooks.example.test:${port}`]);

    // The certificate is checked against the URL's name, not the address.
    const other = await deliver({ url: `https://other.example.test:${port}/`, body, headers: signed(), resolve, allowPrivate: true, ca: cert });
    expect(other).toMatchObject({ ok: false, code: 'CONNECTION' });
    expect(other.error).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });
});
