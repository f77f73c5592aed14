// Max-Forwards across the B2BUA (RFC 3261 16.6 step 3 / 8.2.2 spirit): the
// outgoing INVITE carries the incoming value minus one; an INVITE arriving
// with 0 is refused 483 and nothing goes out.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAllPassed, assertReceivedNothing, callThrough, header, select, startSbcd, type Sbcd } from '../harness/index.js';

describe('Max-Forwards through sbcd', { timeout: 90_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd();
  });
  after(async () => {
    await sbc?.stop();
  });

  for (const mf of [70, 1]) {
    test(`INVITE with Max-Forwards: ${mf} goes out with ${mf - 1}`, async () => {
      const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-max-forwards', uas: 'uas-basic', uacKeys: { mf } });
      assertAllPassed(uac, 1, 'caller');
      assertAllPassed(uas, 1, 'callee');
      const inv = select(uas.messages, { direction: 'received', method: 'INVITE' })[0];
      assert.ok(inv);
      assert.equal(header(inv, 'max-forwards'), String(mf - 1));
    });
  }

  test('INVITE with Max-Forwards: 0 -> 483 to the caller, nothing reaches the far side', async () => {
    const { uac, uas } = await callThrough(sbc, {
      direction: 'pbx-to-vonage', uac: 'uac-max-forwards', uas: 'uas-basic', uacKeys: { mf: 0 }, uasGraceMs: 1000,
    });
    assertAllPassed(uac, 1, 'caller');
    assert.deepEqual(select(uac.messages, { direction: 'received', cseq: 'INVITE' }).map((m) => m.status).filter((s) => (s ?? 0) >= 200), [483]);
    assertReceivedNothing(uas, 'far side');
  });
});
