// Schema migrations: PRAGMA user_version holds the schema version, the
// schema_migrations table the history. All pending migrations run in one
// transaction at open, so a crash leaves the old schema or the new one.
import type Database from 'better-sqlite3';
import { ConfigStateError } from './errors.js';
import { migrations, type Migration } from './migrations/index.js';

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Database.Database, list: readonly Migration[] = migrations, now = new Date()): number[] {
  const latest = list.reduce((m, x) => Math.max(m, x.version), 0);
  const applied: number[] = [];
  db.transaction(() => {
    const current = schemaVersion(db);
    if (current > latest) {
      throw new ConfigStateError('ERR_CONFIG_DB_TOO_NEW', `database schema ${current} is newer than this program (${latest})`);
    }
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
    for (const m of [...list].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        now.toISOString(),
      );
      db.pragma(`user_version = ${m.version}`);
      applied.push(m.version);
    }
  }).immediate();
  return applied;
}
