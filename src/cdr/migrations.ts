// Schema of cdr.db (its own file: records are written at every call's end
// and pruned by age, unlike the config, which wants synchronous=FULL).
// Same migration rules as the config database (src/config/migrate.ts):
// never edit a shipped migration, add the next one.
import type { Migration } from '../config/migrations/index.js';

export const cdrMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'cdrs',
    sql: `
CREATE TABLE cdrs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  call_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  answered_at INTEGER,
  ended_at INTEGER NOT NULL,
  caller TEXT NOT NULL,
  callee TEXT NOT NULL,
  from_side TEXT NOT NULL,
  source_ip TEXT NOT NULL,
  route TEXT NOT NULL,
  target_kind TEXT NOT NULL CHECK (target_kind IN ('trunk', 'pbx')),
  target_name TEXT NOT NULL,
  result TEXT NOT NULL CHECK (result IN ('answered', 'busy', 'no-answer', 'canceled', 'rejected', 'failed')),
  status INTEGER NOT NULL,
  reason TEXT NOT NULL,
  mos REAL,
  media TEXT NOT NULL CHECK (json_valid(media))
) STRICT;
CREATE INDEX cdrs_started ON cdrs (started_at);
CREATE INDEX cdrs_caller ON cdrs (caller);
CREATE INDEX cdrs_callee ON cdrs (callee);
`,
  },
];
