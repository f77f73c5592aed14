import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Router } from '../../../src/calls/router.js';
import { defaultConfig } from '../../../src/config/default-config.js';
import type { ConfigDocument } from '../../../src/config/document.js';
import { failsOver } from '../../../src/trunks/inbound-targets.js';

function withPbxList(patch: (d: ConfigDocument) => void = () => {}): ConfigDocument {
  const d = defaultConfig();
  const base = d.pbxs[0]!;
  d.pbxs.push({ ...structuredClone(base), name: 'pbx-a', host: '192.0.2.20', port: 5070, transport: 'udp' });
  d.pbxs.push({ ...structuredClone(base), name: 'pbx-b', host: '192.0.2.21', port: 5071, transport: 'tcp' });
  d.routes.push({
    name: 'did-1',
    from_side: 'wan',
    match: { ruri_user: '^14155550123$', from_trunk: '' },
    to: { pbxs: [{ pbx: 'pbx-a', timeout_ms: 3000 }, { pbx: 'pbx-b', timeout_ms: 5000 }] },
    priority: 10,
    enabled: true,
  });
  patch(d);
  return d;
}

test('a DID route with a PBX list gives one hop per PBX, in order, each with its own transport and timeout', () => {
  const out = new Router(withPbxList()).route('wan', '14155550123');
  assert.equal(out.ok && out.route, 'did-1');
  assert.ok(out.ok);
  assert.equal(out.target.kind, 'pbx');
  assert.equal(out.target.name, 'pbx-a');
  assert.deepEqual(out.target.hops, [
    { host: '192.0.2.20', port: 5070, pbx: { name: 'pbx-a', side: 'lan', transport: 'udp', timeoutMs: 3000 } },
    { host: '192.0.2.21', port: 5071, pbx: { name: 'pbx-b', side: 'lan', transport: 'tcp', timeoutMs: 5000 } },
  ]);
});

test('another DID does not take the list route', () => {
  const out = new Router(withPbxList()).route('wan', '14155550124');
  assert.equal(out.ok && out.route !== 'did-1', true);
});

test('a disabled PBX is left out of the list; all disabled gives 480', () => {
  const one = new Router(withPbxList((d) => (d.pbxs.find((p) => p.name === 'pbx-a')!.enabled = false))).route('wan', '14155550123');
  assert.ok(one.ok);
  assert.deepEqual(one.target.hops.map((h) => h.pbx?.name), ['pbx-b']);
  const none = new Router(
    withPbxList((d) => {
      for (const p of d.pbxs) p.enabled = false;
    }),
  ).route('wan', '14155550123');
  assert.deepEqual(none, { ok: false, status: 480, reason: 'Temporarily Unavailable' });
});

test('failover: every 5xx and local failures (timeout, transport) move on; 4xx and 6xx do not (V-IN-2)', () => {
  for (const s of [500, 502, 503, 504, 580, 599]) assert.equal(failsOver(s, false), true, String(s));
  for (const s of [400, 403, 404, 480, 486, 487, 488, 600, 603, 604, 606]) assert.equal(failsOver(s, false), false, String(s));
  assert.equal(failsOver(408, true), true);
  assert.equal(failsOver(503, true), true);
});
