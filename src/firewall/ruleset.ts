// The SBC's nftables table, generated from the running config: pure, no
// I/O, so unit tests assert the exact JSON. docs/firewall.md shows the rules
// in nft syntax. Everything lives in one `inet` table (IPv4 and IPv6) that
// nothing else writes; nothing outside it is ever named.
//
// Only WAN traffic is filtered (packets arriving on a WAN interface, or
// addressed to a WAN side's address): default drop there. Every other packet
// leaves our base chain with policy accept, so LAN traffic and the host's own
// rules are untouched.
import type { ConfigDocument, FirewallTrunkConfig, SideConfig, TrunkConfig } from '../config/document.js';
import { cidrsOf, type AddressList } from './address-lists.js';
import { mergeCidrs, parseCidr, type Cidr, type Family } from './cidr.js';
import { trunkLiterals } from './trunk-names.js';
import {
  accept,
  anySet,
  cidrElem,
  counter,
  ctState,
  drop,
  jump,
  limit,
  match,
  meta,
  payload,
  portMatch,
  portRange,
  protoOf,
  setRef,
  type ChainSpec,
  type Expr,
  type Json,
  type RuleSpec,
  type SetSpec,
} from './nft-json.js';

export const TABLE = 'edgesbc';
export const BASE_PRIORITY = 0;
// Sets whose elements are added at run time and kept across an apply.
export const BANNED = { 4: 'banned_v4', 6: 'banned_v6' } as const;
export const PEERS = { 4: 'peers_v4', 6: 'peers_v6' } as const;
export const FLOOD = { 4: 'flood_v4', 6: 'flood_v6' } as const;
// A flooding source's meter entry lives this long after its last packet.
const FLOOD_METER_TIMEOUT_S = 60;

export const TRUNK_DEFAULTS: FirewallTrunkConfig = { signalling_lists: [], media_policy: 'open-range', media_lists: [] };

export interface Ruleset {
  table: string;
  sets: SetSpec[];
  chains: ChainSpec[];
  rules: RuleSpec[];
}

export interface RulesetInput {
  doc: ConfigDocument;
  // Every list the config can name (builtin + imported): allLists().
  lists: Map<string, AddressList>;
  // Resolved addresses of each trunk's endpoints (IP literals), by trunk name.
  resolved: ReadonlyMap<string, readonly string[]>;
  // Interfaces found (rtnetlink) to hold the WAN sides' addresses; used
  // when firewall.wan_interfaces is empty (interfaces.ts).
  wanInterfaces?: readonly string[];
}

const FAMILIES: Family[] = [4, 6];
const addrType = (f: Family) => (f === 4 ? 'ipv4_addr' : 'ipv6_addr');
const v = (f: Family) => `v${f}`;

export const sigSet = (trunk: string, f: Family) => `sig_${trunk}_${v(f)}`;
export const mediaSet = (trunk: string, f: Family) => `media_${trunk}_${v(f)}`;
export const allowSet = (f: Family) => `allow_${v(f)}`;
export const adminSet = (f: Family) => `admin_${v(f)}`;

function staticSet(name: string, f: Family, cidrs: Cidr[]): SetSpec {
  return {
    name,
    type: addrType(f),
    flags: ['interval'],
    elements: mergeCidrs(cidrs.filter((c) => c.family === f)).map(cidrElem),
    dynamic: false,
  };
}

function literalCidrs(list: readonly string[]): Cidr[] {
  return list.map((s) => parseCidr(s)).filter((c): c is Cidr => typeof c !== 'string');
}

// The sides whose traffic is filtered: as configured, or those the trunks are on.
export function wanSides(doc: ConfigDocument): string[] {
  if (doc.firewall.wan_sides.length > 0) return doc.firewall.wan_sides;
  return [...new Set(doc.trunks.map((t) => t.side))].filter((s) => s in doc.sides);
}

export function trunkFirewall(doc: ConfigDocument, trunk: string): FirewallTrunkConfig {
  return doc.firewall.trunks[trunk] ?? TRUNK_DEFAULTS;
}

// The source blocks a trunk's signalling may come from: its lists plus the
// resolved addresses of its endpoints (and endpoint hosts that are literals).
export function signallingSources(input: RulesetInput, trunk: TrunkConfig): Cidr[] {
  const fw = trunkFirewall(input.doc, trunk.name);
  // The trunk's real hops (manual endpoints or its endpoint set), not only
  // trunks[].endpoints: trunk-names.ts.
  const endpoints = [...trunkLiterals(trunk), ...(input.resolved.get(trunk.name) ?? [])];
  return [...cidrsOf(input.lists, fw.signalling_lists), ...literalCidrs(endpoints)];
}

// The admin API's own port (api.port: one source of truth) and the other
// admin ports configured (SSH), sorted, no duplicates.
export function adminPorts(doc: ConfigDocument): number[] {
  return [...new Set([doc.api.port, ...doc.firewall.admin.tcp_ports])].sort((a, b) => a - b);
}

function sidePorts(side: SideConfig): { udp: number[]; tcp: number[] } {
  return {
    udp: side.udp ? [side.udp] : [],
    tcp: [side.tcp, side.tls].filter((p) => p > 0),
  };
}

function saddr(f: Family): Json {
  return payload(protoOf(f), 'saddr');
}

// WAN traffic: what arrives on the configured WAN interfaces; without any,
// what arrives on the interfaces that hold the WAN addresses (so other
// addresses on them are filtered too) and what is addressed to the WAN
// addresses (whatever interface it came in on).
function wanEntryRules(doc: ConfigDocument, sides: string[], found: readonly string[]): RuleSpec[] {
  const fw = doc.firewall;
  if (fw.wan_interfaces.length > 0) {
    const names = [...fw.wan_interfaces].sort();
    return [{ chain: 'input', comment: 'WAN interfaces', expr: [match(meta('iifname'), anySet(names)), jump('wan')] }];
  }
  const out: RuleSpec[] = [];
  if (found.length > 0) {
    const names = [...new Set(found)].sort();
    out.push({ chain: 'input', comment: 'interfaces holding the WAN addresses', expr: [match(meta('iifname'), anySet(names)), jump('wan')] });
  }
  for (const f of FAMILIES) {
    const addrs = mergeCidrs(literalCidrs(sides.flatMap((s) => doc.sides[s]?.addresses ?? [])).filter((c) => c.family === f));
    if (addrs.length === 0) continue;
    out.push({
      chain: 'input',
      comment: `to the WAN addresses (IPv${f})`,
      expr: [match(payload(protoOf(f), 'daddr'), anySet(addrs.map(cidrElem))), jump('wan')],
    });
  }
  return out;
}

function icmpRules(perS: number): RuleSpec[] {
  const burst = perS * 2;
  return [
    {
      chain: 'wan',
      comment: 'IPv6 neighbour discovery',
      expr: [
        match(payload('icmpv6', 'type'), { set: ['nd-router-advert', 'nd-neighbor-solicit', 'nd-neighbor-advert'] }),
        accept,
      ],
    },
    { chain: 'wan', comment: 'ICMP, rate-limited', expr: [match(meta('l4proto'), 'icmp'), limit(perS, burst), accept] },
    { chain: 'wan', comment: 'ICMPv6, rate-limited', expr: [match(meta('l4proto'), 'ipv6-icmp'), limit(perS, burst), accept] },
    { chain: 'wan', comment: 'ICMP over the rate', expr: [match(meta('l4proto'), { set: ['icmp', 'ipv6-icmp'] }), drop] },
  ];
}

// Per-source meter in the kernel: a source sending SIP faster than the rate
// is added to the banned set right there, so a flood never reaches sbcd.
function floodRules(doc: ConfigDocument, ports: number[]): RuleSpec[] {
  const { packets_per_s: rate, burst, ban_timeout_s: banS } = doc.firewall.flood;
  if (rate === 0 || ports.length === 0) return [];
  return FAMILIES.map((f): RuleSpec => {
    const update: Expr = { set: { op: 'update', elem: saddr(f), set: setRef(FLOOD[f]), stmt: [limit(rate, burst, true)] } };
    const ban: Expr = { set: { op: 'add', elem: { elem: { val: saddr(f), timeout: banS } }, set: setRef(BANNED[f]) } };
    return {
    chain: 'wan',
    comment: `SIP flood meter (IPv${f})`,
    expr: [
      match(meta('l4proto'), { set: ['tcp', 'udp'] }),
      portMatch('th', ports),
      match(saddr(f), setRef(allowSet(f)), '!='),
      update,
      ban,
      drop,
    ],
    };
  });
}

function dedupe(rules: RuleSpec[]): RuleSpec[] {
  const seen = new Set<string>();
  return rules.filter((r) => {
    const key = JSON.stringify(r.expr);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function generateRuleset(input: RulesetInput): Ruleset {
  const { doc } = input;
  const fw = doc.firewall;
  const sides = wanSides(doc);
  const wanTrunks = doc.trunks.filter((t) => t.enabled && sides.includes(t.side));

  const sets: SetSpec[] = [];
  for (const f of FAMILIES) {
    sets.push({ name: BANNED[f], type: addrType(f), size: 65535, flags: ['timeout'], elements: [], dynamic: true });
  }
  for (const f of FAMILIES) sets.push(staticSet(allowSet(f), f, literalCidrs(fw.bans.allow_list)));
  for (const f of FAMILIES) sets.push(staticSet(adminSet(f), f, literalCidrs(fw.admin.networks)));
  for (const f of FAMILIES) {
    sets.push({
      name: FLOOD[f],
      type: addrType(f),
      size: 65535,
      flags: ['timeout'],
      timeout: FLOOD_METER_TIMEOUT_S,
      elements: [],
      dynamic: false,
    });
  }
  for (const t of wanTrunks) {
    const sources = signallingSources(input, t);
    for (const f of FAMILIES) sets.push(staticSet(sigSet(t.name, f), f, sources));
    if (trunkFirewall(doc, t.name).media_policy === 'vonage-ranges') {
      const media = cidrsOf(input.lists, trunkFirewall(doc, t.name).media_lists);
      for (const f of FAMILIES) sets.push(staticSet(mediaSet(t.name, f), f, media));
    }
  }
  const peers = wanTrunks.some((t) => trunkFirewall(doc, t.name).media_policy === 'signalled-peers');
  if (peers) {
    for (const f of FAMILIES) {
      sets.push({ name: PEERS[f], type: [addrType(f), 'inet_service'], size: 65535, flags: ['timeout'], elements: [], dynamic: true });
    }
  }

  const chains: ChainSpec[] = [
    { name: 'input', base: { type: 'filter', hook: 'input', prio: BASE_PRIORITY, policy: 'accept' } },
    { name: 'wan' },
  ];

  const sipPorts = { udp: new Set<number>(), tcp: new Set<number>() };
  for (const s of sides) {
    const side = doc.sides[s];
    if (!side) continue;
    const p = sidePorts(side);
    p.udp.forEach((x) => sipPorts.udp.add(x));
    p.tcp.forEach((x) => sipPorts.tcp.add(x));
  }

  const rules: RuleSpec[] = [...wanEntryRules(doc, sides, input.wanInterfaces ?? [])];
  for (const f of FAMILIES) {
    rules.push({ chain: 'wan', comment: `banned (IPv${f})`, expr: [match(saddr(f), setRef(BANNED[f])), drop] });
  }
  rules.push({ chain: 'wan', comment: 'replies and related', expr: [match(ctState, ['established', 'related'], 'in'), accept] });
  rules.push({ chain: 'wan', comment: 'invalid state', expr: [match(ctState, 'invalid', 'in'), drop] });
  rules.push(...icmpRules(fw.icmp_per_s));
  rules.push(...floodRules(doc, [...sipPorts.udp, ...sipPorts.tcp]));

  const trunkRules: RuleSpec[] = [];
  for (const t of wanTrunks) {
    const side = doc.sides[t.side];
    if (!side) continue;
    const ports = sidePorts(side);
    for (const f of FAMILIES) {
      const src = match(saddr(f), setRef(sigSet(t.name, f)));
      if (ports.udp.length) {
        trunkRules.push({ chain: 'wan', comment: `SIP from trunk ${t.name} (udp, IPv${f})`, expr: [src, portMatch('udp', ports.udp), accept] });
      }
      if (ports.tcp.length) {
        trunkRules.push({ chain: 'wan', comment: `SIP from trunk ${t.name} (tcp/tls, IPv${f})`, expr: [src, portMatch('tcp', ports.tcp), accept] });
      }
    }
  }
  rules.push(...trunkRules);

  const mediaRules: RuleSpec[] = [];
  for (const t of wanTrunks) {
    const side = doc.sides[t.side];
    if (!side) continue;
    const range = portRange('udp', side.media.port_min, side.media.port_max);
    const policy = trunkFirewall(doc, t.name).media_policy;
    if (policy === 'open-range') {
      mediaRules.push({ chain: 'wan', comment: `media, open range (side ${t.side})`, expr: [range, accept] });
    } else if (policy === 'vonage-ranges') {
      for (const f of FAMILIES) {
        mediaRules.push({
          chain: 'wan',
          comment: `media from trunk ${t.name}'s media lists (IPv${f})`,
          expr: [match(saddr(f), setRef(mediaSet(t.name, f))), range, accept],
        });
      }
    } else {
      for (const f of FAMILIES) {
        mediaRules.push({
          chain: 'wan',
          comment: `media from signalled peers (IPv${f})`,
          // Counted: what the signalled peers sent shows in `nft list`.
          expr: [match({ concat: [saddr(f), payload('udp', 'dport')] }, setRef(PEERS[f])), counter, accept],
        });
      }
    }
  }
  rules.push(...dedupe(mediaRules));

  for (const f of FAMILIES) {
    rules.push({
      chain: 'wan',
      comment: `admin from admin networks (IPv${f})`,
      expr: [match(saddr(f), setRef(adminSet(f))), portMatch('tcp', adminPorts(doc)), accept],
    });
  }
  rules.push({ chain: 'wan', comment: 'WAN default drop', expr: [counter, drop] });

  return { table: TABLE, sets, chains, rules };
}

export type { Expr };
