// V-OUT-4 / V-OUT-5 at call time: the callee and caller ID a call to a trunk
// leaves with, by the trunk's kind and caller-ID policy; and the trunk
// registry keeping digest state across commits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig } from '../../../src/config/default-config.js';
import { outboundNumbers, warningValue } from '../../../src/trunks/outbound.js';
import { TrunkRegistry } from '../../../src/trunks/registry.js';

const vonage = (caller_id: { mode: 'pass' | 'fixed' | 'pai'; number: string } = { mode: 'pass', number: '' }) => ({
  kind: 'vonage' as const, country: 'GB', caller_id,
});

test('V-OUT-4 V-OUT-5: a Vonage trunk gets both numbers in E.164 without +', () => {
  assert.deepEqual(outboundNumbers(vonage(), '02079460000', '07700900001', undefined), { ok: true, ruriUser: '442079460000', fromUser: '447700900001' });
});

test('V-OUT-5: caller ID policies: fixed number, P-Asserted-Identity (sip: or tel:), From when PAI is absent', () => {
  assert.equal(outboundNumbers(vonage({ mode: 'fixed', number: '+44 7700 900999' }), '02079460000', '201', undefined).ok && 'ok', 'ok');
  const fixed = outboundNumbers(vonage({ mode: 'fixed', number: '+447700900999' }), '02079460000', '201', undefined);
  assert.deepEqual(fixed, { ok: true, ruriUser: '442079460000', fromUser: '447700900999' });
  const pai = outboundNumbers(vonage({ mode: 'pai', number: '' }), '02079460000', '201', '"Desk" <sip:07700900123@pbx.lan>');
  assert.equal(pai.ok && pai.fromUser, '447700900123');
  const tel = outboundNumbers(vonage({ mode: 'pai', number: '' }), '02079460000', '201', '<tel:+447700900124>, <sip:201@pbx.lan>');
  assert.equal(tel.ok && tel.fromUser, '447700900124');
  const none = outboundNumbers(vonage({ mode: 'pai', number: '' }), '02079460000', '07700900001', undefined);
  assert.equal(none.ok && none.fromUser, '447700900001');
});

test('V-OUT-4: an unreadable callee is 484 Address Incomplete; V-OUT-5: an unreadable caller ID is 403', () => {
  const callee = outboundNumbers(vonage(), '0207', '07700900001', undefined);
  assert.deepEqual(callee.ok ? null : [callee.status, callee.reason], [484, 'Address Incomplete']);
  assert.match(callee.ok ? '' : callee.why, /^callee not E\.164 \(V-OUT-4\): "0207" is too short for a national number of GB$/);
  const caller = outboundNumbers(vonage(), '02079460000', 'anonymous', undefined);
  assert.deepEqual(caller.ok ? null : [caller.status, caller.reason], [403, 'Caller ID Not E.164']);
  assert.equal(warningValue('sbc.example', 'a "quoted" \\ reason'), `399 sbc.example "a 'quoted' ' reason"`);
});

test('a generic trunk passes numbers as dialled, caller-ID policy still applies', () => {
  assert.deepEqual(outboundNumbers({ kind: 'generic', country: '', caller_id: { mode: 'pass', number: '' } }, '0207', 'alice', undefined), {
    ok: true, ruriUser: '0207', fromUser: 'alice',
  });
  const f = outboundNumbers({ kind: 'generic', country: '', caller_id: { mode: 'fixed', number: '100' } }, '0207', 'alice', undefined);
  assert.equal(f.ok && f.fromUser, '100');
});

test('V-OUT-2: the registry keeps a trunk digest state across commits unless its credentials change', () => {
  const doc = defaultConfig();
  Object.assign(doc.trunks[0]!, { api_key: 'k', api_secret: 's1' });
  const reg = new TrunkRegistry(doc);
  const first = reg.get('vonage')!.digest;
  assert.ok(first);
  assert.equal(first.username, 'k');
  doc.system.name = 'renamed';
  reg.apply(structuredClone(doc));
  assert.equal(reg.get('vonage')!.digest, first, 'same credentials: same state');
  doc.trunks[0]!.api_secret = 's2';
  reg.apply(structuredClone(doc));
  assert.notEqual(reg.get('vonage')!.digest, first, 'new secret: fresh state');
  doc.trunks[0]!.api_key = '';
  doc.trunks[0]!.api_secret = '';
  reg.apply(structuredClone(doc));
  assert.equal(reg.get('vonage')!.digest, undefined, 'no key: no digest');
});
