import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalName, Headers } from '../../../src/sip/headers.js';

const flat = [
  'Via', 'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1',
  'v', 'SIP/2.0/TCP 10.0.0.2;branch=z9hG4bK2',
  'f', '<sip:a@x>;tag=1',
  'TO', '<sip:b@y>',
  'i', 'abc@host',
  'Content-Length', '0',
  'X-Custom', 'one',
  'x-custom', 'two',
  'k', '100rel, timer',
];

test('get is case-insensitive and maps compact forms both ways', () => {
  const h = Headers.fromFlat(flat);
  assert.equal(h.get('call-id'), 'abc@host');
  assert.equal(h.get('CALL-ID'), 'abc@host');
  assert.equal(h.get('i'), 'abc@host');
  assert.equal(h.get('From'), '<sip:a@x>;tag=1');
  assert.equal(h.get('to'), '<sip:b@y>');
  assert.equal(h.get('t'), '<sip:b@y>');
  assert.equal(h.get('supported'), '100rel, timer');
  assert.equal(h.get('l'), '0');
  assert.equal(h.get('Contact'), undefined);
  assert.equal(h.has('m'), false);
  assert.equal(h.has('x-CUSTOM'), true);
});

test('getAll keeps wire order across long and compact names', () => {
  const h = Headers.fromFlat(flat);
  assert.deepEqual(h.getAll('Via'), ['SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1', 'SIP/2.0/TCP 10.0.0.2;branch=z9hG4bK2']);
  assert.deepEqual(h.getAll('X-Custom'), ['one', 'two']);
  assert.deepEqual(h.getAll('Route'), []);
});

test('list, raw and iteration give pairs with names as written', () => {
  const h = Headers.fromFlat(flat);
  assert.equal(h.size, flat.length / 2);
  const list = h.list();
  assert.deepEqual(list[1], ['v', 'SIP/2.0/TCP 10.0.0.2;branch=z9hG4bK2']);
  assert.deepEqual(h.raw(), list);
  assert.deepEqual([...h], list);
  list.pop(); // a copy: the message's headers stay as they were
  assert.equal(h.size, flat.length / 2);
});

test('fromPairs round-trips', () => {
  const h = Headers.fromPairs([
    ['Content-Type', 'application/sdp'],
    ['c', 'text/plain'],
  ]);
  assert.deepEqual(h.getAll('content-type'), ['application/sdp', 'text/plain']);
  assert.deepEqual(h.flat(), ['Content-Type', 'application/sdp', 'c', 'text/plain']);
});

test('every compact form maps to its long name', () => {
  const expected: Record<string, string> = {
    i: 'call-id', f: 'from', t: 'to', v: 'via', m: 'contact', l: 'content-length', c: 'content-type',
    k: 'supported', s: 'subject', e: 'content-encoding', o: 'event', r: 'refer-to', u: 'allow-events',
    x: 'session-expires', a: 'accept-contact',
  };
  for (const [short, long] of Object.entries(expected)) {
    assert.equal(canonicalName(short), long);
    assert.equal(canonicalName(short.toUpperCase()), long);
  }
  assert.equal(canonicalName('b'), 'b'); // not a compact form
  assert.equal(canonicalName('X-Foo'), 'x-foo');
});
