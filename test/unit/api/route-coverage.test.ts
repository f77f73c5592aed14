// Every route of the OpenAPI document has a test of its own here: some
// test file in test/unit/api/ calls it by its path and method (besides the
// walks over all routes for sessions, CSRF, roles and secrets in roles.test
// and secrets.test). A new route without a test fails this one, naming it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../integration/harness/paths.js';
import { apiFixture } from './fixture.js';

const TEST_DIR = join(repoRoot, 'test', 'unit', 'api');
const CLIENT_METHOD: Record<string, string> = { GET: 'get', POST: 'post', PUT: 'put', DELETE: 'del' };

function escape(s: string): string {
  return s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
}

// `.put('/config/trunks/vg'`, `.get(\`/cdrs/${id}\``, `.request('POST', '/config/import'`,
// `path: '/api/v1/events'`:
// a path parameter matches one segment, literal or interpolated.
export function callPattern(method: string, path: string): RegExp {
  const segment = String.raw`(?:\$\{[^}]*\}|[^/'"\x60?$]+)`;
  const p = escape(path).replace(/\\?\{[a-z_]+\\?\}/gi, segment);
  const end = String.raw`['"\x60?]`;
  const q = String.raw`['"\x60]`;
  // A GET over a real socket (the event stream): http.request({ path: '/api/v1/...' }).
  const socket = method === 'GET' ? String.raw`|path:\s*${q}/api/v1${p}${end}` : '';
  return new RegExp(String.raw`(?:\.${CLIENT_METHOD[method]}\(${q}${p}${end}|\.request\(${q}${method}${q},\s*${q}${p}${end}${socket})`);
}

test('every route in openapi.json is called by name in some API test', async (t) => {
  const fx = await apiFixture(t);
  const spec = (await (await fx.as('viewer')).get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  const sources = readdirSync(TEST_DIR)
    .filter((f) => f.endsWith('.test.ts') && f !== 'route-coverage.test.ts')
    .map((f) => readFileSync(join(TEST_DIR, f), 'utf8'))
    .join('\n');
  const routes = Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path })));
  assert.ok(routes.length >= 45, `${routes.length} routes`);
  const untested = routes.filter((r) => !callPattern(r.method, r.path).test(sources)).map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(untested, [], 'routes with no test in test/unit/api/');
});

test('the route pattern matches literal and interpolated calls, and not other routes', () => {
  assert.ok(callPattern('PUT', '/config/trunks/{name}').test(".put('/config/trunks/vg', body)"));
  assert.ok(callPattern('GET', '/cdrs/{id}').test('.get(`/cdrs/${first.id}`)'));
  assert.ok(callPattern('POST', '/config/import').test(".request('POST', '/config/import', text)"));
  assert.ok(callPattern('GET', '/cdrs').test(".get('/cdrs?number=1')"));
  assert.ok(!callPattern('GET', '/cdrs').test(".get('/cdrs/summary')"));
  assert.ok(!callPattern('GET', '/config/trunks/{name}').test(".get('/config/trunks')"));
  assert.ok(!callPattern('DELETE', '/bans').test(".get('/bans')"));
  assert.ok(callPattern('GET', '/events').test("request({ host, port, path: '/api/v1/events', headers })"));
});
