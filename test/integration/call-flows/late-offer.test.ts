// Late offer (RFC 3261 13.2.1, RFC 3264): the caller's INVITE has no SDP;
// the far side's 200 carries the offer, the caller's ACK the answer, and
// the answer reaches the far side in the b-leg ACK.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAnchoredSdp, header, select, startSbcd, type Sbcd } from '../harness/index.js';
import { bodyText, cseqOf, flow, passed, stopAndAssertIdle, topBranch } from './flow-helpers.js';

describe('late offer (INVITE without SDP) through sbcd', { timeout: 60_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd();
  });
  after(async () => {
    await sbc?.stop();
  });

  for (const direction of ['pbx-to-vonage', 'vonage-to-pbx'] as const) {
    test(`${direction}: offer in the 200 reaches the caller, answer in the caller's ACK reaches the far side in its ACK`, async () => {
      const { uac, uas } = await flow(sbc, { direction, uac: 'flow-uac-late-offer', uas: 'flow-uas-late-offer' });
      // The scenarios fail the call themselves when the far INVITE has a
      // body, the caller's 200 has no m= line, or the far ACK has none.
      passed(uac, 1, 'caller');
      passed(uas, 1, 'callee');

      const farInvite = select(uas.messages, { direction: 'received', method: 'INVITE' })[0]!;
      assert.equal(farInvite.body.trim(), '', 'the b-leg INVITE carries no SDP either');
      assert.equal(header(farInvite, 'content-type'), undefined);

      const offerSent = select(uas.messages, { direction: 'sent', status: 200, cseq: 'INVITE' })[0]!;
      const offerGot = select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' })[0]!;
      assertAnchoredSdp(offerGot.body, offerSent.body, 'the offer in the 200');
      assert.match(header(offerGot, 'content-type') ?? '', /application\/sdp/);

      const answerSent = select(uac.messages, { direction: 'sent', method: 'ACK' })[0]!;
      const farAcks = select(uas.messages, { direction: 'received', method: 'ACK' });
      assert.equal(farAcks.length, 1, uas.messagesLog);
      const answerGot = farAcks[0]!;
      assertAnchoredSdp(answerGot.body, answerSent.body, 'the answer in the ACK');
      assert.match(answerGot.body, /a=recvonly/);
      assert.match(header(answerGot, 'content-type') ?? '', /application\/sdp/);
      assert.deepEqual(cseqOf(answerGot), [cseqOf(farInvite)[0], 'ACK']);
      assert.notEqual(topBranch(answerGot), topBranch(farInvite));
      assert.equal(select(uas.messages, { direction: 'sent', status: 200, cseq: 'INVITE' }).length, 1, 'far side 200 ACKed without retransmission');
    });
  }

  test('no call left behind', async () => {
    await stopAndAssertIdle(sbc);
  });
});
