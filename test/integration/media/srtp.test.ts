// SRTP on one side of the SBC, plain RTP on the other, with libsrtp2 (the
// srtp-peer) as the SRTP end so our SRTP code is checked against another
// implementation:
//   - the SBC offers SRTP (media.srtp: sdes) toward the callee: to Vonage on
//     a PBX call (trunk), to the PBX on a Vonage call (pbx); the callee
//     answers with its own key (media-uas-srtp.xml);
//   - Vonage offers SRTP to a PBX that does not use it: the SBC answers with
//     its own a=crypto (same tag and suite) and offers plain RTP to the PBX.
// The srtp-peer decrypts with the key from the SDP it received and sends with
// the key its side signalled; audio must arrive intact both ways. It also
// sends one tampered and one replayed packet: the SBC refuses both, counts
// them in the `call media stats` line, and the RTP side never sees them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, type Direction } from '../harness/index.js';
import { RtpEndpoint } from '../harness/rtp-endpoint.js';
import { assertRelayedStream, describeSeen } from '../harness/rtp-assert.js';
import { audioAddress, readSdp, redactKeys, type MediaView } from '../harness/media-sdp.js';
import { on } from '../harness/media-trace.js';
import { randomSrtpKey, startSrtpPeer, type SrtpSuiteName } from '../harness/media-srtp-peer.js';
import {
  assertSippPassed, callMediaStats, logMark, startMediaCall, startMediaSbcd, type MediaSbcd, type PeerMedia,
} from '../harness/media-call.js';

const PACKETS = 50;
const SUITES: SrtpSuiteName[] = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'];

function assertSrtpLine(m: MediaView | undefined, label: string, body: string): asserts m is MediaView {
  assert.ok(m, `${label}: no m= line\n${redactKeys(body)}`);
  assert.equal(m.proto, 'RTP/SAVP', `${label}: not RTP/SAVP\n${redactKeys(body)}`);
  assert.ok(m.crypto.length >= 1, `${label}: no a=crypto\n${redactKeys(body)}`);
  for (const c of m.crypto) {
    assert.ok((SUITES as string[]).includes(c.suite), `${label}: unexpected suite ${c.suite}\n${redactKeys(body)}`);
    assert.equal(Buffer.from(c.key, 'base64').length, 30, `${label}: key is not 30 bytes\n${redactKeys(body)}`);
  }
}

function assertPlainLine(m: MediaView | undefined, label: string, body: string): void {
  assert.ok(m, `${label}: no m= line\n${redactKeys(body)}`);
  assert.equal(m.proto, 'RTP/AVP', `${label}: not RTP/AVP\n${redactKeys(body)}`);
  assert.equal(m.crypto.length, 0, `${label}: a=crypto toward a plain RTP peer\n${redactKeys(body)}`);
}

async function srtpSbcd(side: 'trunk' | 'pbx' | 'none'): Promise<MediaSbcd> {
  const sdes: PeerMedia = { srtp: 'sdes' };
  return startMediaSbcd(side === 'trunk' ? { trunk: sdes } : side === 'pbx' ? { pbx: sdes } : {});
}

describe('SRTP (SDES) on one side, RTP on the other, against libsrtp2', { timeout: 60_000 }, () => {
  const daemons: MediaSbcd[] = [];
  after(async () => {
    await Promise.all(daemons.map((d) => d.sbc.stop()));
  });

  // ---- the SBC offers SRTP toward the callee ----
  for (const [direction, configured] of [['pbx-to-vonage', 'trunk'], ['vonage-to-pbx', 'pbx']] as Array<[Direction, 'trunk' | 'pbx']>) {
    test(`${direction}: ${configured} media.srtp sdes: SRTP toward the callee, RTP toward the caller; tamper and replay refused and counted`, async () => {
      const m = await srtpSbcd(configured);
      daemons.push(m);
      const { sbc } = m;
      const mark = logMark(sbc);
      const callerEp = await RtpEndpoint.open(direction === 'pbx-to-vonage' ? sbc.pbx.ip : sbc.vonage.ip);
      const calleeIp = direction === 'pbx-to-vonage' ? sbc.vonage.ip : sbc.pbx.ip;
      const calleePort = await freePort(calleeIp);
      const calleeKey = randomSrtpKey();
      const call = await startMediaCall(sbc, {
        direction, uac: 'media-uac', uas: 'media-uas-srtp',
        uacKeys: { rtp_port: callerEp.port, p_talk: 3500 }, uasKeys: { rtp_port: calleePort, srtp_key: calleeKey },
      });
      try {
        const offer = await call.callee.waitFor(on.request('received', 'INVITE'), 5000, 'INVITE at the callee');
        const answer = await call.caller.waitFor(on.response('received', 200, 'INVITE'), 5000, '200 at the caller');
        await call.callee.waitFor(on.request('received', 'ACK'), 5000, 'ACK at the callee');
        const offered = readSdp(offer.body).media[0];
        assertSrtpLine(offered, 'offer toward the SRTP callee', offer.body);
        assertPlainLine(readSdp(answer.body).media[0], 'answer toward the RTP caller', answer.body);
        const sbcCrypto = offered.crypto[0]!;
        assert.notEqual(sbcCrypto.key, calleeKey);
        const sbcForCallee = audioAddress(offer.body);
        const sbcForCaller = audioAddress(answer.body);

        const peer = await startSrtpPeer({
          bind: { ip: calleeIp, port: calleePort }, remote: sbcForCallee, count: PACKETS, seed: 52, expectSeed: 51, ssrc: 0x52,
          send: { suite: sbcCrypto.suite as SrtpSuiteName, key: calleeKey }, recv: { suite: sbcCrypto.suite as SrtpSuiteName, key: sbcCrypto.key },
          tamperAt: 10, replayAt: 20, lingerMs: 1000,
        });
        const up = callerEp.stream({ to: sbcForCaller, seed: 51, ssrc: 0x51, count: PACKETS });
        await up.done;
        const r = await peer.report;
        await callerEp.until(() => callerEp.fromSeed(52).length >= PACKETS, 1000);

        const rctx = `${peer.command}\n${JSON.stringify({ ...r, seqs: undefined })}`;
        assert.equal(r.decryptedOk, PACKETS, `the SRTP callee decrypted ${r.decryptedOk} of ${PACKETS}\n${rctx}`);
        assert.equal(r.authFailures, 0, rctx);
        assert.equal(r.replayFailures, 0, rctx);
        assert.equal(r.patternOk, PACKETS, rctx);
        assert.equal(r.gaps, 0, rctx);
        assert.deepEqual(r.sources.map((s) => `${s.ip}:${s.port}`), [`${sbcForCallee.ip}:${sbcForCallee.port}`], rctx);
        assert.deepEqual(r.seqs, up.sent.map((s) => s.seq), rctx);

        // The caller got the callee's 50 packets, decrypted by the SBC, and neither the tampered nor the replayed one.
        const seqs = Array.from({ length: PACKETS }, (_, i) => 1000 + i);
        assertRelayedStream(callerEp, { seed: 52, sent: seqs.map((seq) => ({ seq })) }, sbcForCaller, 'SRTP callee -> RTP caller');
        assert.equal(callerEp.foreign([52]).length, 0, `the RTP caller received packets that are not the callee's audio: ${describeSeen(callerEp.seen)}`);

        const { uac, uas } = await call.finish();
        assertSippPassed(uac, 'caller');
        assertSippPassed(uas, 'callee');
        const [stream] = await callMediaStats(sbc, mark);
        const ctx = JSON.stringify(stream);
        assert.ok(stream);
        assert.equal(stream.b.srtpAuthFailures, 1, `tampered packet counted on the callee's leg\n${ctx}`);
        assert.equal(stream.b.srtpReplays, 1, `replayed packet counted on the callee's leg\n${ctx}`);
        assert.equal(stream.b.rxPackets, PACKETS, ctx);
        assert.equal(stream.a.txPackets, PACKETS, ctx);
        assert.equal(stream.a.rxPackets, PACKETS, ctx);
        assert.equal(stream.b.txPackets, PACKETS, ctx);
        assert.equal(stream.a.srtpAuthFailures, 0, ctx);
      } finally {
        await call.stop();
        callerEp.close();
      }
    });
  }

  // ---- Vonage offers SRTP, the PBX is plain RTP ----
  describe('vonage-to-pbx: an SRTP offer from Vonage answered with our own a=crypto', () => {
    let m: MediaSbcd;
    before(async () => {
      m = await srtpSbcd('none');
      daemons.push(m);
    });
    for (const suite of SUITES) {
      test(`${suite}: answered in kind, plain RTP toward the PBX, audio both ways; tamper and replay refused and counted`, async () => {
        const { sbc } = m;
        const mark = logMark(sbc);
        const callerPort = await freePort(sbc.vonage.ip);
        const callerKey = randomSrtpKey();
        const calleeEp = await RtpEndpoint.open(sbc.pbx.ip);
        const call = await startMediaCall(sbc, {
          direction: 'vonage-to-pbx', uac: 'media-uac-srtp', uas: 'media-uas',
          uacKeys: { rtp_port: callerPort, p_talk: 3500, srtp_suite: suite, srtp_key: callerKey }, uasKeys: { rtp_port: calleeEp.port },
        });
        try {
          const offer = await call.callee.waitFor(on.request('received', 'INVITE'), 5000, 'INVITE at the PBX');
          const answer = await call.caller.waitFor(on.response('received', 200, 'INVITE'), 5000, '200 at Vonage');
          await call.callee.waitFor(on.request('received', 'ACK'), 5000, 'ACK at the PBX');
          assertPlainLine(readSdp(offer.body).media[0], 'offer toward the RTP PBX', offer.body);
          const answered = readSdp(answer.body).media[0];
          assertSrtpLine(answered, 'answer toward SRTP Vonage', answer.body);
          assert.equal(answered.crypto.length, 1, `one a=crypto in the answer\n${redactKeys(answer.body)}`);
          const sbcCrypto = answered.crypto[0]!;
          assert.equal(sbcCrypto.tag, 1, 'the answer uses the tag of the offered line');
          assert.equal(sbcCrypto.suite, suite, 'the answer keeps the offered suite');
          assert.notEqual(sbcCrypto.key, callerKey, 'the SBC answers with a key of its own');
          const sbcForCaller = audioAddress(answer.body);
          const sbcForCallee = audioAddress(offer.body);

          const peer = await startSrtpPeer({
            bind: { ip: sbc.vonage.ip, port: callerPort }, remote: sbcForCaller, count: PACKETS, seed: 61, expectSeed: 62, ssrc: 0x61,
            send: { suite, key: callerKey }, recv: { suite, key: sbcCrypto.key }, tamperAt: 5, replayAt: 30, lingerMs: 1000,
          });
          const down = calleeEp.stream({ to: sbcForCallee, seed: 62, ssrc: 0x62, count: PACKETS });
          await down.done;
          const r = await peer.report;
          await calleeEp.until(() => calleeEp.fromSeed(61).length >= PACKETS, 1000);

          const rctx = `${peer.command}\n${JSON.stringify({ ...r, seqs: undefined })}`;
          assert.equal(r.decryptedOk, PACKETS, `Vonage decrypted ${r.decryptedOk} of ${PACKETS}\n${rctx}`);
          assert.equal(r.authFailures, 0, rctx);
          assert.equal(r.patternOk, PACKETS, rctx);
          assert.deepEqual(r.seqs, down.sent.map((s) => s.seq), rctx);
          assert.deepEqual(r.sources.map((s) => `${s.ip}:${s.port}`), [`${sbcForCaller.ip}:${sbcForCaller.port}`], rctx);

          const seqs = Array.from({ length: PACKETS }, (_, i) => 1000 + i);
          assertRelayedStream(calleeEp, { seed: 61, sent: seqs.map((seq) => ({ seq })) }, sbcForCallee, 'SRTP Vonage -> RTP PBX');
          assert.equal(calleeEp.foreign([61]).length, 0, `the PBX received packets that are not Vonage's audio: ${describeSeen(calleeEp.seen)}`);

          const { uac, uas } = await call.finish();
          assertSippPassed(uac, 'Vonage caller');
          assertSippPassed(uas, 'PBX callee');
          const [stream] = await callMediaStats(sbc, mark);
          const ctx = JSON.stringify(stream);
          assert.ok(stream);
          assert.equal(stream.a.srtpAuthFailures, 1, `tampered packet counted on the caller's leg\n${ctx}`);
          assert.equal(stream.a.srtpReplays, 1, `replayed packet counted on the caller's leg\n${ctx}`);
          assert.equal(stream.a.rxPackets, PACKETS, ctx);
          assert.equal(stream.b.txPackets, PACKETS, ctx);
        } finally {
          await call.stop();
          calleeEp.close();
        }
      });
    }
  });
});
