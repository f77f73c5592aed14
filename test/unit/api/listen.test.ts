// HTTPS only, on the listen addresses only, and only for the admin networks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { apiAddresses, listenApi, sourceFilter } from '../../../src/api/listen.js';
import { defaultConfig } from '../../../src/config/default-config.js';
import { apiFixture } from './fixture.js';

function selfSigned(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'c.pem');
  const keyFile = join(dir, 'k.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=test', '-days', '1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { certFile, keyFile };
}

function get(url: string, tls: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = (tls ? httpsRequest : httpRequest)(url, { rejectUnauthorized: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

test('listen addresses are the api sides’ addresses plus api.addresses, never a wildcard', () => {
  const doc = defaultConfig();
  assert.deepEqual(apiAddresses(doc), ['127.0.0.1']);
  doc.api.sides = ['lan', 'wan'];
  doc.api.addresses = ['192.0.2.7', '127.0.0.1'];
  assert.deepEqual(apiAddresses(doc), ['127.0.0.1', '127.0.0.2', '192.0.2.7']);
});

test('admin networks: sources inside are served, others not; [] = everyone', () => {
  const f = sourceFilter(['192.0.2.0/24', '2001:db8::/32']);
  assert.equal(f('192.0.2.77'), true);
  assert.equal(f('::ffff:192.0.2.77'), true);
  assert.equal(f('2001:db8::5'), true);
  assert.equal(f('198.51.100.1'), false);
  assert.equal(f(undefined), false);
  assert.equal(sourceFilter([])('203.0.113.1'), true);
});

test('HTTPS on the listen address; plain HTTP gets nothing; a source outside the admin networks is cut off', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'api-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tls = selfSigned(dir);
  const fx = await apiFixture(t);
  const l = await listenApi(fx.app, { addresses: ['127.0.0.1'], port: 0, tls, allowedNetworks: [] });
  t.after(() => l.close());
  const [hostPort] = l.bound;
  const r = await get(`https://${hostPort}/api/v1/auth/me`, true);
  assert.equal(r.status, 401);
  assert.equal(JSON.parse(r.body).error.code, 'ERR_NOT_AUTHENTICATED');
  const plain = await get(`http://${hostPort}/api/v1/auth/me`, false).then(
    (x) => `answered ${x.status}`,
    (e: Error) => e.message,
  );
  assert.ok(!plain.startsWith('answered 2') && !plain.startsWith('answered 4'), `plain HTTP: ${plain}`);

  const fx2 = await apiFixture(t);
  const closed = await listenApi(fx2.app, { addresses: ['127.0.0.1'], port: 0, tls, allowedNetworks: ['192.0.2.0/24'] });
  t.after(() => closed.close());
  await assert.rejects(get(`https://${closed.bound[0]}/api/v1/auth/me`, true), /ECONNRESET|socket hang up|disconnected/);
});
