// sip.max_calls_in_progress bounds the calls being set up or up: beyond it a
// new INVITE gets 503 with Retry-After (sip.retry_after_s), and the slots
// come back when calls end.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADDR, assertAllPassed, callThrough, ends, freePort, header, runSipp, select, startSbcd, startSipp, type Sbcd,
} from '../harness/index.js';

describe('call limit', { timeout: 90_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd({ config: { sip: { max_calls_in_progress: 2, retry_after_s: 9 } } });
  });
  after(async () => {
    await sbc?.stop();
  });

  test('two calls ringing, the third gets 503 with Retry-After; after they end a call goes through', async () => {
    const e = ends(sbc, 'pbx-to-vonage');
    const uas = await startSipp({ scenario: 'uas-ringing-forever', ip: e.callee.ip, port: e.callee.port, calls: 2, timeoutMs: 30_000 });
    // Two calls that ring for 3 s and are then cancelled.
    const ringing = runSipp({
      scenario: 'uac-cancel', ip: e.caller.ip, port: e.caller.port, remote: e.sbcIn,
      calls: 2, rate: 20, service: '14155550100', extra: ['-d', '3000'], timeoutMs: 30_000,
    });
    await new Promise((r) => setTimeout(r, 1000));
    // The third call from another PBX port (same PBX address) while both ring.
    const third = await runSipp({
      scenario: 'uac-expect-reject', ip: ADDR.pbx, port: await freePort(ADDR.pbx), remote: e.sbcIn,
      calls: 1, service: '14155550101', timeoutMs: 15_000,
    });
    assertAllPassed(third, 1, 'third caller');
    const finals = select(third.messages, { direction: 'received', cseq: 'INVITE' }).filter((m) => (m.status ?? 0) >= 200);
    assert.deepEqual([...new Set(finals.map((m) => m.status))], [503]);
    assert.equal(header(finals[0]!, 'retry-after')?.trim().split(/[\s;(]/)[0], '9');

    const r = await ringing;
    assertAllPassed(r, 2, 'ringing callers (cancelled)');
    const far = await uas.done;
    assertAllPassed(far, 2, 'callee');
    assert.equal(select(far.messages, { direction: 'received', method: 'INVITE' }).length, 2, 'the refused call never reached the far side');

    const later = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-basic', uas: 'uas-basic', calls: 2, rate: 10 });
    assertAllPassed(later.uac, 2, 'caller after the limit cleared');
    assertAllPassed(later.uas, 2, 'callee after the limit cleared');
  });
});
