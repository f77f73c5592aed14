// Sustained calls through the B2BUA, both directions: every call set up,
// held for a second and torn down, with no failure on either side.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAllPassed, callThrough, select, startSbcd, type Sbcd } from '../harness/index.js';

function distinctCallIds(msgs: ReturnType<typeof select>): number {
  return new Set(msgs.map((m) => m.headers.find((h) => /^(call-id|i)$/i.test(h.name))?.value)).size;
}

describe('calls under load through sbcd', { timeout: 120_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd();
  });
  after(async () => {
    await sbc?.stop();
  });

  test('PBX -> Vonage: 200 calls at 20 calls/s, 1 s each, 0 failed', async () => {
    const { uac, uas } = await callThrough(sbc, {
      direction: 'pbx-to-vonage', uac: 'uac-basic', uas: 'uas-basic',
      calls: 200, rate: 20, limit: 100, uacExtra: ['-d', '1000'], timeoutMs: 45_000, uasGraceMs: 10_000,
    });
    assertAllPassed(uac, 200, 'PBX stand-in (caller)');
    assertAllPassed(uas, 200, 'Vonage stand-in (callee)');
    assert.equal(distinctCallIds(select(uas.messages, { direction: 'received', method: 'INVITE' })), 200);
    assert.equal(distinctCallIds(select(uas.messages, { direction: 'received', method: 'BYE' })), 200);
  });

  test('Vonage -> PBX: 50 calls at 20 calls/s, 1 s each, 0 failed', async () => {
    const { uac, uas } = await callThrough(sbc, {
      direction: 'vonage-to-pbx', uac: 'uac-basic', uas: 'uas-basic',
      calls: 50, rate: 20, limit: 100, uacExtra: ['-d', '1000'], timeoutMs: 30_000, uasGraceMs: 10_000,
    });
    assertAllPassed(uac, 50, 'Vonage stand-in (caller)');
    assertAllPassed(uas, 50, 'PBX stand-in (callee)');
    assert.equal(distinctCallIds(select(uas.messages, { direction: 'received', method: 'INVITE' })), 50);
  });
});
