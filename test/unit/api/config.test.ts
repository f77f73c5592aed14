// Config routes on the candidate: whole documents, collections, sections,
// sides, diff, commit / commit confirmed / confirm / rollback / discard,
// history, export — refusals with every problem's path, audit entries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiFixture } from './fixture.js';

const vonageTrunk = {
  name: 'vg',
  kind: 'vonage',
  country: 'GB',
  api_key: 'key123',
  api_secret: 'Sup3rSecretValue',
  endpoint_set: 'vonage-current',
  region: 'eu',
};

type Problem = { path: string; message: string; field?: string };
const paths = (problems: Problem[]) => problems.map((p) => p.path).sort();

test('GET candidate and running; PUT the whole candidate (valid, then refused with every problem)', async (t) => {
  const fx = await apiFixture(t);
  const c = await fx.as('operator');
  const cand = await c.get('/config/candidate');
  assert.equal(cand.status, 200);
  assert.deepEqual(cand.body, fx.store.candidate());
  assert.deepEqual((await c.get('/config/running')).body, fx.store.running());

  const doc = structuredClone(cand.body) as any;
  doc.system.name = 'box-1';
  const ok = await c.put('/config/candidate', doc);
  assert.equal(ok.status, 200);
  assert.equal(ok.body.system.name, 'box-1');
  assert.equal(fx.store.candidate().system.name, 'box-1');
  assert.equal(fx.store.running().system.name, 'edgesbc', 'running changes only at commit');

  const bad = structuredClone(cand.body) as any;
  bad.system.log_level = 'loud';
  bad.sip.timers.t1_ms = 'fast';
  bad.trunks[0].endpoints[0].port = 70000;
  bad.nonsense = 1;
  const r = await c.put('/config/candidate', bad);
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'ERR_VALIDATION');
  assert.deepEqual(paths(r.body.error.problems), ['/nonsense', '/sip/timers/t1_ms', '/system/log_level', '/trunks/0/endpoints/0/port']);
  assert.match(r.body.error.problems.find((p: Problem) => p.path === '/system/log_level').message, /must be one of "trace"/);

  // Structurally fine, semantically not: the store's problems, with paths.
  const semantic = structuredClone(cand.body) as any;
  semantic.routes[0].to = { trunk: 'nope' };
  semantic.pbxs[0].side = 'dmz';
  const s = await c.put('/config/candidate', semantic);
  assert.equal(s.status, 400);
  assert.equal(s.body.error.code, 'ERR_CONFIG_INVALID');
  assert.deepEqual(paths(s.body.error.problems), ['/pbxs/0/side', '/routes/0/to/trunk']);
  assert.equal(fx.store.candidate().system.name, 'box-1', 'a refusal changes nothing');
});

test('collections: create, conflict, get, replace (and rename), delete; refusals point into the object', async (t) => {
  const fx = await apiFixture(t);
  fx.secrets.push(vonageTrunk.api_secret);
  const c = await fx.as('operator');

  const created = await c.post('/config/trunks', vonageTrunk);
  assert.equal(created.status, 201, created.text);
  assert.equal(created.headers.location, '/api/v1/config/trunks/vg');
  assert.equal(created.body.api_secret, '********');
  assert.equal(created.body.transport, 'tls', 'defaults filled in');
  assert.equal(fx.store.candidate().trunks[1]!.api_secret, vonageTrunk.api_secret, 'stored in clear for the digest');

  const again = await c.post('/config/trunks', vonageTrunk);
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'ERR_EXISTS');

  const badShape = await c.post('/config/trunks', { kind: 'vonage', transport: 'sctp', endpoints: [{ host: '' }] });
  assert.equal(badShape.status, 400);
  assert.deepEqual(
    badShape.body.error.problems.map((p: Problem) => [p.path, p.field]).sort(),
    [
      ['/trunks/2/endpoints/0/host', '/endpoints/0/host'],
      ['/trunks/2/name', '/name'],
      ['/trunks/2/transport', '/transport'],
    ],
  );
  const badMeaning = await c.post('/config/trunks', { name: 'vg2', kind: 'vonage', endpoint_set: 'vonage-current', region: 'eu' });
  assert.equal(badMeaning.status, 400);
  assert.equal(badMeaning.body.error.code, 'ERR_CONFIG_INVALID');
  const fields = badMeaning.body.error.problems.map((p: Problem) => p.field).sort();
  assert.deepEqual(fields, ['/api_key', '/country']);
  assert.ok(badMeaning.body.error.problems.every((p: Problem) => p.path.startsWith('/trunks/2/')));

  const got = await c.get('/config/trunks/vg');
  assert.equal(got.status, 200);
  assert.equal(got.body.api_secret, '********');
  assert.equal((await c.get('/config/trunks/none')).status, 404);
  assert.equal((await c.get('/config/trunks')).body.length, 2);

  // Replace with the masked secret (what a form sends back): the secret stays; rename too.
  const edited = { ...got.body, name: 'vg-eu', country: 'IE' };
  const put = await c.put('/config/trunks/vg', edited);
  assert.equal(put.status, 200, put.text);
  assert.equal(put.body.name, 'vg-eu');
  const stored = fx.store.candidate().trunks.find((x) => x.name === 'vg-eu')!;
  assert.equal(stored.api_secret, vonageTrunk.api_secret, 'masked secret kept across the rename');
  assert.equal(stored.country, 'IE');
  assert.equal((await c.put('/config/trunks/vg', edited)).status, 404);
  const badPut = await c.put('/config/trunks/vg-eu', { ...edited, options_ping_s: -1 });
  assert.deepEqual(badPut.body.error.problems, [{ path: '/trunks/1/options_ping_s', message: 'must be >= 0', field: '/options_ping_s' }]);

  // A PBX and a DID route with ordered targets.
  assert.equal((await c.post('/config/pbxs', { name: 'pbx2', host: '192.0.2.30' })).status, 201);
  const route = await c.post('/config/routes', { name: 'did-44', from_side: 'wan', match: { ruri_user: '^441234$' }, to: { pbxs: [{ pbx: 'pbx2' }, { pbx: 'pbx' }] } });
  assert.equal(route.status, 201, route.text);
  assert.equal(route.body.to.pbxs[0].timeout_ms, 5000);
  const twoTargets = await c.post('/config/routes', { name: 'r2', from_side: 'wan', to: { pbx: 'pbx', trunk: 'vg-eu' } });
  assert.deepEqual(twoTargets.body.error.problems, [{ path: '/routes/3/to', message: 'must name exactly one of trunk, pbx, pbxs', field: '/to' }]);

  // Deleting what a route uses is refused with the route's path.
  const used = await c.del('/config/pbxs/pbx2');
  assert.equal(used.status, 400);
  assert.equal(used.body.error.code, 'ERR_CONFIG_INVALID');
  assert.ok(used.body.error.problems.some((p: Problem) => p.path.startsWith('/routes/2/to/pbxs/0')), used.text);
  assert.equal((await c.del('/config/routes/did-44')).status, 204);
  assert.equal((await c.del('/config/pbxs/pbx2')).status, 204);
  assert.equal((await c.del('/config/pbxs/pbx2')).status, 404);

  // Programmable SIP domains are a collection too.
  const dom = await c.post('/config/sip_domains', { name: 'acme', region: 'eu' });
  assert.equal(dom.status, 201, dom.text);
  const noRegion = await c.post('/config/sip_domains', { name: 'other' });
  assert.equal(noRegion.status, 400);
  assert.equal(noRegion.body.error.problems[0].field, '/region');

  // Every change is in the audit trail: who, from where, the diff.
  const audit = fx.store.auditLog(20).filter((e) => e.action === 'candidate.set');
  assert.ok(audit.length >= 6);
  assert.ok(audit.every((e) => e.user === 'operator' && e.source === 'api:127.0.0.1'));
  const rename = JSON.parse(audit.find((e) => e.detail.includes('"/trunks/vg-eu"'))!.detail) as { path: string; op: string }[];
  assert.deepEqual(rename.map((x) => [x.path, x.op]), [['/trunks/vg', 'remove'], ['/trunks/vg-eu', 'add']]);
});

test('sections and sides: get, replace, refusals with document paths', async (t) => {
  const fx = await apiFixture(t);
  const c = await fx.as('operator');
  assert.deepEqual((await c.get('/config/section/sip')).body, fx.store.candidate().sip);
  const r = await c.put('/config/section/system', { name: 'edge-2' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { name: 'edge-2', log_level: 'info' }, 'left-out fields take their defaults');
  const bad = await c.put('/config/section/sip', { timers: { t1_ms: 5000, t2_ms: 1000 }, retry_after_s: -1 });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.error.problems, [{ path: '/sip/retry_after_s', message: 'must be >= 0', field: '/retry_after_s' }]);
  const semantic = await c.put('/config/section/sip', { timers: { t1_ms: 5000, t2_ms: 1000 } });
  assert.deepEqual(semantic.body.error.problems, [{ path: '/sip/timers/t2_ms', message: 'must be >= t1_ms', field: '/timers/t2_ms' }]);
  const api = await c.put('/config/section/api', { sides: ['nowhere'], allowed_networks: ['10.0.0.1/8'] });
  assert.deepEqual(paths(api.body.error.problems), ['/api/allowed_networks/0', '/api/sides/0']);

  assert.deepEqual(Object.keys((await c.get('/config/sides')).body), ['lan', 'wan']);
  const dmz = await c.put('/config/sides/dmz', { addresses: ['192.0.2.1'], udp: 5080, tcp: 0, tls: 0 });
  assert.equal(dmz.status, 201, dmz.text);
  assert.equal(dmz.body.media.port_min, 10000);
  assert.equal((await c.put('/config/sides/dmz', { addresses: ['192.0.2.1'], udp: 5082, tcp: 0, tls: 0 })).status, 200);
  const badSide = await c.put('/config/sides/dmz', { addresses: ['not-an-ip'], udp: 5082, tcp: 0, tls: 0 });
  assert.deepEqual(badSide.body.error.problems, [{ path: '/sides/dmz/addresses/0', message: '"not-an-ip" is not an IPv4/IPv6 address', field: '/addresses/0' }]);
  const inUse = await c.del('/config/sides/lan');
  assert.equal(inUse.status, 400);
  assert.ok(inUse.body.error.problems.some((p: Problem) => p.path === '/pbxs/0/side'));
  assert.equal((await c.del('/config/sides/dmz')).status, 204);
  assert.equal((await c.get('/config/sides/dmz')).status, 404);
});

test('diff, commit, commit confirmed, confirm, rollback, discard, history, status, export', async (t) => {
  const fx = await apiFixture(t);
  const c = await fx.as('operator');
  assert.deepEqual((await c.get('/config/diff')).body, { changes: [] });
  await c.put('/config/section/system', { name: 'edge-3', log_level: 'debug' });
  const diff = await c.get('/config/diff');
  assert.deepEqual(diff.body.changes, [
    { path: '/system/name', op: 'change', from: 'edgesbc', to: 'edge-3' },
    { path: '/system/log_level', op: 'change', from: 'info', to: 'debug' },
  ]);
  assert.equal((await c.get('/config/status')).body.changes, 2);

  const commit = await c.post('/config/commit', { comment: 'rename' });
  assert.equal(commit.status, 200);
  assert.deepEqual([commit.body.id, commit.body.user, commit.body.comment, commit.body.kind], [2, 'operator', 'rename', 'commit']);
  assert.equal(fx.store.running().system.name, 'edge-3');
  assert.deepEqual((await c.get('/config/diff?from=1&to=2')).body.changes.map((x: { path: string }) => x.path), ['/system/name', '/system/log_level']);
  assert.equal((await c.get('/config/diff?to=2')).status, 400);

  const noConfirm = await c.post('/config/confirm');
  assert.equal(noConfirm.status, 409);
  assert.equal(noConfirm.body.error.code, 'ERR_CONFIG_NOTHING_TO_CONFIRM');

  await c.put('/config/section/system', { name: 'edge-4' });
  const badMinutes = await c.post('/config/commit', { confirmMinutes: 0 });
  assert.deepEqual(badMinutes.body.error.problems, [{ path: '/confirmMinutes', message: 'must be >= 1' }]);
  const confirmed = await c.post('/config/commit', { comment: 'try', confirmMinutes: 5 });
  assert.equal(confirmed.body.confirmState, 'pending');
  const status = await c.get('/config/status');
  assert.equal(status.body.pendingConfirm.id, confirmed.body.id);
  const ok = await c.post('/config/confirm');
  assert.equal(ok.body.confirmState, 'confirmed');
  assert.equal((await c.get('/config/status')).body.pendingConfirm, null);

  const rb = await c.post('/config/rollback', { n: 2 });
  assert.equal(rb.status, 200);
  assert.deepEqual([rb.body.kind, rb.body.rollbackOf], ['rollback', 2]);
  assert.equal(fx.store.running().system.name, 'edge-3');
  assert.equal((await c.post('/config/rollback', { n: 99 })).body.error.code, 'ERR_CONFIG_NO_SUCH_COMMIT');
  assert.deepEqual((await c.post('/config/rollback', {})).body.error.problems, [{ path: '/n', message: 'is required' }]);

  await c.put('/config/section/system', { name: 'scratch' });
  assert.equal((await c.post('/config/discard')).status, 200);
  assert.equal(fx.store.candidate().system.name, 'edge-3');

  const history = await c.get('/config/history?limit=2');
  assert.deepEqual(history.body.map((h: { id: number }) => h.id), [4, 3]);
  assert.equal((await c.get('/config/history?limit=0')).status, 400);

  const yaml = await c.get('/config/export?format=yaml&layer=running');
  assert.equal(yaml.status, 200);
  assert.match(String(yaml.headers['content-type']), /^application\/yaml/);
  assert.match(yaml.text, /^version: 1\nsystem:\n {2}name: edge-3\n/);
  const json = await c.get('/config/export?format=json');
  assert.equal(JSON.parse(json.text).system.name, 'edge-3');

  const actions = fx.store.auditLog(30).map((e) => `${e.user}:${e.action}`);
  for (const a of ['operator:commit', 'operator:confirm', 'operator:rollback', 'operator:candidate.discard']) assert.ok(actions.includes(a), a);
});

test('GET /schema is the config document schema with secrets writeOnly', async (t) => {
  const fx = await apiFixture(t);
  const c = await fx.as('viewer');
  const r = await c.get('/schema');
  assert.equal(r.status, 200);
  assert.equal(r.body.properties.trunks.items.properties.api_secret.writeOnly, true);
  assert.equal(r.body.properties.pbxs.items.properties.registration.properties.password.writeOnly, true);
  assert.ok(r.body.properties.api && r.body.properties.cdr);
});
