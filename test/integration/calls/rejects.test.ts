// The far side's refusal reaches the caller as the same final response.
// A B2BUA is a UA on each leg: RFC 3261 16.7's rule that a proxy turns a 503
// into a 500 does not bind it, and EdgeSBC passes 503 through unchanged so
// that the PBX can fail over (its own overload 503 carries Retry-After).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAllPassed, callThrough, select, startSbcd, type SipMessage, type Sbcd } from '../harness/index.js';

function finals(msgs: SipMessage[]): number[] {
  return select(msgs, { direction: 'received', cseq: 'INVITE' })
    .map((m) => m.status ?? 0)
    .filter((s) => s >= 200);
}

describe('final refusals relayed through sbcd', { timeout: 120_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd();
  });
  after(async () => {
    await sbc?.stop();
  });

  const cases: Array<[number, string]> = [
    [486, '486 Busy Here relayed as 486'],
    [503, '503 relayed unchanged (B2BUA, not a proxy: RFC 3261 16.7 step 6 does not apply)'],
    [500, '500 relayed as 500'],
    [502, '502 relayed as 502'],
    [504, '504 relayed as 504'],
  ];
  for (const [code, name] of cases) {
    test(`pbx-to-vonage: ${name}`, async () => {
      const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-expect-reject', uas: `uas-${code}` });
      assertAllPassed(uac, 1, 'caller');
      assertAllPassed(uas, 1, 'callee (got its ACK)');
      assert.deepEqual([...new Set(finals(uac.messages))], [code], `caller's final response`);
    });
  }

  test('vonage-to-pbx: 486 from the PBX relayed as 486', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'vonage-to-pbx', uac: 'uac-expect-reject', uas: 'uas-486' });
    assertAllPassed(uac, 1, 'caller');
    assertAllPassed(uas, 1, 'callee (got its ACK)');
    assert.deepEqual([...new Set(finals(uac.messages))], [486]);
  });
});
