import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type SdesCrypto, chooseCrypto, formatCrypto, newCrypto, parseCrypto } from '../../../src/media/sdp/index.js';
import { VONAGE_KEY_32, VONAGE_KEY_80 } from './sdp-samples.js';

const KEY80 = 'AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM';
const KEY32 = '//r18Ovm4dzX0s3Iw765tK+qpaCblpGMh4J9eHNu';

test('parseCrypto: key only, lifetime as 2^n or decimal, MKI, MKI without lifetime', () => {
  assert.deepEqual(parseCrypto(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}`), {
    tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', key: VONAGE_KEY_80,
  });
  assert.deepEqual(parseCrypto(`2 AES_CM_128_HMAC_SHA1_32 inline:${KEY32}|2^31`), {
    tag: 2, suite: 'AES_CM_128_HMAC_SHA1_32', key: VONAGE_KEY_32, lifetime: '2^31',
  });
  assert.deepEqual(parseCrypto(`3 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}|1048576|1:4`), {
    tag: 3, suite: 'AES_CM_128_HMAC_SHA1_80', key: VONAGE_KEY_80, lifetime: '1048576', mki: '1:4',
  });
  assert.deepEqual(parseCrypto(`4 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}|2:1`), {
    tag: 4, suite: 'AES_CM_128_HMAC_SHA1_80', key: VONAGE_KEY_80, mki: '2:1',
  });
});

test('parseCrypto: accepts the attribute with its name, keeps session parameters', () => {
  assert.deepEqual(parseCrypto(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80} KDR=0 UNENCRYPTED_SRTCP`), {
    tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', key: VONAGE_KEY_80, sessionParams: ['KDR=0', 'UNENCRYPTED_SRTCP'],
  });
});

test('parseCrypto: unknown suites and malformed lines give null', () => {
  const bad = [
    `1 AES_256_CM_HMAC_SHA1_80 inline:${KEY80}`, // suite we do not implement
    `1 F8_128_HMAC_SHA1_80 inline:${KEY80}`,
    `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80.slice(0, 39)}`, // 29 bytes and a bit
    `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}AAAA`, // 33 bytes
    `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80.slice(0, 38)}==`,
    `1 AES_CM_128_HMAC_SHA1_80 uri:${KEY80}`,
    `x AES_CM_128_HMAC_SHA1_80 inline:${KEY80}`,
    `1234567890 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}`, // tag longer than 9 digits
    `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}|2^x`,
    `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}|1:4|2^20`, // lifetime after MKI
    `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}|1:0`, // MKI length 0
    `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}|1:4|2:4`,
    `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}|2^20|1:4|x`,
    `1 AES_CM_128_HMAC_SHA1_80`,
    '',
    ' ',
    'crypto:',
  ];
  for (const line of bad) assert.equal(parseCrypto(line), null, line);
  assert.equal(parseCrypto(undefined as unknown as string), null);
  assert.equal(parseCrypto(`1 AES_CM_128_HMAC_SHA1_80 inline:${'A'.repeat(5000)}`), null);
});

test('formatCrypto: round trip of every form, RFC 4568 layout', () => {
  const lines = [
    `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}`,
    `2 AES_CM_128_HMAC_SHA1_32 inline:${KEY32}|2^31`,
    `3 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}|1048576|1:4`,
    `4 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}|2:1 KDR=0`,
  ];
  for (const line of lines) assert.equal(formatCrypto(parseCrypto(line) as SdesCrypto), line);
});

test('formatCrypto: refuses a key that is not 30 bytes', () => {
  assert.throws(() => formatCrypto({ tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', key: Buffer.alloc(16) }), RangeError);
});

test('newCrypto: 30 random bytes per call, given tag and suite', () => {
  const a = newCrypto('AES_CM_128_HMAC_SHA1_80', 1);
  const b = newCrypto('AES_CM_128_HMAC_SHA1_80', 1);
  assert.equal(a.key.length, 30);
  assert.notDeepEqual(a.key, b.key);
  assert.deepEqual([a.tag, a.suite], [1, 'AES_CM_128_HMAC_SHA1_80']);
  const c = newCrypto('AES_CM_128_HMAC_SHA1_32', 7);
  assert.match(formatCrypto(c), /^7 AES_CM_128_HMAC_SHA1_32 inline:[A-Za-z0-9+/]{40}$/);
  assert.deepEqual(parseCrypto(formatCrypto(c)), c);
});

test('chooseCrypto: first usable line in offer order', () => {
  const c80 = parseCrypto(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}`) as SdesCrypto;
  const c32 = parseCrypto(`2 AES_CM_128_HMAC_SHA1_32 inline:${KEY32}`) as SdesCrypto;
  const mki = parseCrypto(`3 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}|2^20|1:4`) as SdesCrypto;
  const unencrypted = parseCrypto(`4 AES_CM_128_HMAC_SHA1_80 inline:${KEY80} UNENCRYPTED_SRTP`) as SdesCrypto;
  const kdr0 = parseCrypto(`5 AES_CM_128_HMAC_SHA1_32 inline:${KEY32} KDR=0`) as SdesCrypto;
  assert.equal(chooseCrypto([c80, c32]), c80);
  assert.equal(chooseCrypto([c32, c80]), c32);
  assert.equal(chooseCrypto([mki, unencrypted, c32]), c32);
  assert.equal(chooseCrypto([kdr0, c80]), kdr0);
  assert.equal(chooseCrypto([mki, unencrypted]), null);
  assert.equal(chooseCrypto([]), null);
});
