// The other half of topology hiding: headers that name one side's internals
// (a proxy's Via, User-Agent/Server, Organization, Warning agents, the host
// of P-Asserted-Identity) stay on their leg, while the headers meant to
// cross do (X- headers for the Vonage application, V-OUT-12; Subject).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAllPassed, callThrough, header, headerValues, select, startSbcd, type Sbcd, type SipMessage } from '../harness/index.js';

function assertAbsent(msgs: SipMessage[], needles: RegExp[], label: string): void {
  assert.ok(msgs.length > 0, `${label}: nothing received`);
  for (const m of msgs) {
    for (const n of needles) assert.doesNotMatch(m.raw, n, `${label}: "${m.startLine}" carries ${n}\n${m.raw}`);
  }
}

describe('header policy on the wire', { timeout: 60_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd();
  });
  after(async () => {
    await sbc?.stop();
  });

  test('PBX internals (proxy Via, User-Agent, Organization) stay on the LAN; X- headers and Subject cross', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-leaky-headers', uas: 'uas-basic' });
    assertAllPassed(uac, 1, 'PBX stand-in');
    assertAllPassed(uas, 1, 'Vonage stand-in');
    const got = uas.messages.filter((m) => m.direction === 'received');
    const withoutPai = got.map((m) => ({ ...m, raw: m.raw.replace(/^P-Asserted-Identity:.*$/gim, '') }));
    assertAbsent(withoutPai, [/(?<![0-9.])10\.1\.2\.3(?![0-9])/, /pbx\.internal\.example/i, /AcmePBX/, /z9hG4bK-internal/], 'Vonage stand-in');
    const inv = select(got, { method: 'INVITE' })[0]!;
    assert.equal(headerValues(inv, 'via').length, 1, "one Via: the SBC's own");
    assert.equal(header(inv, 'x-customer-ref'), 'cref-4711');
    assert.equal(header(inv, 'subject'), 'leak-check');
  });

  test('P-Asserted-Identity reaches Vonage with the caller number but not the PBX LAN host', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-leaky-headers', uas: 'uas-basic' });
    assertAllPassed(uac, 1, 'PBX stand-in');
    assertAllPassed(uas, 1, 'Vonage stand-in');
    const inv = select(uas.messages, { direction: 'received', method: 'INVITE' })[0]!;
    const pai = header(inv, 'p-asserted-identity') ?? '';
    assert.match(pai, /\+14155550123/, 'the asserted number crosses (caller ID)');
    assert.doesNotMatch(pai, /(?<![0-9.])10\.1\.2\.3(?![0-9])/, `PAI carries the LAN host: ${pai}`);
  });

  test('carrier internals in Server and P-Asserted-Identity do not reach the PBX', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-basic', uas: 'uas-leaky-headers' });
    assertAllPassed(uac, 1, 'PBX stand-in');
    assertAllPassed(uas, 1, 'Vonage stand-in');
    const got = uac.messages
      .filter((m) => m.direction === 'received')
      .map((m) => ({ ...m, raw: m.raw.replace(/^Warning:.*$/gim, '') }));
    assertAbsent(got, [/(?<![0-9.])172\.16\.5\.5(?![0-9])/, /carrier\.internal/i, /CarrierSBC/], 'PBX stand-in');
  });

  test('a Warning naming a carrier host does not reach the PBX with that host', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-basic', uas: 'uas-leaky-headers' });
    assertAllPassed(uac, 1, 'PBX stand-in');
    assertAllPassed(uas, 1, 'Vonage stand-in');
    for (const m of uac.messages.filter((x) => x.direction === 'received')) {
      for (const w of headerValues(m, 'warning')) {
        assert.doesNotMatch(w, /172\.16\.5\.5|carrier\.internal/i, `"${m.startLine}" Warning: ${w}`);
      }
    }
  });
});
