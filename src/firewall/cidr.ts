// Addresses and CIDR blocks as numbers, so lists can be checked (host bits),
// merged (an address inside a block already listed adds nothing: nftables
// refuses overlapping elements in an interval set) and written as nftables
// set elements.
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  // Network address as an unsigned integer (32 or 128 bits).
  addr: bigint;
  len: number;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

function v4ToBig(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6ToBig(ip: string): bigint {
  let text = ip;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail?.[1] !== undefined) {
    const v = v4ToBig(tail[1]);
    text = `${text.slice(0, tail.index)}${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const a = head === '' ? [] : head.split(':');
  const b = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = rest === undefined ? a : [...a, ...Array<string>(8 - a.length - b.length).fill('0'), ...b];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

// Parses "a.b.c.d", "a.b.c.d/n", "x::y", "x::y/n". Returns a reason string
// when it is not one (host bits set, bad prefix length, not an address).
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  const ip = slash < 0 ? text : text.slice(0, slash);
  const family: Family | undefined = isIPv4(ip) ? 4 : isIPv6(ip) && !ip.includes('%') ? 6 : undefined;
  if (family === undefined) return `"${text}" is not an IPv4/IPv6 address or CIDR block`;
  const bits = BITS[family];
  let len = bits;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > bits) return `"${text}": prefix length must be 0..${bits}`;
    len = Number(lenText);
  }
  const addr = family === 4 ? v4ToBig(ip) : v6ToBig(ip);
  const hostMask = (1n << BigInt(bits - len)) - 1n;
  if ((addr & hostMask) !== 0n) {
    return `"${text}" has host bits set (the block is ${formatAddr({ family, addr: addr & ~hostMask, len })}/${len})`;
  }
  return { family, addr, len };
}

export function formatAddr(c: Cidr): string {
  if (c.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => ((c.addr >> s) & 0xffn).toString()).join('.');
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((c.addr >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952), as nft prints it.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export function formatCidr(c: Cidr): string {
  return c.len === BITS[c.family] ? formatAddr(c) : `${formatAddr(c)}/${c.len}`;
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || outer.len > inner.len) return false;
  const shift = BigInt(BITS[outer.family] - outer.len);
  return outer.addr >> shift === inner.addr >> shift;
}

// Drops duplicates and blocks inside other blocks; sorted by family, address.
export function mergeCidrs(list: Cidr[]): Cidr[] {
  const sorted = [...list].sort((a, b) => a.family - b.family || (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : a.len - b.len));
  const out: Cidr[] = [];
  for (const c of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && contains(last, c)) continue;
    out.push(c);
  }
  return out;
}

// Parses a list known to be valid (validated config, shipped data).
export function parseAll(list: readonly string[]): Cidr[] {
  const out: Cidr[] = [];
  for (const text of list) {
    const c = parseCidr(text);
    if (typeof c === 'string') throw new Error(c);
    out.push(c);
  }
  return out;
}

// One spelling per address, as nft prints it (IPv4-mapped IPv6 as IPv4);
// undefined for anything but a single address.
export function normalizeIp(ip: string): { family: Family; text: string } | undefined {
  const plain = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1] ?? ip;
  const c = parseCidr(plain);
  if (typeof c === 'string' || c.len !== BITS[c.family]) return undefined;
  return { family: c.family, text: formatAddr(c) };
}
