import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { canonicalName } from '../../../src/sip/headers.js';
import {
  parseCSeq,
  parseHostPort,
  parseNameAddr,
  parseParams,
  parseUri,
  parseVia,
  splitCommaList,
} from '../../../src/sip/parse.js';

test('parseUri: sip with user, password, port, params and headers', () => {
  const u = parseUri('sip:alice:secret@Example.COM:5070;transport=TCP;lr?subject=hi');
  assert.ok(u);
  assert.equal(u.scheme, 'sip');
  assert.equal(u.user, 'alice');
  assert.equal(u.password, 'secret');
  assert.equal(u.host, 'example.com');
  assert.equal(u.port, 5070);
  assert.equal(u.params.transport, 'TCP');
  assert.equal(u.params.lr, '');
  assert.equal('maddr' in u.params, false);
  assert.equal(u.headers, 'subject=hi');
});

test('parseUri: sips, IPv6, no user, no port', () => {
  const u = parseUri('SIPS:[2001:DB8::1]');
  assert.ok(u);
  assert.equal(u.scheme, 'sips');
  assert.equal(u.user, '');
  assert.equal(u.host, '2001:db8::1');
  assert.equal(u.port, 0);
  assert.equal(parseUri('sip:bob@[::1]:5061')?.port, 5061);
});

test('parseUri: user part containing ; (RFC 4475 semiuri) and escapes stay as sent', () => {
  const u = parseUri('sip:user;par=u%40example.net@example.com');
  assert.ok(u);
  assert.equal(u.user, 'user;par=u%40example.net');
  assert.equal(u.host, 'example.com');
  assert.equal(parseUri('sip:%75se%72@example.com')?.user, '%75se%72');
});

test('parseUri: tel and unknown schemes', () => {
  const t = parseUri('tel:+14155550100;phone-context=example.com');
  assert.ok(t);
  assert.equal(t.scheme, 'tel');
  assert.equal(t.user, '+14155550100');
  assert.equal(t.params['phone-context'], 'example.com');
  const k = parseUri('kitten:hello@there');
  assert.equal(k?.scheme, 'kitten');
  assert.equal(k?.host, '');
});

test('parseUri: malformed input gives null', () => {
  for (const bad of ['', 'sip:', 'nocolon', 'sip:@host', 'sip:user@', 'sip:host:99999', 'sip:host:12a', 'sip:a b@c', '1sip:x', 'sip:[::1', 'sip:ho st']) {
    assert.equal(parseUri(bad), null, bad);
  }
});

test('parseHostPort', () => {
  assert.deepEqual(parseHostPort('Host.example.com:5060'), { host: 'host.example.com', port: 5060 });
  assert.deepEqual(parseHostPort('[::1]:5060'), { host: '::1', port: 5060 });
  assert.deepEqual(parseHostPort('192.0.2.1'), { host: '192.0.2.1', port: 0 });
  assert.equal(parseHostPort('host:'), null);
  assert.equal(parseHostPort('[::1]x'), null);
});

test('parseNameAddr: quoted display with escapes, tag and params', () => {
  const n = parseNameAddr('"J Rosenberg \\\\\\"" <sip:jdrosen@example.com>;tag=98asjd8;X=1');
  assert.ok(n);
  assert.equal(n.display, 'J Rosenberg \\"');
  assert.equal(n.uri, 'sip:jdrosen@example.com');
  assert.equal(n.tag, '98asjd8');
  assert.equal(n.params.x, '1');
});

test('parseNameAddr: token display without space before <', () => {
  const n = parseNameAddr('caller<sip:caller@example.com>;tag=323');
  assert.equal(n?.display, 'caller');
  assert.equal(n?.uri, 'sip:caller@example.com');
  assert.equal(n?.tag, '323');
});

test('parseNameAddr: addr-spec params belong to the header, not the URI', () => {
  const n = parseNameAddr('sip:caller@example.org;tag=33242;foo');
  assert.equal(n?.uri, 'sip:caller@example.org');
  assert.equal(n?.tag, '33242');
  assert.equal(n?.params.foo, '');
  // Inside < > they are URI params.
  const m = parseNameAddr('<sip:caller@example.org;transport=tcp>;tag=7');
  assert.equal(m?.uri, 'sip:caller@example.org;transport=tcp');
  assert.equal(m?.tag, '7');
  assert.equal(m?.params.transport, undefined);
});

test('parseNameAddr: folded whitespace (as the engine delivers folded lines)', () => {
  const n = parseNameAddr('"J" <sip:j@example.com>\r\n  ;\r\n  tag = 98asjd8');
  assert.equal(n?.tag, '98asjd8');
  const t = parseNameAddr('\r\n sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n');
  assert.equal(t?.uri, 'sip:vivekg@chair-dnrc.example.com');
  assert.equal(t?.tag, '1918181833n');
});

test('parseNameAddr: malformed input gives null', () => {
  for (const bad of ['', '"Mr. J. User <sip:j.user@example.com>', '<sip:a@b', 'sip:a@b>', '"x" sip:a@b', '<sip:a@b> junk', '<>']) {
    assert.equal(parseNameAddr(bad), null, bad);
  }
});

test('parseCSeq', () => {
  assert.deepEqual(parseCSeq('314159 INVITE'), { seq: 314159, method: 'INVITE' });
  assert.deepEqual(parseCSeq('0009\r\n  INVITE'), { seq: 9, method: 'INVITE' });
  assert.equal(parseCSeq('INVITE'), null);
  assert.equal(parseCSeq('12 '), null);
  assert.equal(parseCSeq('-1 INVITE'), null);
  assert.equal(parseCSeq('2147483648 INVITE'), null); // RFC 3261: less than 2^31
  assert.equal(parseCSeq('36893488147419103232 INVITE'), null); // RFC 4475 scalar02
});

test('parseVia: several vias, odd LWS, rport and received', () => {
  const v = parseVia(
    'SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8  ,\r\n SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n z9hG4bK30239',
  );
  assert.equal(v.length, 2);
  assert.equal(v[0]?.protocol, 'SIP/2.0');
  assert.equal(v[0]?.transport, 'TCP');
  assert.equal(v[0]?.host, 'spindle.example.com');
  assert.equal(v[0]?.branch, 'z9hG4bK9ikj8');
  assert.equal(v[1]?.transport, 'UDP');
  assert.equal(v[1]?.host, '192.168.255.111');
  assert.equal(v[1]?.branch, 'z9hG4bK30239');
  const w = parseVia('SIP/2.0/UDP [2001:db8::9]:5070;rport;received=192.0.2.7;branch=z9hG4bKx');
  assert.equal(w[0]?.host, '2001:db8::9');
  assert.equal(w[0]?.port, 5070);
  assert.equal(w[0]?.rport, 0);
  assert.equal(w[0]?.received, '192.0.2.7');
  assert.equal(parseVia('SIP/2.0/UDP h;rport=5062')[0]?.rport, 5062);
  assert.equal(parseVia('SIP/2.0/UDP h')[0]?.rport, undefined);
  assert.deepEqual(parseVia('garbage'), []);
  assert.deepEqual(parseVia('SIP/2.0/UDP h:port'), []);
});

test('splitCommaList respects quotes and angle brackets', () => {
  assert.deepEqual(splitCommaList('"a, b" <sip:x@y>;q=1, <sip:z@w;p=1,2>,,'), ['"a, b" <sip:x@y>;q=1', '<sip:z@w;p=1,2>']);
  assert.deepEqual(splitCommaList(' ,, '), []);
});

test('parseParams: quoted values, flags, first wins, names lower-cased', () => {
  const p = parseParams(';A=1;flag;q="x;y";a=2;;');
  assert.equal(p.a, '1');
  assert.equal(p.flag, '');
  assert.equal(p.q, 'x;y');
  assert.equal(Object.keys(p).length, 3);
});

// RFC 4475 torture messages, read in place: every From/To/Contact/Route/Via/
// CSeq value of every message goes through the parsers without throwing, and
// the well-formed ones of the valid messages parse.
const TORTURE = '/work/shared/testdata/rfc4475';

function headerLines(file: string): Array<[string, string]> {
  const text = readFileSync(file, 'latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const lines = head.split('\r\n').slice(1);
  const out: Array<[string, string]> = [];
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && out.length) {
      out[out.length - 1]![1] += '\r\n' + line;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    out.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return out;
}

test('RFC 4475 messages: parsers never throw, valid messages parse', { skip: !existsSync(TORTURE) }, () => {
  const manifest = readFileSync(join(TORTURE, 'MANIFEST.tsv'), 'utf8');
  const valid = new Set(
    manifest
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split('\t'))
      .filter((f) => f[2] === 'valid')
      .map((f) => f[0]!),
  );
  let checked = 0;
  for (const name of readdirSync(TORTURE).filter((n) => n.endsWith('.dat'))) {
    const isValid = valid.has(name.replace(/\.dat$/, ''));
    for (const [rawName, value] of headerLines(join(TORTURE, name))) {
      const h = canonicalName(rawName);
      const where = `${name} ${rawName}: ${JSON.stringify(value).slice(0, 80)}`;
      if (h === 'from' || h === 'to') {
        const n = parseNameAddr(value);
        if (isValid) {
          assert.ok(n, where);
          assert.ok(n.uri.length > 0, where);
        }
        checked++;
      } else if (h === 'contact' || h === 'route' || h === 'record-route') {
        for (const part of splitCommaList(value)) {
          const n = parseNameAddr(part);
          if (isValid && part !== '*') assert.ok(n, where);
          if (n) parseUri(n.uri);
        }
        checked++;
      } else if (h === 'via') {
        const vias = parseVia(value);
        if (isValid) assert.ok(vias.length >= 1, where);
        checked++;
      } else if (h === 'cseq') {
        const c = parseCSeq(value);
        if (isValid) assert.ok(c, where);
        checked++;
      }
    }
  }
  assert.ok(checked > 100, `only ${checked} header values checked`);
});

test('RFC 4475 wsinv: the odd-whitespace INVITE parses to the right values', { skip: !existsSync(TORTURE) }, () => {
  const lines = headerLines(join(TORTURE, 'wsinv.dat'));
  const get = (n: string): string => lines.find(([k]) => canonicalName(k) === n)![1];
  assert.equal(parseNameAddr(get('to'))?.tag, '1918181833n');
  assert.equal(parseNameAddr(get('from'))?.tag, '98asjd8');
  assert.equal(parseNameAddr(get('from'))?.display, 'J Rosenberg \\"');
  assert.deepEqual(parseCSeq(get('cseq')), { seq: 9, method: 'INVITE' });
  const vias = lines.filter(([k]) => canonicalName(k) === 'via').flatMap(([, v]) => parseVia(v));
  assert.deepEqual(
    vias.map((v) => [v.transport, v.host, v.branch]),
    [
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ],
  );
  const contact = parseNameAddr(get('contact'));
  assert.equal(contact?.display, 'Quoted string ""');
  assert.equal(contact?.params.newparam, 'newvalue');
  assert.equal(contact?.params.q, '0.33');
  assert.equal(contact?.params.secondparam, '');
});
