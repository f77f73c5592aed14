// A call no route matches is refused by the SBC itself and goes nowhere.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAllPassed, assertReceivedNothing, callThrough, select, startSbcd, type Sbcd } from '../harness/index.js';

describe('no route', { timeout: 60_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    // Only the inbound route: nothing routes calls arriving on the LAN side.
    sbc = await startSbcd({
      config: { routes: [{ name: 'vonage-to-pbx', from_side: 'wan', match: { ruri_user: '' }, to: { pbx: 'pbx' }, priority: 100, enabled: true }] },
    });
  });
  after(async () => {
    await sbc?.stop();
  });

  test('PBX call with no LAN route -> 404 (or 480), nothing reaches Vonage', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-expect-reject', uas: 'uas-basic', uasGraceMs: 1000 });
    assertAllPassed(uac, 1, 'caller');
    const codes = select(uac.messages, { direction: 'received', cseq: 'INVITE' }).map((m) => m.status ?? 0).filter((s) => s >= 200);
    assert.equal(codes.length >= 1, true);
    assert.ok(codes.every((c) => c === 404 || c === 480), `final responses: ${codes.join(',')}`);
    assertReceivedNothing(uas, 'Vonage stand-in');
  });

  test('a route whose ruri_user regex does not match -> refused too', async () => {
    await sbc.stop();
    sbc = await startSbcd({
      config: {
        routes: [{ name: 'only-uk', from_side: 'lan', match: { ruri_user: '^44' }, to: { trunk: 'vonage' }, priority: 100, enabled: true }],
      },
    });
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-expect-reject', uas: 'uas-basic', service: '14155550100', uasGraceMs: 1000 });
    assertAllPassed(uac, 1, 'caller');
    const codes = select(uac.messages, { direction: 'received', cseq: 'INVITE' }).map((m) => m.status ?? 0).filter((s) => s >= 200);
    assert.ok(codes.length >= 1 && codes.every((c) => c === 404 || c === 480), `final responses: ${codes.join(',')}`);
    assertReceivedNothing(uas, 'Vonage stand-in');
    // …and a number the route matches goes through.
    const ok = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-basic', uas: 'uas-basic', service: '442071234567' });
    assertAllPassed(ok.uac, 1, 'caller');
    assertAllPassed(ok.uas, 1, 'callee');
  });
});
