// A trunk's own session timer settings (trunks[].session_timer, V-OUT-11)
// through the real sbcd on loopback: what the leg toward the trunk asks for
// follows the trunk, the PBX's leg keeps sip.session_timer. A PBX SIPp
// without timer support calls out; what the trunk side (a SIPp UAS) received
// and what the PBX got in its 200 are read from their traces.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertAllPassed, callThrough, defaultTestConfig, header, headerValues, select, startSbcd, type SipMessage,
} from '../harness/index.js';

type TimerConf = { mode: 'inherit' | 'on' | 'off'; expires_s: number; min_se_s: number };

const hasTimerTag = (m: SipMessage) => (header(m, 'supported') ?? '').split(',').some((t) => t.trim().toLowerCase() === 'timer');

async function callWith(global: { enabled: boolean }, trunk: TimerConf): Promise<{ farInvite: SipMessage; pbxOk: SipMessage }> {
  const doc = await defaultTestConfig();
  (doc as unknown as { sip: { session_timer: unknown } }).sip.session_timer = { enabled: global.enabled, expires_s: 1800, min_se_s: 90 };
  (doc.trunks[0] as unknown as { session_timer: TimerConf }).session_timer = trunk;
  const sbc = await startSbcd({ fullConfig: doc });
  try {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-basic', uas: 'uas-basic' });
    assertAllPassed(uac, 1, 'PBX');
    assertAllPassed(uas!, 1, 'trunk');
    const farInvite = select(uas!.messages, { direction: 'received', method: 'INVITE' })[0]!;
    const pbxOk = select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' })[0]!;
    assert.ok(farInvite && pbxOk);
    return { farInvite, pbxOk };
  } finally {
    await sbc.stop();
  }
}

describe('trunks[].session_timer: the leg toward the trunk follows the trunk, the PBX leg the global settings', { timeout: 90_000 }, () => {
  test('expires_s 600 / min_se_s 300 on the trunk: asked of the trunk; the PBX leg keeps 1800', async () => {
    const { farInvite, pbxOk } = await callWith({ enabled: true }, { mode: 'inherit', expires_s: 600, min_se_s: 300 });
    assert.ok(hasTimerTag(farInvite), farInvite.raw);
    assert.equal(header(farInvite, 'session-expires'), '600');
    assert.equal(header(farInvite, 'min-se'), '300');
    // The PBX has no timer support: the SBC refreshes that leg, at the global interval.
    assert.equal(header(pbxOk, 'session-expires'), '1800;refresher=uas', pbxOk.raw);
  });

  test('mode off on the trunk: no timer toward the trunk; the PBX leg still has one', async () => {
    const { farInvite, pbxOk } = await callWith({ enabled: true }, { mode: 'off', expires_s: 0, min_se_s: 0 });
    assert.ok(!hasTimerTag(farInvite), farInvite.raw);
    assert.deepEqual(headerValues(farInvite, 'session-expires'), []);
    assert.deepEqual(headerValues(farInvite, 'min-se'), []);
    assert.equal(header(pbxOk, 'session-expires'), '1800;refresher=uas', pbxOk.raw);
  });

  test('global timers off, mode on with expires_s 900 on the trunk: only the trunk leg has one', async () => {
    const { farInvite, pbxOk } = await callWith({ enabled: false }, { mode: 'on', expires_s: 900, min_se_s: 0 });
    assert.ok(hasTimerTag(farInvite), farInvite.raw);
    assert.equal(header(farInvite, 'session-expires'), '900');
    assert.equal(header(farInvite, 'min-se'), '90', 'min_se_s 0: the global 90');
    assert.deepEqual(headerValues(pbxOk, 'session-expires'), [], pbxOk.raw);
  });
});
