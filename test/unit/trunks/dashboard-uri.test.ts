import assert from 'node:assert/strict';
import { test } from 'node:test';

import { defaultConfig } from '../../../src/config/default-config.js';
import type { ConfigDocument } from '../../../src/config/document.js';
import {
  DashboardUriError,
  dashboardField,
  dashboardUriForRoute,
  dashboardUriForSide,
  dashboardUris,
  literalDid,
} from '../../../src/trunks/dashboard-uri.js';
// The stand-in's reading of the field, written from the spec (not from this code).
import { parseForwardList } from '../../integration/vonage/forward-list.js';

test('TLS on 5061: the documented form, port left out, timeout 5000 by default (V-IN-3, V-IN-4)', () => {
  assert.equal(
    dashboardField({ did: '14155550100', hosts: ['sbc.example.com'], transport: 'tls', port: 5061 }),
    'sip:14155550100@sbc.example.com;transport=tls;timeout=5000',
  );
});

test('another port is written after the host (V-IN-4: sip:1234@example.com:5062;transport=tls)', () => {
  assert.equal(
    dashboardField({ did: '1234', hosts: ['example.com'], transport: 'tls', port: 5062, timeoutMs: 2000 }),
    'sip:1234@example.com:5062;transport=tls;timeout=2000',
  );
});

test('two SBC addresses: comma-separated failover list, each with its timeout, SRTP on each (V-IN-1, V-IN-5)', () => {
  assert.equal(
    dashboardField({ did: '447700900123', hosts: ['203.0.113.5', '203.0.113.6'], transport: 'tls', port: 5061, timeoutMs: 3000, srtp: true }),
    'sip:447700900123@203.0.113.5;transport=tls;timeout=3000;media=srtp,sip:447700900123@203.0.113.6;transport=tls;timeout=3000;media=srtp',
  );
});

test('legacy sips: form, default and other port (seed 000)', () => {
  assert.equal(
    dashboardField({ did: '1234567890', hosts: ['mydomain.com'], transport: 'tls', port: 5061, legacySips: true }),
    'sips:1234567890@mydomain.com;timeout=5000',
  );
  assert.equal(
    dashboardField({ did: '1234567890', hosts: ['mydomain.com'], transport: 'tls', port: 5062, legacySips: true }),
    'sips:1234567890@mydomain.com:5062;timeout=5000',
  );
});

test('UDP: no transport parameter, port only when not 5060; TCP says so; IPv6 bracketed', () => {
  assert.equal(dashboardField({ did: '1234', hosts: ['203.0.113.5'], transport: 'udp', port: 5060 }), 'sip:1234@203.0.113.5;timeout=5000');
  assert.equal(dashboardField({ did: '1234', hosts: ['203.0.113.5'], transport: 'udp', port: 5080 }), 'sip:1234@203.0.113.5:5080;timeout=5000');
  assert.equal(dashboardField({ did: '1234', hosts: ['2001:db8::5'], transport: 'tcp', port: 5060 }), 'sip:1234@[2001:db8::5];transport=tcp;timeout=5000');
});

test('bad input is refused with a clear error', () => {
  const ok = { did: '1234', hosts: ['sbc.example.com'], transport: 'tls' as const, port: 5061 };
  assert.throws(() => dashboardUris({ ...ok, did: '+1234' }), DashboardUriError);
  assert.throws(() => dashboardUris({ ...ok, did: '1234567890123456' }), /at most 15/);
  assert.throws(() => dashboardUris({ ...ok, hosts: [] }), /no SBC address/);
  assert.throws(() => dashboardUris({ ...ok, hosts: ['a b'] }), /not an IP address or DNS name/);
  assert.throws(() => dashboardUris({ ...ok, timeoutMs: 1999 }), /2000-20000/);
  assert.throws(() => dashboardUris({ ...ok, timeoutMs: 20001 }), /2000-20000/);
  assert.throws(() => dashboardUris({ ...ok, port: 0 }), /does not listen on TLS/);
  assert.throws(() => dashboardUris({ ...ok, transport: 'udp', port: 5060, legacySips: true }), /must be tls/);
  assert.equal(dashboardUris({ ...ok, timeoutMs: 20000 })[0], 'sip:1234@sbc.example.com;transport=tls;timeout=20000');
});

test('what we generate reads back as intended with the stand-in parser of the dashboard field', () => {
  const field = dashboardField({ did: '14155550100', hosts: ['198.51.100.1', 'sbc.example.com'], transport: 'tls', port: 5062, timeoutMs: 2500, srtp: true });
  assert.deepEqual(parseForwardList(field), [
    { uri: 'sip:14155550100@198.51.100.1:5062;transport=tls', timeoutMs: 2500, tls: true, srtp: true },
    { uri: 'sip:14155550100@sbc.example.com:5062;transport=tls', timeoutMs: 2500, tls: true, srtp: true },
  ]);
  const sips = dashboardField({ did: '14155550100', hosts: ['198.51.100.1'], transport: 'tls', port: 5061, legacySips: true });
  assert.deepEqual(parseForwardList(sips), [{ uri: 'sips:14155550100@198.51.100.1:5061', timeoutMs: 5000, tls: true, srtp: false }]);
});

function doc(patch: (d: ConfigDocument) => void): ConfigDocument {
  const d = defaultConfig();
  patch(d);
  return d;
}

test('from the config: a DID route on the WAN side, its trunk asks SRTP, two public addresses', () => {
  const d = doc((d) => {
    d.sides.wan!.addresses = ['203.0.113.5', '203.0.113.6'];
    d.sides.wan!.advertised_address = '';
    d.sides.wan!.tls = 5061;
    d.trunks[0]!.transport = 'tls';
    d.trunks[0]!.media.srtp = 'sdes';
    d.routes.push({
      name: 'did-main',
      from_side: 'wan',
      match: { ruri_user: '^14155550100$', from_trunk: d.trunks[0]!.name },
      to: { pbx: d.pbxs[0]!.name },
      priority: 10,
      enabled: true,
    });
  });
  const r = dashboardUriForRoute(d, 'did-main');
  assert.equal(r.did, '14155550100');
  assert.equal(r.transport, 'tls');
  assert.equal(r.value, 'sip:14155550100@203.0.113.5;transport=tls;timeout=5000;media=srtp,sip:14155550100@203.0.113.6;transport=tls;timeout=5000;media=srtp');
  assert.deepEqual(r.notes, []);
  assert.equal(dashboardUriForRoute(d, 'did-main', undefined, { legacySips: true, hosts: ['sbc.example.com'] }).value, 'sips:14155550100@sbc.example.com;timeout=5000;media=srtp');
  assert.throws(() => dashboardUriForRoute(d, 'did-main', '14155550199'), /does not match/);
  assert.throws(() => dashboardUriForRoute(d, 'nope'), /no route "nope"/);
});

test('from the config: advertised address wins; private address and SRTP without TLS give notes; pattern routes need a DID', () => {
  const d = doc((d) => {
    d.sides.wan!.addresses = ['192.168.1.2'];
    d.sides.wan!.advertised_address = '';
    d.sides.wan!.tls = 0;
    d.sides.wan!.udp = 5070;
  });
  const r = dashboardUriForSide(d, 'wan', '1234', { srtp: true });
  assert.equal(r.value, 'sip:1234@192.168.1.2:5070;timeout=5000;media=srtp');
  assert.equal(r.notes.length, 2);
  assert.match(r.notes.join('\n'), /private address/);
  assert.match(r.notes.join('\n'), /SRTP keys/);
  d.sides.wan!.advertised_address = '203.0.113.9';
  assert.equal(dashboardUriForSide(d, 'wan', '1234').value, 'sip:1234@203.0.113.9:5070;timeout=5000');
  d.routes.push({ name: 'uk', from_side: 'wan', match: { ruri_user: '^44', from_trunk: '' }, to: { pbx: d.pbxs[0]!.name }, priority: 1, enabled: true });
  assert.throws(() => dashboardUriForRoute(d, 'uk'), /pattern \^44, not one DID/);
  assert.equal(dashboardUriForRoute(d, 'uk', '447700900123').value, 'sip:447700900123@203.0.113.9:5070;timeout=5000');
});

test('literal DID patterns', () => {
  assert.equal(literalDid('^441234567890$'), '441234567890');
  assert.equal(literalDid('^\\+?441234567890$'), '441234567890');
  assert.equal(literalDid('441234567890'), '441234567890');
  assert.equal(literalDid('^44'), undefined); // a prefix, not one number
  assert.equal(literalDid('44$'), undefined);
  assert.equal(literalDid('^44[0-9]+$'), undefined);
  assert.equal(literalDid(''), undefined);
});
