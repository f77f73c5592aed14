// Vonage helpers: the dashboard URI of a DID route; PBX snippets — both from
// src/trunks, through the API (a snippet never carries the PBX's password).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiFixture } from './fixture.js';

test('GET /vonage/dashboard-uri: the URI for a DID route, TLS and SRTP from its trunk; refusals say what to give', async (t) => {
  const fx = await apiFixture(t);
  const op = await fx.as('operator');
  await op.put('/config/sides/wan', { addresses: ['203.0.113.5'], udp: 5060, tcp: 5060, tls: 5061 });
  await op.post('/config/trunks', { name: 'vg', kind: 'vonage', country: 'GB', api_key: 'k', api_secret: 'dashboard-secret-1', endpoint_set: 'vonage-current', region: 'eu' });
  fx.secrets.push('dashboard-secret-1');
  await op.post('/config/routes', { name: 'did-1', from_side: 'wan', match: { ruri_user: '^442071234567$', from_trunk: 'vg' }, to: { pbx: 'pbx' } });
  const r = await op.get('/vonage/dashboard-uri?did_route=did-1');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, {
    route: 'did-1',
    did: '442071234567',
    uris: ['sip:442071234567@203.0.113.5;transport=tls;timeout=5000;media=srtp'],
    value: 'sip:442071234567@203.0.113.5;transport=tls;timeout=5000;media=srtp',
    transport: 'tls',
    notes: [],
  });
  const sips = await op.get('/vonage/dashboard-uri?did_route=did-1&legacy_sips=true&timeout_ms=8000');
  assert.equal(sips.body.value, 'sips:442071234567@203.0.113.5;timeout=8000;media=srtp');
  const generic = await op.get('/vonage/dashboard-uri?did_route=vonage-to-pbx');
  assert.equal(generic.status, 400);
  assert.deepEqual(generic.body.error.problems, [{ path: '/did', message: 'is required for this route' }]);
  const withDid = await op.get('/vonage/dashboard-uri?did_route=vonage-to-pbx&did=14155550100');
  assert.equal(withDid.body.value, 'sip:14155550100@203.0.113.5;transport=tls;timeout=5000');
  const wrongDid = await op.get('/vonage/dashboard-uri?did_route=did-1&did=14155550100');
  assert.equal(wrongDid.status, 400);
  assert.match(wrongDid.body.error.message, /does not match route "did-1"/);
  assert.equal((await op.get('/vonage/dashboard-uri?did_route=nope')).status, 404);
  assert.equal((await op.get('/vonage/dashboard-uri')).body.error.problems[0].path, '/did_route');
  assert.deepEqual((await op.get('/vonage/dashboard-uri?did_route=did-1&timeout_ms=100')).body.error.problems, [{ path: '/timeout_ms', message: 'must be >= 2000' }]);
  assert.equal((await op.get('/vonage/dashboard-uri?did_route=did-1&layer=running')).status, 404, 'running has no such route yet');
});

test('GET /pbx-snippets/:kind: a file to download (or JSON), for the first or a named PBX, never with the password', async (t) => {
  const fx = await apiFixture(t);
  const op = await fx.as('operator');
  await op.post('/config/pbxs', { name: 'pbx2', host: '', registration: { mode: 'register', username: 'pbx2user', password: 'Snippet-Secret-7' } });
  fx.secrets.push('Snippet-Secret-7');
  await op.post('/config/commit');
  const v = await fx.as('viewer');
  const r = await v.get('/pbx-snippets/asterisk-pjsip');
  assert.equal(r.status, 200, r.text);
  assert.match(String(r.headers['content-type']), /^text\/plain/);
  assert.equal(r.headers['content-disposition'], 'attachment; filename="edgesbc-pbx-pjsip.conf"');
  assert.match(r.text, /127\.0\.0\.1/);
  const reg = await v.get('/pbx-snippets/freeswitch?pbx=pbx2&format=json');
  assert.equal(reg.status, 200, reg.text);
  assert.equal(reg.body.pbx, 'pbx2');
  assert.ok(reg.body.files.length > 1);
  assert.ok(reg.text.includes('pbx2user') && reg.text.includes('CHANGE_ME'), 'a placeholder where the password goes');
  assert.equal((await v.get('/pbx-snippets/cisco')).status, 400);
  assert.equal((await v.get('/pbx-snippets/freepbx?pbx=nope')).status, 404);
});
