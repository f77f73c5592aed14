// Calls whose legs use different transports: the PBX over TCP with Vonage on
// UDP, and a TCP trunk with the PBX on UDP. The scenarios take the
// transport from SIPp (-t t1), so the same call flows run unchanged.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADDR, assertAllPassed, callThrough, freePort, select, startSbcd, type Sbcd } from '../harness/index.js';

describe('TCP legs', { timeout: 90_000 }, () => {
  const running: Sbcd[] = [];
  after(async () => {
    for (const s of running) await s.stop();
  });

  test('PBX over TCP -> Vonage over UDP, and back: calls complete, each leg on its own transport', async () => {
    const sbc = await startSbcd({
      config: { pbxs: [{ name: 'pbx', side: 'lan', host: ADDR.pbx, port: await freePort(ADDR.pbx), transport: 'tcp', enabled: true }] },
    });
    running.push(sbc);
    const out = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-basic', uas: 'uas-basic', calls: 20, rate: 10, uacTransport: 'tcp' });
    assertAllPassed(out.uac, 20, 'PBX stand-in (TCP)');
    assertAllPassed(out.uas, 20, 'Vonage stand-in (UDP)');
    assert.ok(out.uac.messages.every((m) => m.transport === 'TCP'));
    const inv = select(out.uas.messages, { direction: 'received', method: 'INVITE' })[0];
    assert.match(inv?.raw ?? '', /^Via: SIP\/2\.0\/UDP /m);

    const back = await callThrough(sbc, { direction: 'vonage-to-pbx', uac: 'uac-basic', uas: 'uas-basic', calls: 5, rate: 10, uasTransport: 'tcp' });
    assertAllPassed(back.uac, 5, 'Vonage stand-in (UDP)');
    assertAllPassed(back.uas, 5, 'PBX stand-in (TCP)');
    const toPbx = select(back.uas.messages, { direction: 'received', method: 'INVITE' })[0];
    assert.match(toPbx?.raw ?? '', /^Via: SIP\/2\.0\/TCP /m);
  });

  test('PBX over UDP -> Vonage trunk over TCP: calls complete', async () => {
    const sbc = await startSbcd({
      config: {
        trunks: [{
          name: 'vonage', side: 'wan', transport: 'tcp', endpoints: [{ host: ADDR.vonage, port: await freePort(ADDR.vonage) }],
          from_domain: '', options_ping_s: 0, enabled: true,
        }],
      },
    });
    running.push(sbc);
    const out = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-basic', uas: 'uas-basic', calls: 20, rate: 10, uasTransport: 'tcp' });
    assertAllPassed(out.uac, 20, 'PBX stand-in (UDP)');
    assertAllPassed(out.uas, 20, 'Vonage stand-in (TCP)');
    assert.ok(out.uas.messages.every((m) => m.transport === 'TCP'));
  });
});
