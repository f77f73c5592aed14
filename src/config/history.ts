// The commits table: every committed document, kept forever (canonical JSON),
// plus the state of a pending "commit confirmed".
import type Database from 'better-sqlite3';

type DB = Database.Database;

export type CommitKind = 'initial' | 'commit' | 'rollback' | 'confirm-timeout';
export type ConfirmState = 'pending' | 'confirmed' | 'superseded' | 'expired';

export interface CommitInfo {
  id: number;
  at: string; // ISO-8601 UTC
  user: string;
  comment: string;
  kind: CommitKind;
  rollbackOf?: number; // rollback / confirm-timeout: the commit whose config went running again
  confirmBy?: string; // commit confirmed: the deadline (ISO-8601 UTC)
  confirmState?: ConfirmState;
}

export interface CommitRow {
  id: number;
  at: string;
  user: string;
  comment: string;
  kind: CommitKind;
  snapshot: string;
  rollback_of: number | null;
  confirm_by_ms: number | null;
  confirm_state: ConfirmState | null;
  restore_id: number | null;
}

export function infoOf(r: CommitRow): CommitInfo {
  const info: CommitInfo = { id: r.id, at: r.at, user: r.user, comment: r.comment, kind: r.kind };
  if (r.rollback_of !== null) info.rollbackOf = r.rollback_of;
  if (r.confirm_by_ms !== null) info.confirmBy = new Date(r.confirm_by_ms).toISOString();
  if (r.confirm_state !== null) info.confirmState = r.confirm_state;
  return info;
}

export interface NewCommit {
  at: string;
  user: string;
  comment: string;
  kind: CommitKind;
  snapshot: string;
  rollbackOf?: number;
  confirmByMs?: number;
  restoreId?: number;
}

export function insertCommit(db: DB, c: NewCommit): CommitRow {
  const id = db
    .prepare(
      `INSERT INTO commits (at, user, comment, kind, snapshot, rollback_of, confirm_by_ms, confirm_state, restore_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      c.at,
      c.user,
      c.comment,
      c.kind,
      c.snapshot,
      c.rollbackOf ?? null,
      c.confirmByMs ?? null,
      c.confirmByMs !== undefined ? 'pending' : null,
      c.restoreId ?? null,
    ).lastInsertRowid;
  return getCommit(db, Number(id)) as CommitRow;
}

export function getCommit(db: DB, id: number): CommitRow | undefined {
  return db.prepare('SELECT * FROM commits WHERE id = ?').get(id) as CommitRow | undefined;
}

export function latestCommit(db: DB): CommitRow | undefined {
  return db.prepare('SELECT * FROM commits ORDER BY id DESC LIMIT 1').get() as CommitRow | undefined;
}

export function pendingCommit(db: DB): CommitRow | undefined {
  return db.prepare(`SELECT * FROM commits WHERE confirm_state = 'pending'`).get() as CommitRow | undefined;
}

export function setConfirmState(db: DB, id: number, state: ConfirmState): void {
  db.prepare('UPDATE commits SET confirm_state = ? WHERE id = ?').run(state, id);
}

// Newest first.
export function listCommits(db: DB, limit: number): CommitInfo[] {
  return (db.prepare('SELECT * FROM commits ORDER BY id DESC LIMIT ?').all(limit) as CommitRow[]).map(infoOf);
}
