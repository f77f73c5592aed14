// The registrar against a fake REGISTER transaction: what it answers (401
// challenges, 200 with bindings, 403, 423, stale=true), what it keeps, when
// it reports a failed verification, and where calls for the PBX go.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { defaultConfig } from '../../../src/config/default-config.js';
import type { ConfigDocument } from '../../../src/config/document.js';
import { validateDocument } from '../../../src/config/validate.js';
import type { RouteTarget } from '../../../src/calls/router.js';
import { Registrar, callerAllowed, registeredTarget } from '../../../src/registrar/index.js';
import { Headers, type ServerTransaction } from '../../../src/sip/index.js';
import { answerChallenge, parseChallenges, type DigestAlgorithm } from '../../../src/trunks/digest.js';

const PASSWORD = 'pbx-secret-1';
const RURI = 'sip:192.0.2.1';

function doc(edit: (d: ConfigDocument) => void = () => {}): ConfigDocument {
  const d = defaultConfig();
  d.system.name = 'edgesbc-test';
  d.pbxs[0]!.host = '';
  d.pbxs[0]!.registration = { mode: 'register', username: 'pbx1', password: PASSWORD };
  d.pbxs[0]!.allowed_numbers = ['4420', '15551234567'];
  edit(d);
  return validateDocument(d);
}

interface Sent {
  status: number;
  reason: string;
  headers: [string, string][];
}

function register(
  reg: Registrar,
  headers: [string, string][],
  from: { ip?: string; side?: string } = {},
): Sent {
  let sent: Sent | undefined;
  const st = {
    request: {
      method: 'REGISTER',
      uri: RURI,
      side: from.side ?? 'lan',
      transport: 'udp',
      source: { ip: from.ip ?? '192.0.2.20', port: 5060 },
      headers: Headers.fromPairs(headers),
    },
    respond(status: number, o: { reason?: string; headers?: [string, string][] } = {}) {
      sent = { status, reason: o.reason ?? '', headers: o.headers ?? [] };
    },
  } as unknown as ServerTransaction;
  reg.onRegister(st);
  assert.ok(sent, 'the registrar answered');
  return sent;
}

const CONTACT: [string, string] = ['Contact', '<sip:pbx1@192.0.2.20:5062>'];

function authorization(challenge: Sent, password: string, algorithm: DigestAlgorithm = 'SHA-256', user = 'pbx1', nc = 1): [string, string] {
  const chs = challenge.headers.filter(([n]) => n === 'WWW-Authenticate').flatMap(([, v]) => parseChallenges(v, false));
  const ch = chs.find((c) => c.algorithm === algorithm);
  assert.ok(ch, `challenge offers ${algorithm}`);
  const a = answerChallenge(ch, { username: user, password }, { method: 'REGISTER', uri: RURI }, { nc });
  return ['Authorization', a.value];
}

function setup(edit?: (d: ConfigDocument) => void) {
  let now = 1_000_000;
  const failures: string[] = [];
  const reg = new Registrar(doc(edit), {
    log: pino({ level: 'silent' }),
    onAuthFailure: (ip) => failures.push(ip),
    clock: () => now,
  });
  return { reg, failures, advance: (ms: number) => (now += ms) };
}

describe('registrar', () => {
  test('challenges with MD5 and SHA-256, qop=auth, our own nonce', () => {
    const { reg } = setup();
    const r = register(reg, [CONTACT]);
    assert.equal(r.status, 401);
    const values = r.headers.filter(([n]) => n === 'WWW-Authenticate').map(([, v]) => v);
    assert.equal(values.length, 2);
    assert.match(values[0]!, /^Digest realm="edgesbc-test", nonce="[A-Za-z0-9_-]{40,}", algorithm=MD5, qop="auth"$/);
    assert.match(values[1]!, /algorithm=SHA-256/);
    assert.notEqual(register(reg, [CONTACT]).headers[0]![1], values[0], 'a fresh nonce each time');
  });

  for (const alg of ['SHA-256', 'MD5'] as const) {
    test(`the right password (${alg}) registers the contact; 200 lists it with its expiry`, () => {
      const { reg, failures } = setup();
      const ch = register(reg, [CONTACT]);
      const ok = register(reg, [CONTACT, ['Expires', '600'], authorization(ch, PASSWORD, alg)]);
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.headers, [['Contact', '<sip:pbx1@192.0.2.20:5062>;expires=600']]);
      const b = reg.contactOf('pbx');
      assert.equal(b?.host, '192.0.2.20');
      assert.equal(b?.port, 5062);
      assert.equal(b?.transport, 'udp');
      assert.deepEqual(failures, []);
    });
  }

  test('a wrong password gets 403 and is reported; nothing is bound', () => {
    const { reg, failures } = setup();
    const ch = register(reg, [CONTACT], { ip: '203.0.113.66', side: 'wan' });
    const r = register(reg, [CONTACT, authorization(ch, 'guess')], { ip: '203.0.113.66', side: 'wan' });
    assert.equal(r.status, 403);
    assert.deepEqual(failures, ['203.0.113.66']);
    assert.equal(reg.contactOf('pbx'), undefined);
  });

  test('an unknown username is a failure too, answered as a wrong password', () => {
    const { reg, failures } = setup();
    const ch = register(reg, [CONTACT]);
    const r = register(reg, [CONTACT, authorization(ch, PASSWORD, 'SHA-256', 'admin')]);
    assert.equal(r.status, 403);
    assert.equal(r.reason, 'Forbidden (bad credentials)');
    assert.deepEqual(failures, ['192.0.2.20']);
  });

  test('a nonce we did not make is challenged again, not counted', () => {
    const { reg, failures } = setup();
    const ch = register(reg, [CONTACT]);
    const [name, value] = authorization(ch, PASSWORD);
    const forged = value.replace(/nonce="[^"]+"/, 'nonce="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"');
    assert.equal(register(reg, [CONTACT, [name, forged]]).status, 401);
    assert.deepEqual(failures, []);
  });

  test('an expired nonce with the right password: 401 stale=true; with a wrong one: 403', () => {
    const { reg, failures, advance } = setup();
    const ch = register(reg, [CONTACT]);
    advance(301_000);
    const stale = register(reg, [CONTACT, authorization(ch, PASSWORD)]);
    assert.equal(stale.status, 401);
    assert.match(stale.headers[0]![1], /stale=true/);
    assert.deepEqual(failures, []);
    assert.equal(register(reg, [CONTACT, authorization(ch, 'wrong')]).status, 403);
    assert.deepEqual(failures, ['192.0.2.20']);
  });

  test('the binding expires; Expires: 0 and Contact: * remove it; too brief is 423', () => {
    const { reg, advance } = setup();
    const auth = () => authorization(register(reg, [CONTACT]), PASSWORD);
    assert.equal(register(reg, [CONTACT, ['Expires', '60'], auth()]).status, 200);
    advance(59_000);
    assert.ok(reg.contactOf('pbx'));
    advance(2000);
    assert.equal(reg.contactOf('pbx'), undefined, 'expired after 60 s');

    assert.equal(register(reg, [CONTACT, auth()]).status, 200);
    const removed = register(reg, [['Contact', '<sip:pbx1@192.0.2.20:5062>;expires=0'], auth()]);
    assert.deepEqual(removed.headers, []);
    assert.equal(reg.contactOf('pbx'), undefined);

    assert.equal(register(reg, [CONTACT, auth()]).status, 200);
    assert.equal(register(reg, [['Contact', '*'], ['Expires', '0'], auth()]).status, 200);
    assert.equal(reg.contactOf('pbx'), undefined);
    assert.equal(register(reg, [['Contact', '*'], auth()]).status, 400, 'Contact * needs Expires: 0');

    const brief = register(reg, [CONTACT, ['Expires', '30'], auth()]);
    assert.equal(brief.status, 423);
    assert.deepEqual(brief.headers, [['Min-Expires', '60']]);
    const long = register(reg, [CONTACT, ['Expires', '86400'], auth()]);
    assert.deepEqual(long.headers, [['Contact', '<sip:pbx1@192.0.2.20:5062>;expires=3600']], 'capped at 3600 s');
  });

  test('a replayed answer (same nonce, same nc) is challenged again; the next nc is accepted', () => {
    const { reg, failures } = setup();
    const ch = register(reg, [CONTACT]);
    const first = authorization(ch, PASSWORD);
    assert.equal(register(reg, [CONTACT, first]).status, 200);
    const replay = register(reg, [CONTACT, first]);
    assert.equal(replay.status, 401, 'the same Authorization again');
    assert.deepEqual(failures, [], 'a replay is not a password guess');
    assert.equal(register(reg, [CONTACT, authorization(ch, PASSWORD, 'SHA-256', 'pbx1', 2)]).status, 200, 'nc 2 with the same nonce');
  });

  test('the right password on the wrong side is refused, not counted as a guess', () => {
    const { reg, failures } = setup();
    const ch = register(reg, [CONTACT], { side: 'wan' });
    const r = register(reg, [CONTACT, authorization(ch, PASSWORD)], { side: 'wan' });
    assert.equal(r.status, 403);
    assert.match(r.reason, /registers on side lan/);
    assert.deepEqual(failures, []);
  });

  test('calls for the PBX go to its registered contact; none registered = null (480)', () => {
    const { reg } = setup();
    const target: RouteTarget = { kind: 'pbx', name: 'pbx', side: 'lan', transport: 'udp', hops: [{ host: '', port: 5060 }], fromDomain: '' };
    assert.equal(registeredTarget(target, reg), null);
    const ch = register(reg, [CONTACT]);
    register(reg, [['Contact', '<sip:pbx1@192.0.2.20:5070;transport=tcp>'], authorization(ch, PASSWORD)]);
    const t = registeredTarget(target, reg);
    assert.deepEqual(t?.hops, [{ host: '192.0.2.20', port: 5070 }]);
    assert.equal(t?.transport, 'tcp');
    assert.equal(reg.pbxFrom('lan', '192.0.2.20'), 'pbx', 'calls from the registered address are the PBX\'s');
    assert.equal(reg.pbxFrom('wan', '192.0.2.20'), undefined);
  });

  test('a commit that turns registration off forgets the bindings; REGISTER is no longer handled', () => {
    const { reg } = setup();
    register(reg, [CONTACT, authorization(register(reg, [CONTACT]), PASSWORD)]);
    assert.ok(reg.contactOf('pbx'));
    reg.applyConfig(doc((d) => (d.pbxs[0]!.registration.mode = 'static', d.pbxs[0]!.host = '192.0.2.20')));
    assert.equal(reg.active, false);
    assert.equal(reg.contactOf('pbx'), undefined);
  });
});

describe('allowed_numbers', () => {
  test('exact numbers and prefixes; + and separators ignored; [] allows any', () => {
    const pbx = { allowed_numbers: ['4420', '1555*'] };
    assert.equal(callerAllowed(pbx, '4420'), true);
    assert.equal(callerAllowed(pbx, '+4420'), true);
    assert.equal(callerAllowed(pbx, '44201'), false);
    assert.equal(callerAllowed(pbx, '1555-123-4567'), true);
    assert.equal(callerAllowed(pbx, '1666'), false);
    assert.equal(callerAllowed(pbx, 'anonymous'), false);
    assert.equal(callerAllowed({ allowed_numbers: [] }, 'anything'), true);
  });
});
