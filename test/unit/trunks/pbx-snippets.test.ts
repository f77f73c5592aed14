import assert from 'node:assert/strict';
import { test } from 'node:test';

import { defaultConfig } from '../../../src/config/default-config.js';
import type { ConfigDocument } from '../../../src/config/document.js';
import { PASSWORD_PLACEHOLDER, PBX_SNIPPET_KINDS, SnippetError, pbxSnippet } from '../../../src/trunks/pbx-snippets/index.js';

// ---- readers written for the test (no npm package) ----------------------

interface IniSection {
  name: string;
  entries: Array<[string, string]>;
}

// Asterisk's config format: [section], key=value or key => value, ; starts
// a comment, \; is a literal semicolon.
function parseIni(text: string): IniSection[] {
  const out: IniSection[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/(^|[^\\]);.*$/, '$1').replace(/\\;/g, ';').trim();
    if (line === '') continue;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) {
      out.push({ name: sec[1]!, entries: [] });
      continue;
    }
    const kv = /^([A-Za-z_][A-Za-z0-9_]*)\s*=>?\s*(.*)$/.exec(line);
    assert.ok(kv, `line ${i + 1} is not key=value: ${raw}`);
    assert.ok(out.length > 0, `line ${i + 1} before any section`);
    out.at(-1)!.entries.push([kv[1]!, kv[2]!]);
  }
  return out;
}

function section(secs: IniSection[], name: string): Record<string, string | string[]> {
  const found = secs.filter((s) => s.name === name);
  assert.equal(found.length, 1, `one [${name}]`);
  const rec: Record<string, string | string[]> = {};
  for (const [k, v] of found[0]!.entries) {
    const prev = rec[k];
    rec[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return rec;
}

interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

// Enough XML for FreeSWITCH configs: elements, attributes in double quotes,
// self-closing tags, comments; text content is ignored. Throws on anything
// unbalanced.
function parseXml(text: string): XmlElement {
  const root: XmlElement = { tag: '#root', attrs: {}, children: [] };
  const stack = [root];
  const token = /<!--[\s\S]*?-->|<\/([A-Za-z][\w.-]*)\s*>|<([A-Za-z][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  let m: RegExpExecArray | null;
  while ((m = token.exec(text))) {
    if (m[0].startsWith('<!--')) continue;
    if (m[6]) throw new Error(`bad markup at ${m.index}`);
    if (m[5] !== undefined) {
      assert.equal(m[5].trim(), '', `unexpected text ${JSON.stringify(m[5])}`);
      continue;
    }
    if (m[1]) {
      const open = stack.pop()!;
      assert.equal(open.tag, m[1], 'balanced tags');
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of m[3]!.matchAll(/([\w.-]+)="([^"]*)"/g)) {
      assert.equal(attrs[a[1]!], undefined, 'no duplicate attribute');
      attrs[a[1]!] = a[2]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    }
    const el: XmlElement = { tag: m[2]!, attrs, children: [] };
    stack.at(-1)!.children.push(el);
    if (!m[4]) stack.push(el);
  }
  assert.equal(stack.length, 1, 'every element closed');
  assert.equal(root.children.length, 1, 'one document element');
  return root.children[0]!;
}

function only(el: XmlElement, tag: string): XmlElement {
  const c = el.children.filter((x) => x.tag === tag);
  assert.equal(c.length, 1, `one <${tag}> in <${el.tag}>`);
  return c[0]!;
}

// ---- configs -------------------------------------------------------------

function staticPbx(patch: (d: ConfigDocument) => void = () => {}): ConfigDocument {
  const d = defaultConfig();
  d.sides.lan!.addresses = ['192.0.2.1'];
  d.sides.lan!.advertised_address = '';
  d.sides.lan!.udp = 5060;
  d.sides.lan!.tcp = 5062;
  d.sides.lan!.tls = 5063;
  const p = d.pbxs[0]!;
  p.name = 'office';
  p.host = '192.0.2.20';
  p.port = 5070;
  p.transport = 'udp';
  p.registration = { mode: 'static', username: '', password: '' };
  p.media.srtp = 'off';
  p.media.codecs = [];
  patch(d);
  return d;
}

function registeringPbx(): ConfigDocument {
  return staticPbx((d) => {
    const p = d.pbxs[0]!;
    p.host = '';
    p.transport = 'tcp';
    p.registration = { mode: 'register', username: 'office-trunk', password: 's3cret&<pw>";x' };
    p.media.srtp = 'sdes';
    p.media.codecs = ['PCMA', 'G722', 'telephone-event', 'speex/16000'];
  });
}

// ---- Asterisk chan_pjsip -------------------------------------------------

test('chan_pjsip, static PBX over UDP: transport, endpoint, aor (qualify 120), identify; no auth/registration', () => {
  const secs = parseIni(pbxSnippet(staticPbx(), 'asterisk-pjsip').text);
  assert.deepEqual(secs.map((s) => s.name), ['edgesbc-transport', 'edgesbc', 'edgesbc-aor', 'edgesbc-identify']);
  assert.deepEqual(section(secs, 'edgesbc-transport'), { type: 'transport', protocol: 'udp', bind: '0.0.0.0:5070' });
  assert.deepEqual(section(secs, 'edgesbc'), {
    type: 'endpoint',
    transport: 'edgesbc-transport',
    context: 'from-edgesbc',
    disallow: 'all',
    allow: 'ulaw,alaw,g722',
    aors: 'edgesbc-aor',
    direct_media: 'no',
    dtmf_mode: 'rfc4733',
    media_encryption: 'no',
  });
  assert.deepEqual(section(secs, 'edgesbc-aor'), { type: 'aor', contact: 'sip:192.0.2.1:5060', qualify_frequency: '120' });
  assert.deepEqual(section(secs, 'edgesbc-identify'), { type: 'identify', endpoint: 'edgesbc', match: '192.0.2.1' });
});

test('chan_pjsip, registering PBX over TCP with SRTP: auth and registration to the SBC; password hidden unless asked', () => {
  const d = registeringPbx();
  const secs = parseIni(pbxSnippet(d, 'asterisk-pjsip').text);
  assert.deepEqual(secs.map((s) => s.name), ['edgesbc-transport', 'edgesbc', 'edgesbc-aor', 'edgesbc-identify', 'edgesbc-auth', 'edgesbc-registration']);
  assert.deepEqual(section(secs, 'edgesbc-transport'), { type: 'transport', protocol: 'tcp', bind: '0.0.0.0:5070' });
  const ep = section(secs, 'edgesbc');
  assert.equal(ep.allow, 'alaw,g722,speex16');
  assert.equal(ep.media_encryption, 'sdes');
  assert.equal(ep.outbound_auth, 'edgesbc-auth');
  assert.deepEqual(section(secs, 'edgesbc-aor'), { type: 'aor', contact: 'sip:192.0.2.1:5062;transport=tcp', qualify_frequency: '120' });
  assert.deepEqual(section(secs, 'edgesbc-auth'), { type: 'auth', auth_type: 'userpass', username: 'office-trunk', password: PASSWORD_PLACEHOLDER });
  assert.deepEqual(section(secs, 'edgesbc-registration'), {
    type: 'registration',
    transport: 'edgesbc-transport',
    outbound_auth: 'edgesbc-auth',
    server_uri: 'sip:192.0.2.1:5062;transport=tcp',
    client_uri: 'sip:office-trunk@192.0.2.1:5062;transport=tcp',
    retry_interval: '60',
    expiration: '3600',
  });
  assert.ok(!pbxSnippet(d, 'asterisk-pjsip').text.includes('s3cret'));
  const withPw = parseIni(pbxSnippet(d, 'asterisk-pjsip', 'office', { includePassword: true }).text);
  assert.equal(section(withPw, 'edgesbc-auth').password, 's3cret&<pw>";x');
  const sipPw = parseIni(pbxSnippet(d, 'asterisk-sip', 'office', { includePassword: true }).text);
  assert.equal(section(sipPw, 'edgesbc').secret, 's3cret&<pw>";x');
  assert.equal(section(sipPw, 'general').register, 'tcp://office-trunk:s3cret&<pw>";x@192.0.2.1:5062');
});

// ---- Asterisk chan_sip ---------------------------------------------------

test('chan_sip, static: one peer with every field; register in [general] only for a registering PBX', () => {
  const secs = parseIni(pbxSnippet(staticPbx(), 'asterisk-sip').text);
  assert.deepEqual(secs.map((s) => s.name), ['edgesbc']);
  assert.deepEqual(section(secs, 'edgesbc'), {
    type: 'peer',
    host: '192.0.2.1',
    port: '5060',
    transport: 'udp',
    context: 'from-edgesbc',
    insecure: 'port,invite',
    qualify: 'yes',
    qualifyfreq: '120',
    disallow: 'all',
    allow: ['ulaw', 'alaw', 'g722'],
    dtmfmode: 'rfc2833',
    directmedia: 'no',
    encryption: 'no',
  });
  const reg = parseIni(pbxSnippet(registeringPbx(), 'asterisk-sip').text);
  assert.deepEqual(reg.map((s) => s.name), ['general', 'edgesbc']);
  assert.deepEqual(section(reg, 'general'), { register: `tcp://office-trunk:${PASSWORD_PLACEHOLDER}@192.0.2.1:5062` });
  const peer = section(reg, 'edgesbc');
  assert.equal(peer.port, '5062');
  assert.equal(peer.transport, 'tcp');
  assert.equal(peer.encryption, 'yes');
  assert.deepEqual(peer.allow, ['alaw', 'g722', 'speex16']);
  assert.equal(peer.defaultuser, 'office-trunk');
  assert.equal(peer.secret, PASSWORD_PLACEHOLDER);
  assert.equal(peer.fromuser, 'office-trunk');
});

// ---- FreePBX -------------------------------------------------------------

function parseFreepbx(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let tab: Record<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const t = /^\[(.+)\]$/.exec(line);
    if (t) {
      tab = out[t[1]!] = {};
      continue;
    }
    const kv = /^([^:]+):\s?(.*)$/.exec(line);
    assert.ok(kv && tab, `not a field line: ${raw}`);
    tab[kv[1]!] = kv[2]!;
  }
  return out;
}

test('FreePBX trunk: every field, static and registering', () => {
  assert.deepEqual(parseFreepbx(pbxSnippet(staticPbx(), 'freepbx').text), {
    General: { 'Trunk Name': 'edgesbc', 'Outbound CallerID': '', 'Maximum Channels': '' },
    'pjsip Settings / General': {
      Username: '',
      Secret: '',
      Authentication: 'None',
      Registration: 'None',
      'SIP Server': '192.0.2.1',
      'SIP Server Port': '5060',
      Context: 'from-pstn',
      Transport: '0.0.0.0-udp',
    },
    'pjsip Settings / Advanced': {
      'Contact User': '',
      'From Domain': '',
      'DTMF Mode': 'RFC 4733',
      'Qualify Frequency': '120',
      'Match (Permit)': '192.0.2.1',
      'Media Encryption': 'None',
      'Direct Media': 'No',
    },
    'pjsip Settings / Codecs': { Codecs: 'ulaw,alaw,g722' },
  });
  const reg = parseFreepbx(pbxSnippet(registeringPbx(), 'freepbx').text);
  assert.deepEqual(reg['pjsip Settings / General'], {
    Username: 'office-trunk',
    Secret: PASSWORD_PLACEHOLDER,
    Authentication: 'Outbound',
    Registration: 'Send',
    'SIP Server': '192.0.2.1',
    'SIP Server Port': '5062',
    Context: 'from-pstn',
    Transport: '0.0.0.0-tcp',
  });
  assert.equal(reg['pjsip Settings / Advanced']!['Media Encryption'], 'SRTP via in-SDP');
});

// ---- FreeSWITCH ----------------------------------------------------------

test('FreeSWITCH: gateway, ACL and dialplan files parse as XML and carry every field', () => {
  const s = pbxSnippet(staticPbx(), 'freeswitch');
  assert.deepEqual(s.files.map((f) => f.path), ['sip_profiles/external/edgesbc.xml', 'autoload_configs/acl.conf.xml', 'dialplan/public/00_edgesbc.xml']);
  const gw = only(parseXml(s.files[0]!.text), 'gateway');
  assert.deepEqual(gw.attrs, { name: 'edgesbc' });
  const params = (el: XmlElement) => Object.fromEntries(el.children.map((p) => { assert.equal(p.tag, 'param'); return [p.attrs.name, p.attrs.value]; }));
  assert.deepEqual(params(gw), {
    proxy: '192.0.2.1:5060',
    register: 'false',
    'register-transport': 'udp',
    'caller-id-in-from': 'true',
    ping: '120',
    context: 'public',
  });
  const acl = parseXml(s.files[1]!.text);
  assert.deepEqual(acl.attrs, { name: 'acl.conf', description: 'Network Lists' });
  const list = only(only(acl, 'network-lists'), 'list');
  assert.deepEqual(list.attrs, { name: 'edgesbc', default: 'deny' });
  assert.deepEqual(list.children.map((c) => [c.tag, c.attrs]), [['node', { type: 'allow', cidr: '192.0.2.1/32' }]]);
  const ext = only(parseXml(s.files[2]!.text), 'extension');
  assert.deepEqual(ext.attrs, { name: 'from-edgesbc' });
  const cond = only(ext, 'condition');
  assert.deepEqual(cond.attrs, { field: 'destination_number', expression: '^(\\d+)$' });
  assert.deepEqual(only(cond, 'action').attrs, { application: 'transfer', data: '$1 XML default' });
  // The dialplan's expression takes any number and only numbers.
  const re = new RegExp(cond.attrs.expression!);
  assert.equal(re.exec('14155550100')?.[1], '14155550100');
  assert.equal(re.test('alice'), false);
});

test('FreeSWITCH, registering PBX: credentials in the gateway, XML-escaped; IPv6 SBC address', () => {
  const d = registeringPbx();
  d.sides.lan!.addresses = ['2001:db8::1'];
  const s = pbxSnippet(d, 'freeswitch', 'office', { includePassword: true, name: 'sbc-1' });
  const gw = only(parseXml(s.files[0]!.text), 'gateway');
  const p = Object.fromEntries(gw.children.map((c) => [c.attrs.name, c.attrs.value]));
  assert.equal(p.proxy, '[2001:db8::1]:5062');
  assert.equal(p.register, 'true');
  assert.equal(p.username, 'office-trunk');
  assert.equal(p.password, 's3cret&<pw>";x');
  assert.equal(p['expire-seconds'], '3600');
  assert.equal(p['register-transport'], 'tcp');
  const list = only(only(parseXml(s.files[1]!.text), 'network-lists'), 'list');
  assert.deepEqual(list.children[0]!.attrs, { type: 'allow', cidr: '2001:db8::1/128' });
  assert.equal(s.files[2]!.path, 'dialplan/public/00_sbc-1.xml');
});

// ---- common --------------------------------------------------------------

test('advertised address of the PBX side wins; bad requests give SnippetError', () => {
  const d = staticPbx((d) => (d.sides.lan!.advertised_address = '192.0.2.2'));
  for (const kind of PBX_SNIPPET_KINDS) assert.ok(pbxSnippet(d, kind).text.includes('192.0.2.2'), kind);
  assert.throws(() => pbxSnippet(d, 'asterisk-pjsip', 'nope'), SnippetError);
  assert.throws(() => pbxSnippet(staticPbx((d) => (d.sides.lan!.tls = 0, d.pbxs[0]!.transport = 'tls')), 'asterisk-sip'), /does not listen on TLS/);
  assert.throws(() => pbxSnippet(d, 'asterisk-sip', undefined, { name: 'Bad Name' }), /a-z/);
  assert.throws(() => pbxSnippet(staticPbx((d) => (d.pbxs = [])), 'freepbx'), /no PBX configured/);
});
