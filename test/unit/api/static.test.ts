// The web UI's static files at /, index.html for the app's own routes, the
// security headers on both; the API's 404s stay JSON.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildApiServer } from '../../../src/api/server.js';
import { ConfigStore } from '../../../src/config/store.js';
import { createLogger } from '../../../src/log.js';

test('serves web-ui/dist with a strict CSP; unknown pages get index.html, unknown API routes JSON 404', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'webroot-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>EdgeSBC</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  const store = ConfigStore.open(':memory:');
  const { app } = await buildApiServer({ store, log: createLogger('silent') }, { webRoot: root });
  t.after(async () => {
    await app.close();
    store.close();
  });
  const index = await app.inject({ method: 'GET', url: '/' });
  assert.equal(index.statusCode, 200);
  assert.match(index.body, /<title>EdgeSBC/);
  assert.match(String(index.headers['content-security-policy']), /script-src 'self';/);
  assert.match(String(index.headers['content-security-policy']), /frame-ancestors 'none'/);
  assert.equal(index.headers['x-frame-options'], 'DENY');
  const js = await app.inject({ method: 'GET', url: '/assets/app.js' });
  assert.equal(js.statusCode, 200);
  assert.match(String(js.headers['content-type']), /javascript/);
  const deep = await app.inject({ method: 'GET', url: '/config/trunks' });
  assert.equal(deep.statusCode, 200);
  assert.match(deep.body, /<title>EdgeSBC/);
  const api = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
  assert.equal(api.statusCode, 404);
  assert.equal(JSON.parse(api.body).error.code, 'ERR_NO_SUCH_ROUTE');
  const post = await app.inject({ method: 'POST', url: '/somewhere', payload: {} });
  assert.equal(post.statusCode, 404);
});
