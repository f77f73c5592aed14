// Topology hiding, checked on the bytes each stand-in received: nothing of
// one side's addresses, ports or dialog identifiers (Call-ID, Via branch,
// tags) reaches the other. SDP uses documentation addresses in the
// scenarios: media anchoring (rewriting c=/m=) is a later issue.
import { after, before, describe, test } from 'node:test';
import { ADDR, assertAllPassed, assertNothingLeaks, callThrough, identityOf, startSbcd, type Sbcd } from '../harness/index.js';

describe('topology hiding on the wire', { timeout: 90_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd();
  });
  after(async () => {
    await sbc?.stop();
  });

  test('PBX -> Vonage: Vonage sees no PBX/LAN address, port or identifier, and the PBX none of Vonage/WAN', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-basic', uas: 'uas-basic', calls: 3, rate: 10 });
    assertAllPassed(uac, 3, 'PBX stand-in');
    assertAllPassed(uas, 3, 'Vonage stand-in');
    assertNothingLeaks(
      uas.messages.filter((m) => m.direction === 'received'),
      { ips: [ADDR.pbx, ADDR.sbcLan], ports: [sbc.pbx.port, sbc.lan.udp], ids: identityOf(uac) },
      'Vonage stand-in',
    );
    assertNothingLeaks(
      uac.messages.filter((m) => m.direction === 'received'),
      { ips: [ADDR.vonage, ADDR.sbcWan], ports: [sbc.vonage.port, sbc.wan.udp], ids: identityOf(uas) },
      'PBX stand-in',
    );
  });

  test('Vonage -> PBX: the PBX sees no Vonage/WAN address, port or identifier, and Vonage none of PBX/LAN', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'vonage-to-pbx', uac: 'uac-basic', uas: 'uas-basic', calls: 3, rate: 10 });
    assertAllPassed(uac, 3, 'Vonage stand-in');
    assertAllPassed(uas, 3, 'PBX stand-in');
    assertNothingLeaks(
      uas.messages.filter((m) => m.direction === 'received'),
      { ips: [ADDR.vonage, ADDR.sbcWan], ports: [sbc.vonage.port, sbc.wan.udp], ids: identityOf(uac) },
      'PBX stand-in',
    );
    assertNothingLeaks(
      uac.messages.filter((m) => m.direction === 'received'),
      { ips: [ADDR.pbx, ADDR.sbcLan], ports: [sbc.pbx.port, sbc.lan.udp], ids: identityOf(uas) },
      'Vonage stand-in',
    );
  });

  test('callee BYE: the caller sees none of the callee side', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-expect-bye', uas: 'uas-bye', uasExtra: ['-d', '200'] });
    assertAllPassed(uac, 1, 'PBX stand-in');
    assertAllPassed(uas, 1, 'Vonage stand-in');
    assertNothingLeaks(
      uac.messages.filter((m) => m.direction === 'received'),
      { ips: [ADDR.vonage, ADDR.sbcWan], ports: [sbc.vonage.port, sbc.wan.udp], ids: identityOf(uas) },
      'PBX stand-in',
    );
  });
});
