// The SIPp scenarios themselves, run against each other with no SBC in
// between: a call-flow test through the SBC can only fail for the SBC's
// reasons if its two scenarios are known to complete together.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADDR, describeSipp, freePort, header, runSipp, select, startSipp, type SippResult } from '../harness/index.js';

const T = 20_000;

async function pair(
  uacScenario: string,
  uasScenario: string,
  o: { uacKeys?: Record<string, string | number>; uasKeys?: Record<string, string | number>; uacExtra?: string[]; uasExtra?: string[] } = {},
): Promise<{ uac: SippResult; uas: SippResult }> {
  const uasPort = await freePort(ADDR.vonage);
  const uacPort = await freePort(ADDR.pbx);
  const uas = await startSipp({ scenario: uasScenario, ip: ADDR.vonage, port: uasPort, calls: 1, keys: o.uasKeys, extra: o.uasExtra, timeoutMs: T });
  const uac = await runSipp({
    scenario: uacScenario, ip: ADDR.pbx, port: uacPort, remote: { ip: ADDR.vonage, port: uasPort },
    calls: 1, keys: o.uacKeys, extra: o.uacExtra, timeoutMs: T,
  });
  const far = await (uac.code === 0 ? uas.done : uas.stop());
  return { uac, uas: far };
}

function ok(r: SippResult): void {
  assert.equal(r.code, 0, describeSipp(r));
  assert.equal(r.stats.failed, 0, describeSipp(r));
  assert.equal(r.stats.successful, 1, describeSipp(r));
}

describe('SIPp scenarios, back to back without the SBC', { timeout: 120_000 }, () => {
  test('uac-basic with uas-basic', async () => {
    const { uac, uas } = await pair('uac-basic', 'uas-basic');
    ok(uac);
    ok(uas);
    assert.equal(select(uas.messages, { direction: 'received', method: 'BYE' }).length, 1);
  });

  test('uac-cancel with uas-ringing-forever', async () => {
    const { uac, uas } = await pair('uac-cancel', 'uas-ringing-forever', { uacExtra: ['-d', '100'] });
    ok(uac);
    ok(uas);
    assert.equal(select(uac.messages, { direction: 'received', status: 487 }).length, 1);
  });

  test('uac-expect-bye with uas-bye', async () => {
    const { uac, uas } = await pair('uac-expect-bye', 'uas-bye', { uasExtra: ['-d', '100'] });
    ok(uac);
    ok(uas);
  });

  test('uac-reinvite with uas-reinvite', async () => {
    const { uac, uas } = await pair('uac-reinvite', 'uas-reinvite');
    ok(uac);
    ok(uas);
    assert.equal(select(uas.messages, { direction: 'received', method: 'INVITE' }).length, 2);
  });

  test('uac-expect-reinvite with uas-send-reinvite', async () => {
    const { uac, uas } = await pair('uac-expect-reinvite', 'uas-send-reinvite', { uasExtra: ['-d', '100'] });
    ok(uac);
    ok(uas);
    assert.equal(select(uac.messages, { direction: 'received', method: 'INVITE' }).length, 1);
    assert.equal(select(uas.messages, { direction: 'received', method: 'BYE' }).length, 1);
  });

  for (const code of [483, 486, 500, 502, 503, 504]) {
    test(`uac-expect-reject with uas-${code}`, async () => {
      const { uac, uas } = await pair('uac-expect-reject', `uas-${code}`);
      ok(uac);
      ok(uas);
      const finals = select(uac.messages, { direction: 'received', cseq: 'INVITE' }).filter((m) => (m.status ?? 0) >= 200);
      assert.deepEqual(finals.map((m) => m.status), [code]);
    });
  }

  test('uac-expect-180-sdp with uas-180-sdp', async () => {
    const { uac, uas } = await pair('uac-expect-180-sdp', 'uas-180-sdp');
    ok(uac);
    ok(uas);
  });

  test('uac-expect-180-sdp fails against a 180 without SDP (uas-basic)', async () => {
    const { uac } = await pair('uac-expect-180-sdp', 'uas-basic');
    assert.notEqual(uac.code, 0, describeSipp(uac));
    assert.equal(uac.stats.failed, 1, describeSipp(uac));
  });

  test('uac-max-forwards answered and refused paths', async () => {
    const answered = await pair('uac-max-forwards', 'uas-basic', { uacKeys: { mf: 1 } });
    ok(answered.uac);
    ok(answered.uas);
    const inv = select(answered.uas.messages, { direction: 'received', method: 'INVITE' })[0];
    assert.equal(inv && header(inv, 'max-forwards'), '1');
    const refused = await pair('uac-max-forwards', 'uas-483', { uacKeys: { mf: 0 } });
    ok(refused.uac);
    assert.equal(select(refused.uac.messages, { direction: 'received', status: 483 }).length, 1);
  });

  test('uac-leaky-headers with uas-leaky-headers', async () => {
    const { uac, uas } = await pair('uac-leaky-headers', 'uas-leaky-headers');
    ok(uac);
    ok(uas);
  });

  test('uac-options with uas-options', async () => {
    const { uac, uas } = await pair('uac-options', 'uas-options');
    ok(uac);
    ok(uas);
  });
});
