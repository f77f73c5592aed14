// Builders for libnftables' JSON schema (libnftables-json(5)), written in
// the exact form `nft -j list` prints back, so what we generate and what the
// kernel holds compare equal (preview diff). Anonymous sets are sorted the
// way the kernel sorts them and a one-element set is a plain value.
import { formatAddr, type Cidr } from './cidr.js';

export const FAMILY = 'inet';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Expr = { [key: string]: Json };

export type Proto = 'ip' | 'ip6';
export const protoOf = (family: 4 | 6): Proto => (family === 4 ? 'ip' : 'ip6');

export const payload = (protocol: string, field: string): Json => ({ payload: { protocol, field } });
export const meta = (key: string): Json => ({ meta: { key } });
export const ctState: Json = { ct: { key: 'state' } };

// A value or an anonymous set of values.
export function anySet(values: Json[]): Json {
  if (values.length === 1) return values[0] ?? null;
  return { set: values };
}

export const match = (left: Json, right: Json, op: '==' | '!=' | 'in' = '=='): Expr => ({ match: { op, left, right } });
export const accept: Expr = { accept: null };
export const drop: Expr = { drop: null };
export const jump = (target: string): Expr => ({ jump: { target } });
export const counter: Expr = { counter: { packets: 0, bytes: 0 } };
export const limit = (rate: number, burst: number, over = false): Expr => ({
  limit: { rate, burst, per: 'second', ...(over ? { inv: true } : {}) },
});
export const setRef = (name: string): string => `@${name}`;

export function portMatch(l4: 'udp' | 'tcp' | 'th', ports: number[]): Expr {
  return match(payload(l4, 'dport'), anySet([...new Set(ports)].sort((a, b) => a - b)));
}

export function portRange(l4: 'udp' | 'tcp', min: number, max: number): Expr {
  return match(payload(l4, 'dport'), min === max ? min : { range: [min, max] });
}

// A set element for an address or CIDR block (a full-length prefix is the address).
export function cidrElem(c: Cidr): Json {
  const full = c.family === 4 ? 32 : 128;
  return c.len === full ? formatAddr(c) : { prefix: { addr: formatAddr(c), len: c.len } };
}

export interface SetSpec {
  name: string;
  type: string | string[];
  flags: string[];
  timeout?: number;
  size?: number;
  // Static elements, generated from the config (empty for dynamic sets).
  elements: Json[];
  // Elements added at run time (bans, media peers): carried over an apply.
  dynamic: boolean;
}

export interface ChainSpec {
  name: string;
  base?: { type: 'filter'; hook: 'input'; prio: number; policy: 'accept' | 'drop' };
}

export interface RuleSpec {
  chain: string;
  comment: string;
  expr: Expr[];
}

export const table = (name: string): Json => ({ table: { family: FAMILY, name } });

export function setObject(tableName: string, s: SetSpec): Json {
  return {
    set: {
      family: FAMILY,
      name: s.name,
      table: tableName,
      type: s.type,
      ...(s.size !== undefined ? { size: s.size } : {}),
      flags: s.flags,
      ...(s.timeout !== undefined ? { timeout: s.timeout } : {}),
    },
  };
}

export function chainObject(tableName: string, c: ChainSpec): Json {
  return { chain: { family: FAMILY, table: tableName, name: c.name, ...(c.base ?? {}) } };
}

export function ruleObject(tableName: string, r: RuleSpec): Json {
  return { rule: { family: FAMILY, table: tableName, chain: r.chain, comment: r.comment, expr: r.expr } };
}

export function elementObject(tableName: string, set: string, elem: Json[]): Json {
  return { element: { family: FAMILY, table: tableName, name: set, elem } };
}

// A timed element ({"elem": {"val": …, "timeout": s}}).
export function timedElem(val: Json, timeoutS: number): Json {
  return { elem: { val, timeout: timeoutS } };
}
