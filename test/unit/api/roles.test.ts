// Every route, from the OpenAPI document (so a new route is covered without
// editing this file): no session -> 401; a non-GET without the CSRF token
// -> 403 ERR_CSRF; and the role each route needs, per role.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiFixture, type Client } from './fixture.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

async function routes(c: Client): Promise<Array<{ method: Method; url: string }>> {
  const spec = (await c.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  const out: Array<{ method: Method; url: string }> = [];
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const m of Object.keys(ops)) {
      if (m === 'head') continue;
      // Path parameters get a value that exists in the default config where it matters.
      const url = path
        .replace('{name}', path.includes('/sides/') ? 'lan' : path.includes('/trunks/') ? 'vonage' : path.includes('/pbxs/') ? 'pbx' : path.includes('/routes/') ? 'pbx-to-vonage' : 'dummy')
        .replace('{ip}', '192.0.2.99')
        .replace('{id}', '1')
        .replace('{kind}', 'freeswitch');
      out.push({ method: m.toUpperCase() as Method, url });
    }
  }
  return out;
}

test('every route needs a session, and every non-GET the CSRF token', async (t) => {
  const fx = await apiFixture(t);
  const admin = await fx.as('admin');
  const all = await routes(admin);
  assert.ok(all.length >= 40, `only ${all.length} routes`);
  const anon = fx.client();
  for (const r of all) {
    const res = await anon.request(r.method, r.url, r.method === 'GET' ? undefined : {});
    if (r.url === '/auth/login') continue;
    assert.equal(res.status, 401, `${r.method} ${r.url}: ${res.text}`);
    assert.equal(res.body.error.code, 'ERR_NOT_AUTHENTICATED');
  }
  for (const r of all.filter((x) => x.method !== 'GET' && x.url !== '/auth/login')) {
    const res = await admin.request(r.method, r.url, {}, { 'x-csrf-token': 'wrong' });
    assert.equal(res.status, 403, `${r.method} ${r.url}`);
    assert.equal(res.body.error.code, 'ERR_CSRF', `${r.method} ${r.url}`);
  }
});

// The least role per route: viewer reads, operator edits config and bans, admin manages users.
function needs(method: Method, url: string): 'viewer' | 'operator' | 'admin' {
  if (url.startsWith('/users')) return 'admin';
  if (url.startsWith('/audit')) return 'operator';
  if (url.startsWith('/auth/')) return 'viewer';
  return method === 'GET' ? 'viewer' : 'operator';
}

test('roles: viewer reads, operator edits the config and bans, only admin manages users', async (t) => {
  const fx = await apiFixture(t);
  await fx.store.addUser({ name: 'dummy', password: 'dummy-password' });
  const clients = { viewer: await fx.as('viewer'), operator: await fx.as('operator'), admin: await fx.as('admin') };
  const all = (await routes(clients.admin)).filter((r) => !['/auth/login', '/auth/logout', '/auth/password', '/events'].includes(r.url));
  const rank = { viewer: 1, operator: 2, admin: 3 } as const;
  for (const r of all) {
    const need = needs(r.method, r.url);
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const res = await clients[role].request(r.method, r.url, r.method === 'GET' ? undefined : {});
      if (rank[role] < rank[need]) {
        assert.equal(res.status, 403, `${role} ${r.method} ${r.url}: ${res.text}`);
        assert.equal(res.body.error.code, 'ERR_FORBIDDEN');
        assert.match(res.body.error.message, new RegExp(`needs the ${need} role`));
      } else {
        // Allowed: whatever the outcome (400 for the empty body, 503 for a part not wired here), never 401/403.
        assert.ok(![401, 403].includes(res.status) || res.body.error?.code === 'ERR_LAST_ADMIN', `${role} ${r.method} ${r.url}: ${res.status} ${res.text}`);
      }
    }
  }
  // A role change takes effect on the next request, without a new login.
  const viewer = clients.viewer;
  assert.equal((await viewer.put('/config/section/system', { name: 'x' })).status, 403);
  fx.store.setRole('viewer', 'operator');
  assert.equal((await viewer.put('/config/section/system', { name: 'x' })).status, 200);
});
