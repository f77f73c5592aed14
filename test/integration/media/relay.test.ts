// RTP through the SBC (media anchoring), PBX->Vonage and Vonage->PBX. SIPp
// does the signalling with SDP naming the test's own dgram sockets; the test
// reads the SDP each side received from the live SIPp traces and sends 50
// PCMU packets each way. Asserted: each side's SDP names only the SBC (LAN
// address toward the PBX, WAN toward Vonage, ports in that side's media
// range, nothing of the other side); each callee/caller socket receives every
// packet the other end sent, payload byte-identical, sequence continuous, and
// from exactly the SBC media address/port named in the SDP it received; the
// `call media stats` line counts the packets on both legs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Direction } from '../harness/index.js';
import { RtpEndpoint } from '../harness/rtp-endpoint.js';
import { assertRelayedStream } from '../harness/rtp-assert.js';
import { assertOnlySbcMedia, audioAddress } from '../harness/media-sdp.js';
import { on } from '../harness/media-trace.js';
import {
  assertSippPassed, callMediaStats, logMark, mediaSides, startMediaCall, startMediaSbcd, type MediaSbcd,
} from '../harness/media-call.js';

const PACKETS = 50;

describe('RTP relayed through the SBC', { timeout: 60_000 }, () => {
  let m: MediaSbcd;
  before(async () => {
    m = await startMediaSbcd();
  });
  after(async () => {
    await m?.sbc.stop();
  });

  for (const direction of ['pbx-to-vonage', 'vonage-to-pbx'] as Direction[]) {
    test(`${direction}: SDP names only the SBC; ${PACKETS} packets each way arrive intact from the SBC media address`, async () => {
      const { sbc } = m;
      const sides = mediaSides(m, direction);
      const mark = logMark(sbc);
      const callerEp = await RtpEndpoint.open(direction === 'pbx-to-vonage' ? sbc.pbx.ip : sbc.vonage.ip);
      const calleeEp = await RtpEndpoint.open(direction === 'pbx-to-vonage' ? sbc.vonage.ip : sbc.pbx.ip);
      const call = await startMediaCall(sbc, {
        direction, uac: 'media-uac', uas: 'media-uas',
        uacKeys: { rtp_port: callerEp.port, p_talk: 3000 }, uasKeys: { rtp_port: calleeEp.port },
      });
      try {
        const offer = await call.callee.waitFor(on.request('received', 'INVITE'), 5000, 'INVITE at the callee');
        const answer = await call.caller.waitFor(on.response('received', 200, 'INVITE'), 5000, '200 at the caller');
        await call.callee.waitFor(on.request('received', 'ACK'), 5000, 'ACK at the callee');

        const peers = { ips: [callerEp.ip, calleeEp.ip], ports: [callerEp.port, calleeEp.port] };
        const otherSide = (ip: string): string => (ip === sbc.lan.ip ? sbc.wan.ip : sbc.lan.ip);
        assertOnlySbcMedia(offer.body, sides.towardCallee.ip, sides.towardCallee.range,
          { ...peers, ips: [...peers.ips, otherSide(sides.towardCallee.ip)] }, 'offer the callee received');
        assertOnlySbcMedia(answer.body, sides.towardCaller.ip, sides.towardCaller.range,
          { ...peers, ips: [...peers.ips, otherSide(sides.towardCaller.ip)] }, 'answer the caller received');
        const sbcForCallee = audioAddress(offer.body);
        const sbcForCaller = audioAddress(answer.body);

        const up = callerEp.stream({ to: sbcForCaller, seed: 11, ssrc: 0x11111111, count: PACKETS });
        const down = calleeEp.stream({ to: sbcForCallee, seed: 22, ssrc: 0x22222222, count: PACKETS });
        await Promise.all([up.done, down.done]);
        await calleeEp.until(() => calleeEp.fromSeed(11).length >= PACKETS, 2000);
        await callerEp.until(() => callerEp.fromSeed(22).length >= PACKETS, 2000);

        assertRelayedStream(calleeEp, up, sbcForCallee, 'caller -> callee');
        assertRelayedStream(callerEp, down, sbcForCaller, 'callee -> caller');
        assert.equal(calleeEp.foreign([11]).length, 0, 'the callee received RTP that is not the caller\'s');
        assert.equal(callerEp.foreign([22]).length, 0, 'the caller received RTP that is not the callee\'s');

        const { uac, uas } = await call.finish();
        assertSippPassed(uac, 'caller');
        assertSippPassed(uas, 'callee');
        const [stream] = await callMediaStats(sbc, mark);
        assert.ok(stream);
        const ctx = JSON.stringify(stream);
        assert.equal(stream.a.rxPackets, PACKETS, `leg a (caller) rxPackets\n${ctx}`);
        assert.equal(stream.b.txPackets, PACKETS, `leg b (callee) txPackets\n${ctx}`);
        assert.equal(stream.b.rxPackets, PACKETS, `leg b (callee) rxPackets\n${ctx}`);
        assert.equal(stream.a.txPackets, PACKETS, `leg a (caller) txPackets\n${ctx}`);
        assert.equal(stream.a.lost, 0, ctx);
        assert.equal(stream.b.lost, 0, ctx);
      } finally {
        await call.stop();
        callerEp.close();
        calleeEp.close();
      }
    });
  }
});
