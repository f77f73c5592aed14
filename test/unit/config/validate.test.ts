// Validation: schema + semantic checks report every problem with its JSON
// path; defaults fill what is missing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig } from '../../../src/config/default-config.js';
import { ConfigError } from '../../../src/config/errors.js';
import { validateDocument } from '../../../src/config/validate.js';

function problemsOf(doc: unknown): { path: string; message: string }[] {
  try {
    validateDocument(doc);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.code, 'ERR_CONFIG_INVALID');
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

test('the embedded default is valid and unchanged by validation', () => {
  assert.deepEqual(validateDocument(defaultConfig()), defaultConfig());
});

test('defaults fill missing fields and sections', () => {
  const doc = validateDocument({
    version: 1,
    sides: { lan: { addresses: ['10.0.0.1'] }, wan: { addresses: ['2001:db8::1'], udp: 5070, tcp: 0, tls: 5071 } },
    trunks: [{ name: 't1', endpoints: [{ host: 'sip.example.net' }] }],
    pbxs: [{ name: 'p1', host: '10.0.0.9' }],
    routes: [{ name: 'out', from_side: 'lan', to: { trunk: 't1' } }],
  });
  assert.deepEqual(doc.system, { name: 'edgesbc', log_level: 'info' });
  assert.deepEqual(doc.sip.timers, { t1_ms: 500, t2_ms: 4000, t4_ms: 5000 });
  assert.deepEqual(doc.tls, { min_version: '1.2', cert_file: '', key_file: '' });
  assert.deepEqual(doc.sides.lan, {
    addresses: ['10.0.0.1'],
    advertised_address: '',
    udp: 5060,
    tcp: 5060,
    tls: 5061,
    media: { address: '', advertised_address: '', port_min: 10000, port_max: 20000 },
  });
  assert.deepEqual(doc.media, { workers: 0, timeout_s: 60, hold_timeout_s: 0 });
  // A new trunk is secure by default: TLS on 5061 and SRTP (V-OUT-9, V-OUT-10).
  assert.deepEqual(doc.trunks[0], {
    name: 't1',
    kind: 'generic',
    side: 'wan',
    transport: 'tls',
    region: '',
    endpoint_set: '',
    endpoints: [{ host: 'sip.example.net', port: 5061 }],
    srv: false,
    sip_domain: '',
    api_key: '',
    api_secret: '',
    country: '',
    caller_id: { mode: 'pass', number: '' },
    register: { enabled: false, interval_s: 3600 },
    session_timer: { mode: 'inherit', expires_s: 0, min_se_s: 0 },
    header_rules: [],
    from_domain: '',
    options_ping_s: 0,
    media: { srtp: 'sdes', latching: 'same-ip', codecs: [], transcode: 'when-needed' },
    enabled: true,
  });
  assert.deepEqual(doc.sip_domains, []);
  assert.deepEqual(doc.pbxs[0], {
    name: 'p1',
    side: 'lan',
    host: '10.0.0.9',
    port: 5060,
    transport: 'udp',
    registration: { mode: 'static', username: '', password: '' },
    allowed_numbers: [],
    header_rules: [],
    media: { srtp: 'off', latching: 'until-signalled', codecs: [], transcode: 'when-needed' },
    enabled: true,
  });
  assert.deepEqual(doc.routes[0], {
    name: 'out',
    from_side: 'lan',
    match: { ruri_user: '', from_trunk: '' },
    to: { trunk: 't1' },
    priority: 100,
    enabled: true,
  });
  assert.deepEqual(doc.firewall, defaultConfig().firewall);
});

test('validation never modifies its input', () => {
  const input = { version: 1, sides: { lan: { addresses: ['10.0.0.1'] } } };
  const copy = structuredClone(input);
  validateDocument(input);
  assert.deepEqual(input, copy);
});

test('bad port: path to the field and the limit', () => {
  const doc = defaultConfig();
  doc.trunks[0]!.endpoints.push({ host: '192.0.2.1', port: 70000 });
  assert.deepEqual(problemsOf(doc), [{ path: '/trunks/0/endpoints/1/port', message: 'must be <= 65535' }]);
});

test('unknown trunk reference', () => {
  const doc = defaultConfig();
  doc.routes[0]!.to = { trunk: 'nosuch' };
  assert.deepEqual(problemsOf(doc), [{ path: '/routes/0/to/trunk', message: 'unknown trunk "nosuch"' }]);
});

test('unknown pbx and side references', () => {
  const doc = defaultConfig();
  doc.routes[1]!.to = { pbx: 'ghost' };
  doc.pbxs[0]!.side = 'dmz';
  doc.routes[1]!.from_side = 'dmz';
  const p = problemsOf(doc);
  has(p, '/routes/1/to/pbx', /unknown pbx "ghost"/);
  has(p, '/pbxs/0/side', /unknown side "dmz"/);
  has(p, '/routes/1/from_side', /unknown side "dmz"/);
});

test('duplicate names', () => {
  const doc = defaultConfig();
  doc.trunks.push({ ...structuredClone(doc.trunks[0]!) });
  doc.routes[1]!.name = 'pbx-to-vonage';
  const p = problemsOf(doc);
  has(p, '/trunks/1/name', /duplicate name "vonage" \(also \/trunks\/0\)/);
  has(p, '/routes/1/name', /duplicate name "pbx-to-vonage"/);
});

test('bad IP addresses', () => {
  const doc = defaultConfig();
  doc.sides.lan!.addresses = ['127.0.0.1', '10.0.0.256'];
  doc.sides.wan!.advertised_address = 'not-an-ip';
  doc.pbxs[0]!.host = '300.1.1.1';
  const p = problemsOf(doc);
  has(p, '/sides/lan/addresses/1', /"10\.0\.0\.256" is not an IPv4\/IPv6 address/);
  has(p, '/sides/wan/advertised_address', /not an IPv4\/IPv6 address/);
  has(p, '/pbxs/0/host', /not an IP address or host name/);
  assert.equal(p.length, 3);
});

test('bad regex', () => {
  const doc = defaultConfig();
  doc.routes[0]!.match.ruri_user = '^(44[0-9+$';
  has(problemsOf(doc), '/routes/0/match/ruri_user', /^invalid regex: /);
});

test('wrong types', () => {
  const doc = defaultConfig() as unknown as Record<string, any>;
  doc.sip.max_calls_in_progress = '1000';
  doc.trunks[0].enabled = 'yes';
  doc.tls.min_version = 1.2;
  const p = problemsOf(doc);
  has(p, '/sip/max_calls_in_progress', /must be integer/);
  has(p, '/trunks/0/enabled', /must be boolean/);
  has(p, '/tls/min_version', /must be string/);
});

test('unknown fields are refused, with their own path', () => {
  const doc = defaultConfig() as unknown as Record<string, any>;
  doc.trunks[0].pasword = 'x';
  doc.colour = 'blue';
  const p = problemsOf(doc);
  has(p, '/trunks/0/pasword', /unknown field/);
  has(p, '/colour', /unknown field/);
});

test('every problem is reported at once', () => {
  const doc = defaultConfig() as unknown as Record<string, any>;
  doc.sides.wan.udp = -1;
  doc.trunks[0].transport = 'sctp';
  doc.routes[0].to = { trunk: 'nosuch' };
  doc.routes[1].to = { trunk: 'vonage', pbx: 'pbx' };
  doc.system.log_level = 'loud';
  const p = problemsOf(doc);
  has(p, '/sides/wan/udp', /must be >= 0/);
  has(p, '/trunks/0/transport', /must be one of "udp", "tcp", "tls"/);
  has(p, '/routes/0/to/trunk', /unknown trunk/);
  has(p, '/routes/1/to', /exactly one of trunk, pbx/);
  has(p, '/system/log_level', /must be one of/);
});

test('a null route target is refused, not stored', () => {
  const doc = defaultConfig() as unknown as Record<string, any>;
  doc.routes[0].to = { trunk: null };
  has(problemsOf(doc), '/routes/0/to/trunk', /must be string/);
});

test('side consistency: listeners, transports, direction', () => {
  const doc = defaultConfig();
  doc.sides.wan!.addresses = ['127.0.0.1'];
  doc.sides.wan!.udp = 5060; // same address and port as lan udp
  doc.sides.lan!.tls = 5060; // TLS on the TCP port already used by tcp
  doc.trunks[0]!.transport = 'tls';
  doc.sides.wan!.tls = 0;
  doc.routes[0]!.from_side = 'wan'; // wan -> trunk on wan: no side change
  const p = problemsOf(doc);
  has(p, '/sides/wan/udp', /127\.0\.0\.1 udp port 5060 is already used by \/sides\/lan\/udp/);
  has(p, '/sides/lan/tls', /tcp port 5060 is already used by \/sides\/lan\/tcp/);
  has(p, '/trunks/0/transport', /side "wan" has tls switched off/);
  has(p, '/routes/0/to/trunk', /is on side "wan", the side the call comes from/);
});

test('missing required fields and bad names', () => {
  const p = problemsOf({ version: 2, sides: { LAN: { addresses: ['127.0.0.1'] } }, trunks: [{ side: 'wan' }] });
  has(p, '/version', /must be equal to constant/);
  has(p, '/sides/LAN', /name must match/);
  has(p, '/trunks/0/name', /is required/);
  has(p, '/trunks/0/endpoints', /name at least one endpoint, or an endpoint_set/);
});

test('timers and TLS files must be coherent', () => {
  const doc = defaultConfig();
  doc.sip.timers.t2_ms = 100;
  doc.tls.cert_file = '/etc/edgesbc/cert.pem';
  const p = problemsOf(doc);
  has(p, '/sip/timers/t2_ms', /must be >= t1_ms/);
  has(p, '/tls/key_file', /together/);
});
