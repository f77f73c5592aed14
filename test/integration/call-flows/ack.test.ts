// ACK on each leg (RFC 3261 17.1.1.3, 13.2.2.4): a non-2xx final is ACKed
// hop by hop by the SBC's INVITE client transaction (same branch as the
// INVITE) and the caller's ACK for it stays at the SBC; a 2xx is ACKed by a
// new transaction on each leg (own branch, the INVITE's CSeq number).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { header, select, startSbcd, type Sbcd, type SipMessage } from '../harness/index.js';
import { cseqOf, flow, passed, stopAndAssertIdle, topBranch } from './flow-helpers.js';

function requestUri(m: SipMessage): string {
  return m.startLine.split(' ')[1] ?? '';
}

function tagOf(value: string | undefined): string | undefined {
  return /;\s*tag=([^;>\s]+)/i.exec(value ?? '')?.[1];
}

describe('ACK for non-2xx and 2xx finals through sbcd', { timeout: 90_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd();
  });
  after(async () => {
    await sbc?.stop();
  });

  for (const direction of ['pbx-to-vonage', 'vonage-to-pbx'] as const) {
    test(`${direction}: 486 -> far side ACKed hop by hop with its INVITE's branch; caller gets 486, its ACK is not forwarded`, async () => {
      const { uac, uas } = await flow(sbc, { direction, uac: 'uac-expect-reject', uas: 'flow-uas-486-linger' });
      passed(uac, 1, 'caller');
      // flow-uas-486-linger stays 500 ms after the ACK: a second ACK would fail it.
      passed(uas, 1, 'callee');

      const invite = select(uas.messages, { direction: 'received', method: 'INVITE' })[0]!;
      const busy = select(uas.messages, { direction: 'sent', status: 486 })[0]!;
      const acks = select(uas.messages, { direction: 'received', method: 'ACK' });
      assert.equal(acks.length, 1, `far side got exactly one ACK (the caller's is absorbed)\n${uas.messagesLog}`);
      const ack = acks[0]!;
      assert.equal(topBranch(ack), topBranch(invite), 'ACK of a non-2xx: same branch as the INVITE (part of its transaction)');
      assert.deepEqual(cseqOf(ack), [cseqOf(invite)[0], 'ACK'], 'CSeq number of the INVITE, method ACK');
      assert.equal(requestUri(ack), requestUri(invite), 'Request-URI of the INVITE');
      assert.equal(header(ack, 'call-id'), header(invite, 'call-id'));
      assert.equal(header(ack, 'from'), header(invite, 'from'));
      assert.equal(tagOf(header(ack, 'to')), tagOf(header(busy, 'to')), 'To of the response (its tag)');
      assert.equal(select(uas.messages, { direction: 'sent', status: 486 }).length, 1, 'the 486 needed no retransmission: ACKed at once');

      const got = select(uac.messages, { direction: 'received', cseq: 'INVITE' }).filter((m) => (m.status ?? 0) >= 200);
      assert.deepEqual(got.map((m) => m.status), [486], 'the caller got the 486 (once: its ACK stopped the retransmissions)');
      const callerAck = select(uac.messages, { direction: 'sent', method: 'ACK' })[0];
      assert.ok(callerAck, 'the caller ACKed');
      assert.notEqual(topBranch(ack), topBranch(callerAck), 'what the far side got is not the caller\'s ACK');
      assert.notEqual(header(ack, 'call-id'), header(callerAck, 'call-id'));
    });
  }

  for (const direction of ['pbx-to-vonage', 'vonage-to-pbx'] as const) {
    test(`${direction}: 200 -> ACK on each leg is a transaction of its own: new branch, the INVITE's CSeq number, to the remote target`, async () => {
      // The caller stays 700 ms (> T1) in the call: a 2xx the SBC kept
      // retransmitting (its ACK not taken) would show up twice.
      const { uac, uas } = await flow(sbc, { direction, uac: 'uac-basic', uas: 'uas-basic', uacExtra: ['-d', '700'] });
      passed(uac, 1, 'caller');
      passed(uas, 1, 'callee');

      const invite = select(uas.messages, { direction: 'received', method: 'INVITE' })[0]!;
      const ok = select(uas.messages, { direction: 'sent', status: 200, cseq: 'INVITE' })[0]!;
      const acks = select(uas.messages, { direction: 'received', method: 'ACK' });
      assert.equal(acks.length, 1, uas.messagesLog);
      const ack = acks[0]!;
      assert.notEqual(topBranch(ack), topBranch(invite), 'ACK of a 2xx: a new branch');
      assert.match(topBranch(ack), /^z9hG4bK/, 'RFC 3261 magic cookie');
      assert.deepEqual(cseqOf(ack), [cseqOf(invite)[0], 'ACK'], 'CSeq number of the INVITE, method ACK');
      const contact = /<([^>]+)>/.exec(header(ok, 'contact') ?? '')?.[1];
      assert.equal(requestUri(ack), contact, 'sent to the remote target (the 200\'s Contact)');
      assert.equal(tagOf(header(ack, 'to')), tagOf(header(ok, 'to')));
      assert.equal(header(ack, 'call-id'), header(invite, 'call-id'));
      assert.equal(select(uas.messages, { direction: 'sent', status: 200, cseq: 'INVITE' }).length, 1, 'far side 200 needed no retransmission');

      const callerAck = select(uac.messages, { direction: 'sent', method: 'ACK' })[0]!;
      assert.notEqual(topBranch(ack), topBranch(callerAck), 'the b-leg ACK is the SBC\'s own');
      assert.equal(
        select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' }).length,
        1,
        'the SBC stopped its 2xx retransmissions on the caller\'s ACK',
      );
    });
  }

  for (const direction of ['pbx-to-vonage', 'vonage-to-pbx'] as const) {
    test(`${direction}: far side repeats its 486 (ACK "lost") -> the SBC ACKs it again, same branch; nothing reaches the caller twice`, async () => {
      // -nr: SIPp would otherwise take the identical second ACK for a
      // retransmission of the first and answer it with yet another 486.
      const { uac, uas } = await flow(sbc, { direction, uac: 'uac-expect-reject', uas: 'flow-uas-486-ack-lost', uasExtra: ['-nr'] });
      passed(uac, 1, 'caller');
      passed(uas, 1, 'callee');
      const invite = select(uas.messages, { direction: 'received', method: 'INVITE' })[0]!;
      const acks = select(uas.messages, { direction: 'received', method: 'ACK' });
      assert.equal(acks.length, 2, uas.messagesLog);
      for (const ack of acks) assert.equal(topBranch(ack), topBranch(invite), 'each ACK in the INVITE transaction');
      assert.equal(acks[1]!.raw, acks[0]!.raw, 'the same ACK again');
      const finals = select(uac.messages, { direction: 'received', cseq: 'INVITE' }).filter((m) => (m.status ?? 0) >= 200);
      assert.deepEqual(finals.map((m) => m.status), [486], 'the retransmission is absorbed by the SBC, not relayed');
    });
  }

  for (const direction of ['pbx-to-vonage', 'vonage-to-pbx'] as const) {
    test(`${direction}: far side repeats its 200 (ACK "lost") -> the SBC re-sends the same ACK; the caller sees one 200`, async () => {
      const { uac, uas } = await flow(sbc, { direction, uac: 'uac-basic', uas: 'flow-uas-200-ack-lost', uasExtra: ['-nr'], uacExtra: ['-d', '300'] });
      passed(uac, 1, 'caller');
      passed(uas, 1, 'callee');
      const invite = select(uas.messages, { direction: 'received', method: 'INVITE' })[0]!;
      const acks = select(uas.messages, { direction: 'received', method: 'ACK' });
      assert.equal(acks.length, 2, uas.messagesLog);
      assert.equal(acks[1]!.raw, acks[0]!.raw, 'the same ACK again (RFC 3261 13.2.2.4)');
      assert.notEqual(topBranch(acks[0]!), topBranch(invite));
      assert.deepEqual(cseqOf(acks[0]!), [cseqOf(invite)[0], 'ACK']);
      assert.equal(select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' }).length, 1, 'the far side\'s retransmission is not relayed');
    });
  }

  test('no call left behind', async () => {
    await stopAndAssertIdle(sbc);
  });
});
