// The trunk model in the config (issue 5): Vonage trunk fields, secure
// defaults for new trunks, secrets masked everywhere the config is shown,
// Programmable SIP domains refused without a region (V-PS-2), IP ACLs
// (V-PS-3), PBX registration and DID routes with ordered PBX targets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { defaultConfig } from '../../../src/config/default-config.js';
import type { ConfigDocument } from '../../../src/config/document.js';
import { ConfigError } from '../../../src/config/errors.js';
import { migrate } from '../../../src/config/migrate.js';
import { migrations } from '../../../src/config/migrations/index.js';
import { ConfigStore } from '../../../src/config/store.js';
import { readLayer, writeLayer } from '../../../src/config/tables.js';
import { validateDocument } from '../../../src/config/validate.js';
import { configWarnings } from '../../../src/config/warnings.js';

const SECRET = 'Xq7TestSecret9Zk';

function problemsOf(doc: unknown): { path: string; message: string }[] {
  try {
    validateDocument(doc);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.errors;
  }
  assert.fail('document was accepted');
}

function has(problems: { path: string; message: string }[], path: string, re: RegExp): void {
  assert.ok(
    problems.some((p) => p.path === path && re.test(p.message)),
    `expected ${path} ~ ${re}, got ${JSON.stringify(problems)}`,
  );
}

// The default plus a Vonage trunk as an admin would write it.
function withVonage(trunk: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const d = defaultConfig() as unknown as Record<string, unknown>;
  (d.trunks as unknown[]).push({
    name: 'vonage-eu',
    kind: 'vonage',
    region: 'eu',
    endpoint_set: 'vonage-current',
    api_key: 'a1b2c3d4',
    api_secret: SECRET,
    country: 'GB',
    ...trunk,
  });
  return { ...d, ...extra };
}

test('a new trunk gets TLS on 5061 and SRTP (V-OUT-9, V-OUT-10); a UDP trunk gets 5060 and RTP', () => {
  const doc = validateDocument(withVonage());
  const t = doc.trunks[1]!;
  assert.equal(t.transport, 'tls');
  assert.equal(t.media.srtp, 'sdes');
  const manual = validateDocument(withVonage({ endpoint_set: '', endpoints: [{ host: 'sip-eu-3-1.vonage.com' }] }));
  assert.deepEqual(manual.trunks[1]!.endpoints, [{ host: 'sip-eu-3-1.vonage.com', port: 5061 }]);
  const udp = validateDocument(withVonage({ transport: 'udp', endpoint_set: '', endpoints: [{ host: '192.0.2.9' }] }));
  assert.deepEqual(udp.trunks[1]!.endpoints, [{ host: '192.0.2.9', port: 5060 }]);
  assert.equal(udp.trunks[1]!.media.srtp, 'off');
  // A value written in the document always wins over the dependent default.
  const written = validateDocument(withVonage({ media: { srtp: 'off' } }));
  assert.equal(written.trunks[1]!.media.srtp, 'off');
});

test('SRTP without TLS is accepted with a warning that the keys travel in clear (V-OUT-10)', () => {
  const doc = validateDocument(withVonage({ transport: 'udp', media: { srtp: 'sdes' } }));
  const w = configWarnings(doc);
  has(w, '/trunks/1/media/srtp', /keys \(a=crypto\) travel in clear.*TLS.*V-OUT-10/);
  assert.deepEqual(configWarnings(validateDocument(withVonage())), [], 'TLS + SRTP: nothing to say');
});

test('a Vonage trunk needs api_key, api_secret and a country (V-OUT-2, V-OUT-4)', () => {
  const p = problemsOf(withVonage({ api_key: '', api_secret: '', country: '' }));
  has(p, '/trunks/1/api_key', /needs api_key and api_secret: every INVITE is authenticated with digest \(V-OUT-2\)/);
  has(p, '/trunks/1/country', /needs a country.*E\.164.*V-OUT-4/);
  has(problemsOf(withVonage({ country: 'XX' })), '/trunks/1/country', /"XX" is not an ISO 3166-1 alpha-2 country/);
  // A generic trunk may have no credentials, but not half of them.
  const g = withVonage({ kind: 'generic', api_secret: '' });
  has(problemsOf(g), '/trunks/1/api_secret', /set api_key and api_secret together/);
});

test('endpoint sets: exactly one of endpoint_set / endpoints, a known set, srv needs a region for a regional set (V-OUT-1, V-OUT-3)', () => {
  has(problemsOf(withVonage({ endpoint_set: '' })), '/trunks/1/endpoints', /name at least one endpoint, or an endpoint_set/);
  has(problemsOf(withVonage({ endpoints: [{ host: '192.0.2.1' }] })), '/trunks/1/endpoint_set', /either endpoint_set or endpoints, not both/);
  has(problemsOf(withVonage({ endpoint_set: 'vonage-2031' })), '/trunks/1/endpoint_set', /unknown endpoint set "vonage-2031" \(shipped: nexmo-later, nexmo-legacy, vonage-current\)/);
  has(problemsOf(withVonage({ region: '', srv: true })), '/trunks/1/region', /srv with endpoint set "vonage-current" needs a region/);
  // The legacy sets have one entry name for every region (sip.nexmo.com).
  validateDocument(withVonage({ region: '', srv: true, endpoint_set: 'nexmo-legacy' }));
});

test('caller_id fixed needs a number that can be written in E.164 with the trunk country (V-OUT-5)', () => {
  has(problemsOf(withVonage({ caller_id: { mode: 'fixed' } })), '/trunks/1/caller_id/number', /mode fixed needs the number/);
  has(problemsOf(withVonage({ caller_id: { mode: 'fixed', number: '0770' } })), '/trunks/1/caller_id/number', /cannot be written in E\.164 \(V-OUT-5\): "0770" is too short/);
  const ok = validateDocument(withVonage({ caller_id: { mode: 'fixed', number: '07700900000' } }));
  assert.deepEqual(ok.trunks[1]!.caller_id, { mode: 'fixed', number: '07700900000' });
});

test('header rules: add needs a value, rewrite a regex that compiles, a prefix only for remove', () => {
  const p = problemsOf(
    withVonage({
      header_rules: [
        { action: 'add', name: 'X-Site' },
        { action: 'rewrite', name: 'X-UserId', pattern: '(' },
        { action: 'add', name: 'X-Nexmo*', value: 'x' },
        { action: 'remove', name: 'X-Nexmo*' },
      ],
    }),
  );
  has(p, '/trunks/1/header_rules/0/value', /add needs the header value/);
  has(p, '/trunks/1/header_rules/1/pattern', /invalid regex/);
  has(p, '/trunks/1/header_rules/2/name', /only for remove/);
  assert.ok(!p.some((x) => x.path.startsWith('/trunks/1/header_rules/3')));
});

test('a Programmable SIP domain without a region is refused with the reason (V-PS-2)', () => {
  const p = problemsOf(withVonage({}, { sip_domains: [{ name: 'yourcompany' }] }));
  has(p, '/sip_domains/0/region', /needs its region \(us, eu or ap\): Vonage fails calls whose Request-URI lacks it.*yourcompany\.sip-eu\.nexmo\.com.*V-PS-2/);
  has(problemsOf(withVonage({}, { sip_domains: [{ name: 'yourcompany.sip.nexmo.com', region: 'eu' }] })), '/sip_domains/0/name', /write only the domain name/);
  // In its region, named by a trunk of the same region: fine.
  const doc = validateDocument(withVonage({ sip_domain: 'yourcompany' }, { sip_domains: [{ name: 'yourcompany', region: 'eu' }] }));
  assert.deepEqual(doc.sip_domains, [{ name: 'yourcompany', region: 'eu', application_id: '', auth: 'digest', acl: [] }]);
  has(
    problemsOf(withVonage({ sip_domain: 'yourcompany' }, { sip_domains: [{ name: 'yourcompany', region: 'us' }] })),
    '/trunks/1/sip_domain',
    /in region us, the trunk in eu.*V-PS-2/,
  );
});

test('IP ACL of a domain: CIDR blocks and single addresses, host bits zero, and a warning when the SBC is outside it (V-PS-3)', () => {
  const acl = ['180.180.180.180/30', '190.190.190.190'];
  const domain = { name: 'yourcompany', region: 'eu', application_id: 'c49f3586-9c3c-458b-89fc-3c8beb58865f', auth: 'acl', acl };
  const doc = validateDocument(withVonage({ sip_domain: 'yourcompany' }, { sip_domains: [domain] }));
  assert.deepEqual(doc.sip_domains[0], domain);
  // The default WAN side is 127.0.0.2: not in the ACL.
  has(configWarnings(doc), '/sip_domains/0/acl', /sends from 127\.0\.0\.2, which the ACL does not hold.*V-PS-3/);
  const inside = structuredClone(doc);
  inside.sip_domains[0]!.acl.push('127.0.0.0/8');
  assert.deepEqual(configWarnings(inside), []);
  has(problemsOf(withVonage({}, { sip_domains: [{ ...domain, acl: ['180.180.180.181/30'] }] })), '/sip_domains/0/acl/0', /host bits/);
  has(problemsOf(withVonage({}, { sip_domains: [{ ...domain, acl: [] }] })), '/sip_domains/0/acl', /auth acl needs at least one address/);
  has(problemsOf(withVonage({}, { sip_domains: [{ ...domain, application_id: 'app_id' }] })), '/sip_domains/0/application_id', /must match pattern/);
});

test('PBX: static needs a host, register needs username and password; allowed numbers are E.164 digits or prefixes', () => {
  const d = defaultConfig() as unknown as { pbxs: Record<string, unknown>[] };
  d.pbxs[0]!.host = '';
  has(problemsOf(d), '/pbxs/0/host', /required unless registration mode is register/);
  d.pbxs[0]!.registration = { mode: 'register' };
  const p = problemsOf(d);
  has(p, '/pbxs/0/registration/username', /needs a username/);
  has(p, '/pbxs/0/registration/password', /needs a password/);
  d.pbxs[0]!.registration = { mode: 'register', username: 'pbx1', password: 'pw-pbx-1' };
  d.pbxs[0]!.allowed_numbers = ['447700900000', '4420794600*'];
  const ok = validateDocument(d);
  assert.deepEqual(ok.pbxs[0]!.allowed_numbers, ['447700900000', '4420794600*']);
  d.pbxs[0]!.allowed_numbers = ['+447700900000'];
  has(problemsOf(d), '/pbxs/0/allowed_numbers/0', /must match pattern/);
});

test('DID route: ordered PBX targets with per-target timeout_ms 2000..20000, default 5000 (V-IN-3)', () => {
  const d = defaultConfig() as unknown as ConfigDocument;
  d.pbxs.push({ ...structuredClone(d.pbxs[0]!), name: 'pbx2', host: '127.0.0.11' });
  (d.routes as unknown[]).unshift({
    name: 'did-4420',
    from_side: 'wan',
    match: { ruri_user: '^442079460000$', from_trunk: 'vonage' },
    to: { pbxs: [{ pbx: 'pbx', timeout_ms: 2000 }, { pbx: 'pbx2' }] },
  });
  const doc = validateDocument(d);
  assert.deepEqual(doc.routes[0]!.to, { pbxs: [{ pbx: 'pbx', timeout_ms: 2000 }, { pbx: 'pbx2', timeout_ms: 5000 }] });
  const bad = structuredClone(doc) as unknown as { routes: { to: { pbxs: { pbx: string; timeout_ms: number }[] } }[] };
  bad.routes[0]!.to.pbxs = [{ pbx: 'pbx', timeout_ms: 1999 }, { pbx: 'nope', timeout_ms: 20001 }, { pbx: 'pbx', timeout_ms: 5000 }];
  const p = problemsOf(bad);
  has(p, '/routes/0/to/pbxs/0/timeout_ms', /must be >= 2000/);
  has(p, '/routes/0/to/pbxs/1/timeout_ms', /must be <= 20000/);
  has(p, '/routes/0/to/pbxs/1/pbx', /unknown pbx "nope"/);
  has(p, '/routes/0/to/pbxs/2/pbx', /already in the list/);
  const wrongSide = structuredClone(doc);
  wrongSide.routes[0]!.match.from_trunk = 'vonage';
  wrongSide.routes[0]!.from_side = 'lan';
  has(problemsOf(wrongSide), '/routes/0/match/from_trunk', /is on side "wan", not "lan"/);
  const two = structuredClone(doc) as unknown as { routes: { to: Record<string, unknown> }[] };
  two.routes[0]!.to.pbx = 'pbx';
  has(problemsOf(two), '/routes/0/to', /must name exactly one of trunk, pbx, pbxs/);
});

test('every new field round-trips through the tables exactly', () => {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db);
  const d = withVonage(
    {
      sip_domain: 'yourcompany',
      srv: true,
      caller_id: { mode: 'pai', number: '' },
      register: { enabled: true, interval_s: 600 },
      session_timer: { mode: 'on', expires_s: 600, min_se_s: 120 },
      header_rules: [{ action: 'remove', name: 'X-Nexmo*' }, { action: 'rewrite', name: 'X-UserId', pattern: '^(.*)$', value: 'pbx-$1' }],
    },
    { sip_domains: [{ name: 'yourcompany', region: 'eu', auth: 'acl', acl: ['190.190.190.190'] }] },
  ) as unknown as ConfigDocument;
  d.pbxs[0]!.registration = { mode: 'register', username: 'pbx1', password: 'pw' };
  d.pbxs[0]!.allowed_numbers = ['4420*'];
  d.pbxs.push({ ...structuredClone(d.pbxs[0]!), name: 'pbx2' });
  (d.routes as unknown[]).push({ name: 'did', from_side: 'wan', match: { ruri_user: '^44', from_trunk: 'vonage-eu' }, to: { pbxs: [{ pbx: 'pbx2' }, { pbx: 'pbx', timeout_ms: 9000 }] } });
  const doc = validateDocument(d);
  db.transaction(() => writeLayer(db, 'candidate', doc))();
  const back = readLayer(db, 'candidate');
  assert.equal(JSON.stringify(back), JSON.stringify(doc));
  // The database refuses a domain without a region even past validation (V-PS-2).
  assert.throws(
    () => db.prepare(`INSERT INTO sip_domains (layer, name, position, region, application_id, auth) VALUES ('running', 'x', 0, '', '', 'digest')`).run(),
    /CHECK/,
  );
  db.close();
});

test('migration 4 keeps the trunks, PBXs and routes of a version-3 database (they become generic, behaving as before)', () => {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations.filter((m) => m.version <= 3));
  // Rows as a version-3 program wrote them.
  db.exec(`
    INSERT INTO sides (layer, name, position, advertised_address, udp, tcp, tls, media) VALUES ('running', 'lan', 0, '', 5060, 5060, 5061, '{}'), ('running', 'wan', 1, '', 5070, 5070, 5071, '{}');
    INSERT INTO side_addresses (layer, side, position, address) VALUES ('running', 'lan', 0, '127.0.0.1'), ('running', 'wan', 0, '127.0.0.2');
    INSERT INTO trunks (layer, name, position, side, transport, from_domain, options_ping_s, enabled, media) VALUES ('running', 'vonage', 0, 'wan', 'udp', '', 0, 1, '{"srtp":"off","latching":"same-ip","codecs":[]}');
    INSERT INTO trunk_endpoints (layer, trunk, position, host, port) VALUES ('running', 'vonage', 0, '192.0.2.5', 5060);
    INSERT INTO pbxs (layer, name, position, side, host, port, transport, enabled, media) VALUES ('running', 'pbx', 0, 'lan', '192.0.2.20', 5060, 'udp', 1, '{}');
    INSERT INTO routes (layer, name, position, from_side, match_ruri_user, to_trunk, to_pbx, priority, enabled) VALUES ('running', 'out', 0, 'lan', '', 'vonage', NULL, 100, 1), ('running', 'in', 1, 'wan', '^44', NULL, 'pbx', 5, 1);
    INSERT INTO settings (layer, key, value) VALUES ('running', '/version', '1');
  `);
  // Read by today's code, so every later migration too (6: session_timer, '{}' = inherit).
  assert.deepEqual(migrate(db), migrations.filter((m) => m.version >= 4).map((m) => m.version));
  const doc = readLayer(db, 'running');
  assert.deepEqual(validateDocument(doc).trunks[0]!.session_timer, { mode: 'inherit', expires_s: 0, min_se_s: 0 }, 'migration 6: as before, the global timers');
  assert.equal(doc.trunks[0]!.kind, 'generic');
  assert.equal(doc.trunks[0]!.transport, 'udp');
  assert.equal(doc.trunks[0]!.media.srtp, 'off');
  assert.deepEqual(doc.trunks[0]!.endpoints, [{ host: '192.0.2.5', port: 5060 }]);
  assert.deepEqual(doc.trunks[0]!.caller_id, { mode: 'pass', number: '' });
  assert.deepEqual(doc.pbxs[0]!.registration, { mode: 'static', username: '', password: '' });
  assert.deepEqual(
    doc.routes.map((r) => [r.name, r.match, r.to]),
    [
      ['out', { ruri_user: '', from_trunk: '' }, { trunk: 'vonage' }],
      ['in', { ruri_user: '^44', from_trunk: '' }, { pbx: 'pbx' }],
    ],
  );
  validateDocument(doc);
  assert.deepEqual(db.pragma('foreign_key_check'), []);
  db.close();
});

test('V-OUT-2: the API secret never appears in exports, diffs, audit or error messages, and a masked import keeps it', () => {
  const store = ConfigStore.open(':memory:', { confirmTimer: false });
  try {
    const d = withVonage() as unknown as ConfigDocument;
    d.pbxs[0]!.registration = { mode: 'register', username: 'pbx1', password: 'PbxPassw0rd' };
    store.setCandidate(d, { user: 'alice' });
    store.commit({ user: 'alice', comment: 'vonage trunk' });

    for (const format of ['yaml', 'json'] as const) {
      const text = store.exportText(format);
      assert.ok(!text.includes(SECRET), `${format} export holds the secret`);
      assert.ok(!text.includes('PbxPassw0rd'), `${format} export holds the PBX password`);
      assert.match(text, /api_secret: "\*\*\*\*\*\*\*\*"|"api_secret": "\*\*\*\*\*\*\*\*"/);
      assert.ok(store.exportText(format, 'running', { secrets: true }).includes(SECRET), 'backups carry it');
    }
    // Edit the masked export and import it back: the stored secret stays.
    const edited = store.exportText('yaml').replace('country: GB', 'country: IE');
    store.importText(edited, 'yaml', { user: 'bob' });
    assert.equal(store.candidate().trunks[1]!.api_secret, SECRET);
    assert.equal(store.candidate().trunks[1]!.country, 'IE');
    assert.equal(store.candidate().pbxs[0]!.registration.password, 'PbxPassw0rd');

    // A new secret shows as changed nowhere in clear.
    const changed = structuredClone(store.candidate());
    changed.trunks[1]!.api_secret = 'AnotherSecret77';
    store.setCandidate(changed);
    const diff = JSON.stringify(store.diff());
    assert.ok(!diff.includes(SECRET) && !diff.includes('AnotherSecret77'), diff);
    assert.ok(!JSON.stringify(store.auditLog()).includes(SECRET));

    // An invalid document with a secret in it: no message quotes the secret.
    const broken = structuredClone(changed) as unknown as { trunks: Record<string, unknown>[] };
    broken.trunks[1]!.api_key = '';
    broken.trunks[1]!.api_secret = `${SECRET}\nX-Injected: 1`;
    try {
      store.setCandidate(broken);
      assert.fail('accepted');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const all = `${err.message} ${JSON.stringify(err.errors)}`;
      assert.ok(!all.includes(SECRET), all);
      has(err.errors, '/trunks/1/api_secret', /must match pattern/);
    }
  } finally {
    store.close();
  }
});
