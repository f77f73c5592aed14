// The CLI's words, set/delete and completion, walked from the config
// document's JSON Schema (no sbcd needed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig } from '../../../src/config/default-config.js';
import { trunkSchema } from '../../../src/config/schema/index.js';
import { validateDocument } from '../../../src/config/validate.js';
import { applyDelete, applySet, NeedsSecret } from '../../../src/cli/edit.js';
import { CliError } from '../../../src/cli/errors.js';
import { helpFor, nextWords } from '../../../src/cli/schema-tree.js';
import { defaultSocketPath } from '../../../src/cli/socket-path.js';
import { parseLines, splitWords } from '../../../src/cli/words.js';

type Obj = Record<string, unknown>;
const doc = (): Obj => defaultConfig() as unknown as Obj;
const trunk = (d: Obj, name: string): Obj | undefined => (d.trunks as Obj[]).find((t) => t.name === name);

test('words: quotes keep blanks, ; separates commands, | and a last ? are seen', () => {
  assert.deepEqual(splitWords(`set system name "a b" 'c d' e\\ f`).words, ['set', 'system', 'name', 'a b', 'c d', 'e f']);
  const lines = parseLines('configure; show | compare ; set trunks ?');
  assert.equal(lines.length, 3);
  assert.deepEqual(lines[1], { words: ['show'], pipe: ['compare'], help: false });
  assert.deepEqual(lines[2], { words: ['set', 'trunks'], pipe: undefined, help: true });
  assert.throws(() => parseLines('set system name "open'), CliError);
  assert.equal(splitWords('set sys').open, true);
  assert.equal(splitWords('set sys ').open, false);
});

test('set: a leaf, typed values, several field value pairs, a new named item with defaults', () => {
  const d = doc();
  let r = applySet(d, ['system', 'name', 'edge1']);
  assert.equal((r.doc.system as Obj).name, 'edge1');
  assert.equal((d.system as Obj).name, 'edgesbc', 'the input document is not changed');
  r = applySet(r.doc, ['sides', 'lan', 'udp', '5062', 'tcp', '5063']);
  assert.equal(((r.doc.sides as Obj).lan as Obj).udp, 5062);
  assert.equal(((r.doc.sides as Obj).lan as Obj).tcp, 5063);
  r = applySet(r.doc, ['trunks', 't2', 'transport', 'udp', 'endpoints', '0', 'host', '203.0.113.5', 'port', '5080']);
  assert.deepEqual(trunk(r.doc, 't2'), { name: 't2', transport: 'udp', endpoints: [{ host: '203.0.113.5', port: 5080 }] });
  assert.deepEqual(r.paths, ['/trunks/1/transport', '/trunks/1/endpoints/0/host', '/trunks/1/endpoints/0/port']);
  r = applySet(r.doc, ['sides', 'lan', 'addresses', '192.0.2.1', '192.0.2.2']);
  assert.deepEqual(((r.doc.sides as Obj).lan as Obj).addresses, ['192.0.2.1', '192.0.2.2']);
  r = applySet(r.doc, ['trunks', 'vonage', 'enabled', 'off']);
  assert.equal(trunk(r.doc, 'vonage')!.enabled, false);
  // The store fills the new trunk's defaults and accepts the whole document.
  assert.doesNotThrow(() => validateDocument(r.doc));
});

test('set: lists below the document level are by index even when items have a name (header rules)', () => {
  const r = applySet(doc(), ['trunks', 'vonage', 'header_rules', '0', 'action', 'add', 'name', 'X-Site', 'value', 'a']);
  const r2 = applySet(r.doc, ['trunks', 'vonage', 'header_rules', '1', 'action', 'add', 'name', 'X-Site', 'value', 'b']);
  assert.deepEqual(trunk(r2.doc, 'vonage')!.header_rules, [
    { action: 'add', name: 'X-Site', value: 'a' },
    { action: 'add', name: 'X-Site', value: 'b' },
  ]);
  assert.doesNotThrow(() => validateDocument(r2.doc));
  assert.deepEqual(nextWords(r2.doc, ['trunks', 'vonage', 'header_rules']), ['0', '1']);
  assert.ok(helpFor(r2.doc, ['trunks', 'vonage']).some((l) => /^ {2}header_rules +numbered list/.test(l)));
  assert.ok(helpFor(r2.doc, []).some((l) => /^ {2}trunks +list of named items/.test(l)));
});

test('set: the "exactly one of" target of a route replaces the other', () => {
  const d = doc();
  const route = (x: Obj) => (x.routes as Obj[]).find((y) => y.name === 'pbx-to-vonage') as Obj;
  assert.ok(route(d), 'the default has the route');
  let r = applySet(d, ['routes', 'pbx-to-vonage', 'to', 'pbx', 'pbx']);
  assert.deepEqual(route(r.doc).to, { pbx: 'pbx' });
  r = applySet(r.doc, ['routes', 'pbx-to-vonage', 'to', 'pbxs', '0', 'pbx', 'pbx']);
  assert.deepEqual(route(r.doc).to, { pbxs: [{ pbx: 'pbx' }] });
});

test('set: refusals name the path; a secret without a value asks for it', () => {
  const d = doc();
  assert.throws(() => applySet(d, ['system', 'bogus', 'x']), (e: CliError) => /^\/system: no field "bogus"/.test(e.message) && e.exitCode === 1);
  assert.throws(() => applySet(d, ['sides', 'lan', 'udp', 'abc']), (e: CliError) => e.problems[0]?.path === '/sides/lan/udp');
  assert.throws(() => applySet(d, ['sides', 'lan', 'udp']), /give a value/);
  assert.throws(() => applySet(d, ['trunks', 'Bad Name']), /must match/);
  assert.throws(() => applySet(d, ['system']), /set which field/);
  assert.throws(() => applySet(d, ['trunks', 'vonage', 'endpoints', '5', 'host', 'x']), /no such item/);
  assert.throws(() => applySet(d, ['trunks', 'vonage', 'api_secret']), (e: NeedsSecret) => e instanceof NeedsSecret && e.ptr === '/trunks/0/api_secret');
});

test('delete: an item, a list value, a field back to its default', () => {
  const d = doc();
  let r = applyDelete(d, ['trunks', 'vonage']);
  assert.equal(trunk(r.doc, 'vonage'), undefined);
  r = applySet(d, ['sides', 'lan', 'addresses', '192.0.2.1', '192.0.2.2']);
  r = applyDelete(r.doc, ['sides', 'lan', 'addresses', '192.0.2.1']);
  assert.deepEqual(((r.doc.sides as Obj).lan as Obj).addresses, ['192.0.2.2']);
  r = applyDelete(d, ['system', 'log_level']);
  assert.equal('log_level' in (r.doc.system as Obj), false);
  r = applyDelete(d, ['trunks', 'vonage', 'endpoints', '0']);
  assert.deepEqual(trunk(r.doc, 'vonage')!.endpoints, []);
  assert.throws(() => applyDelete(d, ['trunks', 'nope']), /no item named "nope"; there are: vonage/);
  assert.throws(() => applyDelete(d, []), /delete what/);
});

test('completion: commands of the schema, item names of the document, enum values', () => {
  const d = doc();
  assert.deepEqual(nextWords(d, ['trunks']), ['vonage']);
  // Every field of the trunk schema, in the schema's order: nothing hand-written.
  assert.deepEqual(nextWords(d, ['trunks', 'vonage']), Object.keys(trunkSchema.properties));
  assert.deepEqual(nextWords(d, ['trunks', 'vonage', 'transport']), ['udp', 'tcp', 'tls']);
  assert.deepEqual(nextWords(d, ['trunks', 'vonage', 'region']), ['us', 'eu', 'ap']);
  assert.deepEqual(nextWords(d, ['trunks', 'vonage', 'srv']), ['true', 'false']);
  // After a value, the same object's fields again.
  assert.ok(nextWords(d, ['trunks', 'vonage', 'kind', 'vonage']).includes('api_key'));
  assert.deepEqual(nextWords(d, ['sides']), ['lan', 'wan']);
  assert.deepEqual(nextWords(d, ['sides', 'lan', 'addresses'], { forDelete: true }), ['127.0.0.1']);
  assert.deepEqual(nextWords(d, ['nonsense']), []);
});

test('help: fields with type and description from the schema; a leaf with its default', () => {
  const d = doc();
  const h = helpFor(d, ['trunks', 'vonage']);
  assert.ok(h.some((l) => /^ {2}transport +one of udp, tcp, tls — Transport towards the endpoints/.test(l)), h.join('\n'));
  assert.ok(h.some((l) => /options_ping_s +integer 0\.\.3600/.test(l)));
  const leaf = helpFor(d, ['sip', 'timers', 't1_ms']);
  assert.match(leaf[0]!, /^t1_ms: integer/);
  assert.ok(leaf.some((l) => /default: 500/.test(l)));
  const secret = helpFor(d, ['trunks', 'vonage', 'api_secret']);
  assert.ok(secret.some((l) => /without echo/.test(l)));
  assert.ok(helpFor(d, ['trunks']).some((l) => /vonage/.test(l)));
});

test('the socket: EDGESBC_SOCKET, then EDGESBC_DATA_DIR, then the appliance directory, then the checkout', () => {
  assert.equal(defaultSocketPath({ EDGESBC_SOCKET: '/x/s.sock', EDGESBC_DATA_DIR: '/d' }), '/x/s.sock');
  assert.equal(defaultSocketPath({ EDGESBC_DATA_DIR: '/d' }), '/d/sbcd.sock');
  assert.equal(defaultSocketPath({}, '/'), '/sbcd.sock');
  assert.match(defaultSocketPath({}, '/no/such/dir'), /\/data\/sbcd\.sock$/);
});
