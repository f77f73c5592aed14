// Document <-> rows of one layer ('candidate' or 'running'). Collections map
// to their own tables (sides, trunks, …) with a position column keeping
// document order; every other section is flattened into `settings` as JSON
// leaves keyed by JSON Pointer, so new scalar fields round-trip without a
// migration. readLayer(writeLayer(doc)) == canonicalize(doc), exactly.
import type Database from 'better-sqlite3';
import { canonicalize } from './canonical.js';
import { schemaProblems } from './validate.js';
import type { ConfigDocument, Layer, PbxConfig, RouteConfig, SideConfig, SipDomainConfig, Transport, TrunkConfig } from './document.js';

type DB = Database.Database;

const TABLE_BACKED = new Set(['sides', 'trunks', 'sip_domains', 'pbxs', 'routes']);

// Children first, so foreign keys hold at every statement.
const LAYER_TABLES = ['route_targets', 'routes', 'trunk_endpoints', 'trunks', 'sip_domains', 'pbxs', 'side_addresses', 'sides', 'settings'];

function esc(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unesc(part: string): string {
  return part.replace(/~1/g, '/').replace(/~0/g, '~');
}

function flatten(value: unknown, path: string, out: [string, string][]): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, `${path}/${esc(k)}`, out);
  } else {
    out.push([path, JSON.stringify(value)]);
  }
}

function unflatten(rows: { key: string; value: string }[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const { key, value } of rows) {
    const parts = key.split('/').slice(1).map(unesc);
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        node[part] = JSON.parse(value) as unknown;
      } else {
        node[part] ??= {};
        node = node[part] as Record<string, unknown>;
      }
    });
  }
  return root;
}

const bool = (b: boolean) => (b ? 1 : 0);

export function clearLayer(db: DB, layer: Layer): void {
  for (const t of LAYER_TABLES) db.prepare(`DELETE FROM ${t} WHERE layer = ?`).run(layer);
}

// Call inside a transaction; `doc` must be valid.
export function writeLayer(db: DB, layer: Layer, doc: ConfigDocument): void {
  clearLayer(db, layer);
  const settings: [string, string][] = [];
  for (const [k, v] of Object.entries(doc)) {
    if (!TABLE_BACKED.has(k)) flatten(v, `/${esc(k)}`, settings);
  }
  const setting = db.prepare('INSERT INTO settings (layer, key, value) VALUES (?, ?, ?)');
  for (const [key, value] of settings) setting.run(layer, key, value);

  const side = db.prepare(
    'INSERT INTO sides (layer, name, position, advertised_address, udp, tcp, tls, media, interface) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const addr = db.prepare('INSERT INTO side_addresses (layer, side, position, address) VALUES (?, ?, ?, ?)');
  Object.entries(doc.sides).forEach(([name, s], i) => {
    side.run(layer, name, i, s.advertised_address, s.udp, s.tcp, s.tls, JSON.stringify(s.media ?? {}), s.interface ?? '');
    s.addresses.forEach((a, j) => addr.run(layer, name, j, a));
  });

  const trunk = db.prepare(
    `INSERT INTO trunks (layer, name, position, kind, side, transport, region, endpoint_set, srv, sip_domain, api_key,
       api_secret, country, caller_id, register, session_timer, header_rules, from_domain, options_ping_s, media, enabled)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const ep = db.prepare('INSERT INTO trunk_endpoints (layer, trunk, position, host, port) VALUES (?, ?, ?, ?, ?)');
  doc.trunks.forEach((t, i) => {
    trunk.run(
      layer, t.name, i, t.kind, t.side, t.transport, t.region, t.endpoint_set, bool(t.srv), t.sip_domain, t.api_key,
      t.api_secret, t.country, JSON.stringify(t.caller_id ?? {}), JSON.stringify(t.register ?? {}),
      JSON.stringify(t.session_timer ?? {}), JSON.stringify(t.header_rules ?? []), t.from_domain, t.options_ping_s, JSON.stringify(t.media ?? {}), bool(t.enabled),
    );
    t.endpoints.forEach((e, j) => ep.run(layer, t.name, j, e.host, e.port));
  });

  const domain = db.prepare(
    'INSERT INTO sip_domains (layer, name, position, region, application_id, auth, acl) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  (doc.sip_domains ?? []).forEach((d, i) =>
    domain.run(layer, d.name, i, d.region, d.application_id, d.auth, JSON.stringify(d.acl)),
  );

  const pbx = db.prepare(
    `INSERT INTO pbxs (layer, name, position, side, host, port, transport, registration, allowed_numbers, header_rules, media, enabled)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  doc.pbxs.forEach((p, i) =>
    pbx.run(
      layer, p.name, i, p.side, p.host, p.port, p.transport, JSON.stringify(p.registration ?? {}),
      JSON.stringify(p.allowed_numbers ?? []), JSON.stringify(p.header_rules ?? []), JSON.stringify(p.media ?? {}), bool(p.enabled),
    ),
  );

  const route = db.prepare(
    `INSERT INTO routes (layer, name, position, from_side, match_ruri_user, match_from_trunk, to_trunk, to_pbx, to_pbxs, priority, enabled)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const target = db.prepare('INSERT INTO route_targets (layer, route, position, pbx, timeout_ms) VALUES (?, ?, ?, ?, ?)');
  doc.routes.forEach((r, i) => {
    route.run(
      layer, r.name, i, r.from_side, r.match.ruri_user, r.match.from_trunk || null, r.to.trunk ?? null, r.to.pbx ?? null,
      bool(r.to.pbxs !== undefined), r.priority, bool(r.enabled),
    );
    r.to.pbxs?.forEach((t, j) => target.run(layer, r.name, j, t.pbx, t.timeout_ms));
  });
}

interface SideRow {
  name: string;
  advertised_address: string;
  udp: number;
  tcp: number;
  tls: number;
  media: string;
  interface: string;
}
interface TrunkRow {
  name: string;
  kind: TrunkConfig['kind'];
  side: string;
  transport: Transport;
  region: TrunkConfig['region'];
  endpoint_set: string;
  srv: number;
  sip_domain: string;
  api_key: string;
  api_secret: string;
  country: string;
  caller_id: string;
  register: string;
  session_timer: string;
  header_rules: string;
  from_domain: string;
  options_ping_s: number;
  media: string;
  enabled: number;
}
interface SipDomainRow {
  name: string;
  region: SipDomainConfig['region'];
  application_id: string;
  auth: SipDomainConfig['auth'];
  acl: string;
}
interface PbxRow {
  name: string;
  side: string;
  host: string;
  port: number;
  transport: Transport;
  registration: string;
  allowed_numbers: string;
  header_rules: string;
  media: string;
  enabled: number;
}
interface RouteRow {
  layer: Layer;
  name: string;
  from_side: string;
  match_ruri_user: string;
  match_from_trunk: string | null;
  to_trunk: string | null;
  to_pbx: string | null;
  to_pbxs: number;
  priority: number;
  enabled: number;
}

function routeTarget(r: RouteRow, targets: Database.Statement): RouteConfig['to'] {
  if (r.to_trunk !== null) return { trunk: r.to_trunk };
  if (r.to_pbx !== null) return { pbx: r.to_pbx };
  return { pbxs: targets.all(r.layer, r.name) as { pbx: string; timeout_ms: number }[] };
}

export function readLayer(db: DB, layer: Layer): ConfigDocument {
  const doc = unflatten(
    db.prepare('SELECT key, value FROM settings WHERE layer = ? ORDER BY key').all(layer) as { key: string; value: string }[],
  );

  const addrs = db.prepare('SELECT address FROM side_addresses WHERE layer = ? AND side = ? ORDER BY position').pluck();
  const sides: Record<string, SideConfig> = {};
  for (const s of db.prepare('SELECT * FROM sides WHERE layer = ? ORDER BY position').all(layer) as SideRow[]) {
    sides[s.name] = {
      addresses: addrs.all(layer, s.name) as string[],
      advertised_address: s.advertised_address,
      udp: s.udp,
      tcp: s.tcp,
      tls: s.tls,
      media: JSON.parse(s.media) as SideConfig['media'],
      // Only when set: documents without it read back unchanged.
      ...(s.interface ? { interface: s.interface } : {}),
    };
  }

  const eps = db.prepare('SELECT host, port FROM trunk_endpoints WHERE layer = ? AND trunk = ? ORDER BY position');
  const trunks: TrunkConfig[] = (
    db.prepare('SELECT * FROM trunks WHERE layer = ? ORDER BY position').all(layer) as TrunkRow[]
  ).map((t) => ({
    name: t.name,
    kind: t.kind,
    side: t.side,
    transport: t.transport,
    region: t.region,
    endpoint_set: t.endpoint_set,
    endpoints: eps.all(layer, t.name) as { host: string; port: number }[],
    srv: t.srv === 1,
    sip_domain: t.sip_domain,
    api_key: t.api_key,
    api_secret: t.api_secret,
    country: t.country,
    caller_id: JSON.parse(t.caller_id) as TrunkConfig['caller_id'],
    register: JSON.parse(t.register) as TrunkConfig['register'],
    session_timer: JSON.parse(t.session_timer) as TrunkConfig['session_timer'],
    header_rules: JSON.parse(t.header_rules) as TrunkConfig['header_rules'],
    from_domain: t.from_domain,
    options_ping_s: t.options_ping_s,
    media: JSON.parse(t.media) as TrunkConfig['media'],
    enabled: t.enabled === 1,
  }));

  const sip_domains: SipDomainConfig[] = (
    db.prepare('SELECT * FROM sip_domains WHERE layer = ? ORDER BY position').all(layer) as SipDomainRow[]
  ).map((d) => ({
    name: d.name,
    region: d.region,
    application_id: d.application_id,
    auth: d.auth,
    acl: JSON.parse(d.acl) as string[],
  }));

  const pbxs: PbxConfig[] = (db.prepare('SELECT * FROM pbxs WHERE layer = ? ORDER BY position').all(layer) as PbxRow[]).map((p) => ({
    name: p.name,
    side: p.side,
    host: p.host,
    port: p.port,
    transport: p.transport,
    registration: JSON.parse(p.registration) as PbxConfig['registration'],
    allowed_numbers: JSON.parse(p.allowed_numbers) as string[],
    header_rules: JSON.parse(p.header_rules) as PbxConfig['header_rules'],
    media: JSON.parse(p.media) as PbxConfig['media'],
    enabled: p.enabled === 1,
  }));

  const targets = db.prepare('SELECT pbx, timeout_ms FROM route_targets WHERE layer = ? AND route = ? ORDER BY position');
  const routes: RouteConfig[] = (
    db.prepare('SELECT * FROM routes WHERE layer = ? ORDER BY position').all(layer) as RouteRow[]
  ).map((r) => ({
    name: r.name,
    from_side: r.from_side,
    match: { ruri_user: r.match_ruri_user, from_trunk: r.match_from_trunk ?? '' },
    to: routeTarget(r, targets),
    priority: r.priority,
    enabled: r.enabled === 1,
  }));

  const out = { ...doc, sides, trunks, sip_domains, pbxs, routes } as ConfigDocument;
  // A layer written before a field existed lacks it: the schema's defaults
  // fill it in (the same values a new document gets).
  schemaProblems(out);
  return canonicalize(out, { secrets: true });
}

export function layerIsEmpty(db: DB, layer: Layer): boolean {
  return db.prepare('SELECT COUNT(*) FROM settings WHERE layer = ?').pluck().get(layer) === 0;
}
