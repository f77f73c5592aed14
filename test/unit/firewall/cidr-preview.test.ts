// CIDR parsing/merging and the preview's line diff.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCidr, mergeCidrs, parseAll, parseCidr } from '../../../src/firewall/cidr.js';
import { normalizeIp } from '../../../src/firewall/firewall.js';
import type { Json } from '../../../src/firewall/nft-json.js';
import { diffLines, kernelLines, stableJson } from '../../../src/firewall/preview.js';

test('CIDRs parse, print as nft prints them, and merge', () => {
  assert.equal(formatCidr(parseCidr('2001:0db8:0000:0000:0000:0000:0000:0001') as never), '2001:db8::1');
  assert.equal(formatCidr(parseCidr('::ffff:192.0.2.1') as never), '::ffff:c000:201');
  assert.equal(formatCidr(parseCidr('2001:db8:0:1::/64') as never), '2001:db8:0:1::/64');
  assert.equal(parseCidr('192.0.2.1/24'), '"192.0.2.1/24" has host bits set (the block is 192.0.2.0/24)');
  assert.equal(parseCidr('fe80::1%eth0'), '"fe80::1%eth0" is not an IPv4/IPv6 address or CIDR block');
  const merged = mergeCidrs(parseAll(['198.51.100.10', '198.51.100.0/24', '192.0.2.1', '192.0.2.1/32', '2001:db8::/32', '2001:db8:1::5']));
  assert.deepEqual(merged.map(formatCidr), ['192.0.2.1', '198.51.100.0/24', '2001:db8::/32']);
  assert.deepEqual(normalizeIp('::ffff:203.0.113.66'), { family: 4, text: '203.0.113.66' });
  assert.equal(normalizeIp('203.0.113.0/24'), undefined);
});

test('kernel listing lines ignore handles, counters and run-time set elements', () => {
  const listed: Json[] = [
    { metainfo: { version: '1.0.6' } },
    { set: { family: 'inet', name: 'banned_v4', table: 'edgesbc', type: 'ipv4_addr', handle: 3, size: 65535, flags: ['timeout'], elem: [{ elem: { val: '203.0.113.66', timeout: 5, expires: 4 } }] } },
    { set: { family: 'inet', name: 'sig_v4', table: 'edgesbc', type: 'ipv4_addr', handle: 4, flags: ['interval'], elem: ['198.51.100.10'] } },
    { rule: { family: 'inet', table: 'edgesbc', chain: 'wan', handle: 9, comment: 'WAN default drop', expr: [{ counter: { packets: 77, bytes: 1234 } }, { drop: null }] } },
  ];
  assert.deepEqual(kernelLines(listed, new Set(['banned_v4'])), [
    'set banned_v4 type "ipv4_addr" flags [timeout] elements {}',
    'set sig_v4 type "ipv4_addr" flags [interval] elements {"198.51.100.10"}',
    'rule wan "WAN default drop" [{"counter":null},{"drop":null}]',
  ]);
  assert.equal(stableJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
});

test('line diff: removed and added lines, common lines left out', () => {
  assert.deepEqual(diffLines(['a', 'b', 'c', 'd'], ['a', 'c', 'x', 'd']), [
    { op: '-', line: 'b' },
    { op: '+', line: 'x' },
  ]);
  assert.deepEqual(diffLines([], ['a']), [{ op: '+', line: 'a' }]);
  assert.deepEqual(diffLines(['a', 'b'], ['a', 'b']), []);
});
