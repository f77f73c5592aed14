// The firewall section's validation: each error names the field and the reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig } from '../../../src/config/default-config.js';
import { ConfigError } from '../../../src/config/errors.js';
import { validateDocument } from '../../../src/config/validate.js';
import { builtinLists } from '../../../src/firewall/address-lists.js';

function problems(edit: (fw: Record<string, unknown>) => void): { path: string; message: string }[] {
  const d = defaultConfig() as unknown as { firewall: Record<string, unknown> };
  edit(d.firewall);
  try {
    validateDocument(d);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.errors;
  }
  return [];
}

test('the shipped Vonage lists load with their source and entries (V-IN-6, V-IN-7)', () => {
  const lists = builtinLists();
  assert.deepEqual([...lists.keys()].sort(), ['vonage-media-later', 'vonage-signalling-later', 'vonage-signalling-legacy']);
  assert.deepEqual(lists.get('vonage-signalling-legacy')?.entries.slice(0, 2), ['173.193.199.24/32', '174.37.245.34/32']);
  assert.ok(lists.get('vonage-signalling-later')?.entries.includes('169.60.141.30/32'));
  assert.equal(lists.get('vonage-media-later')?.entries.length, 5);
  for (const l of lists.values()) assert.match(l.source, /seeds\/00[01]_.*recorded \d{4}-\d{2}-\d{2}/);
});

test('an old partial firewall section gets every default', () => {
  const d = defaultConfig() as unknown as { firewall: unknown };
  d.firewall = { enabled: true };
  const doc = validateDocument(d);
  assert.equal(doc.firewall.enabled, true);
  assert.deepEqual(doc.firewall.flood, { packets_per_s: 500, burst: 1000, ban_timeout_s: 600 });
  assert.ok(doc.firewall.bans.scanner_user_agents.includes('friendly-scanner'));
});

test('addresses: bad literal, host bits, prefix length — each with its path', () => {
  const p = problems((fw) => {
    fw.admin = { networks: ['203.0.113.0/24', 'not-an-ip', '10.0.0.1/8'] };
    fw.bans = { allow_list: ['2001:db8::/129'] };
  });
  assert.deepEqual(p, [
    { path: '/firewall/admin/networks/1', message: '"not-an-ip" is not an IPv4/IPv6 address or CIDR block' },
    { path: '/firewall/admin/networks/2', message: '"10.0.0.1/8" has host bits set (the block is 10.0.0.0/8)' },
    { path: '/firewall/bans/allow_list/0', message: '"2001:db8::/129": prefix length must be 0..128' },
  ]);
});

test('unknown lists, trunks and sides; a shipped name cannot be taken; vonage-ranges needs a list', () => {
  const p = problems((fw) => {
    fw.wan_sides = ['dmz'];
    fw.trunks = {
      vonage: { signalling_lists: ['vonage-signalling-2031'], media_policy: 'vonage-ranges' },
      nosuch: {},
    };
    fw.address_lists = { 'vonage-media-later': { source: 'me', entries: ['192.0.2.0/24'] } };
  });
  const byPath = Object.fromEntries(p.map((x) => [x.path, x.message]));
  assert.equal(byPath['/firewall/wan_sides/0'], 'unknown side "dmz"');
  assert.match(byPath['/firewall/trunks/vonage/signalling_lists/0'] ?? '', /^unknown address list "vonage-signalling-2031" \(shipped: /);
  assert.equal(byPath['/firewall/trunks/vonage/media_lists'], 'media_policy vonage-ranges needs at least one media list');
  assert.equal(byPath['/firewall/trunks/nosuch'], 'unknown trunk "nosuch"');
  assert.match(byPath['/firewall/address_lists/vonage-media-later'] ?? '', /is a shipped list/);
});

test('schema: media policy enum, ranges, unknown fields', () => {
  const p = problems((fw) => {
    fw.trunks = { vonage: { media_policy: 'wide-open' } };
    fw.flood = { packets_per_s: -1 };
    fw.icmp_per_s = 0;
    fw.colour = 'red';
  });
  const byPath = Object.fromEntries(p.map((x) => [x.path, x.message]));
  assert.equal(byPath['/firewall/trunks/vonage/media_policy'], 'must be one of "open-range", "vonage-ranges", "signalled-peers"');
  assert.equal(byPath['/firewall/flood/packets_per_s'], 'must be >= 0');
  assert.equal(byPath['/firewall/icmp_per_s'], 'must be >= 1');
  assert.equal(byPath['/firewall/colour'], 'unknown field');
});

test('an imported list round-trips through validation', () => {
  const d = defaultConfig();
  d.firewall.address_lists = {
    'vonage-kb-2026-11': { description: 'KB', source: 'Vonage KB article', published: '2026-11-01', entries: ['192.0.2.0/25', '2001:db8:5::/48'] },
  };
  d.firewall.trunks = { vonage: { signalling_lists: ['vonage-kb-2026-11', 'vonage-signalling-later'], media_policy: 'open-range', media_lists: [] } };
  assert.deepEqual(validateDocument(d).firewall, d.firewall);
});
