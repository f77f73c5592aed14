// Outbound over TLS with SRTP toward the Vonage stand-in (V-OUT-9, V-OUT-10,
// V-OUT-2 on TLS), end to end through the real sbcd: a PBX SIPp (192.0.2.20,
// UDP, plain RTP) calls out; the trunk is `transport: tls` to the edge's 5061
// (Kamailio, TLS 1.2 only, digest 407) with `media.srtp: sdes`. The edge logs
// what it received (transport and TLS version), the callee behind it (SIPp at
// 198.51.100.20) gets the SBC's SDES offer and answers with its own key.
// Media is carried by two libsrtp2 peers on the sockets the SDPs name: the
// Vonage-side one authenticates and decrypts what the SBC sends with the key
// of the SBC's offer (AES_CM_128_HMAC_SHA1_80), the PBX one gets the callee's
// payloads in clear; both byte-checked.
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
import { startVonageStandin, TEST_CREDENTIALS, VONAGE_ADDR, type VonageStandin } from '../vonage/standin.js';

const skip = netnsSkipReason();
const CALLEE = '14155550100';
const SUITE = 'AES_CM_128_HMAC_SHA1_80';
const CALLEE_RTP = 44000;
const PBX_RTP = 45000;
const PACKETS = 50;
const FIRST_SEQ = 1000;
const SECRET: string = TEST_CREDENTIALS.secret;

function sbcConfig(): ConfigDoc {
  return {
    version: 1,
    system: { name: 'edgesbc-outbound-tls', log_level: 'info' },
    sip: { shutdown_grace_s: 1 },
    sides: {
      lan: { addresses: [NETNS_ADDR.sbcLan], udp: 5060, tcp: 5060, tls: 0 },
      wan: { addresses: [NETNS_ADDR.sbcWan], udp: 5060, tcp: 5060, tls: 5061 },
    },
    trunks: [
      {
        name: 'vonage',
        kind: 'generic',
        side: 'wan',
        transport: 'tls',
        endpoints: [{ host: VONAGE_ADDR.edge1, port: 5061 }],
        api_key: TEST_CREDENTIALS.key,
        api_secret: SECRET,
        // media-uac calls from "caller": the edge wants an E.164 caller ID (V-OUT-5).
        caller_id: { mode: 'fixed', number: '447700900000' },
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

describe('V-OUT-9/V-OUT-10: PBX → sbcd → Vonage over TLS 1.2 with digest and SDES SRTP; the PBX leg stays UDP + RTP', { skip, timeout: 90_000 }, () => {
  let topo: Topology;
  let vonage: VonageStandin;
  let sbc: Sbcd;

  before(async () => {
    topo = await createTopology();
    vonage = await startVonageStandin(topo, { endpoints: 1, dns: false, tls: 'current' });
    sbc = await startSbcd({ netns: topo.ns.sbc, fullConfig: sbcConfig() });
  });
  after(async () => {
    await sbc?.stop();
    await vonage?.stop();
    await topo?.destroy();
  });

  test('the INVITE reaches the edge over TLS 1.2, digest answered once, SRTP offered with AES_CM_128_HMAC_SHA1_80; audio crosses both ways', async () => {
    const since = Date.now();
    const calleeKey = randomSrtpKey();
    const callee = await startSipp({
      netns: topo.ns.vonage, scenario: 'media-uas-srtp', ip: VONAGE_ADDR.callee, port: 5060, calls: 1,
      keys: { rtp_port: CALLEE_RTP, srtp_key: calleeKey }, timeoutMs: 30_000, name: 'callee-tls-srtp',
    });
    const pbx = await startSipp({
      netns: topo.ns.pbx, scenario: 'media-uac', ip: NETNS_ADDR.pbx, port: 5060, remote: { ip: NETNS_ADDR.sbcLan, port: 5060 },
      service: CALLEE, calls: 1, keys: { rtp_port: PBX_RTP, p_talk: 4000 }, timeoutMs: 30_000, name: 'pbx-tls-srtp',
    });
    try {
      const calleeTrace = new SippTrace(callee, 'callee behind the edge');
      const pbxTrace = new SippTrace(pbx, 'PBX');
      const offer = await calleeTrace.waitFor(on.request('received', 'INVITE'), 10_000, 'INVITE at the callee').catch((err: Error) => {
        const seen = vonage.events().map((e) => `${e.event} ${e.edge} ${e.method ?? ''} ${e.fields.code ?? ''} ${e.fields.reason ?? e.fields.why ?? ''} ${e.fields.proto ?? ''}`);
        const logs = sbc.logs().filter((l) => Number(l.level) >= 40).map((l) => JSON.stringify(l));
        throw new Error(`${err.message}\nstand-in:\n${seen.join('\n')}\nsbcd warnings:\n${logs.join('\n')}`);
      });
      const answer = await pbxTrace.waitFor(on.response('received', 200, 'INVITE'), 10_000, '200 at the PBX');
      await calleeTrace.waitFor(on.request('received', 'ACK'), 10_000, 'ACK at the callee');

      // What the edge received from the SBC: every INVITE over TLS 1.2, one 407, the secret never on the wire.
      const invites = vonage.requests({ method: 'INVITE', since: since - 1000 });
      assert.equal(invites.length, 2, 'the first INVITE and its digest re-send');
      for (const e of invites) {
        assert.equal(e.fields.proto, 'tls', 'over TLS');
        assert.equal(e.fields.tls, 'TLSv1.2');
        assert.equal(e.fields.src?.split(':')[0], NETNS_ADDR.sbcWan);
        assert.ok(!e.fields.msg!.includes(SECRET), 'the secret is not sent');
      }
      assert.equal(vonage.challenges({ callId: invites[0]!.callId! }).length, 1, 'one challenge, answered once');
      assert.match(header(invites[1]!.message!, 'Proxy-Authorization') ?? '', new RegExp(`username="${TEST_CREDENTIALS.key}"`));
      assert.match(invites[0]!.message!.startLine, /;transport=tls/i);

      // SDP: SRTP toward Vonage with the one suite Vonage takes, plain toward the PBX.
      const towardVonage = readSdp(offer.body).media[0];
      assert.ok(towardVonage, redactKeys(offer.body));
      assert.equal(towardVonage.proto, 'RTP/SAVP', redactKeys(offer.body));
      assert.deepEqual(towardVonage.crypto.map((c) => c.suite), [SUITE], 'AES_CM_128_HMAC_SHA1_80 only (V-OUT-10)');
      const towardPbx = readSdp(answer.body).media[0];
      assert.ok(towardPbx);
      assert.equal(towardPbx.proto, 'RTP/AVP');
      assert.equal(towardPbx.crypto.length, 0);
      assert.ok(!answer.body.includes(calleeKey), 'the callee\'s key never reaches the PBX');

      const run = { count: PACKETS, intervalMs: 20, lingerMs: 1500, seq: FIRST_SEQ };
      const [calleePeer, pbxPeer] = await Promise.all([startSrtpPeer({
        netns: topo.ns.vonage, bind: { ip: VONAGE_ADDR.callee, port: CALLEE_RTP }, remote: audioAddress(offer.body), ...run,
        seed: 33, expectSeed: 44,
        send: { suite: SUITE, key: calleeKey },
        recv: { suite: SUITE, key: towardVonage.crypto[0]!.key },
      }), startSrtpPeer({
        netns: topo.ns.pbx, bind: { ip: NETNS_ADDR.pbx, port: PBX_RTP }, remote: audioAddress(answer.body), ...run,
        seed: 44, expectSeed: 33, send: null, recv: null,
      })]);
      const [v, p] = [await calleePeer.report, await pbxPeer.report];
      // Each peer sends as soon as it is up: packets sent before the other
      // one bound its socket are lost (ICMP), at the start only. From there
      // on nothing may be missing, out of order or altered.
      const tailIntact = (r: { received: number; gaps: number; lastSeq: number | null }) =>
        r.gaps === 0 && r.lastSeq === FIRST_SEQ + PACKETS - 1 && r.received >= PACKETS - 15;
      assert.ok(tailIntact(v) && v.decryptedOk === v.received && v.patternOk === v.received, `Vonage side: ${JSON.stringify(v)}`);
      assert.equal(v.authFailures + v.otherFailures + v.patternBad, 0, `Vonage side: ${JSON.stringify(v)}`);
      assert.ok(tailIntact(p) && p.patternOk === p.received, `PBX side: ${JSON.stringify(p)}`);
      assert.equal(p.patternBad, 0, `PBX side: ${JSON.stringify(p)}`);

      const [c, b] = [await pbx.done, await callee.done];
      assert.equal(c.code, 0, `PBX SIPp failed (exit ${c.code})`);
      assert.equal(b.code, 0, `callee SIPp failed (exit ${b.code})`);
      assert.ok(!JSON.stringify(sbc.logs()).includes(SECRET), 'the secret is not in the SBC log');
    } finally {
      await Promise.all([pbx.stop(), callee.stop()]);
    }
  });
});
