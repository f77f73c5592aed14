// Topology hiding, checked on the bytes each stand-in received: nothing of
// one side's addresses, ports or dialog identifiers (Call-ID, Via branch,
// tags) reaches the other. SDP uses documentation addresses in the
// scenarios: media anchoring (rewriting c=/m=) is a later issue.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADDR, assertAllPassed, assertNothingLeaks, callThrough, identityOf, parseMessages, startSbcd, type Identity, type Sbcd,
} from '../harness/index.js';

// The identifiers a check looks for must exist, or the check proves nothing.
function nonEmpty(ids: Identity, min: { callIds: number; branches: number; tags: number }): Identity {
  assert.ok(ids.callIds.length >= min.callIds, `call-ids: ${ids.callIds.join(',')}`);
  assert.ok(ids.branches.length >= min.branches, `branches: ${ids.branches.join(',')}`);
  assert.ok(ids.tags.length >= min.tags, `tags: ${ids.tags.join(',')}`);
  return ids;
}
const CALLER = { callIds: 3, branches: 3, tags: 3 }; // 3 calls: own Call-IDs, branches, From tags
const CALLEE = { callIds: 3, branches: 0, tags: 3 }; // sends only responses: its To tags

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
      { ips: [ADDR.pbx, ADDR.sbcLan], ports: [sbc.pbx.port, sbc.lan.udp], ids: nonEmpty(identityOf(uac), CALLER) },
      'Vonage stand-in',
    );
    assertNothingLeaks(
      uac.messages.filter((m) => m.direction === 'received'),
      { ips: [ADDR.vonage, ADDR.sbcWan], ports: [sbc.vonage.port, sbc.wan.udp], ids: nonEmpty(identityOf(uas), CALLEE) },
      'PBX stand-in',
    );
  });

  test('Vonage -> PBX: the PBX sees no Vonage/WAN address, port or identifier, and Vonage none of PBX/LAN', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'vonage-to-pbx', uac: 'uac-basic', uas: 'uas-basic', calls: 3, rate: 10 });
    assertAllPassed(uac, 3, 'Vonage stand-in');
    assertAllPassed(uas, 3, 'PBX stand-in');
    assertNothingLeaks(
      uas.messages.filter((m) => m.direction === 'received'),
      { ips: [ADDR.vonage, ADDR.sbcWan], ports: [sbc.vonage.port, sbc.wan.udp], ids: nonEmpty(identityOf(uac), CALLER) },
      'PBX stand-in',
    );
    assertNothingLeaks(
      uac.messages.filter((m) => m.direction === 'received'),
      { ips: [ADDR.pbx, ADDR.sbcLan], ports: [sbc.pbx.port, sbc.lan.udp], ids: nonEmpty(identityOf(uas), CALLEE) },
      'Vonage stand-in',
    );
  });

  test('callee BYE: the caller sees none of the callee side', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-expect-bye', uas: 'uas-bye', uasExtra: ['-d', '200'] });
    assertAllPassed(uac, 1, 'PBX stand-in');
    assertAllPassed(uas, 1, 'Vonage stand-in');
    assertNothingLeaks(
      uac.messages.filter((m) => m.direction === 'received'),
      { ips: [ADDR.vonage, ADDR.sbcWan], ports: [sbc.vonage.port, sbc.wan.udp], ids: nonEmpty(identityOf(uas), { callIds: 1, branches: 1, tags: 1 }) },
      'PBX stand-in',
    );
  });

  test('the leak check itself catches an address, a port and an identifier (so a pass means something)', () => {
    const wire = (extra: string): string =>
      `----------------------------------------------- 2026-01-01 00:00:00.000000\nUDP message received [1] bytes :\n\n` +
      `INVITE sip:1@127.0.0.20:5080 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bKsbc\n${extra}\nContent-Length: 0\n\n`;
    const ids: Identity = { callIds: ['1-4242@127.0.0.10'], branches: ['z9hG4bK-4242-1-0'], tags: ['4242SIPpTag001'] };
    const what = { ips: [ADDR.pbx, ADDR.sbcLan], ports: [40123], ids };
    // Clean: 127.0.0.20 and 127.0.0.2 are not 127.0.0.1 / 127.0.0.10.
    assertNothingLeaks(parseMessages(wire('From: <sip:a@127.0.0.20>;tag=x')), what, 'clean');
    for (const leak of [
      'Contact: <sip:a@127.0.0.10:5090>', 'Contact: <sip:a@127.0.0.1>', 'Contact: <sip:a@127.0.0.2:40123>',
      'X-Orig: 1-4242@127.0.0.10', 'Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-4242-1-0', 'From: <sip:a@b>;tag=4242SIPpTag001',
    ]) {
      assert.throws(() => assertNothingLeaks(parseMessages(wire(leak)), what, 'leaky'), /leaks/, leak);
    }
  });
});
