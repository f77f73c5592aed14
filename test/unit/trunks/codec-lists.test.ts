// The Vonage codec list as data (V-OUT-6, V-OUT-7) and the default it gives
// a Vonage trunk's media.codecs.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { defaultConfig } from '../../../src/config/default-config.js';
import { validateDocument } from '../../../src/config/validate.js';
import { configWarnings } from '../../../src/config/warnings.js';
import { vonageCodecList } from '../../../src/trunks/codec-lists.js';

test('V-OUT-6/V-OUT-7: the shipped list names the six codecs of the spec and telephone-event, G.729 without Annex B', () => {
  const list = vonageCodecList();
  assert.deepEqual(list.codecs, ['PCMA', 'PCMU', 'G722', 'G729', 'iLBC', 'speex/16000', 'telephone-event']);
  assert.deepEqual(list.fmtp, { G729: 'annexb=no' });
  assert.match(list.source, /seeds\/000.*001.*003/);
});

function vonageTrunk(media?: Record<string, unknown>) {
  const doc = defaultConfig() as unknown as { trunks: Array<Record<string, unknown>> };
  Object.assign(doc.trunks[0]!, { kind: 'vonage', api_key: 'k', api_secret: 's', country: 'US', media });
  if (media === undefined) delete doc.trunks[0]!.media;
  return doc;
}

test('a Vonage trunk written without media.codecs gets the list; a written one (even []) is kept; generic stays []', () => {
  assert.deepEqual(validateDocument(vonageTrunk()).trunks[0]!.media.codecs, vonageCodecList().codecs);
  assert.deepEqual(validateDocument(vonageTrunk({ srtp: 'off' })).trunks[0]!.media.codecs, vonageCodecList().codecs);
  assert.deepEqual(validateDocument(vonageTrunk({ codecs: ['PCMA'] })).trunks[0]!.media.codecs, ['PCMA']);
  assert.deepEqual(validateDocument(vonageTrunk({ codecs: [] })).trunks[0]!.media.codecs, []);
  assert.deepEqual(validateDocument(defaultConfig()).trunks[0]!.media.codecs, []);
});

test('V-OUT-6/7/12: config warnings on a Vonage trunk: foreign codecs, no telephone-event, a rule adding X-Nexmo*', () => {
  const doc = vonageTrunk({ codecs: ['PCMA', 'opus', 'speex/8000', 'g729'] }) as unknown as { trunks: Array<Record<string, unknown>> };
  doc.trunks[0]!.header_rules = [{ action: 'add', name: 'X-Nexmo-Trace', value: '1', pattern: '' }, { action: 'add', name: 'X-UserId', value: 'u', pattern: '' }];
  const warnings = configWarnings(validateDocument(doc));
  const msgs = warnings.map((w) => `${w.path}: ${w.message}`);
  assert.ok(msgs.some((m) => m.startsWith('/trunks/0/media/codecs: Vonage does not take opus, speex/8000;')), msgs.join('\n'));
  assert.ok(msgs.some((m) => m.startsWith('/trunks/0/media/codecs: no telephone-event')), msgs.join('\n'));
  assert.ok(msgs.some((m) => m === '/trunks/0/header_rules/0/name: X-Nexmo-Trace: Vonage does not deliver X-Nexmo headers to the application (V-OUT-12)'), msgs.join('\n'));
  assert.equal(warnings.length, 3, msgs.join('\n'));
  assert.deepEqual(configWarnings(validateDocument(vonageTrunk())), [], 'the default list gets no warning');
});
