import assert from 'node:assert/strict';
import { test } from 'node:test';

import { crossingHeaders } from '../../../src/calls/header-policy.js';

test('routing and identity headers never cross legs; X- headers do (V-OUT-12)', () => {
  const out = crossingHeaders([
    ['Via', 'SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKabc'],
    ['Record-Route', '<sip:10.0.0.5;lr>'],
    ['Route', '<sip:10.0.0.5;lr>'],
    ['Contact', '<sip:100@10.0.0.5>'],
    ['Call-ID', 'abc@10.0.0.5'],
    ['From', '<sip:100@10.0.0.5>;tag=1'],
    ['To', '<sip:200@10.0.0.6>'],
    ['CSeq', '1 INVITE'],
    ['Max-Forwards', '70'],
    ['User-Agent', 'Asterisk PBX 18'],
    ['Content-Type', 'application/sdp'],
    ['X-UserId', 'alice'],
    ['x-custom', '1'],
  ], '192.0.2.1');
  assert.deepEqual(out, [
    ['Content-Type', 'application/sdp'],
    ['X-UserId', 'alice'],
    ['x-custom', '1'],
  ]);
});

test('Supported and Require stay on their leg: extensions are negotiated per leg', () => {
  assert.deepEqual(crossingHeaders([['Supported', '100rel, timer'], ['k', 'path'], ['Require', '100rel']], 'h'), []);
});

test('P-Asserted-Identity keeps the number and shows our host instead of the other side\'s', () => {
  assert.deepEqual(
    crossingHeaders([['P-Asserted-Identity', '"Alice" <sip:+14155550123@10.1.2.3:5060;user=phone>, <tel:+14155550123>']], '192.0.2.1'),
    [['P-Asserted-Identity', '"Alice" <sip:+14155550123@192.0.2.1;user=phone>, <tel:+14155550123>']],
  );
});

test('a Warning stays on its leg: its agent and text describe the other network', () => {
  assert.deepEqual(crossingHeaders([['Warning', '399 172.16.5.5 "Gateway busy at sbc-7.carrier.internal"']], 'h'), []);
});
