/**
 * The SSRF guard: a webhook URL may only lead to a public unicast address.
 *
 * A webhook is a URL anyone with the `webhooks` capability chooses, and the service POSTs to it
 * from inside its network; without a guard that is a way to reach the metadata service
 * (169.254.169.254), the database, or anything on loopback. So the URL must be http(s) without
 * credentials, its host is resolved (every address, `dns.lookup` with `all: true`), and it is
 * refused if ANY address is not public — one private answer among public ones is how DNS
 * rebinding tricks pick their moment. The caller then connects to the address returned here and
 * nowhere else (no second lookup, see `deliver.ts`), so what was checked is what is reached.
 *
 * IPv6 forms that carry an IPv4 address are judged by that address: IPv4-mapped
 * (`::ffff:a.b.c.d`, also `::ffff:7f00:1`), NAT64 (`64:ff9b::/96`) and 6to4 (`2002::/16`).
 * Other special IPv6 blocks (IPv4-compatible, Teredo and the rest of `2001::/23`, local NAT64,
 * discard-only) are refused outright.
 *
 * `allowPrivate` (`WEBHOOK_ALLOW_PRIVATE=1`: tests, the sandbox, an internal network) lifts the
 * guard for every address that can be a host somewhere — loopback, private, link-local,
 * unique-local, CGNAT, documentation, benchmarking, reserved — but not for the unspecified
 * address, multicast and broadcast, which are never a server to POST to.
 *
 * Refusals never name the resolved address: the API caller sees the reason, not an oracle for
 * what internal names resolve to.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Why an address is not public. */
export type AddressClass =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'cgnat'
  | 'reserved'
  | 'documentation'
  | 'benchmarking';

/** Classes that `allowPrivate` does not lift: never a unicast host. */
const NEVER_A_HOST: ReadonlySet<AddressClass> = new Set(['unspecified', 'multicast', 'broadcast']);

type Rule = readonly [cidr: string, prefix: number, cls: AddressClass];

// Order matters only for the reason reported: the narrower rule comes first.
const V4_RULES: readonly Rule[] = [
  ['0.0.0.0', 32, 'unspecified'],
  ['255.255.255.255', 32, 'broadcast'],
  ['0.0.0.0', 8, 'reserved'], // "this network"
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved'], // 6to4 relay anycast
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const V6_RULES: readonly Rule[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b:1::', 48, 'reserved'], // local-use NAT64
  ['100::', 64, 'reserved'], // discard-only
  ['2001:db8::', 32, 'documentation'],
  ['2001::', 23, 'reserved'], // IETF protocol assignments, Teredo among them
  ['3fff::', 20, 'documentation'],
  ['5f00::', 16, 'reserved'], // SRv6 SIDs
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'reserved'], // deprecated site-local
  ['ff00::', 8, 'multicast'],
];

function compile(rules: readonly Rule[], family: 'ipv4' | 'ipv6'): ReadonlyArray<readonly [BlockList, AddressClass]> {
  return rules.map(([network, prefix, cls]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, family);
    return [list, cls] as const;
  });
}

const V4 = compile(V4_RULES, 'ipv4');
const V6 = compile(V6_RULES, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (zone id dropped), or undefined if it is not one. */
function groupsOf(address: string): number[] | undefined {
  let text = address.split('%')[0] ?? '';
  if (isIP(text) !== 6) return undefined;
  // A trailing dotted quad ("::ffff:10.0.0.1") becomes two hex groups, so the rest is plain hex.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const [head = '', tail] = text.split('::');
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function v4From(high: number, low: number): string {
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/** The IPv4 address of an IPv4-mapped IPv6 address (`::ffff:0:0/96`), in any spelling. */
export function mappedIPv4(address: string): string | undefined {
  const g = groupsOf(address);
  if (!g || g.slice(0, 5).some((group) => group !== 0) || g[5] !== 0xffff) return undefined;
  return v4From(g[6] ?? 0, g[7] ?? 0);
}

/**
 * The IPv4 address an IPv6 address stands for, if it is IPv4-mapped (`::ffff:0:0/96`), NAT64
 * (`64:ff9b::/96`) or 6to4 (`2002::/16`).
 */
export function embeddedIPv4(address: string): string | undefined {
  const mapped = mappedIPv4(address);
  if (mapped !== undefined) return mapped;
  const g = groupsOf(address);
  if (!g) return undefined;
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((group) => group === 0)) return v4From(g[6] ?? 0, g[7] ?? 0);
  if (g[0] === 0x2002) return v4From(g[1] ?? 0, g[2] ?? 0);
  return undefined;
}

/**
 * The class of a non-public address, or undefined for a public one (and for a string that is not
 * an IP address at all — callers pass resolved addresses).
 */
export function classifyAddress(address: string): AddressClass | undefined {
  const family = isIP(address.split('%')[0] ?? '');
  if (family === 4) return V4.find(([list]) => list.check(address, 'ipv4'))?.[1];
  if (family !== 6) return undefined;
  const plain = address.split('%')[0] ?? '';
  const embedded = embeddedIPv4(plain);
  if (embedded !== undefined) return classifyAddress(embedded);
  const direct = V6.find(([list]) => list.check(plain, 'ipv6'))?.[1];
  if (direct) return direct;
  // The rest of ::/8 (IPv4-compatible, IPv4-translated…): deprecated or never routed.
  const g = groupsOf(plain);
  if (g && g[0] !== undefined && g[0] < 0x100) return 'reserved';
  return undefined;
}

/** One resolved address, as `dns.lookup` gives it. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a host name to every address; `dns.lookup` with `all: true` by default. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

export interface GuardOptions {
  /** `WEBHOOK_ALLOW_PRIVATE=1`: see the header. */
  readonly allowPrivate?: boolean;
  /** Injectable for tests; `dns.lookup` otherwise. */
  readonly resolve?: Resolver;
}

/** A URL that passed the guard, and the one address to connect to. */
export interface CheckedTarget {
  readonly url: URL;
  /** The host name as written (brackets of an IPv6 literal removed): Host header and TLS name. */
  readonly hostname: string;
  readonly address: string;
  readonly family: 4 | 6;
  readonly port: number;
}

export type GuardErrorCode =
  | 'INVALID_URL'
  | 'UNSUPPORTED_SCHEME'
  | 'CREDENTIALS_IN_URL'
  | 'UNRESOLVABLE'
  | 'FORBIDDEN_ADDRESS';

export type GuardResult =
  | ({ readonly ok: true } & CheckedTarget)
  | { readonly ok: false; readonly code: GuardErrorCode; readonly message: string; readonly addressClass?: AddressClass };

export type UrlResult =
  | { readonly ok: true; readonly url: URL }
  | { readonly ok: false; readonly code: 'INVALID_URL' | 'UNSUPPORTED_SCHEME' | 'CREDENTIALS_IN_URL'; readonly message: string };

/**
 * The checks that need no DNS: an absolute http(s) URL without user name or password. For
 * validating input at once (a bad URL is a 4xx); {@link checkTarget} runs it again before use.
 */
export function checkUrl(input: string): UrlResult {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, code: 'INVALID_URL', message: 'the webhook URL is not a valid absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, code: 'UNSUPPORTED_SCHEME', message: 'the webhook URL must be http or https' };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, code: 'CREDENTIALS_IN_URL', message: 'the webhook URL must not carry a user name or password' };
  }
  if (url.hostname === '') return { ok: false, code: 'INVALID_URL', message: 'the webhook URL has no host' };
  return { ok: true, url };
}

function refusal(cls: AddressClass): GuardResult {
  const lifted = NEVER_A_HOST.has(cls) ? '' : ' (WEBHOOK_ALLOW_PRIVATE=1 allows it)';
  return {
    ok: false,
    code: 'FORBIDDEN_ADDRESS',
    message: `the webhook host resolves to a ${cls} address, which is refused${lifted}`,
    addressClass: cls,
  };
}

/**
 * Checks a webhook URL and resolves its host: every address must be public (or allowed by
 * `allowPrivate`). Returns the first address to connect to; IPv4-mapped answers are returned
 * as plain IPv4. Never rejects.
 */
export async function checkTarget(input: string, options: GuardOptions = {}): Promise<GuardResult> {
  const checked = checkUrl(input);
  if (!checked.ok) return checked;
  const { url } = checked;
  // WHATWG URL has already normalized odd IPv4 spellings (2130706433, 0x7f.1) to dotted quads.
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: readonly ResolvedAddress[];
  if (isIP(hostname) !== 0) {
    addresses = [{ address: hostname, family: isIP(hostname) }];
  } else {
    try {
      addresses = await (options.resolve ?? systemResolver)(hostname);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { ok: false, code: 'UNRESOLVABLE', message: `the webhook host does not resolve${code ? ` (${code})` : ''}` };
    }
  }
  if (addresses.length === 0) return { ok: false, code: 'UNRESOLVABLE', message: 'the webhook host does not resolve' };
  for (const { address } of addresses) {
    const cls = isIP(address.split('%')[0] ?? '') === 0 ? 'reserved' : classifyAddress(address);
    if (cls && (!options.allowPrivate || NEVER_A_HOST.has(cls))) return refusal(cls);
  }
  const first = addresses[0] as ResolvedAddress;
  const address = mappedIPv4(first.address) ?? first.address;
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { ok: true, url, hostname, address, family: isIP(address) === 4 ? 4 : 6, port };
}
