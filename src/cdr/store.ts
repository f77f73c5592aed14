// Call detail records in SQLite (cdr.db in the data directory): written in
// batches (one transaction per flush, so a busy box pays microseconds per
// call), searched by number, time and result, pruned by age.
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from '../config/migrate.js';
import { cdrMigrations } from './migrations.js';
import type { CallRecord, CallResult, StreamSummary } from './record.js';

export interface StoredCallRecord extends CallRecord {
  id: number;
}

export interface CdrQuery {
  // Digits (or any text) found in the caller or the callee.
  number?: string;
  // Calls that started in [from, to] (ms since the epoch).
  from?: number;
  to?: number;
  result?: CallResult;
  // Newest first; at most this many (1..1000, default 100).
  limit?: number;
  // Paging: only records with an id below this one.
  before?: number;
}

export interface CdrBucket {
  start: number; // ms since the epoch
  calls: number;
  answered: number;
  failed: number; // every result but answered
  avgMos: number | null;
  minMos: number | null;
}

interface Row {
  id: number;
  call_id: string;
  started_at: number;
  answered_at: number | null;
  ended_at: number;
  caller: string;
  callee: string;
  from_side: string;
  source_ip: string;
  route: string;
  target_kind: 'trunk' | 'pbx';
  target_name: string;
  result: CallResult;
  status: number;
  reason: string;
  mos: number | null;
  media: string;
}

function recordOfRow(r: Row): StoredCallRecord {
  return {
    id: r.id,
    callId: r.call_id,
    startedAt: r.started_at,
    answeredAt: r.answered_at,
    endedAt: r.ended_at,
    caller: r.caller,
    callee: r.callee,
    fromSide: r.from_side,
    sourceIp: r.source_ip,
    route: r.route,
    targetKind: r.target_kind,
    targetName: r.target_name,
    result: r.result,
    status: r.status,
    reason: r.reason,
    mos: r.mos,
    media: JSON.parse(r.media) as StreamSummary[],
  };
}

// LIKE with the caller's text taken literally.
function likeOf(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const MAX_QUEUE = 10_000;
const CHUNK = 500;

export class CdrStore {
  private db: Database.Database | undefined;
  private readonly queue: CallRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private dropped = 0;

  private constructor(
    db: Database.Database,
    private readonly flushMs: number,
  ) {
    this.db = db;
  }

  // flushMs: how long a record may wait for its batch (0 = written at once).
  static open(path: string, opts: { flushMs?: number } = {}): CdrStore {
    if (path !== ':memory:') {
      // Owner-only: numbers called are personal data.
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
    }
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      // A power cut may lose the last second of records, never the file.
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      migrate(db, cdrMigrations);
      return new CdrStore(db, opts.flushMs ?? 1000);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  // Records that could not be queued (the queue was full: the disk is slower than the calls).
  get droppedRecords(): number {
    return this.dropped;
  }

  add(record: CallRecord): void {
    if (!this.db) return;
    if (this.queue.length >= MAX_QUEUE) {
      this.dropped++;
      return;
    }
    this.queue.push(record);
    if (this.flushMs === 0) {
      this.flushQuietly();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flushQuietly(), this.flushMs);
      this.timer.unref();
    }
  }

  // The last write error (a full disk): those records are counted as dropped.
  lastError: Error | undefined;

  // The timer's write: at most CHUNK records per turn of the event loop (a
  // row costs some 25 µs; 3000 at once would hold calls up for 75 ms).
  private flushQuietly(): void {
    const n = Math.min(this.queue.length, CHUNK);
    try {
      this.flush(CHUNK);
    } catch (err) {
      this.dropped += n;
      this.lastError = err as Error;
    }
    if (this.queue.length > 0 && !this.timer) {
      this.timer = setTimeout(() => this.flushQuietly(), 0);
      this.timer.unref();
    }
  }

  // Writes queued records (all, or the first `max`) in one transaction.
  flush(max = Infinity): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const db = this.db;
    if (!db || this.queue.length === 0) return;
    const batch = this.queue.splice(0, max);
    const insert = db.prepare(
      `INSERT INTO cdrs (call_id, started_at, answered_at, ended_at, caller, callee, from_side, source_ip, route,
         target_kind, target_name, result, status, reason, mos, media)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    db.transaction(() => {
      for (const r of batch) {
        insert.run(
          r.callId,
          r.startedAt,
          r.answeredAt,
          r.endedAt,
          r.caller,
          r.callee,
          r.fromSide,
          r.sourceIp,
          r.route,
          r.targetKind,
          r.targetName,
          r.result,
          r.status,
          r.reason,
          r.mos,
          JSON.stringify(r.media),
        );
      }
    })();
  }

  search(q: CdrQuery = {}): StoredCallRecord[] {
    this.flush();
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.number) {
      where.push(`(caller LIKE ? ESCAPE '\\' OR callee LIKE ? ESCAPE '\\')`);
      args.push(likeOf(q.number), likeOf(q.number));
    }
    if (q.from !== undefined) {
      where.push('started_at >= ?');
      args.push(q.from);
    }
    if (q.to !== undefined) {
      where.push('started_at <= ?');
      args.push(q.to);
    }
    if (q.result) {
      where.push('result = ?');
      args.push(q.result);
    }
    if (q.before !== undefined) {
      where.push('id < ?');
      args.push(q.before);
    }
    const limit = Math.min(Math.max(Math.trunc(q.limit ?? 100), 1), 1000);
    const sql = `SELECT * FROM cdrs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.conn().prepare(sql).all(...args, limit) as Row[]).map(recordOfRow);
  }

  get(id: number): StoredCallRecord | undefined {
    this.flush();
    const row = this.conn().prepare('SELECT * FROM cdrs WHERE id = ?').get(id) as Row | undefined;
    return row ? recordOfRow(row) : undefined;
  }

  // Calls per time bucket in [from, to]: the dashboard's charts.
  summary(from: number, to: number, bucketMs: number): CdrBucket[] {
    this.flush();
    const rows = this.conn()
      .prepare(
        `SELECT started_at - started_at % ? AS start, COUNT(*) AS calls,
           SUM(result = 'answered') AS answered, SUM(result != 'answered') AS failed,
           AVG(mos) AS avgMos, MIN(mos) AS minMos
         FROM cdrs WHERE started_at >= ? AND started_at <= ? GROUP BY start ORDER BY start`,
      )
      .all(bucketMs, from, to) as CdrBucket[];
    return rows.map((r) => ({ ...r, avgMos: r.avgMos === null ? null : Math.round(r.avgMos * 100) / 100 }));
  }

  // Deletes records of calls that started before `before`; returns how many.
  prune(before: number): number {
    this.flush();
    return this.conn().prepare('DELETE FROM cdrs WHERE started_at < ?').run(before).changes;
  }

  count(): number {
    this.flush();
    return this.conn().prepare('SELECT COUNT(*) FROM cdrs').pluck().get() as number;
  }

  close(): void {
    if (!this.db) return;
    try {
      this.flush();
    } finally {
      this.db.close();
      this.db = undefined;
    }
  }

  private conn(): Database.Database {
    if (!this.db) throw new Error('call record store is closed');
    return this.db;
  }
}
