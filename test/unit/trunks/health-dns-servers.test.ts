// sip.dns_servers: the DNS servers the SIP engine asks for RFC 3263
// resolution of trunk hosts (V-OUT-3), a list of ip[:port]; [] = the system
// resolver. Accepted forms, refusals with their path, the default, and a
// stored config without the field reading back with it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { defaultConfig } from '../../../src/config/default-config.js';
import { ConfigError } from '../../../src/config/errors.js';
import { migrate } from '../../../src/config/migrate.js';
import { migrations } from '../../../src/config/migrations/index.js';
import { readLayer, writeLayer } from '../../../src/config/tables.js';
import { validateDocument } from '../../../src/config/validate.js';

function withDns(servers: unknown): unknown {
  const doc = defaultConfig() as unknown as { sip: Record<string, unknown> };
  doc.sip.dns_servers = servers;
  return doc;
}

function problemsOf(doc: unknown): { path: string; message: string }[] {
  try {
    validateDocument(doc);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.errors;
  }
  return [];
}

test('sip.dns_servers defaults to [] (the system resolver)', () => {
  assert.deepEqual(defaultConfig().sip.dns_servers, []);
  const doc = validateDocument({
    version: 1,
    sides: { lan: { addresses: ['10.0.0.1'] }, wan: { addresses: ['10.0.1.1'] } },
    trunks: [],
    pbxs: [],
    routes: [],
  });
  assert.deepEqual(doc.sip.dns_servers, []);
});

test('sip.dns_servers takes ip, ip:port, ipv6 and [ipv6]:port', () => {
  const servers = ['198.51.100.53', '192.0.2.53:5353', '2001:db8::53', '[2001:db8::53]:53', '::1'];
  assert.deepEqual(validateDocument(withDns(servers)).sip.dns_servers, servers);
});

test('sip.dns_servers refuses names, bad addresses, bad ports and duplicates, with the path', () => {
  const bad: Array<[unknown, string]> = [
    [['dns.example.net'], '/sip/dns_servers/0'],
    [['198.51.100.300'], '/sip/dns_servers/0'],
    [['198.51.100.53:0'], '/sip/dns_servers/0'],
    [['198.51.100.53:65536'], '/sip/dns_servers/0'],
    [['192.0.2.1', '2001:db8::53:99999'], '/sip/dns_servers/1'],
    [['[2001:db8::53]:'], '/sip/dns_servers/0'],
    [[':::'], '/sip/dns_servers/0'],
    [['1:2:3'], '/sip/dns_servers/0'],
    [['192.0.2.1 '], '/sip/dns_servers/0'],
    [['192.0.2.1', '192.0.2.1'], '/sip/dns_servers'],
    ['192.0.2.1', '/sip/dns_servers'],
  ];
  for (const [value, path] of bad) {
    const problems = problemsOf(withDns(value));
    assert.ok(problems.some((p) => p.path === path), `${JSON.stringify(value)}: expected a problem at ${path}, got ${JSON.stringify(problems)}`);
  }
});

test('a stored config from before sip.dns_servers reads back with the default', () => {
  const db = new Database(':memory:');
  migrate(db, migrations);
  const doc = defaultConfig();
  db.transaction(() => writeLayer(db, 'running', doc))();
  db.prepare("DELETE FROM settings WHERE key = '/sip/dns_servers'").run();
  assert.deepEqual(readLayer(db, 'running').sip.dns_servers, []);
  // And a list round-trips.
  doc.sip.dns_servers = ['198.51.100.53', '[2001:db8::53]:5353'];
  db.transaction(() => writeLayer(db, 'running', doc))();
  assert.deepEqual(readLayer(db, 'running').sip.dns_servers, ['198.51.100.53', '[2001:db8::53]:5353']);
});
