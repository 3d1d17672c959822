import { describe, expect, it } from 'vitest';
import {
  type AddressClass,
  type Resolver,
  checkTarget,
  checkUrl,
  classifyAddress,
  embeddedIPv4,
} from '../../src/webhooks/address-guard.js';

const REFUSED: ReadonlyArray<readonly [string, AddressClass]> = [
  // IPv4
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'link-local'],
  ['100.64.0.1', 'cgnat'],
  ['100.127.255.255', 'cgnat'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.10', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['192.88.99.1', 'reserved'],
  // IPv6
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456:789a::1', 'unique-local'],
  ['ff02::1', 'multicast'],
  ['ff0e::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'], // Teredo
  ['100::1', 'reserved'],
  ['fec0::1', 'reserved'],
  ['::1.2.3.4', 'reserved'], // IPv4-compatible (deprecated)
  ['::ffff:0:1.2.3.4', 'reserved'], // IPv4-translated
  ['64:ff9b:1::1', 'reserved'],
  // IPv4-mapped, dotted and hex, judged by the IPv4 inside
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['0:0:0:0:0:ffff:a00:1', 'private'],
  ['::FFFF:192.168.0.1', 'private'],
  ['::ffff:a9fe:a9fe', 'link-local'],
  ['::ffff:0.0.0.0', 'unspecified'],
  // NAT64 and 6to4 embedding a non-public IPv4
  ['64:ff9b::10.0.0.1', 'private'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['2002:c0a8:101::1', 'private'],
  ['2002:7f00:1::', 'loopback'],
  ['2002:a9fe:a9fe::1', 'link-local'],
];

const PUBLIC = [
  '8.8.8.8',
  '1.1.1.1',
  '172.32.0.1',
  '100.128.0.1',
  '192.169.0.1',
  '2606:4700:4700::1111',
  '2a00:1450:4001:82a::200e',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
];

const resolveTo =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('classifyAddress', () => {
  it.each(REFUSED)('%s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  it.each(PUBLIC)('%s is public', (address) => {
    expect(classifyAddress(address)).toBeUndefined();
  });

  it('reads the IPv4 inside mapped, NAT64 and 6to4 forms', () => {
    expect(embeddedIPv4('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(embeddedIPv4('::ffff:a01:203')).toBe('10.1.2.3');
    expect(embeddedIPv4('64:ff9b::a01:203')).toBe('10.1.2.3');
    expect(embeddedIPv4('2002:a01:203:1::5')).toBe('10.1.2.3');
    expect(embeddedIPv4('2606:4700::1')).toBeUndefined();
  });
});

describe('checkTarget', () => {
  it.each(REFUSED)('refuses a host resolving to %s (%s), also among public addresses', async (address, cls) => {
    const result = await checkTarget('https://hooks.example.com/in', { resolve: resolveTo('93.184.216.34', address) });
    expect(result).toMatchObject({ ok: false, code: 'FORBIDDEN_ADDRESS', addressClass: cls });
    if (!result.ok) expect(result.message).not.toContain(address);
  });

  it.each(['http://127.0.0.1/', 'http://[::1]:8080/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:7f00:1]/', 'http://2130706433/', 'http://0x7f.1/', 'http://017700000001/', 'http://169.254.169.254/latest/meta-data/', 'http://[fd00::1]/', 'http://0/'])(
    'refuses the literal %s without asking DNS',
    async (url) => {
      let asked = 0;
      const result = await checkTarget(url, { resolve: async () => (asked++, []) });
      expect(result).toMatchObject({ ok: false, code: 'FORBIDDEN_ADDRESS' });
      expect(asked).toBe(0);
    },
  );

  it('accepts a host whose every address is public, and returns the first to connect to', async () => {
    const result = await checkTarget('https://hooks.example.com/in?x=1', { resolve: resolveTo('93.184.216.34', '2606:2800:220:1::1') });
    expect(result).toMatchObject({ ok: true, hostname: 'hooks.example.com', address: '93.184.216.34', family: 4, port: 443 });
  });

  it('returns an IPv4-mapped answer as plain IPv4', async () => {
    const result = await checkTarget('http://hooks.example.com:8080/', { resolve: resolveTo('::ffff:808:808') });
    expect(result).toMatchObject({ ok: true, address: '8.8.8.8', family: 4, port: 8080 });
  });

  it('allowPrivate accepts loopback and private addresses, never unspecified, multicast or broadcast', async () => {
    expect(await checkTarget('http://127.0.0.1:3000/', { allowPrivate: true })).toMatchObject({ ok: true, address: '127.0.0.1', port: 3000 });
    expect(await checkTarget('http://[::1]/', { allowPrivate: true })).toMatchObject({ ok: true, hostname: '::1', address: '::1', family: 6 });
    expect(await checkTarget('http://internal/', { allowPrivate: true, resolve: resolveTo('10.0.0.5', 'fd00::5') })).toMatchObject({ ok: true });
    for (const address of ['0.0.0.0', '::', '224.0.0.1', 'ff02::1', '255.255.255.255']) {
      expect(await checkTarget('http://internal/', { allowPrivate: true, resolve: resolveTo(address) })).toMatchObject({ ok: false, code: 'FORBIDDEN_ADDRESS' });
    }
  });

  it('a name that does not resolve is UNRESOLVABLE', async () => {
    const failing: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    expect(await checkTarget('https://nowhere.example/', { resolve: failing })).toMatchObject({ ok: false, code: 'UNRESOLVABLE' });
    expect(await checkTarget('https://nowhere.example/', { resolve: resolveTo() })).toMatchObject({ ok: false, code: 'UNRESOLVABLE' });
  });
});

describe('checkUrl', () => {
  it.each([
    ['ftp://example.com/', 'UNSUPPORTED_SCHEME'],
    ['file:///etc/passwd', 'UNSUPPORTED_SCHEME'],
    ['javascript:alert(1)', 'UNSUPPORTED_SCHEME'],
    ['example.com/hook', 'INVALID_URL'],
    ['https://user:pass@example.com/', 'CREDENTIALS_IN_URL'],
    ['https://token@example.com/', 'CREDENTIALS_IN_URL'],
  ])('refuses %s (%s)', (url, code) => {
    expect(checkUrl(url)).toMatchObject({ ok: false, code });
  });

  it('accepts http and https URLs', () => {
    expect(checkUrl('https://example.com/hook')).toMatchObject({ ok: true });
    expect(checkUrl('http://example.com:8080/a?b=c')).toMatchObject({ ok: true });
  });
});
