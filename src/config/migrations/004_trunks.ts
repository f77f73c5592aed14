// Migration 4: Vonage trunks, Programmable SIP domains, PBX registration and
// DID routes with ordered PBX targets (issue 5, docs/config.md).
//
// - trunks: scalar Vonage fields as columns (kind, region, endpoint_set,
//   srv, sip_domain, api_key, api_secret, country); caller_id, register and
//   header_rules as JSON ('{}' / '[]' = all defaults, filled in by the
//   schema when the layer is read, as for `media`). Existing trunks become
//   `generic` and keep behaving exactly as before.
// - sip_domains: a new layered table; the region CHECK repeats V-PS-2 (a
//   domain without a region can never be stored).
// - pbxs: registration, allowed_numbers, header_rules as JSON.
// - routes: rebuilt, because SQLite cannot change a CHECK in place: the old
//   CHECK demanded exactly one of to_trunk / to_pbx, a route may now name an
//   ordered list of PBXs instead (route_targets, to_pbxs = 1); plus
//   match_from_trunk. Nothing references routes, so the rebuild is a copy.
export const version = 4;
export const name = 'trunks';

const LAYER = `layer TEXT NOT NULL CHECK (layer IN ('candidate', 'running'))`;

export const sql = `
ALTER TABLE trunks ADD COLUMN kind TEXT NOT NULL DEFAULT 'generic' CHECK (kind IN ('vonage', 'generic'));
ALTER TABLE trunks ADD COLUMN region TEXT NOT NULL DEFAULT '' CHECK (region IN ('', 'us', 'eu', 'ap'));
ALTER TABLE trunks ADD COLUMN endpoint_set TEXT NOT NULL DEFAULT '';
ALTER TABLE trunks ADD COLUMN srv INTEGER NOT NULL DEFAULT 0 CHECK (srv IN (0, 1));
ALTER TABLE trunks ADD COLUMN sip_domain TEXT NOT NULL DEFAULT '';
ALTER TABLE trunks ADD COLUMN api_key TEXT NOT NULL DEFAULT '';
ALTER TABLE trunks ADD COLUMN api_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE trunks ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE trunks ADD COLUMN caller_id TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(caller_id));
ALTER TABLE trunks ADD COLUMN register TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(register));
ALTER TABLE trunks ADD COLUMN header_rules TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(header_rules));

CREATE TABLE sip_domains (
  ${LAYER},
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  region TEXT NOT NULL CHECK (region IN ('us', 'eu', 'ap')),
  application_id TEXT NOT NULL,
  auth TEXT NOT NULL CHECK (auth IN ('digest', 'acl')),
  acl TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(acl)),
  PRIMARY KEY (layer, name)
) STRICT;

ALTER TABLE pbxs ADD COLUMN registration TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(registration));
ALTER TABLE pbxs ADD COLUMN allowed_numbers TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(allowed_numbers));
ALTER TABLE pbxs ADD COLUMN header_rules TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(header_rules));

CREATE TABLE routes_v4 (
  ${LAYER},
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  from_side TEXT NOT NULL,
  match_ruri_user TEXT NOT NULL,
  match_from_trunk TEXT,
  to_trunk TEXT,
  to_pbx TEXT,
  to_pbxs INTEGER NOT NULL DEFAULT 0 CHECK (to_pbxs IN (0, 1)),
  priority INTEGER NOT NULL,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  PRIMARY KEY (layer, name),
  CHECK ((to_trunk IS NOT NULL) + (to_pbx IS NOT NULL) + to_pbxs = 1),
  FOREIGN KEY (layer, from_side) REFERENCES sides (layer, name),
  FOREIGN KEY (layer, match_from_trunk) REFERENCES trunks (layer, name),
  FOREIGN KEY (layer, to_trunk) REFERENCES trunks (layer, name),
  FOREIGN KEY (layer, to_pbx) REFERENCES pbxs (layer, name)
) STRICT;
INSERT INTO routes_v4 (layer, name, position, from_side, match_ruri_user, to_trunk, to_pbx, priority, enabled)
  SELECT layer, name, position, from_side, match_ruri_user, to_trunk, to_pbx, priority, enabled FROM routes;
DROP TABLE routes;
ALTER TABLE routes_v4 RENAME TO routes;

-- Ordered PBX targets of a route (to.pbxs), each with its own timeout (V-IN-3).
CREATE TABLE route_targets (
  ${LAYER},
  route TEXT NOT NULL,
  position INTEGER NOT NULL,
  pbx TEXT NOT NULL,
  timeout_ms INTEGER NOT NULL CHECK (timeout_ms BETWEEN 2000 AND 20000),
  PRIMARY KEY (layer, route, position),
  FOREIGN KEY (layer, route) REFERENCES routes (layer, name) ON DELETE CASCADE,
  FOREIGN KEY (layer, pbx) REFERENCES pbxs (layer, name)
) STRICT;
`;
