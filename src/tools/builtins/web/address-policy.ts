import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { SkillgateError } from '../../../core/errors.js';

/** What kind of address a target is; only `public` is always allowed. */
export type AddressClass = 'public' | 'loopback' | 'private' | 'unspecified' | 'multicast' | 'reserved';

export interface AddressPolicy {
  allowPrivate: boolean;
  allowLoopback: boolean;
}

function blockList(v4: string[], v6: string[]): BlockList {
  const b = new BlockList();
  for (const c of v4) {
    const [net, bits] = c.split('/');
    b.addSubnet(net, Number(bits), 'ipv4');
  }
  for (const c of v6) {
    const [net, bits] = c.split('/');
    b.addSubnet(net, Number(bits), 'ipv6');
  }
  return b;
}

const CLASSES: [AddressClass, BlockList][] = [
  ['unspecified', blockList(['0.0.0.0/8'], ['::/128'])],
  ['loopback', blockList(['127.0.0.0/8'], ['::1/128'])],
  [
    'private',
    blockList(
      [
        '10.0.0.0/8',
        '172.16.0.0/12',
        '192.168.0.0/16',
        '169.254.0.0/16',
        '100.64.0.0/10',
        '192.0.0.0/24',
        '198.18.0.0/15',
      ],
      ['fc00::/7', 'fe80::/10'],
    ),
  ],
  ['multicast', blockList(['224.0.0.0/4'], ['ff00::/8'])],
  ['reserved', blockList(['240.0.0.0/4'], [])],
];

/** `::ffff:7f00:1` / `::ffff:127.0.0.1` -> `127.0.0.1`; other addresses unchanged. */
function unmapIpv4(ip: string): string {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (dotted) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (hex) {
    const hi = Number.parseInt(hex[1], 16);
    const lo = Number.parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return ip;
}

/** Classifies an IP address (IPv4, IPv6, IPv4-mapped IPv6). */
export function classifyAddress(address: string): AddressClass {
  const ip = unmapIpv4(address.replace(/^\[|\]$/g, ''));
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  for (const [cls, list] of CLASSES) {
    if (list.check(ip, family)) return cls;
  }
  return 'public';
}

/** Throws `web.url_refused` unless the policy allows connecting to `address`. */
export function assertAddressAllowed(address: string, policy: AddressPolicy, host: string): void {
  const cls = classifyAddress(address);
  if (cls === 'public') return;
  if (cls === 'private' && policy.allowPrivate) return;
  if (cls === 'loopback' && policy.allowLoopback) return;
  const flag =
    cls === 'private'
      ? ' (set web.allow_private to allow it)'
      : cls === 'loopback'
        ? ' (set web.allow_loopback to allow it)'
        : '';
  throw new SkillgateError(
    'web.url_refused',
    `Refusing to fetch ${host}: it resolves to a ${cls} address (${address})${flag}.`,
    {
      host,
      address,
      address_class: cls,
    },
  );
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `http.request` that resolves the host and refuses it when any of its addresses is
 * not allowed. The check happens on the address actually connected to, so DNS rebinding between a
 * check and the connection cannot slip through.
 */
export function guardedLookup(policy: AddressPolicy) {
  return (
    hostname: string,
    options: { all?: boolean; family?: number } | number,
    callback: LookupCallback,
  ): void => {
    const opts = typeof options === 'number' ? { family: options } : (options ?? {});
    dnsLookup(hostname, { all: true, family: opts.family ?? 0 }, (err, addresses) => {
      if (err) return callback(err, '');
      try {
        for (const a of addresses) assertAddressAllowed(a.address, policy, hostname);
      } catch (e) {
        return callback(e as NodeJS.ErrnoException, '');
      }
      if (opts.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** Resolves a host (for previews) and reports whether each address would be allowed. */
export function resolveForPreview(hostname: string): Promise<string[]> {
  return new Promise((resolve) => {
    dnsLookup(hostname, { all: true }, (err, addresses) =>
      resolve(err ? [] : addresses.map((a) => a.address)),
    );
  });
}
