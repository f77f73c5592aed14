// Secrets are write-only: a Vonage API secret, a PBX REGISTER password and
// user passwords go in through the API and never come out — not from any GET
// route (all of them, from openapi.json), not in an error, not in the audit
// trail or a diff, not in the log. The fixture checks every response body
// and log line of the test for each secret.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CdrStore } from '../../../src/cdr/index.js';
import { fakeCalls, sampleCall } from './fakes.js';
import { apiFixture } from './fixture.js';

const API_SECRET = 'VonageSecret-4711';
const API_SECRET_2 = 'VonageSecret-0815';
const PBX_PASSWORD = 'PbxRegister-Pw-99';
const USER_PASSWORD = 'new-user-password-1';

test('secrets go in, and no GET route, error, diff, audit entry or log line gives them back', async (t) => {
  const cdrs = CdrStore.open(':memory:', { flushMs: 0 });
  t.after(() => cdrs.close());
  const fx = await apiFixture(t, {
    deps: {
      calls: fakeCalls([sampleCall]),
      cdrs,
      firewall: { enabled: true, listBans: () => [], unban: () => false, clearBans: () => 0 },
      trunkHealth: { trunkHealth: () => [] },
      system: async () => ({ hostname: 'x' }) as never,
    },
  });
  fx.secrets.push(API_SECRET, API_SECRET_2, PBX_PASSWORD, USER_PASSWORD);
  const admin = await fx.as('admin');

  const trunk = await admin.post('/config/trunks', { name: 'vg', kind: 'vonage', country: 'GB', api_key: 'key1', api_secret: API_SECRET, endpoint_set: 'vonage-current', region: 'eu' });
  assert.equal(trunk.status, 201, trunk.text);
  const pbx = await admin.post('/config/pbxs', { name: 'pbx2', host: '', registration: { mode: 'register', username: 'u2', password: PBX_PASSWORD } });
  assert.equal(pbx.status, 201, pbx.text);
  assert.equal((await admin.post('/config/commit', { comment: 'with secrets' })).status, 200);
  // A changed secret: the diff says it changed, never what to.
  const again = await admin.put('/config/trunks/vg', { ...trunk.body, api_secret: API_SECRET_2 });
  assert.equal(again.status, 200, again.text);
  const diff = await admin.get('/config/diff');
  assert.deepEqual(diff.body.changes, [{ path: '/trunks/vg/api_secret', op: 'change', from: '********', to: '********' }]);
  assert.equal((await admin.post('/config/commit')).status, 200);
  // Refusals with a secret in the body do not quote it.
  const refused = await admin.put('/config/trunks/vg', { ...trunk.body, api_secret: `${API_SECRET}\nX-Injected: 1` });
  assert.equal(refused.status, 400);
  const user = await admin.post('/users', { name: 'dave', password: USER_PASSWORD, role: 'viewer' });
  assert.equal(user.status, 201);
  assert.equal((await admin.post('/users', { name: 'dave', password: USER_PASSWORD })).status, 409);

  // Every GET route.
  const spec = (await admin.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  let n = 0;
  for (const [path, ops] of Object.entries(spec.paths)) {
    if (!('get' in ops) || path === '/events') continue;
    const url = path
      .replace('{name}', path.includes('/trunks/') ? 'vg' : path.includes('/pbxs/') ? 'pbx2' : path.includes('/sides/') ? 'wan' : path.includes('/routes/') ? 'pbx-to-vonage' : path.includes('/users/') ? 'dave' : 'x')
      .replace('{id}', '1')
      .replace('{kind}', 'asterisk-pjsip');
    const r = await admin.get(url);
    assert.ok(r.status < 500, `${url}: ${r.status} ${r.text}`);
    n++;
  }
  assert.ok(n >= 25, `${n} GET routes`);
  for (const url of ['/config/export?format=yaml&layer=running', '/config/export?format=json&layer=candidate', '/config/diff?from=1&to=3', '/audit?limit=1000', '/pbx-snippets/freeswitch?pbx=pbx2&format=json', '/pbx-snippets/asterisk-sip?pbx=pbx2']) {
    assert.equal((await admin.get(url)).status, 200, url);
  }
  const masked = (await admin.get('/config/running')).body;
  assert.equal(masked.trunks.find((x: { name: string }) => x.name === 'vg').api_secret, '********');
  assert.equal(masked.pbxs.find((x: { name: string }) => x.name === 'pbx2').registration.password, '********');
  assert.equal(fx.store.running().trunks.find((x) => x.name === 'vg')!.api_secret, API_SECRET_2, 'stored for the digest');
  assert.ok(!JSON.stringify(fx.store.auditLog()).includes(API_SECRET), 'the audit trail');
});
