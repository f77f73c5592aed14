// The caller gives up while the far side rings (RFC 3261 9): the caller's
// CANCEL is answered 200 and its INVITE 487; the far side gets a CANCEL of
// its own, answers 487 and is ACKed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAllPassed, callThrough, select, startSbcd, type Direction, type Sbcd } from '../harness/index.js';

describe('caller CANCEL through sbcd', { timeout: 90_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd();
  });
  after(async () => {
    await sbc?.stop();
  });

  for (const direction of ['pbx-to-vonage', 'vonage-to-pbx'] as Direction[]) {
    test(`${direction}: ringing call cancelled -> caller gets 487, callee got CANCEL and answered 487`, async () => {
      const { uac, uas } = await callThrough(sbc, {
        direction, uac: 'uac-cancel', uas: 'uas-ringing-forever', uacExtra: ['-d', '300'],
      });
      assertAllPassed(uac, 1, 'caller');
      assertAllPassed(uas, 1, 'callee');
      assert.equal(select(uac.messages, { direction: 'received', status: 487 }).length >= 1, true);
      assert.equal(select(uac.messages, { direction: 'received', status: 200, cseq: 'CANCEL' }).length >= 1, true);
      assert.equal(select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' }).length, 0, 'no 200 for the INVITE');
      assert.equal(select(uas.messages, { direction: 'received', method: 'CANCEL' }).length >= 1, true);
      assert.equal(select(uas.messages, { direction: 'sent', status: 487 }).length >= 1, true);
      assert.equal(select(uas.messages, { direction: 'received', method: 'ACK' }).length >= 1, true);
    });
  }
});
