// A real SRTP phone through the SBC: baresip 1.0 with its srtp module
// (mediaenc=srtp-mand: RTP/SAVP with SDES only) on the PBX side, a plain-RTP
// SIPp end with a dgram socket on the Vonage side.
//   - baresip calls out: its SRTP offer is answered with the SBC's own
//     a=crypto, Vonage gets plain RTP/AVP;
//   - Vonage calls in, pbx media.srtp sdes: the SBC offers SRTP to baresip,
//     which answers it (auto answer).
// Audio flows both ways: the Vonage socket receives baresip's 440 Hz tone as
// clean PCMU from the SBC's WAN media address (decrypted by the SBC: random
// bytes would not decode to a tone); baresip reports SRTP enabled, RTP
// established and no decrypt failure; the `call media stats` line counts
// packets both ways on the phone's leg and no SRTP failure.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { ADDR, freePort, type Direction } from '../harness/index.js';
import { RtpEndpoint, type SeenPacket } from '../harness/rtp-endpoint.js';
import { describeSeen } from '../harness/rtp-assert.js';
import { audioAddress, readSdp, redactKeys } from '../harness/media-sdp.js';
import { assertSippPassed, callMediaStats, logMark, startMediaSbcd, type MediaSbcd } from '../harness/media-call.js';
import { Baresip } from '../peers/baresip.js';
import { startSipp } from '../harness/sipp.js';
import { on, SippTrace } from '../harness/media-trace.js';

function tcpFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host: ip, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** baresip listens for SIP on UDP+TCP at its port and for TLS at port + 1. */
async function phonePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const p = await freePort(ADDR.pbx);
    if (p < 65535 && (await tcpFree(ADDR.pbx, p + 1))) return p;
  }
  throw new Error('no port p with p+1 free on ' + ADDR.pbx);
}

// G.711 mu-law to linear (ITU-T G.711).
function ulawToLinear(u: number): number {
  const x = ~u & 0xff;
  const t = (((x & 0x0f) << 3) + 0x84) << ((x & 0x70) >> 4);
  return x & 0x80 ? 0x84 - t : t - 0x84;
}

/** Median zero crossings per packet of the decoded audio: ~17.6 for a 440 Hz tone in 20 ms. */
function medianZeroCrossings(packets: SeenPacket[]): number {
  const counts = packets.map((p) => {
    const s = [...p.rtp!.payload].map(ulawToLinear);
    let n = 0;
    for (let i = 1; i < s.length; i++) if ((s[i - 1]! < 0) !== (s[i]! < 0)) n++;
    return n;
  }).sort((a, b) => a - b);
  return counts[Math.floor(counts.length / 2)] ?? 0;
}

describe('baresip with SRTP (srtp-mand) through the SBC to a plain-RTP peer', { timeout: 60_000 }, () => {
  let m: MediaSbcd;
  let sipPort: number;
  before(async () => {
    sipPort = await phonePort();
    m = await startMediaSbcd({ pbxPort: sipPort, pbx: { srtp: 'sdes' } });
  });
  after(async () => {
    await m?.sbc.stop();
  });

  for (const direction of ['pbx-to-vonage', 'vonage-to-pbx'] as Direction[]) {
    test(`${direction}: SRTP with the phone, RTP with Vonage, audio both ways`, async () => {
      const { sbc } = m;
      const mark = logMark(sbc);
      const vonageEp = await RtpEndpoint.open(sbc.vonage.ip);
      const phone = await Baresip.start({
        ip: ADDR.pbx, sipPort, ctrlPort: await freePort(ADDR.pbx), timeoutMs: 40_000, mediaenc: 'srtp-mand', autoAnswer: true,
      });
      // The Vonage stand-in: SIPp callee when the phone dials, SIPp caller (talks 3 s, then BYE) when it is called.
      const sipp = direction === 'pbx-to-vonage'
        ? await startSipp({
            scenario: 'media-uas', ip: sbc.vonage.ip, port: sbc.vonage.port, calls: 1, keys: { rtp_port: vonageEp.port },
            timeoutMs: 30_000, name: 'baresip-srtp-uas',
          })
        : await startSipp({
            scenario: 'media-uac', ip: sbc.vonage.ip, port: sbc.vonage.port, remote: { ip: sbc.wan.ip, port: sbc.wan.udp }, calls: 1,
            // baresip answers 404 to any user but its account's.
            keys: { rtp_port: vonageEp.port, p_talk: 3000 }, service: 'pbx-phone', timeoutMs: 30_000, name: 'baresip-srtp-uac',
          });
      const vonageTrace = new SippTrace(sipp, 'Vonage side');
      try {
        if (direction === 'pbx-to-vonage') phone.command('dial', `sip:14155550100@${sbc.lan.ip}:${sbc.lan.udp}`);
        const sdpAt = direction === 'pbx-to-vonage'
          ? await vonageTrace.waitFor(on.request('received', 'INVITE'), 5000, 'INVITE at Vonage')
          : await vonageTrace.waitFor(on.response('received', 200, 'INVITE'), 5000, '200 at Vonage');
        const established = await phone.waitFor((e) => e.type === 'CALL_ESTABLISHED', 5000);
        assert.ok(established, `baresip did not establish the call\n${phone.describe()}`);
        const plain = readSdp(sdpAt.body).media[0];
        assert.ok(plain);
        assert.equal(plain.proto, 'RTP/AVP', `Vonage side is plain RTP\n${redactKeys(sdpAt.body)}`);
        assert.equal(plain.crypto.length, 0);
        const sbcForVonage = audioAddress(sdpAt.body);
        assert.equal(sbcForVonage.ip, sbc.wan.ip);

        const down = vonageEp.stream({ to: sbcForVonage, seed: 91, ssrc: 0x91, count: 50 });
        await down.done;
        await vonageEp.until(() => vonageEp.seen.filter((p) => p.rtp).length >= 50, 2000);
        const rtpEst = await phone.waitFor((e) => e.type === 'CALL_RTPESTAB', 1000);
        if (direction === 'pbx-to-vonage') phone.command('hangup');
        const closed = await phone.waitFor((e) => e.type === 'CALL_CLOSED', 5000);
        assert.ok(closed, `the call did not end at baresip\n${phone.describe()}`);
        const done = await sipp.done;
        await phone.stop();

        const menc = phone.events.find((e) => e.type === 'CALL_MENC');
        assert.ok(menc, `baresip reported no media encryption\n${phone.describe()}`);
        assert.ok(rtpEst, `baresip received no RTP it could decrypt\n${phone.describe()}`);
        assert.doesNotMatch(phone.describe(), /failed to decrypt/, 'baresip failed to decrypt what the SBC sent');

        const tone = vonageEp.seen.filter((p) => p.rtp && p.rtp.pt === 0);
        assert.ok(tone.length >= 40, `Vonage got ${tone.length} PCMU packets from the phone: ${describeSeen(vonageEp.seen)}`);
        assert.ok(tone.every((p) => p.from.ip === sbcForVonage.ip && p.from.port === sbcForVonage.port), `not all from the SBC: ${describeSeen(vonageEp.seen)}`);
        assert.ok(tone.every((p) => p.rtp!.payload.length === 160), 'payload is not 160 bytes of PCMU (SRTP tag left on?)');
        const zc = medianZeroCrossings(tone);
        assert.ok(zc >= 13 && zc <= 23, `decoded audio is not baresip's 440 Hz tone (median ${zc} zero crossings per 20 ms, expected ~17.6)`);

        assertSippPassed(done, 'Vonage side');
        const [stream] = await callMediaStats(sbc, mark);
        assert.ok(stream);
        const phoneLeg = direction === 'pbx-to-vonage' ? stream.a : stream.b;
        const ctx = JSON.stringify(stream);
        assert.equal(phoneLeg.txPackets, 50, `the SBC sent the phone the 50 packets from Vonage\n${ctx}`);
        assert.ok(phoneLeg.rxPackets >= 40, ctx);
        // baresip 1.0 (libre) sends two RTCP packets unprotected on its SRTP
        // session: an APP "PINGPONG" at the start (16 bytes: too short for
        // SRTCP, dropped) and its BYE+SDES at hangup (refused as an SRTCP
        // authentication failure when it lands before the stats are taken).
        // Every SRTP packet it sends must authenticate: at most that one failure.
        assert.ok(phoneLeg.srtpAuthFailures <= 1, `SRTP from baresip failed authentication\n${ctx}`);
        assert.equal(phoneLeg.srtpReplays, 0, ctx);
      } finally {
        await sipp.stop();
        await phone.stop();
        vonageEp.close();
      }
    });
  }
});
