// Migrations from an empty database.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { migrate, schemaVersion } from '../../../src/config/migrate.js';
import { migrations } from '../../../src/config/migrations/index.js';

const EXPECTED_TABLES = [
  'audit',
  'commits',
  'pbxs',
  'route_targets',
  'routes',
  'schema_migrations',
  'settings',
  'side_addresses',
  'sides',
  'sip_domains',
  'trunk_endpoints',
  'trunks',
  'users',
];

function tables(db: Database.Database): string[] {
  return db
    .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
    .pluck()
    .all() as string[];
}

test('migrations from empty produce the expected tables and user_version', () => {
  const db = new Database(':memory:');
  assert.equal(schemaVersion(db), 0);
  const applied = migrate(db);
  assert.deepEqual(applied, migrations.map((m) => m.version));
  assert.deepEqual(tables(db), EXPECTED_TABLES);
  assert.equal(schemaVersion(db), migrations.at(-1)!.version);
  const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
  assert.deepEqual(rows, [
    { version: 1, name: 'initial' },
    { version: 2, name: 'media' },
    { version: 3, name: 'firewall' },
    { version: 4, name: 'trunks' },
    { version: 5, name: 'users_password_change' },
    { version: 6, name: 'trunk_session_timer' },
    { version: 7, name: 'side_interface' },
  ]);
  // Layered tables refuse layers other than candidate/running.
  assert.throws(() => db.prepare(`INSERT INTO settings (layer, key, value) VALUES ('draft', '/x', '1')`).run(), /CHECK/);
  db.close();
});

test('migrating again is a no-op', () => {
  const db = new Database(':memory:');
  migrate(db);
  assert.deepEqual(migrate(db), []);
  assert.equal(db.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get(), migrations.length);
  db.close();
});

test('a failing migration leaves the database as it was', () => {
  const db = new Database(':memory:');
  migrate(db);
  const broken = [...migrations, { version: migrations.length + 1, name: 'broken', sql: 'CREATE TABLE extra (x); THIS IS NOT SQL;' }];
  assert.throws(() => migrate(db, broken));
  assert.equal(schemaVersion(db), migrations.length);
  assert.ok(!tables(db).includes('extra'));
  db.close();
});

test('a database from a newer program is refused', () => {
  const db = new Database(':memory:');
  db.pragma('user_version = 99');
  assert.throws(() => migrate(db), { code: 'ERR_CONFIG_DB_TOO_NEW' });
  db.close();
});
