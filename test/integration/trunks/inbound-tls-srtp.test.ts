// Inbound over TLS with SRTP (V-IN-4, V-IN-5), end to end through the real
// sbcd: the Vonage stand-in's edge (Kamailio, 198.51.100.10) forwards a call
// for the DID to the dashboard URI `sip:DID@198.51.100.1;transport=tls;
// media=srtp`, i.e. over TLS to the SBC's WAN listener on 5061, with an SDES
// SRTP offer (the caller at 198.51.100.21, SIPp over UDP to the edge: Debian's
// SIPp has no TLS). The PBX (192.0.2.20) answers with plain RTP over UDP.
// Media is carried by two libsrtp2 peers (test/tools/srtp-peer), one in each
// namespace, on the sockets the SDPs name: the Vonage one sends SRTP with the
// caller's key and must authenticate and decrypt everything it receives with
// the key the SBC put in its answer; the PBX one sends and receives plain RTP.
// Payloads are checked byte for byte (seeded patterns) both ways.
//
// Also the legacy `sips:` dashboard form, and the SBC's own WAN TLS listener
// (V-OUT-9 for the direction Vonage → SBC): by default TLS 1.0 and 1.1
// refused, 1.2 accepted; with tls.min_version "1.0" (the legacy documents)
// 1.0 and 1.1 accepted too; by `openssl s_client` from the Vonage namespace.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  createTopology, header, netnsSkipReason, NETNS_ADDR, repoRoot, startSbcd, startSipp,
  type ConfigDoc, type Sbcd, type Topology,
} from '../harness/index.js';
import { audioAddress, readSdp, redactKeys } from '../harness/media-sdp.js';
import { randomSrtpKey, startSrtpPeer } from '../harness/media-srtp-peer.js';
import { on, SippTrace } from '../harness/media-trace.js';
import type { StandinEvent } from '../vonage/events.js';
import { tlsProbe } from '../vonage/probes.js';
import { startVonageStandin, VONAGE_ADDR, type VonageStandin } from '../vonage/standin.js';

const skip = netnsSkipReason();
const DID = '14155550142';
const SUITE = 'AES_CM_128_HMAC_SHA1_80';
const SCENARIOS = join(repoRoot, 'test', 'integration', 'trunks', 'scenarios');
const VONAGE_RTP = 41000;
const PBX_RTP = 42000;
const PACKETS = 50;
const FIRST_SEQ = 1000;

/** The edge's event for the SBC's 200 to the INVITE (not the 200 to a BYE later). */
const inviteOk = (since: number) => (e: StandinEvent) =>
  e.event === 'reply' && e.fields.code === '200' && e.at >= since - 1000 && /INVITE/i.test((e.message && header(e.message, 'CSeq')) ?? '');

function sbcConfig(): ConfigDoc {
  return {
    version: 1,
    system: { name: 'edgesbc-inbound-tls', log_level: 'info' },
    sip: { shutdown_grace_s: 1 },
    sides: {
      lan: { addresses: [NETNS_ADDR.sbcLan], udp: 5060, tcp: 5060, tls: 0 },
      wan: { addresses: [NETNS_ADDR.sbcWan], udp: 5060, tcp: 5060, tls: 5061 },
    },
    trunks: [
      {
        name: 'vonage',
        side: 'wan',
        transport: 'tls',
        endpoints: [{ host: VONAGE_ADDR.edge1, port: 5061 }],
        media: { srtp: 'sdes' },
      },
    ],
    pbxs: [{ name: 'pbx', side: 'lan', host: NETNS_ADDR.pbx, port: 5060, transport: 'udp', media: { srtp: 'off' } }],
    routes: [
      { name: 'pbx-to-vonage', from_side: 'lan', to: { trunk: 'vonage' } },
      { name: 'vonage-to-pbx', from_side: 'wan', to: { pbx: 'pbx' } },
    ],
    firewall: { enabled: false },
  } as unknown as ConfigDoc;
}

describe('V-IN-4/V-IN-5: Vonage calls the SBC over TLS (;transport=tls, legacy sips:) with SRTP, the PBX leg is UDP with plain RTP', { skip, timeout: 90_000 }, () => {
  let topo: Topology;
  let vonage: VonageStandin;
  let sbc: Sbcd;

  before(async () => {
    topo = await createTopology();
    vonage = await startVonageStandin(topo, { endpoints: 1, dns: false });
    sbc = await startSbcd({ netns: topo.ns.sbc, fullConfig: sbcConfig() });
  });
  after(async () => {
    await sbc?.stop();
    await vonage?.stop();
    await topo?.destroy();
  });

  test('V-OUT-9 (SBC side): the WAN TLS listener refuses TLS 1.0 and 1.1 and accepts 1.2', async () => {
    const to = { ip: NETNS_ADDR.sbcWan, port: 5061 };
    for (const v of ['1', '1.1'] as const) {
      const r = await tlsProbe(topo.ns.vonage, to, v);
      assert.equal(r.ok, false, `TLS ${v} must be refused:\n${r.output}`);
    }
    const ok = await tlsProbe(topo.ns.vonage, to, '1.2');
    assert.equal(ok.ok, true, ok.output);
    assert.equal(ok.protocol, 'TLSv1.2');
  });

  test('a call forwarded to `;transport=tls;media=srtp`: TLS + SRTP on the Vonage leg, UDP + RTP on the PBX leg, audio crosses both ways', async () => {
    const field = `sip:${DID}@${NETNS_ADDR.sbcWan};transport=tls;media=srtp`;
    const targets = await vonage.setInboundTargets(field);
    assert.equal(targets.length, 1);
    const since = Date.now();
    const callerKey = randomSrtpKey();
    const pbx = await startSipp({
      netns: topo.ns.pbx, scenario: join(SCENARIOS, 'pbx-uas-media-bye.xml'), ip: NETNS_ADDR.pbx, port: 5060, calls: 1,
      keys: { rtp_port: PBX_RTP, p_talk: 4000 }, timeoutMs: 30_000, name: 'pbx-tls-srtp',
    });
    const caller = await startSipp({
      netns: topo.ns.vonage, scenario: join(SCENARIOS, 'vonage-uac-srtp-expect-bye.xml'), ip: VONAGE_ADDR.caller, port: 5060,
      remote: { ip: VONAGE_ADDR.edge1, port: 5060 }, service: DID, calls: 1,
      keys: { rtp_port: VONAGE_RTP, srtp_suite: SUITE, srtp_key: callerKey }, timeoutMs: 30_000, name: 'vonage-tls-srtp',
    });
    try {
      const callerTrace = new SippTrace(caller, 'Vonage caller');
      const pbxTrace = new SippTrace(pbx, 'PBX');
      const offer = await pbxTrace.waitFor(on.request('received', 'INVITE'), 10_000, 'INVITE at the PBX');
      const answer = await callerTrace.waitFor(on.response('received', 200, 'INVITE'), 10_000, '200 at the Vonage caller');
      await pbxTrace.waitFor(on.request('received', 'ACK'), 10_000, 'ACK at the PBX');

      // Transports. Vonage leg: the edge sent the INVITE to the SBC over TLS
      // and the SBC's answer came back on it (the edge's reply event).
      const tried = await vonage.waitFor((e) => e.event === 'inbound-try' && e.at >= since - 1000, 5000, 'inbound-try');
      assert.match(tried.fields.uri ?? '', /;transport=tls/i, 'the edge tried the TLS target');
      assert.doesNotMatch(tried.fields.uri ?? '', /media=srtp/i, ';media=srtp is the dashboard\'s, not sent on');
      const reply = await vonage.waitFor(inviteOk(since), 5000, '200 to the INVITE from the SBC at the edge');
      assert.equal(reply.fields.proto, 'tls', 'the SBC answered Vonage over TLS');
      assert.equal(reply.fields.src, `${NETNS_ADDR.sbcWan}:5061`);
      // PBX leg: UDP (its Via), plain RTP offered.
      assert.match(header(offer, 'Via') ?? '', /^SIP\/2\.0\/UDP /i, 'the SBC called the PBX over UDP');

      const vonageMedia = readSdp(answer.body).media[0];
      assert.ok(vonageMedia, redactKeys(answer.body));
      assert.equal(vonageMedia.proto, 'RTP/SAVP', `SRTP toward Vonage\n${redactKeys(answer.body)}`);
      assert.equal(vonageMedia.crypto.length, 1);
      assert.equal(vonageMedia.crypto[0]!.suite, SUITE);
      assert.notEqual(vonageMedia.crypto[0]!.key, callerKey, 'the SBC uses a key of its own');
      const pbxMedia = readSdp(offer.body).media[0];
      assert.ok(pbxMedia);
      assert.equal(pbxMedia.proto, 'RTP/AVP', `plain RTP toward the PBX\n${redactKeys(offer.body)}`);
      assert.equal(pbxMedia.crypto.length, 0);
      assert.ok(!offer.body.includes(callerKey), 'the caller\'s key never reaches the PBX');

      // Audio both ways, payloads checked byte for byte.
      const run = { count: PACKETS, intervalMs: 20, lingerMs: 1500, seq: FIRST_SEQ };
      const [vonagePeer, pbxPeer] = await Promise.all([startSrtpPeer({
        netns: topo.ns.vonage, bind: { ip: VONAGE_ADDR.caller, port: VONAGE_RTP }, remote: audioAddress(answer.body), ...run,
        seed: 11, expectSeed: 22,
        send: { suite: SUITE, key: callerKey },
        recv: { suite: SUITE, key: vonageMedia.crypto[0]!.key },
      }), startSrtpPeer({
        netns: topo.ns.pbx, bind: { ip: NETNS_ADDR.pbx, port: PBX_RTP }, remote: audioAddress(offer.body), ...run,
        seed: 22, expectSeed: 11, send: null, recv: null,
      })]);
      const [v, p] = [await vonagePeer.report, await pbxPeer.report];
      // Each peer sends as soon as it is up: packets sent before the other
      // one bound its socket are lost (ICMP), at the start only. From there
      // on nothing may be missing, out of order or altered.
      const tailIntact = (r: { received: number; gaps: number; lastSeq: number | null }) =>
        r.gaps === 0 && r.lastSeq === FIRST_SEQ + PACKETS - 1 && r.received >= PACKETS - 15;
      // PBX → Vonage: plain RTP in, SRTP out that libsrtp2 authenticates and decrypts with the SBC's key.
      assert.ok(tailIntact(v) && v.decryptedOk === v.received && v.patternOk === v.received, `Vonage side: ${JSON.stringify(v)}`);
      assert.equal(v.authFailures + v.otherFailures + v.patternBad, 0, `Vonage side: ${JSON.stringify(v)}`);
      assert.deepEqual(v.sources.map((s) => s.ip), [vonageMedia.address], 'from the SBC\'s WAN media address only');
      // Vonage → PBX: SRTP in, plain RTP out (a payload still encrypted would fail the pattern).
      assert.ok(tailIntact(p) && p.patternOk === p.received, `PBX side: ${JSON.stringify(p)}`);
      assert.equal(p.patternBad, 0, `PBX side: ${JSON.stringify(p)}`);
      assert.deepEqual(p.sources.map((s) => s.ip), [pbxMedia.address], 'from the SBC\'s LAN media address only');

      const [c, b] = [await caller.done, await pbx.done];
      assert.equal(c.code, 0, `Vonage caller SIPp failed (exit ${c.code})`);
      assert.equal(b.code, 0, `PBX SIPp failed (exit ${b.code})`);
    } finally {
      await Promise.all([caller.stop(), pbx.stop()]);
    }
  });

  test('the legacy form: a `sips:` URI in the dashboard also reaches the SBC over TLS, and the call goes through', async () => {
    await vonage.setInboundTargets(`sips:${DID}@${NETNS_ADDR.sbcWan}`);
    const since = Date.now();
    const pbx = await startSipp({ netns: topo.ns.pbx, scenario: 'uas-bye', ip: NETNS_ADDR.pbx, port: 5060, calls: 1, timeoutMs: 20_000, name: 'pbx-sips' });
    const caller = await startSipp({
      netns: topo.ns.vonage, scenario: 'uac-expect-bye', ip: VONAGE_ADDR.caller, port: 5060,
      remote: { ip: VONAGE_ADDR.edge1, port: 5060 }, service: DID, calls: 1, timeoutMs: 20_000, name: 'vonage-sips',
    });
    try {
      const [c, b] = [await caller.done, await pbx.done];
      assert.equal(c.code, 0, `Vonage caller SIPp failed (exit ${c.code})`);
      assert.equal(b.code, 0, `PBX SIPp failed (exit ${b.code})`);
      const tried = await vonage.waitFor((e) => e.event === 'inbound-try' && e.at >= since - 1000, 5000, 'inbound-try');
      assert.match(tried.fields.uri ?? '', /^sips:/i);
      const reply = await vonage.waitFor(inviteOk(since), 5000, '200 to the INVITE from the SBC at the edge');
      assert.equal(reply.fields.proto, 'tls');
      assert.equal(reply.fields.src, `${NETNS_ADDR.sbcWan}:5061`, 'default port 5061');
    } finally {
      await Promise.all([caller.stop(), pbx.stop()]);
    }
  });
});

describe('V-OUT-9 legacy: with tls.min_version "1.0" the SBC\'s WAN listener also accepts TLS 1.0 and 1.1', { skip, timeout: 60_000 }, () => {
  let topo: Topology;
  let sbc: Sbcd;
  before(async () => {
    topo = await createTopology();
    const doc = sbcConfig() as unknown as Record<string, unknown>;
    doc.tls = { min_version: '1.0', cert_file: '', key_file: '' };
    sbc = await startSbcd({ netns: topo.ns.sbc, fullConfig: doc as unknown as ConfigDoc });
  });
  after(async () => {
    await sbc?.stop();
    await topo?.destroy();
  });

  test('TLS 1.0, 1.1 and 1.2 handshakes complete (the legacy documents\' "TLS >= 1.0")', async () => {
    for (const [v, name] of [['1', 'TLSv1'], ['1.1', 'TLSv1.1'], ['1.2', 'TLSv1.2']] as const) {
      const r = await tlsProbe(topo.ns.vonage, { ip: NETNS_ADDR.sbcWan, port: 5061 }, v);
      assert.equal(r.ok, true, `TLS ${v}:\n${r.output}`);
      assert.equal(r.protocol, name);
    }
  });
});
