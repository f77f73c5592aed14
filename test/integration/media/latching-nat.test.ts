// A PBX behind NAT whose SDP names its private address (which the SBC
// cannot reach), with pbxs[].media.latching 'until-signalled': the SBC learns
// the NAT's public address and port from the PBX's first RTP packet, audio
// flows both ways through the NAT, and an attacker sending to the same SBC
// port is dropped and counted without taking the stream over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netnsSkipReason } from '../harness/index.js';
import { describeReceived, rtpBurst, SEED, seqRange, seqsFrom, startScene } from './latching-call.js';

const TALK_MS = 5000;

test('latching until-signalled: NATed PBX learnt from its first RTP packet, both directions flow, attacker dropped and counted', { skip: netnsSkipReason(), timeout: 45_000 }, async () => {
  const s = await startScene({ latching: 'until-signalled', pbxSdp: 'private', talkMs: TALK_MS });
  try {
    const ssrc = { pbx: 0x11110001, vonage: 0x22220002, attacker: 0x66660006 };

    // The PBX speaks first: nothing about it is known but its unreachable SDP address.
    assert.deepEqual(await s.pbxRtp.send(s.sbcToPbx, rtpBurst(SEED.pbx, ssrc.pbx, 100, 5), 20), { sent: 5, errors: 0 });
    const relayed = await s.vonageRtp.waitFor(() => seqsFrom(s.vonageRtp, SEED.pbx).length >= 1, 2000);
    assert.ok(relayed, `Vonage got none of the NATed PBX's first packets\n${describeReceived(s.vonageRtp)}`);

    // Both ways at once: Vonage's audio now goes to the learnt NAT address and through the NAT to the PBX.
    await Promise.all([
      s.pbxRtp.send(s.sbcToPbx, rtpBurst(SEED.pbx, ssrc.pbx, 105, 20), 20),
      s.vonageRtp.send(s.sbcToVonage, rtpBurst(SEED.vonage, ssrc.vonage, 500, 20), 20),
    ]);
    await s.vonageRtp.waitFor(() => seqsFrom(s.vonageRtp, SEED.pbx).length >= 25, 2000);
    await s.pbxRtp.waitFor(() => seqsFrom(s.pbxRtp, SEED.vonage).length >= 20, 2000);
    assert.deepEqual(seqsFrom(s.vonageRtp, SEED.pbx, s.sbcToVonage), seqRange(100, 25), `Vonage: the PBX's audio, from the SBC\n${describeReceived(s.vonageRtp)}`);
    assert.deepEqual(seqsFrom(s.pbxRtp, SEED.vonage, s.sbcToPbx), seqRange(500, 20), `PBX behind NAT: Vonage's audio, from the SBC\n${describeReceived(s.pbxRtp)}`);

    // The attacker aims at the same SBC port while the call goes on.
    const [attack] = await Promise.all([
      s.attacker.send(s.sbcToPbx, rtpBurst(SEED.attacker, ssrc.attacker, 900, 20), 20),
      s.pbxRtp.send(s.sbcToPbx, rtpBurst(SEED.pbx, ssrc.pbx, 125, 20), 20),
      s.vonageRtp.send(s.sbcToVonage, rtpBurst(SEED.vonage, ssrc.vonage, 520, 20), 20),
    ]);
    assert.deepEqual(attack, { sent: 20, errors: 0 }, 'the attacker reached the SBC');
    await s.vonageRtp.waitFor(() => seqsFrom(s.vonageRtp, SEED.pbx).length >= 45, 2000);
    await s.pbxRtp.waitFor(() => seqsFrom(s.pbxRtp, SEED.vonage).length >= 40, 2000);
    await new Promise((r) => setTimeout(r, 300)); // anything late from the attacker would show by now
    assert.deepEqual(seqsFrom(s.vonageRtp, SEED.attacker), [], `the attacker's packets reached Vonage\n${describeReceived(s.vonageRtp)}`);
    assert.deepEqual(seqsFrom(s.vonageRtp, SEED.pbx, s.sbcToVonage), seqRange(100, 45), `Vonage kept getting the PBX\n${describeReceived(s.vonageRtp)}`);
    assert.deepEqual(seqsFrom(s.pbxRtp, SEED.vonage, s.sbcToPbx), seqRange(500, 40), `the PBX kept getting Vonage\n${describeReceived(s.pbxRtp)}`);
    assert.equal(s.attacker.received.length, 0, `the attacker got packets (stream hijacked)\n${describeReceived(s.attacker)}`);
    assert.ok(Date.now() < s.answeredAt + TALK_MS - 300, 'the RTP exchange overran the call (the BYE may have come first): raise TALK_MS');

    const { pbxLeg, vonageLeg } = await s.finish();
    const stats = JSON.stringify({ pbxLeg, vonageLeg });
    assert.equal(pbxLeg.droppedSource, 20, `PBX leg: the attacker's 20 packets dropped and counted\n${stats}`);
    assert.equal(pbxLeg.rxPackets, 45, `PBX leg: all the PBX's packets accepted\n${stats}`);
    assert.equal(pbxLeg.latched, true, stats);
    assert.equal(pbxLeg.peer?.ip, s.natOutside, `PBX leg: peer is the NAT's public address\n${stats}`);
    assert.ok(pbxLeg.peer.port >= 40000 && pbxLeg.peer.port <= 40999, `PBX leg: peer port is the NAT's mapped port\n${stats}`);
    assert.equal(vonageLeg.droppedSource, 0, stats);
    assert.equal(vonageLeg.rxPackets, 40, stats);
  } finally {
    await s.close();
  }
});
