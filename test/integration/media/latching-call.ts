// The scene of the latching tests (latching-*.test.ts): sbcd in the SBC
// namespace, the Vonage stand-in (SIPp + an RTP socket) on the WAN, the PBX
// stand-in (SIPp + RTP sockets) behind a NAT router on the LAN, an attacker
// on the WAN that can reach every SBC address. The PBX calls Vonage, so the
// PBX's leg is leg a of the stats line. The PBX's signalling is NAT-aware
// (public address, forwarded SIP port); only its SDP is not.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  createTopology, NETNS_ADDR, repoRoot, startSbcd, startSipp,
  type Sbcd, type SippHandle, type SippResult, type Topology, type UdpPeer,
} from '../harness/index.js';
import { SippTrace, on } from '../harness/media-trace.js';
import { assertSippPassed, callMediaStats, type LoggedLegStats } from '../harness/media-call.js';
import { audioAddress } from '../harness/media-sdp.js';
import { buildRtp, matchesPattern, parseRtp, patternPayload } from '../harness/rtp-packet.js';

export type LatchMode = 'off' | 'until-signalled' | 'same-ip';

export interface UdpAddress {
  ip: string;
  port: number;
}

/** The PBX's RTP socket and the port its SDP names (private side of the NAT). */
export const PBX_RTP_PORT = 30000;
/** A second PBX socket, for a NAT rebinding (new private port, so a new public port). */
export const PBX_RTP_PORT_2 = 30002;
export const VONAGE_RTP_PORT = 30000;
export const ATTACKER_RTP_PORT = 30000;
const SIP_PORT = 5060;
const MEDIA_RANGE = { min: 20000, max: 20099 };

/** Payload pattern seeds: who sent a packet, read back at the receiver. */
export const SEED = { pbx: 11, vonage: 22, attacker: 66 } as const;


export interface SceneOptions {
  latching: LatchMode;
  /** What the PBX's SDP names: its private address, or the NAT's public address with its private port. */
  pbxSdp: 'private' | 'public';
  /** How long the call stays up after the ACK; the test's RTP must be done by then. */
  talkMs: number;
}

export interface Scene {
  topo: Topology;
  sbc: Sbcd;
  pbxRtp: UdpPeer;
  vonageRtp: UdpPeer;
  attacker: UdpPeer;
  /** The SBC's media address facing the PBX (from the 200 the PBX got) and facing Vonage (from the INVITE Vonage got). */
  sbcToPbx: UdpAddress;
  sbcToVonage: UdpAddress;
  /** The NAT router's outside address: where the PBX's packets come from. */
  natOutside: string;
  /** Date.now() when the PBX got its 200: the talk time runs from about here. */
  answeredAt: number;
  /** Waits for the BYE exchange and the stats line (bounded), then tears the scene down. */
  finish(): Promise<{ uac: SippResult; uas: SippResult; pbxLeg: LoggedLegStats; vonageLeg: LoggedLegStats }>;
  /** Tears everything down (idempotent; for finally blocks). */
  close(): Promise<void>;
}

const scenario = (name: string): string => join(repoRoot, 'test', 'integration', 'media', `${name}.xml`);

/** Builds the topology, starts sbcd and both SIPps, and returns once the call is answered. */
export async function startScene(o: SceneOptions): Promise<Scene> {
  const topo = await createTopology({ nat: { peer: 'pbx', forward: [SIP_PORT] } });
  const natOutside = topo.natOutside!;
  const handles: SippHandle[] = [];
  let sbc: Sbcd | undefined;
  const close = async (): Promise<void> => {
    await Promise.all(handles.map((h) => h.stop()));
    await sbc?.stop();
    await topo.destroy();
  };
  try {
    const mediaSide = { address: '', advertised_address: '', port_min: MEDIA_RANGE.min, port_max: MEDIA_RANGE.max };
    // (Not inline: the harness's SideConfig type predates sides.<n>.media.)
    const lan = { addresses: [NETNS_ADDR.sbcLan], udp: SIP_PORT, tcp: SIP_PORT, media: mediaSide };
    const wan = { addresses: [NETNS_ADDR.sbcWan], udp: SIP_PORT, tcp: SIP_PORT, media: mediaSide };
    // The daemon and the peers' sockets start side by side (each is a node
    // process: on a loaded machine that is seconds); a failure leaves
    // nothing behind, destroy() kills whatever runs in the namespaces.
    const starting = startSbcd({
      netns: topo.ns.sbc,
      config: {
        media: { workers: 1, timeout_s: 0, hold_timeout_s: 0 },
        sides: { lan, wan },
        trunks: [{
          name: 'vonage', side: 'wan', transport: 'udp', endpoints: [{ host: NETNS_ADDR.vonage, port: SIP_PORT }],
          options_ping_s: 0, enabled: true, media: { srtp: 'off', latching: 'off', codecs: [] },
        }],
        pbxs: [{
          name: 'pbx', side: 'lan', host: natOutside, port: SIP_PORT, transport: 'udp', enabled: true,
          media: { srtp: 'off', latching: o.latching, codecs: [] },
        }],
      },
    });
    void starting.then((d) => (sbc = d), () => undefined);
    const [, pbxRtp, vonageRtp, attacker] = await Promise.all([
      starting,
      topo.udpPeer(topo.ns.pbx, NETNS_ADDR.pbx, PBX_RTP_PORT),
      topo.udpPeer(topo.ns.vonage, NETNS_ADDR.vonage, VONAGE_RTP_PORT),
      topo.udpPeer(topo.ns.attacker, NETNS_ADDR.attacker, ATTACKER_RTP_PORT),
    ]);
    sbc = await starting;

    const sippBound = o.talkMs + 15_000;
    const uas = await startSipp({
      netns: topo.ns.vonage, scenario: scenario('latching-vonage-uas'), ip: NETNS_ADDR.vonage, port: SIP_PORT, calls: 1,
      keys: { rtp_port: VONAGE_RTP_PORT }, timeoutMs: sippBound + 2_000, name: 'latching-vonage',
    });
    handles.push(uas);
    const uac = await startSipp({
      netns: topo.ns.pbx, scenario: scenario('latching-pbx-uac'), ip: NETNS_ADDR.pbx, port: SIP_PORT,
      remote: { ip: NETNS_ADDR.sbcLan, port: SIP_PORT }, calls: 1, service: '14155550100', timeoutMs: sippBound,
      keys: { pub_ip: natOutside, sdp_ip: o.pbxSdp === 'private' ? NETNS_ADDR.pbx : natOutside, rtp_port: PBX_RTP_PORT, p_talk: o.talkMs },
      name: 'latching-pbx',
    });
    handles.push(uac);

    const callerTrace = new SippTrace(uac, 'PBX caller behind NAT');
    const calleeTrace = new SippTrace(uas, 'Vonage callee');
    const ok = await callerTrace.waitFor(on.response('received', 200, 'INVITE'), 10_000, 'the 200 to the INVITE');
    const answeredAt = Date.now();
    const invite = await calleeTrace.waitFor(on.request('received', 'INVITE'), 1_000, 'the INVITE');
    const sbcToPbx = audioAddress(ok.body);
    const sbcToVonage = audioAddress(invite.body);
    // Without anchoring the peers would see each other's addresses; say so plainly.
    assert.equal(sbcToPbx.ip, NETNS_ADDR.sbcLan, `the PBX's answer does not name the SBC's LAN media address (media not anchored?):\n${ok.body}`);
    assert.equal(sbcToVonage.ip, NETNS_ADDR.sbcWan, `Vonage's offer does not name the SBC's WAN media address (media not anchored?):\n${invite.body}`);

    const finish: Scene['finish'] = async () => {
      const waitFor = (h: SippHandle, who: string): Promise<SippResult> =>
        Promise.race([
          h.done,
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${who} did not finish within ${o.talkMs + 10_000} ms after the answer`)), Math.max(1000, answeredAt + o.talkMs + 10_000 - Date.now())).unref()),
        ]);
      const [uacR, uasR] = await Promise.all([waitFor(uac, 'PBX caller'), waitFor(uas, 'Vonage callee')]);
      assertSippPassed(uacR, 'PBX caller');
      assertSippPassed(uasR, 'Vonage callee');
      // One call per daemon: its stats line is the first one logged.
      const streams = await callMediaStats(sbc!, 0);
      assert.equal(streams.length, 1, `"call media stats" with one stream expected: ${JSON.stringify(streams)}`);
      await close();
      return { uac: uacR, uas: uasR, pbxLeg: streams[0]!.a, vonageLeg: streams[0]!.b };
    };
    return { topo, sbc, pbxRtp, vonageRtp, attacker, sbcToPbx, sbcToVonage, natOutside, answeredAt, finish, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** `count` PCMU packets of sender `seed`, sequence numbers from `seq0`, 20 ms of audio each. */
export function rtpBurst(seed: number, ssrc: number, seq0: number, count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const seq = (seq0 + i) & 0xffff;
    out.push(buildRtp({ seq, ts: (seq0 + i) * 160, ssrc, pt: 0, payload: patternPayload(seed, seq) }));
  }
  return out;
}

/** Sequence numbers of the packets of sender `seed` that `peer` received (from `from`, when given). */
export function seqsFrom(peer: UdpPeer, seed: number, from?: UdpAddress): number[] {
  const seqs: number[] = [];
  for (const d of peer.received) {
    if (from && (d.ip !== from.ip || d.port !== from.port)) continue;
    const rtp = parseRtp(d.data);
    if (rtp && matchesPattern(seed, rtp.seq, rtp.payload)) seqs.push(rtp.seq);
  }
  return seqs;
}

/** seq0 .. seq0+count-1 */
export function seqRange(seq0: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (seq0 + i) & 0xffff);
}

/** Every datagram `peer` received, for assertion messages. */
export function describeReceived(peer: UdpPeer): string {
  const bySource = new Map<string, number>();
  for (const d of peer.received) bySource.set(`${d.ip}:${d.port}`, (bySource.get(`${d.ip}:${d.port}`) ?? 0) + 1);
  return `${peer.describe()} received ${peer.received.length}: ${JSON.stringify(Object.fromEntries(bySource))}`;
}
