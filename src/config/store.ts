// ConfigStore: the appliance config model over one SQLite file.
//
// A *candidate* config is edited; commit() makes it *running* atomically and
// records the commit (who, when, comment, full snapshot); rollback(id) makes
// an old commit's config running again as a new commit; commit with
// confirmMinutes rolls itself back unless confirm() is called in time — the
// deadline is in the database, so this holds across restarts. Every
// operation is one SQLite transaction: a crash at any moment leaves the old
// state or the new one. See docs/config.md.
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { auditChanges, auditDetail } from './audit-diff.js';
import { writeAudit, readAudit, type Actor, type AuditEntry, type AuditRecord } from './audit.js';
import { canonicalize, restoreMaskedSecrets } from './canonical.js';
import { defaultConfig } from './default-config.js';
import { mergePatch, type Change } from './diff.js';
import type { ConfigDocument, Layer, TextFormat, UserInfo, UserRole } from './document.js';
import { ConfigStateError } from './errors.js';
import {
  getCommit,
  infoOf,
  insertCommit,
  latestCommit,
  listCommits,
  pendingCommit,
  setConfirmState,
  type CommitInfo,
  type CommitRow,
} from './history.js';
import { migrate } from './migrate.js';
import { readLayer, writeLayer } from './tables.js';
import * as users from './users.js';
import { validateDocument } from './validate.js';
import { formatText, parseText } from './yaml.js';

export type { CommitInfo } from './history.js';
export type { Actor, AuditEntry, AuditRecord } from './audit.js';
export type { PasswordOptions, UserAccount } from './users.js';

export interface ConfigStoreOptions {
  // Milliseconds since the epoch; tests inject a fake clock.
  clock?: () => number;
  // Arm a timer that rolls back an unconfirmed commit at its deadline
  // (default true). Without it, call checkConfirmDeadline() yourself.
  confirmTimer?: boolean;
}

export interface CommitOptions extends Actor {
  comment?: string;
  // "commit confirmed M": roll back by itself unless confirm() within M minutes (1..1440).
  confirmMinutes?: number;
}

export interface ExportOptions {
  // Include secrets in clear (backups). Default: masked as "********".
  secrets?: boolean;
}

export type RunningChangeListener = (doc: ConfigDocument, commit: CommitInfo) => void;

const MAX_TIMER_MS = 2 ** 31 - 1;

// Snapshots are canonical JSON with secrets in clear: rollback needs them.
function snapshotOf(doc: ConfigDocument): string {
  return JSON.stringify(canonicalize(doc, { secrets: true }));
}

export class ConfigStore {
  readonly path: string;
  // Set when open() found an expired unconfirmed commit and rolled it back.
  readonly rolledBackAtOpen: CommitInfo | undefined;
  private db: Database.Database | undefined;
  private readonly clock: () => number;
  private readonly useTimer: boolean;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<RunningChangeListener>();

  private constructor(path: string, db: Database.Database, opts: ConfigStoreOptions) {
    this.path = path;
    this.db = db;
    this.clock = opts.clock ?? Date.now;
    this.useTimer = opts.confirmTimer ?? true;
    this.seedIfEmpty();
    this.rolledBackAtOpen = this.expireIfDue(this.clock());
    this.armTimer();
  }

  static open(dbPath: string, opts: ConfigStoreOptions = {}): ConfigStore {
    if (dbPath !== ':memory:') {
      // Owner-only: the database holds password hashes and (later) trunk secrets.
      mkdirSync(dirname(dbPath), { recursive: true, mode: 0o700 });
      if (!existsSync(dbPath)) closeSync(openSync(dbPath, 'a', 0o600));
    }
    const db = new Database(dbPath);
    try {
      db.pragma('journal_mode = WAL');
      // FULL: a commit acknowledged to the admin survives a power cut too.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db);
      return new ConfigStore(dbPath, db, opts);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
    this.db?.close();
    this.db = undefined;
  }

  // --- reading -------------------------------------------------------------

  candidate(): ConfigDocument {
    return this.read('candidate');
  }

  running(): ConfigDocument {
    return this.read('running');
  }

  exportText(format: TextFormat, layer: Layer = 'running', opts: ExportOptions = {}): string {
    return formatText(canonicalize(this.read(layer), opts), format);
  }

  // --- editing the candidate -------------------------------------------------

  // Validates (defaults filled in) and replaces the candidate. Throws
  // ConfigError listing every problem; the candidate is untouched then.
  setCandidate(doc: unknown, actor: Actor = {}): ConfigDocument {
    return this.editCandidate(() => doc, actor, 'candidate.set');
  }

  // RFC 7386 JSON Merge Patch on the candidate (arrays are replaced whole).
  patchCandidate(patch: unknown, actor: Actor = {}): ConfigDocument {
    return this.editCandidate((current) => mergePatch(current, patch), actor, 'candidate.patch');
  }

  importText(text: string, format: TextFormat, actor: Actor = {}): ConfigDocument {
    const parsed = parseText(text, format);
    return this.editCandidate(() => parsed, actor, 'candidate.import');
  }

  // Candidate back to the running config.
  discardCandidate(actor: Actor = {}): void {
    const db = this.conn();
    db.transaction(() => {
      const candidate = readLayer(db, 'candidate');
      const running = readLayer(db, 'running');
      writeLayer(db, 'candidate', running);
      this.audit({ ...actor, action: 'candidate.discard', detail: auditDetail(candidate, running) });
    }).immediate();
  }

  // --- commit / confirm / rollback ------------------------------------------

  commit(opts: CommitOptions = {}): CommitInfo {
    const minutes = opts.confirmMinutes;
    if (minutes !== undefined && !(Number.isInteger(minutes) && minutes >= 1 && minutes <= 1440)) {
      throw new ConfigStateError('ERR_CONFIG_BAD_ARGUMENT', 'confirmMinutes must be an integer 1..1440');
    }
    const db = this.conn();
    const row = db
      .transaction((): CommitRow => {
        const now = this.clock();
        // Re-validated inside the transaction: what goes running is exactly what was checked.
        const doc = validateDocument(readLayer(db, 'candidate'));
        const pending = pendingCommit(db);
        let restoreId = latestCommit(db)?.id;
        if (pending) {
          // A plain commit accepts the pending one (as on Junos); a new
          // confirmed commit keeps the pending one's way back.
          setConfirmState(db, pending.id, minutes !== undefined ? 'superseded' : 'confirmed');
          if (minutes !== undefined) restoreId = pending.restore_id ?? restoreId;
        }
        writeLayer(db, 'running', doc);
        const c = insertCommit(db, {
          at: new Date(now).toISOString(),
          user: opts.user ?? 'system',
          comment: opts.comment ?? '',
          kind: 'commit',
          snapshot: snapshotOf(doc),
          ...(minutes !== undefined ? { confirmByMs: now + minutes * 60_000, restoreId } : {}),
        });
        this.audit(
          {
            ...opts,
            action: 'commit',
            detail: `commit ${c.id}${minutes !== undefined ? ` confirmed ${minutes} min` : ''}${opts.comment ? `: ${opts.comment}` : ''}`,
          },
          now,
        );
        return c;
      })
      .immediate();
    this.armTimer();
    return this.announce(row);
  }

  confirm(actor: Actor = {}): CommitInfo {
    const db = this.conn();
    const row = db
      .transaction((): CommitRow => {
        const pending = pendingCommit(db);
        if (!pending) throw new ConfigStateError('ERR_CONFIG_NOTHING_TO_CONFIRM', 'no commit is waiting for confirmation');
        setConfirmState(db, pending.id, 'confirmed');
        this.audit({ ...actor, action: 'confirm', detail: `commit ${pending.id}` });
        return getCommit(db, pending.id) as CommitRow;
      })
      .immediate();
    this.armTimer();
    return infoOf(row);
  }

  pendingConfirm(): CommitInfo | undefined {
    const p = pendingCommit(this.conn());
    return p ? infoOf(p) : undefined;
  }

  // Makes commit `id`'s config running (and candidate) again, as a new commit.
  rollback(id: number, opts: Actor & { comment?: string } = {}): CommitInfo {
    const db = this.conn();
    const row = db
      .transaction((): CommitRow => {
        const target = getCommit(db, id);
        if (!target) throw new ConfigStateError('ERR_CONFIG_NO_SUCH_COMMIT', `no commit ${id}`);
        const pending = pendingCommit(db);
        if (pending) setConfirmState(db, pending.id, 'superseded');
        const c = this.restore(target, 'rollback', opts.user ?? 'system', opts.comment ?? `rollback to commit ${id}`);
        this.audit({ ...opts, action: 'rollback', detail: `commit ${c.id} restores commit ${id}` });
        return c;
      })
      .immediate();
    this.armTimer();
    return this.announce(row);
  }

  // Rolls back an unconfirmed commit whose deadline has passed. Returns
  // whether it did. Safe to call at any time, also after close().
  checkConfirmDeadline(now: number = this.clock()): boolean {
    if (!this.db) return false;
    const rolledBack = this.expireIfDue(now) !== undefined;
    this.armTimer();
    return rolledBack;
  }

  history(limit = 1000): CommitInfo[] {
    return listCommits(this.conn(), limit);
  }

  commitSnapshot(id: number): ConfigDocument {
    const c = getCommit(this.conn(), id);
    if (!c) throw new ConfigStateError('ERR_CONFIG_NO_SUCH_COMMIT', `no commit ${id}`);
    return JSON.parse(c.snapshot) as ConfigDocument;
  }

  // Changes from commit `from` to commit `to` (default: candidate vs running).
  // A changed secret is a change, shown masked (******** -> ********).
  diff(from?: number, to?: number): Change[] {
    const a = from === undefined ? this.running() : this.commitSnapshot(from);
    const b = to === undefined ? (from === undefined ? this.candidate() : this.running()) : this.commitSnapshot(to);
    return auditChanges(a, b);
  }

  onRunningChange(listener: RunningChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // --- audit and users -------------------------------------------------------

  audit(entry: AuditEntry, now: number = this.clock()): void {
    writeAudit(this.conn(), new Date(now).toISOString(), entry);
  }

  auditLog(limit = 1000): AuditRecord[] {
    return readAudit(this.conn(), limit);
  }

  async addUser(
    input: { name: string; password: string; role?: UserRole },
    actor: Actor = {},
    opts: users.PasswordOptions = {},
  ): Promise<UserInfo> {
    const info = await users.addUser(this.conn(), input, new Date(this.clock()).toISOString(), opts);
    this.audit({ ...actor, action: 'user.add', detail: `${info.name} (${info.role})` });
    return info;
  }

  // Clears "must change password" unless opts says otherwise (an admin's reset).
  async setPassword(name: string, password: string, actor: Actor = {}, opts: users.PasswordOptions = {}): Promise<void> {
    await users.setPassword(this.conn(), name, password, new Date(this.clock()).toISOString(), opts);
    this.audit({ ...actor, action: 'user.password', detail: opts.mustChangePassword ? `${name} (must change it)` : name });
  }

  setRole(name: string, role: UserRole, actor: Actor = {}): void {
    const db = this.conn();
    db.transaction(() => {
      const before = users.setRole(db, name, role, new Date(this.clock()).toISOString());
      this.audit({ ...actor, action: 'user.role', detail: `${name}: ${before} -> ${role}` });
    }).immediate();
  }

  // One account (no hash), or undefined.
  user(name: string): users.UserAccount | undefined {
    return users.getUser(this.conn(), name);
  }

  deleteUser(name: string, actor: Actor = {}): void {
    const db = this.conn();
    db.transaction(() => {
      users.deleteUser(db, name);
      this.audit({ ...actor, action: 'user.delete', detail: name });
    }).immediate();
  }

  listUsers(): UserInfo[] {
    return users.listUsers(this.conn());
  }

  // The user's role when the password is right, else null. Never logs the password.
  verifyPassword(name: string, password: string): Promise<UserRole | null> {
    return users.verifyPassword(this.conn(), name, password);
  }

  // --- internals -------------------------------------------------------------

  private conn(): Database.Database {
    if (!this.db) throw new ConfigStateError('ERR_CONFIG_CLOSED', 'config store is closed');
    return this.db;
  }

  // One read transaction, so another process committing meanwhile cannot
  // hand us half of each config.
  private read(layer: Layer): ConfigDocument {
    const db = this.conn();
    return db.transaction(() => readLayer(db, layer)).deferred();
  }

  // Read-modify-write of the candidate in one write transaction; an invalid
  // result throws inside it, so nothing is written. The audit entry's detail
  // is what changed (JSON, secrets masked).
  private editCandidate(edit: (current: ConfigDocument) => unknown, actor: Actor, action: string): ConfigDocument {
    const db = this.conn();
    return db
      .transaction((): ConfigDocument => {
        const current = readLayer(db, 'candidate');
        const valid = validateDocument(restoreMaskedSecrets(edit(current), current));
        writeLayer(db, 'candidate', valid);
        this.audit({ ...actor, action, detail: auditDetail(current, valid) });
        return valid;
      })
      .immediate();
  }

  private seedIfEmpty(): void {
    const db = this.conn();
    db.transaction(() => {
      if (latestCommit(db)) return;
      const now = this.clock();
      const doc = validateDocument(defaultConfig());
      writeLayer(db, 'candidate', doc);
      writeLayer(db, 'running', doc);
      insertCommit(db, {
        at: new Date(now).toISOString(),
        user: 'system',
        comment: 'initial default',
        kind: 'initial',
        snapshot: snapshotOf(doc),
      });
      this.audit({ action: 'init', detail: 'commit 1: initial default' }, now);
    }).immediate();
  }

  // Writes `target`'s snapshot as running and candidate plus a new commit row.
  private restore(
    target: CommitRow,
    kind: 'rollback' | 'confirm-timeout',
    user: string,
    comment: string,
    now: number = this.clock(),
  ): CommitRow {
    const db = this.conn();
    // Old snapshots get today's defaults for fields added since.
    const doc = validateDocument(JSON.parse(target.snapshot));
    writeLayer(db, 'running', doc);
    writeLayer(db, 'candidate', doc);
    return insertCommit(db, {
      at: new Date(now).toISOString(),
      user,
      comment,
      kind,
      snapshot: snapshotOf(doc),
      rollbackOf: target.id,
    });
  }

  private expireIfDue(now: number): CommitInfo | undefined {
    const db = this.conn();
    const row = db
      .transaction((): CommitRow | undefined => {
        const pending = pendingCommit(db);
        if (!pending || pending.confirm_by_ms === null || pending.confirm_by_ms > now) return undefined;
        const target = getCommit(db, pending.restore_id ?? -1);
        if (!target) throw new ConfigStateError('ERR_CONFIG_NO_SUCH_COMMIT', `commit ${pending.id} has no commit to restore`);
        setConfirmState(db, pending.id, 'expired');
        const c = this.restore(
          target,
          'confirm-timeout',
          'system',
          `commit ${pending.id} not confirmed by ${new Date(pending.confirm_by_ms).toISOString()}: restored commit ${target.id}`,
          now,
        );
        this.audit({ action: 'confirm-timeout', detail: `commit ${c.id} restores commit ${target.id}` }, now);
        return c;
      })
      .immediate();
    return row ? this.announce(row) : undefined;
  }

  private announce(row: CommitRow): CommitInfo {
    const info = infoOf(row);
    if (this.listeners.size === 0) return info;
    const doc = JSON.parse(row.snapshot) as ConfigDocument;
    for (const l of this.listeners) {
      try {
        l(structuredClone(doc), info);
      } catch (err) {
        // The commit is done; a failing listener must not make it look failed.
        process.emitWarning(`config running-change listener failed: ${(err as Error).message}`);
      }
    }
    return info;
  }

  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.useTimer || !this.db) return;
    const p = pendingCommit(this.db);
    if (!p || p.confirm_by_ms === null) return;
    const delay = Math.min(Math.max(p.confirm_by_ms - this.clock(), 0), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.checkConfirmDeadline();
      } catch (err) {
        process.emitWarning(`config confirm deadline check failed: ${(err as Error).message}`);
      }
    }, delay);
    this.timer.unref();
  }
}
