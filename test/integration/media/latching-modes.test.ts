// The other latching modes with the PBX behind NAT:
// - same-ip: the PBX's SDP names the NAT's public address (with its private
//   port); its packets come from that address and another port, which is
//   accepted and followed, also when the NAT maps a new port mid-call; a
//   packet from any other IP is dropped and counted.
// - off: the PBX's SDP names its private address; nothing is learnt, so the
//   PBX's packets are dropped and it hears nothing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NETNS_ADDR, netnsSkipReason } from '../harness/index.js';
import { describeReceived, PBX_RTP_PORT, PBX_RTP_PORT_2, rtpBurst, SEED, seqRange, seqsFrom, startScene } from './latching-call.js';

const TALK_MS = 5000;
const ssrc = { pbx: 0x11110001, vonage: 0x22220002, attacker: 0x66660006 };

describe('media latching modes behind NAT', { skip: netnsSkipReason(), timeout: 55_000 }, () => {
  test('same-ip: a new source port of the signalled IP is accepted and followed (also after a NAT rebinding); another IP is refused', async () => {
    const s = await startScene({ latching: 'same-ip', pbxSdp: 'public', talkMs: TALK_MS });
    try {
      assert.deepEqual(await s.pbxRtp.send(s.sbcToPbx, rtpBurst(SEED.pbx, ssrc.pbx, 100, 5), 20), { sent: 5, errors: 0 });
      assert.ok(
        await s.vonageRtp.waitFor(() => seqsFrom(s.vonageRtp, SEED.pbx).length >= 1, 2000),
        `Vonage got none of the PBX's packets from the NAT's mapped port\n${describeReceived(s.vonageRtp)}`,
      );
      await Promise.all([
        s.pbxRtp.send(s.sbcToPbx, rtpBurst(SEED.pbx, ssrc.pbx, 105, 20), 20),
        s.vonageRtp.send(s.sbcToVonage, rtpBurst(SEED.vonage, ssrc.vonage, 500, 20), 20),
      ]);
      await s.vonageRtp.waitFor(() => seqsFrom(s.vonageRtp, SEED.pbx).length >= 25, 2000);
      await s.pbxRtp.waitFor(() => seqsFrom(s.pbxRtp, SEED.vonage).length >= 20, 2000);
      assert.deepEqual(seqsFrom(s.vonageRtp, SEED.pbx, s.sbcToVonage), seqRange(100, 25), describeReceived(s.vonageRtp));
      assert.deepEqual(seqsFrom(s.pbxRtp, SEED.vonage, s.sbcToPbx), seqRange(500, 20), describeReceived(s.pbxRtp));

      // NAT rebinding: the PBX now sends from another socket, so the NAT maps another public port.
      const pbx2 = await s.topo.udpPeer(s.topo.ns.pbx, NETNS_ADDR.pbx, PBX_RTP_PORT_2);
      assert.deepEqual(await pbx2.send(s.sbcToPbx, rtpBurst(SEED.pbx, ssrc.pbx, 125, 3), 20), { sent: 3, errors: 0 });
      assert.ok(
        await s.vonageRtp.waitFor(() => seqsFrom(s.vonageRtp, SEED.pbx).length >= 28, 2000),
        `packets from the NAT's new port were not relayed\n${describeReceived(s.vonageRtp)}`,
      );
      const [attack] = await Promise.all([
        s.attacker.send(s.sbcToPbx, rtpBurst(SEED.attacker, ssrc.attacker, 900, 20), 20),
        pbx2.send(s.sbcToPbx, rtpBurst(SEED.pbx, ssrc.pbx, 128, 20), 20),
        s.vonageRtp.send(s.sbcToVonage, rtpBurst(SEED.vonage, ssrc.vonage, 520, 20), 20),
      ]);
      assert.deepEqual(attack, { sent: 20, errors: 0 }, 'the attacker reached the SBC');
      await s.vonageRtp.waitFor(() => seqsFrom(s.vonageRtp, SEED.pbx).length >= 48, 2000);
      await pbx2.waitFor(() => seqsFrom(pbx2, SEED.vonage).length >= 20, 2000);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(seqsFrom(s.vonageRtp, SEED.pbx, s.sbcToVonage), seqRange(100, 48), `Vonage: all of the PBX's audio, before and after the rebinding\n${describeReceived(s.vonageRtp)}`);
      assert.deepEqual(seqsFrom(pbx2, SEED.vonage, s.sbcToPbx), seqRange(520, 20), `the PBX's new socket gets Vonage's audio (the SBC followed the new port)\n${describeReceived(pbx2)}`);
      assert.deepEqual(seqsFrom(s.pbxRtp, SEED.vonage), seqRange(500, 20), `the PBX's old socket got nothing after the rebinding\n${describeReceived(s.pbxRtp)}`);
      assert.deepEqual(seqsFrom(s.vonageRtp, SEED.attacker), [], `the attacker's packets reached Vonage\n${describeReceived(s.vonageRtp)}`);
      assert.equal(s.attacker.received.length, 0, `the attacker got packets\n${describeReceived(s.attacker)}`);
      assert.ok(Date.now() < s.answeredAt + TALK_MS - 300, 'the RTP exchange overran the call (the BYE may have come first): raise TALK_MS');

      const { pbxLeg, vonageLeg } = await s.finish();
      const stats = JSON.stringify({ pbxLeg, vonageLeg });
      assert.equal(pbxLeg.droppedSource, 20, `PBX leg: the attacker's 20 packets dropped and counted\n${stats}`);
      assert.equal(pbxLeg.rxPackets, 48, stats);
      assert.equal(pbxLeg.latched, true, stats);
      assert.equal(pbxLeg.peer?.ip, s.natOutside, stats);
      assert.ok(pbxLeg.peer.port !== PBX_RTP_PORT && pbxLeg.peer.port >= 40000 && pbxLeg.peer.port <= 40999, `PBX leg: peer is the NAT's mapped port\n${stats}`);
      assert.equal(vonageLeg.droppedSource, 0, stats);
    } finally {
      await s.close();
    }
  });

  test('off: nothing is learnt; the NATed PBX is dropped and counted, and hears nothing while its SDP address is unreachable', async () => {
    const s = await startScene({ latching: 'off', pbxSdp: 'private', talkMs: 3000 });
    try {
      const [fromPbx, fromVonage] = await Promise.all([
        s.pbxRtp.send(s.sbcToPbx, rtpBurst(SEED.pbx, ssrc.pbx, 100, 20), 20),
        s.vonageRtp.send(s.sbcToVonage, rtpBurst(SEED.vonage, ssrc.vonage, 500, 20), 20),
      ]);
      assert.deepEqual([fromPbx, fromVonage], [{ sent: 20, errors: 0 }, { sent: 20, errors: 0 }]);
      // Let anything that would arrive arrive.
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(seqsFrom(s.vonageRtp, SEED.pbx), [], `Vonage got the PBX's packets although latching is off\n${describeReceived(s.vonageRtp)}`);
      assert.equal(s.pbxRtp.received.length, 0, `the PBX got packets although its SDP address is unreachable\n${describeReceived(s.pbxRtp)}`);

      const { pbxLeg, vonageLeg } = await s.finish();
      const stats = JSON.stringify({ pbxLeg, vonageLeg });
      assert.equal(pbxLeg.droppedSource, 20, `PBX leg: the PBX's packets (from the NAT address) dropped and counted\n${stats}`);
      assert.equal(pbxLeg.rxPackets, 0, stats);
      assert.equal(pbxLeg.latched, false, stats);
      assert.deepEqual(pbxLeg.peer, { ip: NETNS_ADDR.pbx, port: PBX_RTP_PORT }, `PBX leg: the peer stays the signalled address\n${stats}`);
      assert.equal(vonageLeg.rxPackets, 20, stats);
      assert.equal(vonageLeg.droppedSource, 0, stats);
    } finally {
      await s.close();
    }
  });
});
