// ConfigStore against a real SQLite file: seeding, import/export round trips,
// refusal of invalid documents, history and rollback.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { defaultConfig } from '../../../src/config/default-config.js';
import { ConfigError } from '../../../src/config/errors.js';
import { ConfigStore } from '../../../src/config/store.js';
import { dumpDb, tempDbPath } from './helpers.js';

// Canonical YAML as an admin would keep it in a file (schema key order,
// block style). Richer than the default on purpose: IPv6, three sides,
// two endpoints, regex with escapes, disabled objects.
const YAML_DOC = `version: 1
system:
  name: sbc-7
  log_level: debug
sip:
  user_agent: EdgeSBC/test
  max_calls_in_progress: 200
  retry_after_s: 10
  timers:
    t1_ms: 250
    t2_ms: 4000
    t4_ms: 5000
  session_timer:
    enabled: true
    expires_s: 600
    min_se_s: 120
  shutdown_grace_s: 5
  dns_servers:
    - 192.0.2.53
    - 192.0.2.54:5353
tls:
  min_version: "1.3"
  cert_file: ""
  key_file: ""
media:
  workers: 0
  timeout_s: 60
  hold_timeout_s: 0
sides:
  lan:
    addresses:
      - 10.0.0.1
      - fd00::1
    advertised_address: ""
    udp: 5060
    tcp: 5060
    tls: 0
    media:
      address: ""
      advertised_address: ""
      port_min: 10000
      port_max: 20000
  wan:
    addresses:
      - 192.0.2.1
    advertised_address: 198.51.100.7
    udp: 5060
    tcp: 5060
    tls: 5061
    media:
      address: ""
      advertised_address: ""
      port_min: 10000
      port_max: 20000
  dmz:
    addresses:
      - 172.16.0.1
    advertised_address: ""
    udp: 5062
    tcp: 0
    tls: 0
    media:
      address: ""
      advertised_address: ""
      port_min: 10000
      port_max: 20000
trunks:
  - name: vonage
    kind: generic
    side: wan
    transport: tls
    region: ""
    endpoint_set: ""
    endpoints:
      - host: sip-us.example.com
        port: 5061
      - host: 2001:db8::10
        port: 5061
    srv: false
    sip_domain: ""
    api_key: ""
    api_secret: ""
    country: ""
    caller_id:
      mode: pass
      number: ""
    register:
      enabled: false
      interval_s: 3600
    session_timer:
      mode: inherit
      expires_s: 0
      min_se_s: 0
    header_rules: []
    from_domain: example.org
    options_ping_s: 30
    media:
      srtp: off
      latching: same-ip
      codecs: []
      transcode: when-needed
    enabled: true
  - name: spare
    kind: generic
    side: wan
    transport: udp
    region: ""
    endpoint_set: ""
    endpoints:
      - host: 192.0.2.50
        port: 5060
    srv: false
    sip_domain: ""
    api_key: ""
    api_secret: ""
    country: ""
    caller_id:
      mode: pass
      number: ""
    register:
      enabled: false
      interval_s: 3600
    session_timer:
      mode: inherit
      expires_s: 0
      min_se_s: 0
    header_rules: []
    from_domain: ""
    options_ping_s: 0
    media:
      srtp: off
      latching: same-ip
      codecs: []
      transcode: when-needed
    enabled: false
sip_domains: []
pbxs:
  - name: main
    side: lan
    host: 10.0.0.20
    port: 5060
    transport: tcp
    registration:
      mode: static
      username: ""
      password: ""
    allowed_numbers: []
    header_rules: []
    media:
      srtp: off
      latching: until-signalled
      codecs: []
      transcode: when-needed
    enabled: true
  - name: lab
    side: dmz
    host: pbx.lab.example
    port: 5090
    transport: udp
    registration:
      mode: static
      username: ""
      password: ""
    allowed_numbers: []
    header_rules: []
    media:
      srtp: off
      latching: until-signalled
      codecs: []
      transcode: when-needed
    enabled: false
routes:
  - name: uk-in
    from_side: wan
    match:
      ruri_user: ^\\+?44(\\d{9,10})$
      from_trunk: ""
    to:
      pbx: main
    priority: 10
    enabled: true
  - name: out
    from_side: lan
    match:
      ruri_user: ""
      from_trunk: ""
    to:
      trunk: vonage
    priority: 100
    enabled: true
  - name: lab-out
    from_side: dmz
    match:
      ruri_user: ^9
      from_trunk: ""
    to:
      trunk: spare
    priority: 200
    enabled: false
firewall:
  enabled: true
  wan_sides: []
  wan_interfaces: []
  trunks: {}
  address_lists: {}
  resolve_interval_s: 300
  admin:
    tcp_ports:
      - 443
      - 22
    networks: []
  icmp_per_s: 10
  bans:
    timeout_s: 3600
    allow_list: []
    unknown_sources: true
    scanner_user_agents:
      - friendly-scanner
      - sipvicious
      - sipcli
      - VaxSIPUserAgent
      - sip-scan
      - sundayddr
      - iWar
      - SIPBomber
      - smap
      - pplsip
    auth_failures: 5
    auth_window_s: 60
  flood:
    packets_per_s: 500
    burst: 1000
    ban_timeout_s: 600
api:
  enabled: true
  port: 8443
  sides:
    - lan
  addresses: []
  allowed_networks:
    - 192.0.2.0/24
  cert_file: ""
  key_file: ""
  session_idle_min: 15
  login_max_failures: 5
  lockout_s: 300
  login_rate_per_min: 10
cdr:
  enabled: true
  retention_days: 30
`;

test('open() on an empty dir seeds candidate and running with the default and commit #1', (t) => {
  const path = tempDbPath(t);
  const store = ConfigStore.open(path);
  t.after(() => store.close());
  assert.deepEqual(store.running(), defaultConfig());
  assert.deepEqual(store.candidate(), defaultConfig());
  const h = store.history();
  assert.equal(h.length, 1);
  assert.deepEqual({ id: h[0]!.id, user: h[0]!.user, comment: h[0]!.comment, kind: h[0]!.kind }, {
    id: 1,
    user: 'system',
    comment: 'initial default',
    kind: 'initial',
  });
  assert.deepEqual(store.commitSnapshot(1), defaultConfig());
  // The file is a real WAL-mode database with foreign keys enforced by the store's connection.
  const raw = dumpDb(path);
  assert.equal(raw.commits!.length, 1);
  // Owner-only: hashes and (later) trunk secrets live here.
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(dirname(path)).mode & 0o777, 0o700);
  assert.equal((raw.trunks as { layer: string }[]).filter((r) => r.layer === 'running').length, 1);
});

test('reopening does not seed again and sees the same config', (t) => {
  const path = tempDbPath(t);
  const a = ConfigStore.open(path);
  a.patchCandidate({ system: { name: 'kept' } });
  a.commit({ user: 'alice' });
  a.close();
  const b = ConfigStore.open(path);
  t.after(() => b.close());
  assert.equal(b.running().system.name, 'kept');
  assert.equal(b.history().length, 2);
});

test('YAML: import -> commit -> export is byte-identical', (t) => {
  const store = ConfigStore.open(tempDbPath(t));
  t.after(() => store.close());
  store.importText(YAML_DOC, 'yaml', { user: 'alice', source: 'cli:ttyS0' });
  assert.equal(store.exportText('yaml', 'candidate'), YAML_DOC);
  assert.notEqual(store.exportText('yaml', 'running'), YAML_DOC, 'running changes only at commit');
  store.commit({ user: 'alice', comment: 'from file' });
  assert.equal(store.exportText('yaml'), YAML_DOC);
  assert.equal(store.running().routes[0]!.match.ruri_user, '^\\+?44(\\d{9,10})$');
});

test('JSON: import -> commit -> export is byte-identical', (t) => {
  const store = ConfigStore.open(tempDbPath(t));
  t.after(() => store.close());
  const fromYaml = ConfigStore.open(tempDbPath(t));
  fromYaml.importText(YAML_DOC, 'yaml');
  const json = fromYaml.exportText('json', 'candidate');
  fromYaml.close();
  assert.ok(json.startsWith('{\n  "version": 1,\n  "system": {\n    "name": "sbc-7",'));
  store.importText(json, 'json');
  store.commit();
  assert.equal(store.exportText('json'), json);
  // And the other way: JSON in, YAML out equals the YAML original.
  assert.equal(store.exportText('yaml'), YAML_DOC);
});

test('a partial document gets its defaults; the export shows them', (t) => {
  const store = ConfigStore.open(tempDbPath(t));
  t.after(() => store.close());
  store.importText('version: 1\nsides:\n  lan:\n    addresses: ["10.9.9.9"]\n', 'yaml');
  const c = store.candidate();
  assert.deepEqual(c.sides, {
    lan: {
      addresses: ['10.9.9.9'],
      advertised_address: '',
      udp: 5060,
      tcp: 5060,
      tls: 5061,
      media: { address: '', advertised_address: '', port_min: 10000, port_max: 20000 },
    },
  });
  assert.deepEqual(c.trunks, []);
  assert.equal(c.sip.max_calls_in_progress, 1000);
  assert.match(store.exportText('yaml', 'candidate'), /^ {2}max_calls_in_progress: 1000$/m);
});

const INVALID: [string, (d: any) => void, string, RegExp][] = [
  ['bad port', (d) => (d.trunks[0].endpoints[0].port = 65536), '/trunks/0/endpoints/0/port', /must be <= 65535/],
  ['unknown trunk reference', (d) => (d.routes[0].to = { trunk: 'acme' }), '/routes/0/to/trunk', /unknown trunk "acme"/],
  ['duplicate name', (d) => d.pbxs.push({ ...d.pbxs[0] }), '/pbxs/1/name', /duplicate name "pbx"/],
  ['bad IP', (d) => (d.sides.wan.addresses = ['127.0.0.2', '1.2.3.4.5']), '/sides/wan/addresses/1', /not an IPv4\/IPv6 address/],
  ['bad regex', (d) => (d.routes[1].match.ruri_user = '*44'), '/routes/1/match/ruri_user', /invalid regex/],
  ['wrong type', (d) => (d.sides.lan.udp = '5060'), '/sides/lan/udp', /must be integer/],
  ['unknown field', (d) => (d.pbxs[0].hots = 'x'), '/pbxs/0/hots', /unknown field/],
];

for (const [label, mutate, path, message] of INVALID) {
  test(`invalid document refused (${label}); nothing written`, (t) => {
    const dbPath = tempDbPath(t);
    const store = ConfigStore.open(dbPath);
    t.after(() => store.close());
    store.patchCandidate({ system: { name: 'edited' } }); // uncommitted work must survive
    const before = dumpDb(dbPath);
    const doc = store.candidate();
    mutate(doc);
    for (const attempt of [
      () => store.setCandidate(doc),
      () => store.importText(JSON.stringify(doc), 'json'),
      () => store.importText(JSON.stringify(doc), 'yaml'), // JSON is YAML too
    ]) {
      assert.throws(attempt, (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.code, 'ERR_CONFIG_INVALID');
        assert.ok(
          err.errors.some((e) => e.path === path && message.test(e.message)),
          `expected ${path} ~ ${message}: ${JSON.stringify(err.errors)}`,
        );
        return true;
      });
    }
    assert.deepEqual(dumpDb(dbPath), before);
    assert.equal(store.candidate().system.name, 'edited');
  });
}

test('syntax errors are ConfigErrors too', (t) => {
  const store = ConfigStore.open(tempDbPath(t));
  t.after(() => store.close());
  assert.throws(() => store.importText('version: 1\n  bad: [', 'yaml'), { code: 'ERR_CONFIG_INVALID', message: /YAML syntax error/ });
  assert.throws(() => store.importText('{"version": 1,', 'json'), { code: 'ERR_CONFIG_INVALID', message: /JSON syntax error/ });
  assert.throws(() => store.importText('a: 1\na: 2\n', 'yaml'), { code: 'ERR_CONFIG_INVALID' });
});

test('history keeps every commit with user, comment and full snapshot', (t) => {
  const store = ConfigStore.open(tempDbPath(t));
  t.after(() => store.close());
  for (let i = 2; i <= 5; i++) {
    store.patchCandidate({ sip: { max_calls_in_progress: i * 10 } });
    const c = store.commit({ user: `u${i}`, comment: `set ${i * 10}` });
    assert.equal(c.id, i);
    assert.equal(c.kind, 'commit');
  }
  const h = store.history();
  assert.deepEqual(
    h.map((c) => [c.id, c.user, c.comment]),
    [
      [5, 'u5', 'set 50'],
      [4, 'u4', 'set 40'],
      [3, 'u3', 'set 30'],
      [2, 'u2', 'set 20'],
      [1, 'system', 'initial default'],
    ],
  );
  for (let i = 2; i <= 5; i++) assert.equal(store.commitSnapshot(i).sip.max_calls_in_progress, i * 10);
  assert.ok(h.every((c) => !Number.isNaN(Date.parse(c.at))));
  assert.deepEqual(store.diff(2, 5), [{ path: '/sip/max_calls_in_progress', op: 'change', from: 20, to: 50 }]);
});

test('rollback N makes commit N running again, as a new recorded commit', (t) => {
  const store = ConfigStore.open(tempDbPath(t));
  t.after(() => store.close());
  const seen: [string, number][] = [];
  store.onRunningChange((doc, c) => seen.push([doc.system.name, c.id]));
  store.patchCandidate({ system: { name: 'two' } });
  store.commit({ user: 'alice' });
  store.patchCandidate({ system: { name: 'three' }, trunks: [] , routes: [defaultConfig().routes[1]] });
  store.commit({ user: 'alice' });
  store.patchCandidate({ system: { name: 'uncommitted' } });

  const r = store.rollback(2, { user: 'bob', source: 'api:192.0.2.9' });
  assert.equal(r.id, 4);
  assert.equal(r.kind, 'rollback');
  assert.equal(r.rollbackOf, 2);
  assert.equal(r.user, 'bob');
  assert.deepEqual(store.running(), store.commitSnapshot(2));
  assert.deepEqual(store.candidate(), store.running(), 'candidate follows the rollback');
  assert.equal(store.running().trunks.length, 1);
  assert.deepEqual(store.commitSnapshot(4), store.commitSnapshot(2));
  assert.deepEqual(seen, [
    ['two', 2],
    ['three', 3],
    ['two', 4],
  ]);
  const audit = store.auditLog(1)[0]!;
  assert.deepEqual([audit.user, audit.source, audit.action], ['bob', 'api:192.0.2.9', 'rollback']);
  assert.throws(() => store.rollback(99), { code: 'ERR_CONFIG_NO_SUCH_COMMIT' });
  assert.equal(store.history().length, 4);
});

test('discardCandidate restores the running config into the candidate', (t) => {
  const store = ConfigStore.open(tempDbPath(t));
  t.after(() => store.close());
  store.patchCandidate({ system: { name: 'scratch' } });
  assert.equal(store.diff().length, 1);
  store.discardCandidate();
  assert.deepEqual(store.candidate(), store.running());
  assert.deepEqual(store.diff(), []);
});

test('audit log records who, when, what and from where', (t) => {
  const store = ConfigStore.open(tempDbPath(t));
  t.after(() => store.close());
  store.audit({ user: 'carol', source: 'ssh:198.51.100.3', action: 'login' });
  store.patchCandidate({ system: { log_level: 'warn' } }, { user: 'carol', source: 'ssh:198.51.100.3' });
  store.commit({ user: 'carol', source: 'ssh:198.51.100.3', comment: 'quieter' });
  const log = store.auditLog();
  assert.deepEqual(
    log.slice(0, 3).map((e) => [e.user, e.source, e.action, e.detail]),
    [
      ['carol', 'ssh:198.51.100.3', 'commit', 'commit 2: quieter'],
      ['carol', 'ssh:198.51.100.3', 'candidate.patch', '[{"path":"/system/log_level","op":"change","from":"info","to":"warn"}]'],
      ['carol', 'ssh:198.51.100.3', 'login', ''],
    ],
  );
  assert.ok(log.every((e) => !Number.isNaN(Date.parse(e.at))));
});

test('a closed store refuses work but checkConfirmDeadline stays harmless', (t) => {
  const store = ConfigStore.open(tempDbPath(t));
  store.close();
  assert.throws(() => store.running(), { code: 'ERR_CONFIG_CLOSED' });
  assert.equal(store.checkConfirmDeadline(), false);
});
