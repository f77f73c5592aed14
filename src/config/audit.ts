// The audit trail: who did what, when, from where. Rows are only ever added.
import type Database from 'better-sqlite3';

export interface Actor {
  user?: string; // default "system"
  source?: string; // where from: "cli:ttyS0", "api:192.0.2.7", "ssh:…"; default "local"
}

export interface AuditEntry extends Actor {
  action: string; // e.g. "commit", "rollback", "user.add", "login.failed"
  detail?: string;
}

export interface AuditRecord {
  id: number;
  at: string;
  user: string;
  source: string;
  action: string;
  detail: string;
}

export function writeAudit(db: Database.Database, at: string, e: AuditEntry): void {
  db.prepare('INSERT INTO audit (at, user, source, action, detail) VALUES (?, ?, ?, ?, ?)').run(
    at,
    e.user ?? 'system',
    e.source ?? 'local',
    e.action,
    e.detail ?? '',
  );
}

// Newest first.
export function readAudit(db: Database.Database, limit: number): AuditRecord[] {
  return db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit) as AuditRecord[];
}
