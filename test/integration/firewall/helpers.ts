// Shared by the firewall tests: the netns config (SBC LAN 192.0.2.1, WAN
// 198.51.100.1 on the `wan` bridge, Vonage 198.51.100.10, PBX 192.0.2.20,
// attacker 203.0.113.66), reading our table in the SBC namespace, raw SIP,
// and committing to a running sbcd's store from the test (then SIGHUP).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ConfigStore } from '../../../src/config/store.js';
import { NETNS_ADDR, deepMerge, type ConfigDoc, type PartialConfig, type Sbcd, type Topology } from '../harness/index.js';

export const SIP_PORT = 5060;

export function fwConfig(over: PartialConfig = {}): ConfigDoc {
  const base: ConfigDoc = {
    version: 1,
    system: { name: 'edgesbc-fw', log_level: 'info' },
    sip: { shutdown_grace_s: 1 },
    sides: {
      lan: { addresses: [NETNS_ADDR.sbcLan], udp: SIP_PORT, tcp: SIP_PORT, tls: 0 },
      wan: { addresses: [NETNS_ADDR.sbcWan], udp: SIP_PORT, tcp: SIP_PORT, tls: 0 },
    },
    trunks: [{ name: 'vonage', side: 'wan', transport: 'udp', endpoints: [{ host: NETNS_ADDR.vonage, port: SIP_PORT }], enabled: true }],
    pbxs: [{ name: 'pbx', side: 'lan', host: NETNS_ADDR.pbx, port: SIP_PORT, transport: 'udp', enabled: true }],
    routes: [
      { name: 'pbx-to-vonage', from_side: 'lan', to: { trunk: 'vonage' } },
      { name: 'vonage-to-pbx', from_side: 'wan', to: { pbx: 'pbx' } },
    ],
    firewall: {
      enabled: true,
      wan_interfaces: ['wan'],
      trunks: { vonage: { signalling_lists: [], media_policy: 'open-range', media_lists: [] } },
    },
  };
  return deepMerge(base, over);
}

// Our table as the kernel lists it in the SBC namespace (null: no table).
export async function listTable(topo: Topology): Promise<unknown[] | null> {
  try {
    const out = await topo.run(topo.ns.sbc, 'nft', ['-j', 'list', 'table', 'inet', 'edgesbc']);
    return (JSON.parse(out) as { nftables: unknown[] }).nftables;
  } catch {
    return null;
  }
}

export async function bannedInKernel(topo: Topology): Promise<string[]> {
  const out = await topo.run(topo.ns.sbc, 'nft', ['-j', 'list', 'set', 'inet', 'edgesbc', 'banned_v4']);
  const set = (JSON.parse(out) as { nftables: { set?: { elem?: unknown[] } }[] }).nftables.find((x) => x.set)?.set;
  return (set?.elem ?? []).map((e) => {
    const v = (e as { elem?: { val?: string } }).elem?.val;
    return v ?? String(e);
  });
}

export function ruleComments(table: unknown[] | null): string[] {
  return (table ?? []).flatMap((x) => {
    const r = (x as { rule?: { comment?: string } }).rule;
    return r?.comment !== undefined ? [r.comment] : [];
  });
}

let seq = 0;
export function options(from: { ip: string; port: number }, to: { ip: string; port: number }, userAgent = 'Probe/1.0'): Buffer {
  const n = ++seq;
  return Buffer.from(
    [
      `OPTIONS sip:${to.ip}:${to.port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${from.ip}:${from.port};branch=z9hG4bK-fw-${process.pid}-${n}`,
      'Max-Forwards: 70',
      `From: <sip:probe@${from.ip}>;tag=fw${n}`,
      `To: <sip:${to.ip}>`,
      `Call-ID: fw-${process.pid}-${n}@${from.ip}`,
      'CSeq: 1 OPTIONS',
      `User-Agent: ${userAgent}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

// Commits a merge patch to sbcd's store from the test process (another
// process, as the CLI would) and tells sbcd with SIGHUP.
export function commitToSbcd(sbc: Sbcd, patch: unknown, opts: { confirmMinutes?: number; clock?: () => number } = {}): void {
  const store = ConfigStore.open(join(sbc.dataDir, 'config.db'), { confirmTimer: false, ...(opts.clock ? { clock: opts.clock } : {}) });
  try {
    store.patchCandidate(patch, { user: 'test' });
    store.commit({ user: 'test', comment: 'firewall test', ...(opts.confirmMinutes ? { confirmMinutes: opts.confirmMinutes } : {}) });
  } finally {
    store.close();
  }
  assert.ok(sbc.proc.pid);
  process.kill(sbc.proc.pid, 'SIGHUP');
}

// "open" | "closed" (refused or no answer within 1.5 s), from inside `ns`.
export async function tcpProbe(topo: Topology, ns: string, ip: string, port: number): Promise<string> {
  const script = `const s=require('net').connect(${port},'${ip}');const t=setTimeout(()=>{console.log('closed');process.exit(0)},1500);s.on('connect',()=>{console.log('open');process.exit(0)});s.on('error',()=>{clearTimeout(t);console.log('closed');process.exit(0)});`;
  return (await topo.run(ns, process.execPath, ['-e', script])).trim();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
