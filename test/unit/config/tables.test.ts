// Document <-> rows: the mapping round-trips exactly, per layer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { defaultConfig } from '../../../src/config/default-config.js';
import type { ConfigDocument } from '../../../src/config/document.js';
import { migrate } from '../../../src/config/migrate.js';
import { readLayer, writeLayer } from '../../../src/config/tables.js';
import { validateDocument } from '../../../src/config/validate.js';

function fresh(): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function richer(): ConfigDocument {
  return validateDocument({
    version: 1,
    system: { name: 'sbc-1.example.net', log_level: 'debug' },
    sip: { user_agent: 'Box/1.0 (test)', max_calls_in_progress: 50, retry_after_s: 0, shutdown_grace_s: 0 },
    tls: { min_version: '1.3', cert_file: '/etc/c.pem', key_file: '/etc/k.pem' },
    sides: {
      wan: { addresses: ['2001:db8::5', '192.0.2.5'], advertised_address: '198.51.100.1', udp: 0, tcp: 5060, tls: 5061 },
      lan: { addresses: ['10.1.0.1'] },
      dmz: { addresses: ['172.16.0.1'], udp: 5080, tcp: 0, tls: 0 },
    },
    trunks: [
      {
        name: 'vonage-b',
        transport: 'tls',
        endpoints: [
          { host: 'sip-us.example.com', port: 5061 },
          { host: '2001:db8::10', port: 5061 },
        ],
        from_domain: 'example.org',
        options_ping_s: 30,
        enabled: false,
      },
      { name: 'vonage-a', transport: 'tcp', endpoints: [{ host: '192.0.2.10' }] },
    ],
    pbxs: [
      { name: 'p2', host: 'pbx.lan', port: 5062, transport: 'tcp' },
      { name: 'p1', side: 'dmz', host: '172.16.0.9', enabled: false },
    ],
    routes: [
      { name: 'in', from_side: 'wan', match: { ruri_user: '^\\+?44(\\d+)$' }, to: { pbx: 'p1' }, priority: 5 },
      { name: 'out', from_side: 'lan', to: { trunk: 'vonage-b' }, priority: 7, enabled: false },
      { name: 'out2', from_side: 'dmz', to: { trunk: 'vonage-a' } },
    ],
    firewall: { enabled: true },
  });
}

for (const [label, make] of [
  ['default', defaultConfig],
  ['richer', richer],
] as const) {
  test(`${label} document round-trips through the tables exactly (order included)`, () => {
    const db = fresh();
    const doc = make();
    db.transaction(() => writeLayer(db, 'candidate', doc))();
    const back = readLayer(db, 'candidate');
    assert.deepEqual(back, doc);
    assert.equal(JSON.stringify(back), JSON.stringify(doc));
    db.close();
  });
}

test('layers are independent; rewriting a layer replaces it whole', () => {
  const db = fresh();
  db.transaction(() => {
    writeLayer(db, 'running', defaultConfig());
    writeLayer(db, 'candidate', richer());
    writeLayer(db, 'candidate', defaultConfig());
    writeLayer(db, 'candidate', richer());
  })();
  assert.deepEqual(readLayer(db, 'running'), defaultConfig());
  assert.deepEqual(readLayer(db, 'candidate'), richer());
  assert.equal(db.prepare(`SELECT COUNT(*) FROM trunks WHERE layer = 'candidate'`).pluck().get(), 2);
  assert.equal(db.prepare(`SELECT COUNT(*) FROM routes WHERE layer = 'running'`).pluck().get(), 2);
  assert.deepEqual(
    db.prepare(`SELECT address FROM side_addresses WHERE layer = 'candidate' AND side = 'wan' ORDER BY position`).pluck().all(),
    ['2001:db8::5', '192.0.2.5'],
  );
  assert.deepEqual(db.pragma('foreign_key_check'), []);
  db.close();
});
