// Media timeout (media.timeout_s: 2, hold_timeout_s: 0): a call in which
// nobody sends RTP is ended by the SBC with a BYE on both legs within a
// bounded time, and sbcd logs `call media timeout` and `call hangup` with
// reason `media timeout`; a call whose caller keeps sending RTP (one way) is
// not ended; a call on hold (a=inactive, no RTP at all) is not ended either.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { select } from '../harness/index.js';
import { RtpEndpoint } from '../harness/rtp-endpoint.js';
import { audioAddress } from '../harness/media-sdp.js';
import { on, withCseq } from '../harness/media-trace.js';
import { assertSippPassed, logMark, nextLog, startMediaCall, startMediaSbcd, type MediaSbcd } from '../harness/media-call.js';

const TIMEOUT_S = 2;

describe('media timeout', { timeout: 60_000 }, () => {
  let m: MediaSbcd;
  before(async () => {
    m = await startMediaSbcd({ timeoutS: TIMEOUT_S, holdTimeoutS: 0 });
  });
  after(async () => {
    await m?.sbc.stop();
  });

  const isTimeoutHangup = (l: Record<string, unknown>): boolean => l.msg === 'call hangup' && l.reason === 'media timeout';

  test('no RTP from either side: BYE on both legs after the timeout, logged as media timeout', async () => {
    const { sbc } = m;
    const mark = logMark(sbc);
    const callerEp = await RtpEndpoint.open(sbc.pbx.ip);
    const calleeEp = await RtpEndpoint.open(sbc.vonage.ip);
    const call = await startMediaCall(sbc, {
      direction: 'pbx-to-vonage', uac: 'media-uac-expect-bye', uas: 'media-uas',
      uacKeys: { rtp_port: callerEp.port }, uasKeys: { rtp_port: calleeEp.port }, timeoutMs: 20_000,
    });
    try {
      const ack = await call.callee.waitFor(on.request('received', 'ACK'), 5000, 'ACK at the callee');
      const byeAtCaller = await call.caller.waitFor(on.request('received', 'BYE'), TIMEOUT_S * 1000 + 5000, 'BYE from the SBC at the caller');
      const byeAtCallee = await call.callee.waitFor(on.request('received', 'BYE'), 2000, 'BYE from the SBC at the callee');
      for (const [who, bye] of [['caller', byeAtCaller], ['callee', byeAtCallee]] as const) {
        const after = bye.at - ack.at;
        assert.ok(after >= TIMEOUT_S * 1000 - 300, `${who}: BYE ${after} ms after the call was up, before the ${TIMEOUT_S} s timeout`);
        assert.ok(after <= TIMEOUT_S * 1000 + 3000, `${who}: BYE ${after} ms after the call was up (timeout ${TIMEOUT_S} s)`);
      }
      await nextLog(sbc, mark, (l) => l.msg === 'call media timeout', 2000, '"call media timeout"');
      await nextLog(sbc, mark, isTimeoutHangup, 2000, '"call hangup" with reason "media timeout"');
      const { uac, uas } = await call.finish();
      assertSippPassed(uac, 'caller (answered the BYE)');
      assertSippPassed(uas, 'callee (answered the BYE)');
    } finally {
      await call.stop();
      callerEp.close();
      calleeEp.close();
    }
  });

  test('RTP from the caller only, for 2.5x the timeout: the call is not ended', async () => {
    const { sbc } = m;
    const mark = logMark(sbc);
    const callerEp = await RtpEndpoint.open(sbc.pbx.ip);
    const calleeEp = await RtpEndpoint.open(sbc.vonage.ip);
    const talkMs = TIMEOUT_S * 2500;
    const call = await startMediaCall(sbc, {
      direction: 'pbx-to-vonage', uac: 'media-uac', uas: 'media-uas',
      uacKeys: { rtp_port: callerEp.port, p_talk: talkMs }, uasKeys: { rtp_port: calleeEp.port }, timeoutMs: 20_000,
    });
    try {
      const answer = await call.caller.waitFor(on.response('received', 200, 'INVITE'), 5000, '200 at the caller');
      const up = callerEp.stream({ to: audioAddress(answer.body), seed: 71, ssrc: 0x71, count: Math.floor(talkMs / 20) - 10 });
      await up.done;
      const { uac, uas } = await call.finish();
      assertSippPassed(uac, 'caller (hung up itself)');
      assertSippPassed(uas, 'callee');
      assert.equal(select(uac.messages, { direction: 'received', method: 'BYE' }).length, 0, 'the SBC sent the caller a BYE');
      assert.ok(calleeEp.fromSeed(71).length >= up.sent.length - 5, 'the RTP reached the callee (so the relay saw it)');
      assert.equal(sbc.logs().slice(mark).filter(isTimeoutHangup).length, 0, 'sbcd ended the call for a media timeout');
    } finally {
      await call.stop();
      callerEp.close();
      calleeEp.close();
    }
  });

  test('a held call (a=inactive, no RTP for 2x the timeout) is not ended (hold_timeout_s 0)', async () => {
    const { sbc } = m;
    const mark = logMark(sbc);
    const callerEp = await RtpEndpoint.open(sbc.pbx.ip);
    const calleeEp = await RtpEndpoint.open(sbc.vonage.ip);
    const call = await startMediaCall(sbc, {
      direction: 'pbx-to-vonage', uac: 'media-uac-reinvite', uas: 'media-uas-reinvite',
      uacKeys: {
        rtp_port: callerEp.port, p_talk: 1000, p_hold: TIMEOUT_S * 2000, p_resume: 1000,
        r1_ip: callerEp.ip, r1_port: callerEp.port, r1_dir: 'inactive', r2_ip: callerEp.ip, r2_port: callerEp.port, r2_dir: 'sendrecv',
      },
      uasKeys: { rtp_port: calleeEp.port, a1_dir: 'inactive', a2_dir: 'sendrecv' },
      timeoutMs: 20_000,
    });
    try {
      const offer = await call.callee.waitFor(on.request('received', 'INVITE'), 5000, 'INVITE at the callee');
      const answer = await call.caller.waitFor(withCseq('received', '1 INVITE', 200), 5000, '200 at the caller');
      // Audio while talking, none while held, audio again after the resume.
      const talk = [
        callerEp.stream({ to: audioAddress(answer.body), seed: 81, ssrc: 0x81 }),
        calleeEp.stream({ to: audioAddress(offer.body), seed: 82, ssrc: 0x82 }),
      ];
      await call.caller.waitFor(withCseq('sent', '2 INVITE'), 5000, 'the hold re-INVITE');
      for (const s of talk) s.stop();
      const resumed = await call.caller.waitFor(withCseq('received', '3 INVITE', 200), TIMEOUT_S * 2000 + 3000, '200 to the resume re-INVITE');
      const again = [
        callerEp.stream({ to: audioAddress(resumed.body), seed: 83, ssrc: 0x83 }),
        calleeEp.stream({ to: audioAddress(offer.body), seed: 84, ssrc: 0x84 }),
      ];
      const { uac, uas } = await call.finish();
      for (const s of again) s.stop();
      assertSippPassed(uac, 'caller (hung up itself)');
      assertSippPassed(uas, 'callee');
      assert.equal(select(uac.messages, { direction: 'received', method: 'BYE' }).length, 0, 'the SBC sent the caller a BYE');
      assert.equal(sbc.logs().slice(mark).filter(isTimeoutHangup).length, 0, 'sbcd ended the held call for a media timeout');
    } finally {
      await call.stop();
      callerEp.close();
      calleeEp.close();
    }
  });
});
