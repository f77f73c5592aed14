// Each config collection and section through its own routes (config.test
// covers the shared behaviour on trunks in depth; this shows every
// collection and section is wired to its own part of the candidate), and
// the audit trail as the API gives it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiFixture } from './fixture.js';

test('PBXs, routes and Programmable SIP domains: list, get, replace, refusals at the field, delete', async (t) => {
  const fx = await apiFixture(t);
  const op = await fx.as('operator');

  const pbxs = await op.get('/config/pbxs');
  assert.equal(pbxs.status, 200);
  assert.deepEqual(pbxs.body.map((p: { name: string }) => p.name), fx.store.candidate().pbxs.map((p) => p.name));
  const pbx = await op.get('/config/pbxs/pbx');
  assert.equal(pbx.status, 200);
  const changed = await op.put('/config/pbxs/pbx', { ...pbx.body, host: '192.0.2.50' });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(fx.store.candidate().pbxs.find((p) => p.name === 'pbx')!.host, '192.0.2.50');
  const badPbx = await op.put('/config/pbxs/pbx', { ...pbx.body, port: 0 });
  assert.equal(badPbx.status, 400);
  assert.deepEqual(badPbx.body.error.problems.map((p: { path: string; field: string }) => [p.path, p.field]), [['/pbxs/0/port', '/port']]);
  assert.equal((await op.get('/config/pbxs/nope')).status, 404);

  const routes = await op.get('/config/routes');
  assert.equal(routes.status, 200);
  const route = await op.get(`/config/routes/${routes.body[0].name}`);
  assert.equal(route.status, 200);
  const badRoute = await op.put(`/config/routes/${route.body.name}`, { ...route.body, to: { trunk: 'no-such-trunk' } });
  assert.equal(badRoute.status, 400);
  assert.ok(badRoute.body.error.problems.some((p: { field: string }) => p.field === '/to/trunk'), badRoute.text);
  const prio = await op.put(`/config/routes/${route.body.name}`, { ...route.body, priority: 7 });
  assert.equal(prio.status, 200, prio.text);
  assert.equal(fx.store.candidate().routes[0]!.priority, 7);

  assert.deepEqual((await op.get('/config/sip_domains')).body, []);
  const dom = await op.post('/config/sip_domains', { name: 'acme', region: 'us' });
  assert.equal(dom.status, 201, dom.text);
  const got = await op.get('/config/sip_domains/acme');
  assert.equal(got.status, 200);
  assert.equal(got.body.region, 'us');
  const eu = await op.put('/config/sip_domains/acme', { ...got.body, region: 'eu' });
  assert.equal(eu.status, 200, eu.text);
  assert.equal(fx.store.candidate().sip_domains[0]!.region, 'eu');
  const badDom = await op.put('/config/sip_domains/acme', { ...got.body, region: 'mars' });
  assert.equal(badDom.status, 400);
  assert.equal(badDom.body.error.problems[0].field, '/region');
  assert.equal((await op.del('/config/sip_domains/acme')).status, 204);
  assert.equal((await op.get('/config/sip_domains/acme')).status, 404);

  // A trunk a route still uses cannot go; once the route points elsewhere it can.
  const inUse = await op.del('/config/trunks/vonage');
  assert.equal(inUse.status, 400, inUse.text);
  assert.ok(inUse.body.error.problems.length > 0, 'the refusal names what still uses it');
  await op.put('/config/candidate', { ...fx.store.candidate(), routes: [] });
  assert.equal((await op.del('/config/trunks/vonage')).status, 204);
  assert.deepEqual(fx.store.candidate().trunks, []);
});

test('sections: each GET is its part of the candidate, each PUT replaces only it', async (t) => {
  const fx = await apiFixture(t);
  const op = await fx.as('operator');
  const cand = fx.store.candidate();
  const parts = {
    system: await op.get('/config/section/system'),
    tls: await op.get('/config/section/tls'),
    media: await op.get('/config/section/media'),
    firewall: await op.get('/config/section/firewall'),
    api: await op.get('/config/section/api'),
    cdr: await op.get('/config/section/cdr'),
  };
  for (const [name, r] of Object.entries(parts)) {
    assert.equal(r.status, 200, name);
    assert.deepEqual(r.body, cand[name as keyof typeof parts], name);
  }
  const tls = await op.put('/config/section/tls', { ...cand.tls, min_version: '1.3' });
  assert.equal(tls.status, 200, tls.text);
  assert.equal(fx.store.candidate().tls.min_version, '1.3');
  const media = await op.put('/config/section/media', { ...cand.media, timeout_s: 120 });
  assert.equal(media.status, 200, media.text);
  assert.equal(fx.store.candidate().media.timeout_s, 120);
  const fw = await op.put('/config/section/firewall', { ...cand.firewall, enabled: !cand.firewall.enabled });
  assert.equal(fw.status, 200, fw.text);
  assert.equal(fx.store.candidate().firewall.enabled, !cand.firewall.enabled);
  const cdr = await op.put('/config/section/cdr', { ...cand.cdr, retention_days: 7 });
  assert.equal(cdr.status, 200, cdr.text);
  assert.equal(fx.store.candidate().cdr.retention_days, 7);
  const bad = await op.put('/config/section/cdr', { ...cand.cdr, retention_days: -1 });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.problems[0].path, '/cdr/retention_days', bad.text);
  assert.equal(fx.store.candidate().system.name, cand.system.name, 'other sections untouched');
});

test('GET /audit: newest first, filtered by action and user, bounded by limit', async (t) => {
  const fx = await apiFixture(t);
  const admin = await fx.as('admin');
  const op = await fx.as('operator');
  await op.put('/config/section/system', { ...fx.store.candidate().system, name: 'audited' });
  await op.post('/config/commit', { comment: 'for the audit' });

  const all = await admin.get('/audit');
  assert.equal(all.status, 200);
  assert.equal(all.body[0].action, 'commit');
  assert.match(all.body[1].action, /^candidate\./);
  const edit = all.body[1];
  assert.equal(edit.user, 'operator');
  assert.match(edit.detail, /\/system\/name/, 'the detail is the diff');
  assert.ok(all.body.every((e: { at: string }, i: number, a: Array<{ at: string }>) => i === 0 || a[i - 1]!.at >= e.at), 'newest first');
  const logins = await admin.get('/audit?action=login&user=admin');
  assert.ok(logins.body.length >= 1);
  assert.ok(logins.body.every((e: { action: string; user: string }) => e.action.startsWith('login') && e.user === 'admin'));
  assert.equal((await admin.get('/audit?limit=1')).body.length, 1);
  const bad = await admin.get('/audit?limit=0&colour=red');
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.error.problems.map((p: { path: string }) => p.path).sort(), ['/colour', '/limit']);
  assert.equal((await (await fx.as('viewer')).get('/audit')).status, 403, 'the audit trail is not for viewers');
});
