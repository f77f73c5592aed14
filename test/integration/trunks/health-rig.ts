// Shared by the endpoint health and selection tests (V-OUT-3, V-OUT-8): the
// real sbcd in the SBC namespace with a trunk toward the Vonage stand-in's
// two edges (test/integration/vonage/README.md), a PBX SIPp placing calls,
// and which edge each call reached, read from the stand-in's own event log.
import { join } from 'node:path';
import {
  createTopology, header, NETNS_ADDR, repoRoot, runSipp, select, startSbcd, startSipp,
  type ConfigDoc, type LogLine, type Sbcd, type SippResult, type Topology,
} from '../harness/index.js';
import type { StandinEvent } from '../vonage/events.js';
import { startVonageStandin, TEST_CREDENTIALS, VONAGE_ADDR, type StandinOptions, type VonageStandin } from '../vonage/standin.js';

export const PBX_CALL = join(repoRoot, 'test', 'integration', 'trunks', 'scenarios', 'health-pbx-call.xml');
/** An E.164 callee (V-OUT-4) the stand-in relays. */
export const CALLEE = '14155550100';

export interface Rig {
  topo: Topology;
  standin: VonageStandin;
  sbc: Sbcd;
}

/**
 * A trunk toward the stand-in: `kind: generic` with the test credentials, so
 * digest (V-OUT-2) is answered once the SBC does it, numbers pass as dialled.
 */
export function sbcConfig(trunk: Record<string, unknown>, sip: Record<string, unknown> = {}): ConfigDoc {
  return {
    version: 1,
    system: { name: 'edgesbc-health', log_level: 'info' },
    sip: { shutdown_grace_s: 1, ...sip },
    sides: {
      lan: { addresses: [NETNS_ADDR.sbcLan], udp: 5060, tcp: 5060, tls: 0 },
      wan: { addresses: [NETNS_ADDR.sbcWan], udp: 5060, tcp: 5060, tls: 0 },
    },
    trunks: [
      {
        name: 'vonage',
        kind: 'generic',
        side: 'wan',
        transport: 'udp',
        endpoints: [],
        api_key: TEST_CREDENTIALS.key,
        api_secret: TEST_CREDENTIALS.secret,
        media: { srtp: 'off' },
        ...trunk,
      } as ConfigDoc['trunks'][number],
    ],
    pbxs: [{ name: 'pbx', side: 'lan', host: NETNS_ADDR.pbx, port: 5060, transport: 'udp' }],
    routes: [
      { name: 'pbx-to-vonage', from_side: 'lan', to: { trunk: 'vonage' } },
      { name: 'vonage-to-pbx', from_side: 'wan', to: { pbx: 'pbx' } },
    ],
    firewall: { enabled: false },
  };
}

/** `beforeSbc` runs once the stand-in is up, before sbcd starts (extra peers). */
export async function startRig(standinOpts: StandinOptions, config: ConfigDoc, beforeSbc?: (topo: Topology) => Promise<void>): Promise<Rig> {
  const topo = await createTopology();
  try {
    const standin = await startVonageStandin(topo, standinOpts);
    await beforeSbc?.(topo);
    const sbc = await startSbcd({ netns: topo.ns.sbc, fullConfig: config });
    return { topo, standin, sbc };
  } catch (err) {
    await topo.destroy();
    throw err;
  }
}

export async function stopRig(r: Rig | undefined): Promise<void> {
  await r?.sbc.stop();
  await r?.standin.stop();
  await r?.topo.destroy();
}

let sippPort = 6200;

/**
 * `calls` PBX calls one after the other (`rate` per second), with a callee
 * SIPp behind the stand-in for the answered ones. Bounded by `timeoutMs`.
 */
export async function pbxCalls(r: Rig, calls: number, o: { rate?: number; timeoutMs?: number; service?: string } = {}): Promise<SippResult> {
  const timeoutMs = o.timeoutMs ?? 20_000;
  const callee = await startSipp({
    netns: r.topo.ns.vonage, scenario: 'uas-basic', ip: VONAGE_ADDR.callee, port: 5060, calls, timeoutMs: timeoutMs + 5000,
  });
  try {
    return await runSipp({
      netns: r.topo.ns.pbx, scenario: PBX_CALL, ip: NETNS_ADDR.pbx, port: sippPort++,
      remote: { ip: NETNS_ADDR.sbcLan, port: 5060 }, service: o.service ?? CALLEE, calls, rate: o.rate ?? 10, limit: 1, timeoutMs,
    });
  } finally {
    await callee.stop();
  }
}

/** The final status each call of a PBX SIPp run got from the SBC, in order. */
export function pbxFinals(run: SippResult): number[] {
  return select(run.messages, { direction: 'received', cseq: 'INVITE' })
    .filter((m) => m.status !== undefined && m.status >= 200)
    .map((m) => m.status!);
}

export interface EdgeCall {
  /** The PBX call (X-Health-Call). */
  call: string;
  /** Edges in the order the call's INVITEs reached them. */
  edges: string[];
  /** Every INVITE the edges saw for it (b-leg attempts, digest retries, retransmissions). */
  events: StandinEvent[];
}

/** The PBX calls the edges saw since `since`, in order of their first INVITE. */
export function edgeCalls(standin: VonageStandin, since: number): EdgeCall[] {
  const calls = new Map<string, EdgeCall>();
  for (const e of standin.requests({ method: 'INVITE', since })) {
    const id = (e.message && header(e.message, 'X-Health-Call')) ?? `call-id ${e.callId ?? ''}`;
    let c = calls.get(id);
    if (!c) calls.set(id, (c = { call: id, edges: [], events: [] }));
    if (!c.edges.includes(e.edge)) c.edges.push(e.edge);
    c.events.push(e);
  }
  return [...calls.values()];
}

/** How many PBX calls each edge saw first since `since`. */
export function firstEdges(standin: VonageStandin, since: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of edgeCalls(standin, since)) out[c.edges[0]!] = (out[c.edges[0]!] ?? 0) + 1;
  return out;
}

export function logsOf(sbc: Sbcd, msg: string, pred: (l: LogLine) => boolean = () => true): LogLine[] {
  return sbc.logs().filter((l) => l.msg === msg && pred(l));
}

/** A third, farther "endpoint" for the closest-two tests: see startFarEndpoint. */
export interface FarEndpoint {
  ip: string;
  /** Requests it got of a method (one per Call-ID: retransmissions are not counted). */
  got(method: string): number;
  stop(): Promise<void>;
}

function headerLines(text: string, name: string): string[] {
  const re = new RegExp(`^${name}\\s*:`, 'i');
  return text.split('\r\n').filter((l) => re.test(l));
}

/**
 * A bare SIP endpoint at `ip`:5060 in the Vonage namespace (a UDP socket
 * driven from the test, harness/netns.ts): it answers OPTIONS 200 after
 * `delayMs` (a far endpoint: its round trip is at least that) and INVITEs
 * 503 at once (so a call sent there moves on); ACKs are absorbed. Not a
 * Vonage edge: it only lets a test tell "closest" from configured order.
 */
export async function startFarEndpoint(topo: Topology, ip: string, delayMs: number): Promise<FarEndpoint> {
  const have = await topo.run(topo.ns.vonage, 'ip', ['-4', '-o', 'addr', 'show', 'dev', 'eth0']);
  if (!have.includes(`inet ${ip}/`)) await topo.run(topo.ns.vonage, 'ip', ['addr', 'add', `${ip}/24`, 'dev', 'eth0']);
  const peer = await topo.udpPeer(topo.ns.vonage, ip, 5060);
  const seen = new Map<string, Set<string>>();
  let handled = 0;
  let stopped = false;
  const answer = (text: string, status: string, to: { ip: string; port: number }): void => {
    const copy = (n: string) => headerLines(text, n);
    const toLine = copy('To')[0] ?? 'To: <sip:far>';
    const lines = [
      `SIP/2.0 ${status}`,
      ...copy('Via'),
      ...copy('From'),
      /;\s*tag=/i.test(toLine) ? toLine : `${toLine};tag=far${handled}`,
      ...copy('Call-ID'),
      ...copy('CSeq'),
      'Content-Length: 0',
      '',
      '',
    ];
    void peer.send(to, [Buffer.from(lines.join('\r\n'))]);
  };
  const loop = async (): Promise<void> => {
    while (!stopped) {
      const more = await peer.waitFor((rx) => rx.length > handled, 500);
      if (!more) continue;
      while (handled < peer.received.length) {
        const d = peer.received[handled++]!;
        const text = d.data.toString('latin1');
        const method = /^([A-Z]+) sip:/.exec(text)?.[1];
        if (!method) continue;
        const callId = headerLines(text, 'Call-ID')[0] ?? '';
        if (!seen.has(method)) seen.set(method, new Set());
        seen.get(method)!.add(callId);
        const from = { ip: d.ip, port: d.port };
        if (method === 'OPTIONS') setTimeout(() => !stopped && answer(text, '200 OK', from), delayMs);
        else if (method === 'INVITE') answer(text, '503 Service Unavailable', from);
      }
    }
  };
  const running = loop();
  return {
    ip,
    got: (method) => seen.get(method)?.size ?? 0,
    stop: async () => {
      stopped = true;
      await running;
      await peer.close();
    },
  };
}
