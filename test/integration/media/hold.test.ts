// Hold, resume and a moved media port, through the SBC. The caller sends two
// re-INVITEs (media-uac-reinvite.xml): the first puts the call on hold (or
// moves the caller's RTP port), the second resumes. Both ends stream RTP the
// whole time; every packet is classified by when it was sent against the
// SIPp trace's timestamps of the re-INVITEs and their 200s.
//   a=sendonly from the caller: nothing is forwarded toward the caller while
//     held, the caller's own audio (music on hold) still reaches the callee;
//   a=inactive: nothing is forwarded either way;
//   c=0.0.0.0 (RFC 2543): nothing is forwarded toward the caller;
//   after the resume everything flows again, both ways.
//   A new port in the re-INVITE: the callee's audio goes to the new port
//   (and no longer to the old one), the caller's new stream reaches the callee.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Direction } from '../harness/index.js';
import { RtpEndpoint, type RtpStream } from '../harness/rtp-endpoint.js';
import { describeSeen, receivedSentBetween } from '../harness/rtp-assert.js';
import { audioAddress, readSdp } from '../harness/media-sdp.js';
import { on, withCseq } from '../harness/media-trace.js';
import { assertSippPassed, startMediaCall, startMediaSbcd, type MediaSbcd } from '../harness/media-call.js';

// How long after a 200 the SBC may take to apply the new SDP to its relay.
const SETTLE_MS = 150;
// A window ends this long before the next SIP event: the SBC applies an
// offer as soon as it reads it, and a packet the test stamped just before the
// event may leave node's socket (or reach the relay) just after it.
const MARGIN_MS = 100;
const P_TALK = 1000;
const P_HOLD = 1500;
const P_RESUME = 1200;

type HoldForm = 'sendonly' | 'inactive' | 'c=0.0.0.0';

interface Window {
  from: number;
  to: number;
}

function assertFlow(ep: RtpEndpoint, stream: RtpStream, w: Window, label: string): void {
  const r = receivedSentBetween(ep, stream, w.from, w.to);
  assert.ok(r.sent >= 10, `${label}: only ${r.sent} packets sent in the window, the test timing is off`);
  assert.equal(r.received, r.sent, `${label}: ${r.received} of ${r.sent} packets arrived; missing (seq@ms into the window): ${r.missing.map((x) => `${x.seq}@${x.atMs}`).join(' ')}\n${describeSeen(ep.seen)}`);
}

function assertNoFlow(ep: RtpEndpoint, stream: RtpStream, w: Window, label: string): void {
  const r = receivedSentBetween(ep, stream, w.from, w.to);
  assert.ok(r.sent >= 10, `${label}: only ${r.sent} packets sent in the window, the test timing is off`);
  assert.equal(r.received, 0, `${label}: ${r.received} of the ${r.sent} packets sent while held were forwarded`);
}

describe('hold, resume and a moved port through the SBC', { timeout: 60_000 }, () => {
  let m: MediaSbcd;
  before(async () => {
    m = await startMediaSbcd();
  });
  after(async () => {
    await m?.sbc.stop();
  });

  const holds: Array<{ direction: Direction; form: HoldForm }> = [
    { direction: 'pbx-to-vonage', form: 'sendonly' },
    { direction: 'pbx-to-vonage', form: 'inactive' },
    { direction: 'pbx-to-vonage', form: 'c=0.0.0.0' },
    { direction: 'vonage-to-pbx', form: 'sendonly' },
    { direction: 'vonage-to-pbx', form: 'inactive' },
  ];
  for (const { direction, form } of holds) {
    test(`${direction}: hold with ${form}, then resume`, async () => {
      const { sbc } = m;
      const callerEp = await RtpEndpoint.open(direction === 'pbx-to-vonage' ? sbc.pbx.ip : sbc.vonage.ip);
      const calleeEp = await RtpEndpoint.open(direction === 'pbx-to-vonage' ? sbc.vonage.ip : sbc.pbx.ip);
      const r1 = form === 'c=0.0.0.0'
        ? { r1_ip: '0.0.0.0', r1_port: callerEp.port, r1_dir: 'sendrecv' }
        : { r1_ip: callerEp.ip, r1_port: callerEp.port, r1_dir: form };
      const call = await startMediaCall(sbc, {
        direction, uac: 'media-uac-reinvite', uas: 'media-uas-reinvite',
        uacKeys: {
          rtp_port: callerEp.port, p_talk: P_TALK, p_hold: P_HOLD, p_resume: P_RESUME,
          ...r1, r2_ip: callerEp.ip, r2_port: callerEp.port, r2_dir: 'sendrecv',
        },
        uasKeys: { rtp_port: calleeEp.port, a1_dir: form === 'sendonly' ? 'recvonly' : form === 'inactive' ? 'inactive' : 'sendrecv', a2_dir: 'sendrecv' },
      });
      try {
        const offer = await call.callee.waitFor(on.request('received', 'INVITE'), 5000, 'INVITE at the callee');
        const answer = await call.caller.waitFor(withCseq('received', '1 INVITE', 200), 5000, '200 at the caller');
        await call.callee.waitFor(on.request('received', 'ACK'), 5000, 'ACK at the callee');
        const up = callerEp.stream({ to: audioAddress(answer.body), seed: 31, ssrc: 0x31, count: 400 });
        const down = calleeEp.stream({ to: audioAddress(offer.body), seed: 32, ssrc: 0x32, count: 400 });

        const holdSent = await call.caller.waitFor(withCseq('sent', '2 INVITE'), P_TALK + 3000, 'the hold re-INVITE');
        const holdOffer = await call.callee.waitFor(on.request('received', 'INVITE'), 3000, 'the hold re-INVITE at the callee', 2);
        const held = await call.caller.waitFor(withCseq('received', '2 INVITE', 200), 3000, '200 to the hold re-INVITE');
        const resumeSent = await call.caller.waitFor(withCseq('sent', '3 INVITE'), P_HOLD + 3000, 'the resume re-INVITE');
        const resumed = await call.caller.waitFor(withCseq('received', '3 INVITE', 200), 3000, '200 to the resume re-INVITE');
        // Stop before the BYE, leaving time for the last packets to land.
        await new Promise((r) => setTimeout(r, P_RESUME - 300));
        up.stop();
        down.stop();
        await new Promise((r) => setTimeout(r, 200));
        const end = Math.min(up.sent.at(-1)!.at, down.sent.at(-1)!.at) + 1;

        // The hold offer reaches the callee still saying what the caller said.
        const held0 = readSdp(holdOffer.body).media[0]!;
        if (form === 'c=0.0.0.0') assert.equal(held0.address, '0.0.0.0', `the RFC 2543 hold form is kept toward the callee\n${holdOffer.body}`);
        else assert.equal(held0.direction, form, `the direction reaches the callee\n${holdOffer.body}`);

        const before = { from: 0, to: holdSent.at - MARGIN_MS };
        const during = { from: held.at + SETTLE_MS, to: resumeSent.at - MARGIN_MS };
        const afterResume = { from: resumed.at + SETTLE_MS, to: end };
        assertFlow(calleeEp, up, before, 'caller -> callee before the hold');
        assertFlow(callerEp, down, before, 'callee -> caller before the hold');
        assertNoFlow(callerEp, down, during, 'callee -> caller while held');
        if (form === 'inactive') assertNoFlow(calleeEp, up, during, 'caller -> callee while inactive');
        if (form === 'sendonly') assertFlow(calleeEp, up, during, 'caller -> callee while the caller holds (sendonly)');
        assertFlow(calleeEp, up, afterResume, 'caller -> callee after the resume');
        assertFlow(callerEp, down, afterResume, 'callee -> caller after the resume');

        const { uac, uas } = await call.finish();
        assertSippPassed(uac, 'caller');
        assertSippPassed(uas, 'callee');
      } finally {
        await call.stop();
        callerEp.close();
        calleeEp.close();
      }
    });
  }

  for (const direction of ['pbx-to-vonage', 'vonage-to-pbx'] as Direction[]) {
    test(`${direction}: a re-INVITE to a new caller port moves the media there`, async () => {
      const { sbc } = m;
      const callerIp = direction === 'pbx-to-vonage' ? sbc.pbx.ip : sbc.vonage.ip;
      const callerEp = await RtpEndpoint.open(callerIp);
      const movedEp = await RtpEndpoint.open(callerIp);
      const calleeEp = await RtpEndpoint.open(direction === 'pbx-to-vonage' ? sbc.vonage.ip : sbc.pbx.ip);
      const call = await startMediaCall(sbc, {
        direction, uac: 'media-uac-reinvite', uas: 'media-uas-reinvite',
        uacKeys: {
          rtp_port: callerEp.port, p_talk: P_TALK, p_hold: P_HOLD, p_resume: 500,
          r1_ip: callerIp, r1_port: movedEp.port, r1_dir: 'sendrecv', r2_ip: callerIp, r2_port: movedEp.port, r2_dir: 'sendrecv',
        },
        uasKeys: { rtp_port: calleeEp.port, a1_dir: 'sendrecv', a2_dir: 'sendrecv' },
      });
      try {
        const offer = await call.callee.waitFor(on.request('received', 'INVITE'), 5000, 'INVITE at the callee');
        const answer = await call.caller.waitFor(withCseq('received', '1 INVITE', 200), 5000, '200 at the caller');
        await call.callee.waitFor(on.request('received', 'ACK'), 5000, 'ACK at the callee');
        const sbcForCallee = audioAddress(offer.body);
        const up = callerEp.stream({ to: audioAddress(answer.body), seed: 41, ssrc: 0x41, count: 400 });
        const down = calleeEp.stream({ to: sbcForCallee, seed: 42, ssrc: 0x42, count: 400 });

        await call.caller.waitFor(withCseq('sent', '2 INVITE'), P_TALK + 3000, 'the re-INVITE with the new port');
        up.stop();
        const moved = await call.caller.waitFor(withCseq('received', '2 INVITE', 200), 3000, '200 to the re-INVITE');
        const sbcForMoved = audioAddress(moved.body);
        const upMoved = movedEp.stream({ to: sbcForMoved, seed: 43, ssrc: 0x43, count: 400 });
        await call.caller.waitFor(withCseq('sent', '3 INVITE'), P_HOLD + 3000, 'the second re-INVITE');
        await new Promise((r) => setTimeout(r, 300));
        upMoved.stop();
        down.stop();
        await new Promise((r) => setTimeout(r, 200));

        const afterMove = { from: moved.at + SETTLE_MS, to: down.sent.at(-1)!.at - MARGIN_MS };
        assertFlow(movedEp, down, afterMove, 'callee -> caller\'s new port after the move');
        assertNoFlow(callerEp, down, afterMove, 'callee -> caller\'s old port after the move');
        const fromSbc = movedEp.fromSeed(42).filter((p) => p.from.ip !== sbcForMoved.ip || p.from.port !== sbcForMoved.port);
        assert.equal(fromSbc.length, 0, `the new port got packets not from the SBC address in the 200 (${sbcForMoved.ip}:${sbcForMoved.port}): ${describeSeen(movedEp.seen)}`);
        assertFlow(calleeEp, upMoved, { from: upMoved.sent[0]!.at, to: upMoved.sent.at(-1)!.at + 1 }, 'caller\'s new port -> callee');
        const wrong = calleeEp.fromSeed(43).filter((p) => p.from.ip !== sbcForCallee.ip || p.from.port !== sbcForCallee.port);
        assert.equal(wrong.length, 0, `the callee got the moved stream from another address than the SBC's ${sbcForCallee.ip}:${sbcForCallee.port}`);

        const { uac, uas } = await call.finish();
        assertSippPassed(uac, 'caller');
        assertSippPassed(uas, 'callee');
      } finally {
        await call.stop();
        callerEp.close();
        movedEp.close();
        calleeEp.close();
      }
    });
  }
});
