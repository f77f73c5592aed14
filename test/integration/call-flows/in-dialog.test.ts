// In-dialog requests other than re-INVITE and BYE cross the B2BUA: UPDATE
// (RFC 3311) with its SDP offer and answer, in a confirmed and in an early
// dialog; INFO both ways with its body unchanged (application/dtmf-relay);
// OPTIONS inside a dialog. (Out-of-dialog OPTIONS answered locally is
// test/integration/calls/options.test.ts.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAnchoredSdp, header, select, startSbcd, type Sbcd, type SipMessage, type SippResult } from '../harness/index.js';
import { bodyText, cseqOf, flow, passed, stopAndAssertIdle } from './flow-helpers.js';

function one(msgs: SipMessage[], what: string, log: string): SipMessage {
  assert.equal(msgs.length >= 1, true, `${what}: none\n${log}`);
  return msgs[0]!;
}

/** `sent` by one side arrived at the other with the same body and Content-Type, inside the other leg's dialog. */
function assertRelayed(sent: SipMessage, got: SipMessage, dialogOf: SipMessage): void {
  if (/application\/sdp/i.test(header(sent, 'content-type') ?? '')) assertAnchoredSdp(got.body, sent.body, `${sent.method ?? 'SDP'} body`);
  else assert.equal(bodyText(got), bodyText(sent), `body unchanged:\n--- sent\n${sent.raw}\n--- got\n${got.raw}`);
  assert.equal(header(got, 'content-type'), header(sent, 'content-type'));
  assert.equal(header(got, 'call-id'), header(dialogOf, 'call-id'), 'in the other leg\'s dialog');
  assert.notEqual(header(got, 'call-id'), header(sent, 'call-id'), 'not the sender\'s Call-ID');
}

/** The UPDATE `from` sent arrived at `to` with its offer, and the answer came back unchanged. */
function assertUpdateRelayed(from: SippResult, to: SippResult, toInvite: SipMessage): void {
  const sentUpdate = one(select(from.messages, { direction: 'sent', method: 'UPDATE' }), 'UPDATE sent', from.messagesLog);
  const gotUpdate = one(select(to.messages, { direction: 'received', method: 'UPDATE' }), 'UPDATE at the other side', to.messagesLog);
  assertRelayed(sentUpdate, gotUpdate, toInvite);
  assert.match(gotUpdate.body, /a=sendonly/);
  assert.ok(header(gotUpdate, 'to')?.includes('tag='), 'UPDATE inside the other leg\'s dialog (To tag)');
  assert.ok(header(gotUpdate, 'contact'), 'UPDATE is a target refresh: it carries a Contact');

  const sentAnswer = one(select(to.messages, { direction: 'sent', status: 200, cseq: 'UPDATE' }), '200 (UPDATE) sent', to.messagesLog);
  const gotAnswer = one(select(from.messages, { direction: 'received', status: 200, cseq: 'UPDATE' }), '200 (UPDATE) back', from.messagesLog);
  assertAnchoredSdp(gotAnswer.body, sentAnswer.body, 'SDP answer to the UPDATE');
  assert.match(gotAnswer.body, /a=recvonly/);
}

/** Caller-sent UPDATE: also its CSeq on the far leg lies above the far INVITE's. */
function assertCallerUpdateRelayed(uac: SippResult, uas: SippResult): void {
  const farInvite = select(uas.messages, { direction: 'received', method: 'INVITE' })[0]!;
  assertUpdateRelayed(uac, uas, farInvite);
  const gotUpdate = select(uas.messages, { direction: 'received', method: 'UPDATE' })[0]!;
  assert.ok(cseqOf(gotUpdate)[0] > cseqOf(farInvite)[0], 'UPDATE CSeq above the INVITE on the far leg');
}

describe('UPDATE, INFO and OPTIONS inside dialogs through sbcd', { timeout: 120_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd();
  });
  after(async () => {
    await sbc?.stop();
  });

  for (const direction of ['pbx-to-vonage', 'vonage-to-pbx'] as const) {
    test(`${direction}: confirmed dialog: UPDATE offer/answer relayed, INFO both ways unchanged, OPTIONS relayed`, async () => {
      const { uac, uas } = await flow(sbc, { direction, uac: 'flow-uac-update-info', uas: 'flow-uas-update-info' });
      passed(uac, 1, 'caller');
      passed(uas, 1, 'callee');
      assertCallerUpdateRelayed(uac, uas);

      const farInvite = select(uas.messages, { direction: 'received', method: 'INVITE' })[0]!;
      const callerInvite = select(uac.messages, { direction: 'sent', method: 'INVITE' })[0]!;
      // INFO from the far side reaches the caller…
      const farInfo = one(select(uas.messages, { direction: 'sent', method: 'INFO' }), 'far side INFO', uas.messagesLog);
      const callerGotInfo = one(select(uac.messages, { direction: 'received', method: 'INFO' }), 'INFO at the caller', uac.messagesLog);
      assertRelayed(farInfo, callerGotInfo, callerInvite);
      assert.equal(header(callerGotInfo, 'content-type'), 'application/dtmf-relay');
      assert.match(callerGotInfo.body, /Signal=1/);
      assert.equal(select(uas.messages, { direction: 'received', status: 200, cseq: 'INFO' }).length, 1, 'the caller\'s 200 came back to the far side');
      // …and the caller's INFO reaches the far side.
      const callerInfo = one(select(uac.messages, { direction: 'sent', method: 'INFO' }), 'caller INFO', uac.messagesLog);
      const farGotInfo = one(select(uas.messages, { direction: 'received', method: 'INFO' }), 'INFO at the far side', uas.messagesLog);
      assertRelayed(callerInfo, farGotInfo, farInvite);
      assert.match(farGotInfo.body, /Signal=5\s+Duration=160/);
      assert.equal(select(uac.messages, { direction: 'received', status: 200, cseq: 'INFO' }).length, 1);

      const farOptions = one(select(uas.messages, { direction: 'received', method: 'OPTIONS' }), 'in-dialog OPTIONS at the far side', uas.messagesLog);
      assert.equal(header(farOptions, 'call-id'), header(farInvite, 'call-id'), 'OPTIONS in the far leg dialog');
      assert.ok(header(farOptions, 'to')?.includes('tag='));
      assert.equal(select(uac.messages, { direction: 'received', status: 200, cseq: 'OPTIONS' }).length, 1);
    });
  }

  for (const direction of ['pbx-to-vonage', 'vonage-to-pbx'] as const) {
    test(`${direction}: confirmed dialog: the callee's UPDATE reaches the caller, the answer comes back`, async () => {
      const { uac, uas } = await flow(sbc, { direction, uac: 'flow-uac-expect-update', uas: 'flow-uas-send-update', uacExtra: ['-d', '100'] });
      passed(uac, 1, 'caller');
      passed(uas, 1, 'callee');
      const callerInvite = select(uac.messages, { direction: 'sent', method: 'INVITE' })[0]!;
      assertUpdateRelayed(uas, uac, callerInvite);
      const got = select(uac.messages, { direction: 'received', method: 'UPDATE' })[0]!;
      assert.equal(cseqOf(got)[1], 'UPDATE');
      assert.match(got.startLine, /^UPDATE sip:caller@/, 'to the caller\'s Contact');
    });
  }

  test('no call left behind', async () => {
    await stopAndAssertIdle(sbc);
  });
});

// Separate daemon: when these fail, the half-set-up calls they leave must
// not spoil the idle check above.
describe('UPDATE inside an early dialog through sbcd', { timeout: 60_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd();
  });
  after(async () => {
    await sbc?.stop();
  });

  for (const direction of ['pbx-to-vonage', 'vonage-to-pbx'] as const) {
    test(`${direction}: early dialog (after a PRACKed 183): UPDATE offer/answer relayed before the 200`, async () => {
      const { uac, uas } = await flow(sbc, { direction, uac: 'flow-uac-early-update', uas: 'flow-uas-early-update', timeoutMs: 6_000, uasGraceMs: 1_000 });
      passed(uac, 1, 'caller');
      passed(uas, 1, 'callee');
      assertCallerUpdateRelayed(uac, uas);
      const gotUpdate = select(uas.messages, { direction: 'received', method: 'UPDATE' })[0]!;
      const farOk = select(uas.messages, { direction: 'sent', status: 200, cseq: 'INVITE' })[0]!;
      assert.ok(uas.messages.indexOf(gotUpdate) < uas.messages.indexOf(farOk), 'the UPDATE arrived in the early dialog');
    });
  }


  for (const direction of ['pbx-to-vonage', 'vonage-to-pbx'] as const) {
    test(`${direction}: early dialog: the callee's UPDATE reaches the caller before the 200, the answer comes back`, async () => {
      const { uac, uas } = await flow(sbc, { direction, uac: 'flow-uac-early-expect-update', uas: 'flow-uas-early-send-update', timeoutMs: 6_000, uasGraceMs: 1_000 });
      passed(uac, 1, 'caller');
      passed(uas, 1, 'callee');
      const callerInvite = select(uac.messages, { direction: 'sent', method: 'INVITE' })[0]!;
      assertUpdateRelayed(uas, uac, callerInvite);
      const got = select(uac.messages, { direction: 'received', method: 'UPDATE' })[0]!;
      const ok = select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' })[0]!;
      assert.ok(uac.messages.indexOf(got) < uac.messages.indexOf(ok), 'the UPDATE arrived in the early dialog');
    });
  }
});
