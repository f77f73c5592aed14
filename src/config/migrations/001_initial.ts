// Migration 1: the initial schema.
//
// Config objects live in per-type tables with a `layer` column: the rows with
// layer = 'candidate' are the config being edited, layer = 'running' the
// config in force. `commits` keeps every committed document as canonical JSON
// for history, rollback and diff. Firewall tables are created now for
// issue 7 (profiles, rules, address lists with their source and date).
export const version = 1;
export const name = 'initial';

const LAYER = `layer TEXT NOT NULL CHECK (layer IN ('candidate', 'running'))`;
const BOOL = (col: string) => `${col} INTEGER NOT NULL CHECK (${col} IN (0, 1))`;
const PORT = (col: string, min: number) => `${col} INTEGER NOT NULL CHECK (${col} BETWEEN ${min} AND 65535)`;
const TRANSPORT = `transport TEXT NOT NULL CHECK (transport IN ('udp', 'tcp', 'tls'))`;

export const sql = `
-- Scalar sections (system, sip, tls, firewall switches) as JSON leaves keyed
-- by JSON Pointer, e.g. ('running', '/sip/timers/t1_ms', '500').
CREATE TABLE settings (
  ${LAYER},
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (layer, key)
) STRICT;

CREATE TABLE sides (
  ${LAYER},
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  advertised_address TEXT NOT NULL,
  ${PORT('udp', 0)},
  ${PORT('tcp', 0)},
  ${PORT('tls', 0)},
  PRIMARY KEY (layer, name)
) STRICT;

CREATE TABLE side_addresses (
  ${LAYER},
  side TEXT NOT NULL,
  position INTEGER NOT NULL,
  address TEXT NOT NULL,
  PRIMARY KEY (layer, side, position),
  FOREIGN KEY (layer, side) REFERENCES sides (layer, name) ON DELETE CASCADE
) STRICT;

CREATE TABLE trunks (
  ${LAYER},
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  side TEXT NOT NULL,
  ${TRANSPORT},
  from_domain TEXT NOT NULL,
  options_ping_s INTEGER NOT NULL,
  ${BOOL('enabled')},
  PRIMARY KEY (layer, name),
  FOREIGN KEY (layer, side) REFERENCES sides (layer, name)
) STRICT;

CREATE TABLE trunk_endpoints (
  ${LAYER},
  trunk TEXT NOT NULL,
  position INTEGER NOT NULL,
  host TEXT NOT NULL,
  ${PORT('port', 1)},
  PRIMARY KEY (layer, trunk, position),
  FOREIGN KEY (layer, trunk) REFERENCES trunks (layer, name) ON DELETE CASCADE
) STRICT;

CREATE TABLE pbxs (
  ${LAYER},
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  side TEXT NOT NULL,
  host TEXT NOT NULL,
  ${PORT('port', 1)},
  ${TRANSPORT},
  ${BOOL('enabled')},
  PRIMARY KEY (layer, name),
  FOREIGN KEY (layer, side) REFERENCES sides (layer, name)
) STRICT;

CREATE TABLE routes (
  ${LAYER},
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  from_side TEXT NOT NULL,
  match_ruri_user TEXT NOT NULL,
  to_trunk TEXT,
  to_pbx TEXT,
  priority INTEGER NOT NULL,
  ${BOOL('enabled')},
  PRIMARY KEY (layer, name),
  CHECK ((to_trunk IS NULL) <> (to_pbx IS NULL)),
  FOREIGN KEY (layer, from_side) REFERENCES sides (layer, name),
  FOREIGN KEY (layer, to_trunk) REFERENCES trunks (layer, name),
  FOREIGN KEY (layer, to_pbx) REFERENCES pbxs (layer, name)
) STRICT;

-- Firewall (issue 7). A profile is a named rule set applied to a side.
CREATE TABLE firewall_profiles (
  ${LAYER},
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  side TEXT,
  default_action TEXT NOT NULL CHECK (default_action IN ('accept', 'drop', 'reject')),
  PRIMARY KEY (layer, name),
  FOREIGN KEY (layer, side) REFERENCES sides (layer, name)
) STRICT;

-- Named address sets, e.g. Vonage's published signalling/media ranges:
-- source says where the list came from (URL or 'manual'), published_at the
-- date printed on that list, fetched_at when we loaded it.
CREATE TABLE address_lists (
  ${LAYER},
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  source TEXT NOT NULL,
  published_at TEXT,
  fetched_at TEXT,
  PRIMARY KEY (layer, name)
) STRICT;

CREATE TABLE address_list_entries (
  ${LAYER},
  list TEXT NOT NULL,
  position INTEGER NOT NULL,
  cidr TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (layer, list, position),
  FOREIGN KEY (layer, list) REFERENCES address_lists (layer, name) ON DELETE CASCADE
) STRICT;

CREATE TABLE firewall_rules (
  ${LAYER},
  profile TEXT NOT NULL,
  position INTEGER NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('accept', 'drop', 'reject')),
  protocol TEXT NOT NULL CHECK (protocol IN ('any', 'udp', 'tcp', 'icmp')),
  source_list TEXT,
  source_cidr TEXT,
  dest_ports TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (layer, profile, position),
  FOREIGN KEY (layer, profile) REFERENCES firewall_profiles (layer, name) ON DELETE CASCADE,
  FOREIGN KEY (layer, source_list) REFERENCES address_lists (layer, name)
) STRICT;

-- Admin accounts: outside the candidate/running model on purpose.
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

-- Every commit ever made. kind: commit | rollback | initial | confirm-timeout.
-- confirm_state is set on 'commit confirmed' commits: pending until
-- confirmed, superseded, or expired (then restore_id went running again).
CREATE TABLE commits (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  user TEXT NOT NULL,
  comment TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('initial', 'commit', 'rollback', 'confirm-timeout')),
  snapshot TEXT NOT NULL,
  rollback_of INTEGER REFERENCES commits (id),
  confirm_by_ms INTEGER,
  confirm_state TEXT CHECK (confirm_state IN ('pending', 'confirmed', 'superseded', 'expired')),
  restore_id INTEGER REFERENCES commits (id),
  CHECK ((confirm_state IS NULL) = (confirm_by_ms IS NULL))
) STRICT;

-- At most one commit waits for confirmation.
CREATE UNIQUE INDEX commits_one_pending ON commits (confirm_state) WHERE confirm_state = 'pending';

CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  user TEXT NOT NULL,
  source TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
) STRICT;
CREATE INDEX audit_at ON audit (at);
`;
