import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Router } from '../../../src/calls/router.js';
import { defaultConfig } from '../../../src/config/default-config.js';
import type { ConfigDocument } from '../../../src/config/document.js';

function doc(patch: (d: ConfigDocument) => void = () => {}): ConfigDocument {
  const d = defaultConfig();
  patch(d);
  return d;
}

test('a LAN call goes to the trunk, a WAN call to the PBX (default config)', () => {
  const r = new Router(doc());
  const out = r.route('lan', '14155550100');
  assert.equal(out.ok, true);
  assert.equal(out.ok && out.target.kind, 'trunk');
  assert.equal(out.ok && out.target.side, 'wan');
  const inb = r.route('wan', '14155550100');
  assert.equal(inb.ok && inb.target.kind, 'pbx');
  assert.equal(inb.ok && inb.target.side, 'lan');
});

test('no matching route gives 404', () => {
  const r = new Router(doc((d) => (d.routes = d.routes.filter((x) => x.from_side !== 'lan'))));
  assert.deepEqual(r.route('lan', '123'), { ok: false, status: 404, reason: 'Not Found' });
});

test('a route to a disabled trunk gives 480, not 404', () => {
  const r = new Router(doc((d) => (d.trunks[0]!.enabled = false)));
  const out = r.route('lan', '123');
  assert.equal(out.ok, false);
  assert.equal(!out.ok && out.status, 480);
});

test('routes are tried by priority and the R-URI user pattern must match', () => {
  const r = new Router(
    doc((d) => {
      d.pbxs.push({ ...structuredClone(d.pbxs[0]!), name: 'pbx2', host: '127.0.0.11', transport: 'tcp' });
      d.routes.push({
        name: 'uk-to-pbx2',
        from_side: 'wan',
        match: { ruri_user: '^44', from_trunk: '' },
        to: { pbx: 'pbx2' },
        priority: 10,
        enabled: true,
      });
    }),
  );
  const uk = r.route('wan', '447700900000');
  assert.equal(uk.ok && uk.route, 'uk-to-pbx2');
  assert.equal(uk.ok && uk.target.transport, 'tcp');
  const us = r.route('wan', '14155550100');
  assert.equal(us.ok && us.target.name, 'pbx');
});

test('trunk endpoints become ordered hops (first primary)', () => {
  const r = new Router(
    doc((d) => {
      d.trunks[0]!.endpoints = [
        { host: '192.0.2.1', port: 5060 },
        { host: '192.0.2.2', port: 5062 },
      ];
    }),
  );
  const out = r.route('lan', '1');
  assert.deepEqual(out.ok && out.target.hops, [
    { host: '192.0.2.1', port: 5060 },
    { host: '192.0.2.2', port: 5062 },
  ]);
});

test('V-OUT-3: a trunk with an endpoint set routes to the set, its region first', () => {
  const r = new Router(
    doc((d) => {
      Object.assign(d.trunks[0]!, { endpoints: [], endpoint_set: 'vonage-current', region: 'ap', transport: 'tls' });
    }),
  );
  const out = r.route('lan', '1');
  assert.deepEqual(out.ok && out.target.hops.slice(0, 2), [
    { host: 'sip-ap-3-1.vonage.com', port: 5061 },
    { host: 'sip-ap-3-2.vonage.com', port: 5061 },
  ]);
  assert.equal(out.ok && out.target.hops.length, 12);
});

test('a route with match.from_trunk only takes calls from that trunk', () => {
  const r = new Router(
    doc((d) => {
      d.routes.unshift({ ...structuredClone(d.routes[1]!), name: 'only-vonage', match: { ruri_user: '', from_trunk: 'vonage' }, priority: 1 });
    }),
  );
  const from = r.route('wan', '1', 'vonage');
  assert.equal(from.ok && from.route, 'only-vonage');
  const other = r.route('wan', '1', '');
  assert.equal(other.ok && other.route, 'vonage-to-pbx');
});
