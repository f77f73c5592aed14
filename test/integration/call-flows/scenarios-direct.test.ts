// The flow-* SIPp scenarios run against each other with no SBC in between:
// a call-flow test through the SBC can then only fail for the SBC's reasons.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { header, select } from '../harness/index.js';
import { cseqOf, pair, passed } from './flow-helpers.js';

describe('flow-* scenarios back to back, without the SBC', { timeout: 120_000 }, () => {
  test('flow-uac-100rel with flow-uas-100rel: reliable 183, PRACK with the right RAck, 200, ACK, BYE', async () => {
    const { uac, uas } = await pair('flow-uac-100rel', 'flow-uas-100rel');
    passed(uac, 1, 'caller');
    passed(uas, 1, 'callee');
    const prack = select(uas.messages, { direction: 'received', method: 'PRACK' })[0];
    assert.ok(prack);
    assert.equal(header(prack, 'rack')?.trim(), '1 1 INVITE');
  });

  test('flow-uac-100rel-slow-prack with flow-uas-100rel: the 183 is retransmitted until the late PRACK', async () => {
    const { uac, uas } = await pair('flow-uac-100rel-slow-prack', 'flow-uas-100rel');
    passed(uac, 1, 'caller');
    passed(uas, 1, 'callee');
    assert.ok(select(uac.messages, { direction: 'received', status: 183 }).length >= 2);
  });

  test('flow-uac-100rel-twice with flow-uas-100rel-twice: two reliable provisionals, each PRACKed', async () => {
    const { uac, uas } = await pair('flow-uac-100rel-twice', 'flow-uas-100rel-twice');
    passed(uac, 1, 'caller');
    passed(uas, 1, 'callee');
    assert.equal(select(uas.messages, { direction: 'received', method: 'PRACK' }).length, 2);
  });

  test('flow-uac-early-update with flow-uas-early-update', async () => {
    const { uac, uas } = await pair('flow-uac-early-update', 'flow-uas-early-update');
    passed(uac, 1, 'caller');
    passed(uas, 1, 'callee');
  });

  test('flow-uac-expect-update with flow-uas-send-update', async () => {
    const { uac, uas } = await pair('flow-uac-expect-update', 'flow-uas-send-update');
    passed(uac, 1, 'caller');
    passed(uas, 1, 'callee');
  });

  test('flow-uac-early-expect-update with flow-uas-early-send-update', async () => {
    const { uac, uas } = await pair('flow-uac-early-expect-update', 'flow-uas-early-send-update');
    passed(uac, 1, 'caller');
    passed(uas, 1, 'callee');
  });

  test('flow-uac-update-info with flow-uas-update-info', async () => {
    const { uac, uas } = await pair('flow-uac-update-info', 'flow-uas-update-info');
    passed(uac, 1, 'caller');
    passed(uas, 1, 'callee');
    assert.equal(select(uac.messages, { direction: 'received', method: 'INFO' }).length, 1);
  });

  test('flow-uac-cancel-race with flow-uas-cancel-race: whichever wins, both complete', async () => {
    const { uac, uas } = await pair('flow-uac-cancel-race', 'flow-uas-cancel-race', { calls: 3 });
    passed(uac, 3, 'caller');
    passed(uas, 3, 'callee');
  });

  test('flow-uac-cancel-race: CANCEL wins (uas-ringing-forever) -> 487, ACK', async () => {
    const { uac, uas } = await pair('flow-uac-cancel-race', 'uas-ringing-forever');
    passed(uac, 1, 'caller');
    passed(uas, 1, 'callee');
    assert.equal(select(uac.messages, { direction: 'received', status: 487 }).length, 1);
  });

  test('flow-uac-cancel-race with flow-uas-200-on-cancel: 200 (CANCEL) then 200 (INVITE)', async () => {
    const { uac, uas } = await pair('flow-uac-cancel-race', 'flow-uas-200-on-cancel');
    passed(uac, 1, 'caller');
    passed(uas, 1, 'callee');
  });

  test('flow-uac-cancel-after-200 with flow-uas-cancel-race', async () => {
    const { uac, uas } = await pair('flow-uac-cancel-after-200', 'flow-uas-cancel-race', {});
    passed(uac, 1, 'caller');
    passed(uas, 1, 'callee');
  });

  test('uac-expect-reject with flow-uas-486-linger', async () => {
    const { uac, uas } = await pair('uac-expect-reject', 'flow-uas-486-linger');
    passed(uac, 1, 'caller');
    passed(uas, 1, 'callee');
    assert.equal(select(uas.messages, { direction: 'received', method: 'ACK' }).length, 1);
  });

  test('uac-basic with flow-uas-200-ack-lost (-nr): the repeated 200 is ACKed again', async () => {
    const { uac, uas } = await pair('uac-basic', 'flow-uas-200-ack-lost', { uasExtra: ['-nr'] });
    passed(uac, 1, 'caller');
    passed(uas, 1, 'callee');
    assert.equal(select(uas.messages, { direction: 'received', method: 'ACK' }).length, 2);
  });

  // flow-uas-486-ack-lost has no SIPp partner: a SIPp caller forgets its
  // call once it has sent the ACK, so the repeated 486 goes unanswered. It
  // is only meaningful against a real INVITE client transaction (ack.test.ts).

  test('flow-uac-late-offer with flow-uas-late-offer', async () => {
    const { uac, uas } = await pair('flow-uac-late-offer', 'flow-uas-late-offer');
    passed(uac, 1, 'caller');
    passed(uas, 1, 'callee');
    const ack = select(uas.messages, { direction: 'received', method: 'ACK' })[0];
    assert.ok(ack);
    assert.deepEqual(cseqOf(ack), [1, 'ACK']);
    assert.match(ack.body, /a=recvonly/);
  });
});
