// Header rules per trunk/PBX (add, remove, rewrite by regex) and the
// headers they may not touch; X-Nexmo* flagged toward Vonage (V-OUT-12).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CallHeaderRules, UNKNOWN_PEER, X_NEXMO_WARNING } from '../../../src/calls/header-rules-call.js';
import { compileHeaderRules, headerRuleProblem } from '../../../src/calls/header-rules.js';
import { xNexmoHeaders } from '../../../src/calls/header-policy.js';
import { defaultConfig } from '../../../src/config/default-config.js';
import type { HeaderRule } from '../../../src/config/document.js';
import { ConfigError } from '../../../src/config/errors.js';
import { validateDocument } from '../../../src/config/validate.js';
import type { Logger } from '../../../src/log.js';

const rule = (action: HeaderRule['action'], name: string, value = '', pattern = ''): HeaderRule => ({ action, name, value, pattern });

test('rules apply in order: add appends, remove (also by prefix), rewrite by regex', () => {
  const apply = compileHeaderRules([
    rule('remove', 'X-Internal*'),
    rule('rewrite', 'X-UserId', 'user-$1', '^u(\\d+)$'),
    rule('add', 'X-Site', 'paris'),
    rule('rewrite', 'Subject', '', '^.*$'),
  ]);
  assert.deepEqual(
    apply([
      ['X-UserId', 'u42'],
      ['x-internal-trace', 'abc'],
      ['X-Internal', 'z'],
      ['Subject', 'secret'],
      ['X-Other', 'keep'],
    ]),
    [
      ['X-UserId', 'user-42'],
      ['X-Other', 'keep'],
      ['X-Site', 'paris'],
    ],
  );
});

test('rewrite replaces the first match only and matches names case-insensitively (compact forms too)', () => {
  const apply = compileHeaderRules([rule('rewrite', 'subject', 'X', 'a')]);
  assert.deepEqual(apply([['s', 'banana'], ['Subject', 'aa']]), [['s', 'bXnana'], ['Subject', 'Xa']]);
});

test('no rules: the same list back', () => {
  const list: Array<[string, string]> = [['X-A', '1']];
  assert.equal(compileHeaderRules([])(list), list);
});

test('engine-owned and per-leg negotiated headers are refused with the reason', () => {
  for (const name of ['Via', 'from', 'To', 'Call-ID', 'i', 'CSeq', 'Contact', 'm', 'Route', 'Record-Route', 'Max-Forwards', 'Content-Length', 'l']) {
    const p = headerRuleProblem({ action: 'add', name });
    assert.ok(p, name);
    assert.match(p.message, /written by the SIP engine/, name);
  }
  assert.match(headerRuleProblem({ action: 'remove', name: 'Session-Expires' })!.message, /negotiated by the SBC per leg/);
  assert.match(headerRuleProblem({ action: 'rewrite', name: 'x' })!.message, /negotiated/);
  assert.match(headerRuleProblem({ action: 'remove', name: 'C*' })!.message, /prefix C\* reaches/);
  assert.equal(headerRuleProblem({ action: 'remove', name: 'X-Nexmo*' }), null);
  assert.equal(headerRuleProblem({ action: 'add', name: 'P-Asserted-Identity' }), null);
});

test('config validation refuses a rule on Call-ID at /trunks/0/header_rules/0/name with the reason', () => {
  const doc = defaultConfig() as unknown as Record<string, unknown> & { trunks: Array<Record<string, unknown>>; pbxs: Array<Record<string, unknown>> };
  doc.trunks[0]!.header_rules = [rule('add', 'Call-ID', 'x')];
  doc.pbxs[0]!.header_rules = [rule('remove', 'Via')];
  let problems: Array<{ path: string; message: string }> = [];
  assert.throws(() => validateDocument(doc), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    problems = err.errors;
    return true;
  });
  assert.ok(problems.some((p) => p.path === '/trunks/0/header_rules/0/name' && /Call-ID cannot be changed by header rules: written by the SIP engine/.test(p.message)), JSON.stringify(problems));
  assert.ok(problems.some((p) => p.path === '/pbxs/0/header_rules/0/name' && /Via cannot be changed/.test(p.message)), JSON.stringify(problems));
});

function recordingLog(): { log: Logger; lines: Array<{ obj: Record<string, unknown>; msg: string }> } {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const log = { warn: (obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg }) } as unknown as Logger;
  return { log, lines };
}

test('V-OUT-12: X-Nexmo* toward a Vonage trunk: still sent, one warning per call naming them', () => {
  const { log, lines } = recordingLog();
  const rules = new CallHeaderRules('c1', { a: UNKNOWN_PEER, b: { name: 'vonage', kind: 'trunk', vonage: true, headerRules: [] } }, log);
  const sent = rules.toward('b', [['X-UserId', 'ABC123'], ['X-Nexmo-Trace', '1'], ['X-NEXMO-Foo', '2']]);
  assert.deepEqual(sent, [['X-UserId', 'ABC123'], ['X-Nexmo-Trace', '1'], ['X-NEXMO-Foo', '2']]);
  rules.toward('b', [['X-Nexmo-Trace', '1']]);
  rules.toward('a', [['X-Nexmo-Trace', '1']]);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.msg, X_NEXMO_WARNING);
  assert.deepEqual(lines[0]!.obj.headers, ['X-Nexmo-Trace', 'X-NEXMO-Foo']);
  assert.deepEqual(xNexmoHeaders([['x-nexmo', '1'], ['X-Nexmos', '2'], ['X-Nex', '3']]), ['x-nexmo', 'X-Nexmos']);
});

test('V-OUT-12: a rule removing X-Nexmo* leaves nothing to warn about; generic trunks are not warned about', () => {
  const { log, lines } = recordingLog();
  const vonage = { name: 'vonage', kind: 'trunk' as const, vonage: true, headerRules: [rule('remove', 'X-Nexmo*')] };
  assert.deepEqual(new CallHeaderRules('c2', { a: UNKNOWN_PEER, b: vonage }, log).toward('b', [['X-Nexmo-A', '1'], ['X-B', '2']]), [['X-B', '2']]);
  const generic = { name: 'other', kind: 'trunk' as const, vonage: false, headerRules: [] };
  new CallHeaderRules('c3', { a: UNKNOWN_PEER, b: generic }, log).toward('b', [['X-Nexmo-A', '1']]);
  assert.equal(lines.length, 0);
});
