import { isIP } from 'node:net';

/**
 * The key a client address is throttled under. An IPv6 host usually holds a whole /64 (SLAAC,
 * privacy addresses), so keying by full address would hand an attacker 2^64 fresh budgets:
 * IPv6 addresses are keyed by their /64, written `2001:db8:0:1::/64`. An IPv4-mapped IPv6
 * address (`::ffff:192.0.2.1`, as a dual-stack socket reports IPv4 peers) is its IPv4 address.
 * Anything that is not an IP address (it should not happen) is kept, bounded in length.
 */
export function addressKey(ip: string): string {
  const address = ip.split('%')[0]!; // a zone id (fe80::1%eth0) names an interface, not a host
  if (isIP(address) === 4) return address;
  if (isIP(address) !== 6) return ip.slice(0, 64);
  const groups = expandIpv6(address);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing dotted quad converted). */
function expandIpv6(address: string): number[] {
  let text = address.toLowerCase();
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  return tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}
