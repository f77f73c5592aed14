// POST /config/import: the whole candidate from a YAML or JSON document, as
// saved from GET /config/export. A round trip changes nothing (masked secrets
// keep the stored ones); refusals name each field path and its reason, and
// leave the candidate as it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiFixture } from './fixture.js';

const SECRET = 'ImportedSecret-77';
const YAML = { 'content-type': 'application/yaml' };
const JSON_TYPE = { 'content-type': 'application/json' };

test('import: export then import (YAML and JSON) is no change; an edited document becomes the candidate', async (t) => {
  const fx = await apiFixture(t);
  fx.secrets.push(SECRET);
  const op = await fx.as('operator');
  const trunk = await op.post('/config/trunks', { name: 'vg', kind: 'vonage', country: 'GB', api_key: 'k1', api_secret: SECRET, endpoint_set: 'vonage-current', region: 'eu' });
  assert.equal(trunk.status, 201, trunk.text);

  for (const [format, headers] of [['yaml', YAML], ['json', JSON_TYPE]] as const) {
    const exported = await op.get(`/config/export?layer=candidate&format=${format}`);
    assert.equal(exported.status, 200);
    assert.ok(exported.text.includes('********') && !exported.text.includes(SECRET), 'the export masks the secret');
    const before = (await op.get('/config/diff')).body.changes;
    const back = await op.request('POST', '/config/import', exported.text, headers);
    assert.equal(back.status, 200, back.text);
    assert.deepEqual((await op.get('/config/diff')).body.changes, before, `${format}: a round trip changes nothing`);
    assert.equal(fx.store.candidate().trunks.find((x) => x.name === 'vg')!.api_secret, SECRET, `${format}: the masked secret kept the stored one`);
  }

  const yaml = (await op.get('/config/export?layer=candidate&format=yaml')).text.replace(/^ {2}name: edgesbc$/m, '  name: imported-box');
  assert.notEqual(yaml, (await op.get('/config/export?layer=candidate&format=yaml')).text, 'the edit hit the system name');
  const r = await op.request('POST', '/config/import', yaml, { 'content-type': 'application/x-yaml; charset=utf-8' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.system.name, 'imported-box');
  assert.equal(fx.store.candidate().system.name, 'imported-box');
  assert.equal(fx.store.running().system.name, 'edgesbc', 'an import is a candidate edit: running changes at commit');
  const audit = fx.store.auditLog().find((e) => e.action === 'candidate.import');
  assert.equal(audit?.user, 'operator', 'the import is audited with who did it');
});

test('import refusals: syntax, every field path with its reason, wrong media type, role, CSRF', async (t) => {
  const fx = await apiFixture(t);
  const op = await fx.as('operator');
  const before = fx.store.candidate();

  const syntax = await op.request('POST', '/config/import', 'system:\n  name: [unclosed\n', YAML);
  assert.equal(syntax.status, 400);
  assert.equal(syntax.body.error.code, 'ERR_CONFIG_INVALID');
  assert.match(syntax.body.error.problems[0].message, /^YAML syntax error/);
  const badJson = await op.request('POST', '/config/import', '{"system": ', JSON_TYPE);
  assert.equal(badJson.status, 400);
  assert.match(badJson.body.error.problems[0].message, /^JSON syntax error/);
  const dup = await op.request('POST', '/config/import', 'system:\n  name: a\n  name: b\n', YAML);
  assert.equal(dup.status, 400, 'a duplicate key is refused, not silently the last one');

  const doc = JSON.parse((await op.get('/config/export?layer=candidate&format=json')).text);
  doc.system.log_level = 'loud';
  doc.trunks[0].endpoints[0].port = 70000;
  doc.routes[0].to = { trunk: 'no-such-trunk' };
  doc.colour = 'red';
  const fields = await op.request('POST', '/config/import', JSON.stringify(doc), JSON_TYPE);
  assert.equal(fields.status, 400);
  assert.equal(fields.body.error.code, 'ERR_CONFIG_INVALID');
  const problems = fields.body.error.problems as Array<{ path: string; message: string }>;
  assert.ok(problems.some((p) => p.path === '/system/log_level' && /must be one of/.test(p.message)), JSON.stringify(problems));
  assert.ok(problems.some((p) => p.path === '/trunks/0/endpoints/0/port' && /65535/.test(p.message)), JSON.stringify(problems));
  assert.ok(problems.some((p) => p.path === '/colour' && p.message === 'unknown field'), JSON.stringify(problems));
  assert.match(fields.body.error.message, /fix each field named in problems/);
  // Semantic checks (a route to a trunk that does not exist) come once the shape is right.
  delete doc.colour;
  doc.system.log_level = 'info';
  doc.trunks[0].endpoints[0].port = 5060;
  const semantic = await op.request('POST', '/config/import', JSON.stringify(doc), JSON_TYPE);
  assert.equal(semantic.status, 400);
  assert.deepEqual(semantic.body.error.problems.map((p: { path: string }) => p.path), ['/routes/0/to/trunk']);
  assert.deepEqual(fx.store.candidate(), before, 'a refused import changes nothing');

  const plain = await op.request('POST', '/config/import', 'system: {}', { 'content-type': 'text/plain' });
  assert.equal(plain.status, 415);
  const viewer = await fx.as('viewer');
  const forbidden = await viewer.request('POST', '/config/import', 'system: {}', YAML);
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.body.error.code, 'ERR_FORBIDDEN');
  const noCsrf = await op.request('POST', '/config/import', 'system: {}', { ...YAML, 'x-csrf-token': 'stolen' });
  assert.equal(noCsrf.status, 403);
  assert.equal(noCsrf.body.error.code, 'ERR_CSRF');
});
