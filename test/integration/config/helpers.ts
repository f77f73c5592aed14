// Shared by the config store tests: temp dirs and a raw view of the database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export function tempDbPath(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'edgesbc-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'data', 'config.db');
}

// Every row of every table, read through a second connection: what the file holds.
export function dumpDb(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    const names = db
      .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      .pluck()
      .all() as string[];
    return Object.fromEntries(names.map((n) => [n, db.prepare(`SELECT * FROM ${n} ORDER BY rowid`).all()]));
  } finally {
    db.close();
  }
}

// A settable clock for confirm deadlines.
export class FakeClock {
  ms: number;
  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.ms = start;
  }
  now = (): number => this.ms;
  advanceMinutes(m: number): void {
    this.ms += m * 60_000;
  }
}
