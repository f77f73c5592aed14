// The OpenAPI document comes from the route schemas, which come from the
// config object schemas: secrets are writeOnly in it too. Schemas used in
// more than one place are shared components ($ref), which keeps it small.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiFixture } from './fixture.js';

test('GET /openapi.json lists every route of the contract with its schemas', async (t) => {
  const fx = await apiFixture(t);
  const spec = (await (await fx.as('viewer')).get('/openapi.json')).body;
  assert.equal(spec.openapi, '3.1.0');
  const have = new Set(Object.entries(spec.paths as Record<string, object>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
  const contract = [
    'POST /auth/login', 'POST /auth/logout', 'GET /auth/me', 'POST /auth/password', 'GET /schema',
    'GET /config/candidate', 'PUT /config/candidate', 'GET /config/running',
    'GET /config/trunks', 'POST /config/trunks', 'GET /config/trunks/{name}', 'PUT /config/trunks/{name}', 'DELETE /config/trunks/{name}',
    'GET /config/pbxs', 'POST /config/routes', 'DELETE /config/sip_domains/{name}',
    'GET /config/section/firewall', 'PUT /config/section/api', 'GET /config/sides/{name}', 'PUT /config/sides/{name}', 'DELETE /config/sides/{name}',
    'GET /config/diff', 'POST /config/commit', 'POST /config/confirm', 'POST /config/rollback', 'GET /config/history',
    'GET /calls', 'GET /trunks/health', 'GET /bans', 'DELETE /bans/{ip}', 'DELETE /bans', 'GET /system', 'GET /cdrs',
    'GET /config/export', 'POST /config/import',
    'GET /users', 'GET /audit', 'GET /vonage/dashboard-uri', 'GET /pbx-snippets/{kind}', 'GET /events',
  ];
  assert.deepEqual(contract.filter((r) => !have.has(r)), []);
  const resolve = (x: any): any => {
    if (!x?.$ref) return x;
    const [, kind, name] = /^#\/components\/(schemas|responses)\/(.+)$/.exec(x.$ref) ?? [];
    assert.ok(kind && spec.components[kind][name!], `dangling ${x.$ref}`);
    return resolve(spec.components[kind!][name!]);
  };
  // Every $ref points at something.
  JSON.stringify(spec, (k, v) => (k === '$ref' ? resolve({ $ref: v }) && v : v));
  const trunkBody = resolve(spec.paths['/config/trunks'].post.requestBody.content['application/json'].schema);
  assert.equal(resolve(trunkBody.properties.api_secret).writeOnly, true);
  assert.deepEqual(trunkBody.required, ['name'], 'fields with defaults may be left out');
  const trunkOut = resolve(resolve(spec.paths['/config/trunks/{name}'].get.responses['200']).content['application/json'].schema);
  assert.ok(trunkOut.required.includes('api_secret'));
  assert.ok(spec.paths['/auth/login'].post.responses['429']);
  assert.equal(spec.paths['/config/trunks/{name}'].put.responses['400'].$ref, '#/components/responses/Error');
  for (const name of ['Trunk', 'TrunkInput', 'Pbx', 'Route', 'Document', 'Error', 'FirewallSection']) {
    assert.ok(spec.components.schemas[name], `component ${name}`);
  }
  // Each object schema once, not once per route (it was ~650 KB with them inline).
  const bytes = JSON.stringify(spec).length;
  assert.ok(bytes < 150_000, `openapi.json is ${bytes} bytes`);
});
