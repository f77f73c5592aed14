// V-OUT-4 / V-OUT-5: numbers from the PBX written in E.164 without "+",
// read with the trunk's country; what cannot be read is refused with a reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseNumber } from '../../../src/trunks/numbers.js';

const OK: Array<[string, string, string, string]> = [
  // input, country, E.164 digits, form
  ['331908817135', 'FR', '331908817135', 'e164'], // the spec's example: CC 33, AC 1908, LC 8, ext 17135
  ['331908817135', 'US', '331908817135', 'e164'],
  ['331908817135', '', '331908817135', 'e164'],
  ['+331908817135', 'GB', '331908817135', 'plus'],
  ['447700900000', 'GB', '447700900000', 'e164'], // the spec's From example (V-OUT-5)
  ['+44 7700 900000', 'GB', '447700900000', 'plus'],
  ['%2B447700900000', 'DE', '447700900000', 'plus'],
  ['07700900000', 'GB', '447700900000', 'national'],
  ['020 7946 0000', 'GB', '442079460000', 'national'],
  ['00442079460000', 'GB', '442079460000', 'idd'],
  ['0033123456789', 'FR', '33123456789', 'idd'],
  ['004930123456', 'DE', '4930123456', 'idd'],
  ['030 123456', 'DE', '4930123456', 'national'],
  ['011442079460000', 'US', '442079460000', 'idd'],
  ['011 33 1 23 45 67 89', 'CA', '33123456789', 'idd'],
  ['(415) 555-0100', 'US', '14155550100', 'national'],
  ['4155550100', 'US', '14155550100', 'national'],
  ['14155550100', 'US', '14155550100', 'national'],
  ['14155550100', 'GB', '14155550100', 'e164'], // V-OUT-13's SIP Connect number from a UK trunk
  ['442079460000', 'US', '442079460000', 'e164'],
  ['0011 44 20 7946 0000', 'AU', '442079460000', 'idd'],
  ['02 9876 5432', 'AU', '61298765432', 'national'],
  ['14155550100;phone-context=+1', 'US', '14155550100', 'national'],
];

for (const [input, country, e164, form] of OK) {
  test(`V-OUT-4: "${input}" with country "${country || '(none)'}" -> ${e164} (${form})`, () => {
    assert.deepEqual(normaliseNumber(input, country), { ok: true, e164, form });
  });
}

const REFUSED: Array<[string, string, RegExp]> = [
  ['999', 'GB', /"999" is too short for an E\.164 number/],
  ['112', 'DE', /too short/],
  ['0207', 'GB', /"0207" is too short for a national number of GB/],
  ['07700900000', '', /national or prefixed number and the trunk has no country/],
  ['00442079460000', '', /no country/],
  ['alice', 'GB', /"alice" is not a telephone number/],
  ['anonymous', 'US', /not a telephone number/],
  ['+0123456789', 'GB', /starts with 0/],
  ['+9991234567', 'GB', /known country code/],
  ['+1234567890123456', 'GB', /longer than the 15 digits/],
  ['00', 'GB', /no digits after its prefix/],
  ['4155550100', 'XX', /unknown country "XX"/],
];

for (const [input, country, reason] of REFUSED) {
  test(`V-OUT-4: "${input}" with country "${country || '(none)'}" is refused with the reason`, () => {
    const r = normaliseNumber(input, country);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, reason);
  });
}
