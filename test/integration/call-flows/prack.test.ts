// Reliable provisional responses (RFC 3262) are handled per leg: the SBC
// PRACKs the far side's reliable 183 on the b leg itself, and relays the
// 183 to the caller reliably only when the caller said Supported: 100rel
// (then it answers the caller's PRACK itself: a PRACK never crosses).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAnchoredSdp, header, select, startSbcd, type Sbcd, type SippResult } from '../harness/index.js';
import { cseqOf, flow, hasOptionTag, passed, stopAndAssertIdle } from './flow-helpers.js';

/** The far side got one PRACK, for its RSeq 1 and its INVITE's CSeq, in its early dialog; it answered 200. */
function assertFarSidePracked(uas: SippResult): void {
  const invite = select(uas.messages, { direction: 'received', method: 'INVITE' })[0];
  const p183 = select(uas.messages, { direction: 'sent', status: 183 })[0];
  assert.ok(invite && p183);
  const pracks = select(uas.messages, { direction: 'received', method: 'PRACK' });
  assert.equal(pracks.length, 1, `far side: exactly one PRACK (the SBC's own; the caller's is never forwarded)\n${uas.messagesLog}`);
  const prack = pracks[0]!;
  const [inviteCseq] = cseqOf(invite);
  assert.equal(header(prack, 'rack')?.trim(), `1 ${inviteCseq} INVITE`, 'RAck = RSeq of the 183, CSeq number and method of the INVITE');
  assert.equal(header(prack, 'call-id'), header(invite, 'call-id'), 'PRACK in the b-leg dialog');
  assert.equal(header(prack, 'to'), header(p183, 'to'), 'PRACK To carries the tag of the 183');
  assert.ok(cseqOf(prack)[0] > inviteCseq, 'PRACK is a new request in the dialog: CSeq above the INVITE');
  assert.equal(select(uas.messages, { direction: 'sent', status: 200, cseq: 'PRACK' }).length, 1);
}

describe('100rel / PRACK per leg through sbcd', { timeout: 90_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd();
  });
  after(async () => {
    await sbc?.stop();
  });

  for (const direction of ['pbx-to-vonage', 'vonage-to-pbx'] as const) {
    test(`${direction}: caller supports 100rel -> far side PRACKed by the SBC, caller gets the 183 reliably and its PRACK is answered locally`, async () => {
      const { uac, uas } = await flow(sbc, { direction, uac: 'flow-uac-100rel', uas: 'flow-uas-100rel' });
      // flow-uac-100rel fails the call itself if the 183 lacks Require: 100rel / RSeq.
      passed(uac, 1, 'caller');
      passed(uas, 1, 'callee');
      assertFarSidePracked(uas);

      const sent183 = select(uas.messages, { direction: 'sent', status: 183 })[0]!;
      const got183 = select(uac.messages, { direction: 'received', status: 183 });
      assert.ok(got183.length >= 1, 'caller got the 183');
      const first = got183[0]!;
      assert.ok(hasOptionTag(header(first, 'require'), '100rel'), `183 to the caller is reliable:\n${first.raw}`);
      const rseq = Number(header(first, 'rseq'));
      assert.ok(Number.isInteger(rseq) && rseq >= 1 && rseq < 2 ** 31, `RSeq 1..2^31-1, got ${header(first, 'rseq')}`);
      assertAnchoredSdp(first.body, sent183.body, 'early-media SDP');

      const callerPrack = select(uac.messages, { direction: 'sent', method: 'PRACK' })[0];
      assert.ok(callerPrack);
      assert.equal(header(callerPrack, 'rack')?.trim(), `${rseq} 1 INVITE`);
      const answered = select(uac.messages, { direction: 'received', status: 200, cseq: 'PRACK' });
      assert.equal(answered.length >= 1, true, 'the SBC answered the caller PRACK 200');
      assert.equal(header(answered[0]!, 'call-id'), header(callerPrack, 'call-id'));
      // The far side's single PRACK (checked above) is the SBC's: nothing of the caller's is in it.
      const farPrack = select(uas.messages, { direction: 'received', method: 'PRACK' })[0]!;
      assert.notEqual(header(farPrack, 'call-id'), header(callerPrack, 'call-id'));
      assert.ok(!farPrack.raw.includes(header(callerPrack, 'via')?.match(/branch=([^;\s]+)/)?.[1] ?? '\0'), 'caller branch not forwarded');
    });
  }

  test('pbx-to-vonage: caller without 100rel -> 183 relayed unreliably, far side still PRACKed', async () => {
    const { uac, uas } = await flow(sbc, { direction: 'pbx-to-vonage', uac: 'uac-basic', uas: 'flow-uas-100rel' });
    passed(uac, 1, 'caller');
    passed(uas, 1, 'callee');
    assertFarSidePracked(uas);
    const invite = select(uac.messages, { direction: 'sent', method: 'INVITE' })[0]!;
    assert.ok(!hasOptionTag(header(invite, 'supported'), '100rel'), 'precondition: uac-basic does not offer 100rel');
    const got183 = select(uac.messages, { direction: 'received', status: 183 });
    assert.ok(got183.length >= 1, 'caller got the 183');
    for (const m of got183) {
      assert.ok(!hasOptionTag(header(m, 'require'), '100rel'), `no Require: 100rel toward a caller that does not support it:\n${m.raw}`);
      assert.equal(header(m, 'rseq'), undefined, 'no RSeq either');
    }
    assertAnchoredSdp(got183[0]!.body, select(uas.messages, { direction: 'sent', status: 183 })[0]!.body, 'early-media SDP');
    assert.equal(select(uac.messages, { direction: 'sent', method: 'PRACK' }).length, 0);
  });

  test('no call left behind', async () => {
    await stopAndAssertIdle(sbc);
  });
});

// Own daemon: a failure here leaves a half-answered call behind, which must
// not spoil the idle check above.
describe('100rel edge cases', { timeout: 60_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd();
  });
  after(async () => {
    await sbc?.stop();
  });

  test('pbx-to-vonage: caller slow to PRACK -> its 183 is retransmitted (same RSeq) and the 200 waits for the PRACK (RFC 3262 3)', async () => {
    // The far side answers 200 about 200 ms after the SBC PRACKed it; the
    // caller PRACKs only after 1.2 s. The SBC must keep the 200 until then.
    const { uac, uas } = await flow(sbc, { direction: 'pbx-to-vonage', uac: 'flow-uac-100rel-slow-prack', uas: 'flow-uas-100rel' });
    passed(uac, 1, 'caller (fails itself on a 200 before its PRACK)');
    passed(uas, 1, 'callee');
    assertFarSidePracked(uas);
    const got183 = select(uac.messages, { direction: 'received', status: 183 });
    assert.ok(got183.length >= 2, `the unacknowledged reliable 183 was retransmitted (${got183.length} copies)`);
    assert.equal(new Set(got183.map((m) => header(m, 'rseq'))).size, 1, 'retransmissions keep their RSeq');
    const prack = select(uac.messages, { direction: 'sent', method: 'PRACK' })[0]!;
    const ok = select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' })[0]!;
    assert.ok(uac.messages.indexOf(ok) > uac.messages.indexOf(prack), '200 (INVITE) only after the PRACK');
    const after183 = uac.messages.slice(uac.messages.indexOf(select(uac.messages, { direction: 'received', status: 200, cseq: 'PRACK' })[0]!));
    assert.equal(select(after183, { direction: 'received', status: 183 }).length, 0, 'no 183 retransmission once PRACKed');
  });

  test('pbx-to-vonage: caller requires 100rel, far side sends an ordinary 180 with SDP -> the caller still gets it reliably (RFC 3262 4)', async () => {
    const { uac, uas } = await flow(sbc, { direction: 'pbx-to-vonage', uac: 'flow-uac-require-100rel', uas: 'uas-180-sdp' });
    // flow-uac-require-100rel fails the call itself on a 180 without Require: 100rel / RSeq.
    passed(uac, 1, 'caller');
    passed(uas, 1, 'callee');
    const far180 = select(uas.messages, { direction: 'sent', status: 180 })[0]!;
    assert.equal(header(far180, 'require'), undefined, 'precondition: the far side\'s 180 is unreliable');
    const got180 = select(uac.messages, { direction: 'received', status: 180 })[0]!;
    assert.ok(hasOptionTag(header(got180, 'require'), '100rel'), got180.raw);
    assertAnchoredSdp(got180.body, far180.body, 'the 180 SDP');
    assert.equal(select(uas.messages, { direction: 'received', method: 'PRACK' }).length, 0, 'nothing to PRACK on the far leg');
  });

  test('pbx-to-vonage: two reliable provisionals (180, then 183 with SDP), caller slow to PRACK the first -> both reach it reliably, in order, RSeq +1 (RFC 3262 3)', async () => {
    const { uac, uas } = await flow(sbc, { direction: 'pbx-to-vonage', uac: 'flow-uac-100rel-twice', uas: 'flow-uas-100rel-twice' });
    passed(uac, 1, 'caller (fails itself on a provisional that is not reliable)');
    passed(uas, 1, 'callee');
    const farPracks = select(uas.messages, { direction: 'received', method: 'PRACK' }).map((m) => header(m, 'rack')?.trim());
    const [inviteCseq] = cseqOf(select(uas.messages, { direction: 'received', method: 'INVITE' })[0]!);
    assert.deepEqual(farPracks, [`1 ${inviteCseq} INVITE`, `2 ${inviteCseq} INVITE`], 'the far side\'s two provisionals PRACKed once each');
    const r180 = select(uac.messages, { direction: 'received', status: 180 })[0]!;
    const r183 = select(uac.messages, { direction: 'received', status: 183 })[0]!;
    assert.ok(hasOptionTag(header(r180, 'require'), '100rel') && hasOptionTag(header(r183, 'require'), '100rel'));
    assert.equal(Number(header(r183, 'rseq')), Number(header(r180, 'rseq')) + 1, 'RSeq goes up by one');
    const prack1 = select(uac.messages, { direction: 'sent', method: 'PRACK' })[0]!;
    assert.ok(uac.messages.indexOf(r183) > uac.messages.indexOf(prack1), 'the second reliable provisional waited for the first PRACK');
  });

  test('no call left behind', async () => {
    await stopAndAssertIdle(sbc);
  });
});
