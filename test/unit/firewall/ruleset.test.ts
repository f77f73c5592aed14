// Rule generation: the exact nftables JSON for the namespace test config.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allLists } from '../../../src/firewall/address-lists.js';
import { replaceTableBatch } from '../../../src/firewall/batch.js';
import { wanInterfacesOf } from '../../../src/firewall/interfaces.js';
import { generateRuleset, type Ruleset } from '../../../src/firewall/ruleset.js';
import { trunkNames } from '../../../src/firewall/trunk-names.js';
import type { ConfigDocument } from '../../../src/config/document.js';
import { firewallDoc } from './fixture.js';

function gen(doc: ConfigDocument, resolved: Record<string, string[]> = {}): Ruleset {
  return generateRuleset({ doc, lists: allLists(doc.firewall), resolved: new Map(Object.entries(resolved)) });
}

function rule(rs: Ruleset, comment: string) {
  const r = rs.rules.find((x) => x.comment === comment);
  assert.ok(r, `rule "${comment}" in ${rs.rules.map((x) => x.comment).join(' | ')}`);
  return r.expr;
}

const saddr = (p: string) => ({ payload: { protocol: p, field: 'saddr' } });

test('one inet table: WAN entry by address, default drop at the end, rules in order', () => {
  const rs = gen(firewallDoc());
  assert.equal(rs.table, 'edgesbc');
  assert.deepEqual(rs.chains, [
    { name: 'input', base: { type: 'filter', hook: 'input', prio: 0, policy: 'accept' } },
    { name: 'wan' },
  ]);
  assert.deepEqual(
    rs.rules.map((r) => `${r.chain}: ${r.comment}`),
    [
      'input: to the WAN addresses (IPv4)',
      'input: to the WAN addresses (IPv6)',
      'wan: banned (IPv4)',
      'wan: banned (IPv6)',
      'wan: replies and related',
      'wan: invalid state',
      'wan: IPv6 neighbour discovery',
      'wan: ICMP, rate-limited',
      'wan: ICMPv6, rate-limited',
      'wan: ICMP over the rate',
      'wan: SIP flood meter (IPv4)',
      'wan: SIP flood meter (IPv6)',
      'wan: SIP from trunk vonage (udp, IPv4)',
      'wan: SIP from trunk vonage (tcp/tls, IPv4)',
      'wan: SIP from trunk vonage (udp, IPv6)',
      'wan: SIP from trunk vonage (tcp/tls, IPv6)',
      'wan: media, open range (side wan)',
      'wan: admin from admin networks (IPv4)',
      'wan: admin from admin networks (IPv6)',
      'wan: WAN default drop',
    ],
  );
  assert.deepEqual(rule(rs, 'to the WAN addresses (IPv4)'), [
    { match: { op: '==', left: { payload: { protocol: 'ip', field: 'daddr' } }, right: '198.51.100.1' } },
    { jump: { target: 'wan' } },
  ]);
  assert.deepEqual(rule(rs, 'to the WAN addresses (IPv6)')[0], {
    match: { op: '==', left: { payload: { protocol: 'ip6', field: 'daddr' } }, right: '2001:db8:100::1' },
  });
  assert.deepEqual(rule(rs, 'WAN default drop'), [{ counter: { packets: 0, bytes: 0 } }, { drop: null }]);
  assert.deepEqual(rule(rs, 'replies and related'), [
    { match: { op: 'in', left: { ct: { key: 'state' } }, right: ['established', 'related'] } },
    { accept: null },
  ]);
});

test('SIP only from the trunk sources, on the WAN side’s ports; the set holds list + endpoint', () => {
  const rs = gen(firewallDoc());
  assert.deepEqual(rule(rs, 'SIP from trunk vonage (udp, IPv4)'), [
    { match: { op: '==', left: saddr('ip'), right: '@sig_vonage_v4' } },
    { match: { op: '==', left: { payload: { protocol: 'udp', field: 'dport' } }, right: 5060 } },
    { accept: null },
  ]);
  assert.deepEqual(rule(rs, 'SIP from trunk vonage (tcp/tls, IPv6)'), [
    { match: { op: '==', left: saddr('ip6'), right: '@sig_vonage_v6' } },
    { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: { set: [5060, 5061] } } },
    { accept: null },
  ]);
  const sig = rs.sets.find((s) => s.name === 'sig_vonage_v4');
  assert.deepEqual(sig, {
    name: 'sig_vonage_v4',
    type: 'ipv4_addr',
    flags: ['interval'],
    elements: ['5.10.112.121', '5.10.112.122', '119.81.44.6', '119.81.44.7', '169.60.141.29', '169.60.141.30', '198.51.100.10'],
    dynamic: false,
  });
});

test('resolved endpoint names join the set; blocks inside blocks are merged', () => {
  const doc = firewallDoc({}, (d) => {
    d.trunks[0]!.endpoints = [{ host: 'sip.example.net', port: 5060 }];
    d.firewall.address_lists = { kb: { description: '', source: 'kb article', published: '2026-01-01', entries: ['198.51.100.0/24', '2001:db8::/32'] } };
    d.firewall.trunks.vonage!.signalling_lists = ['kb'];
  });
  const rs = gen(doc, { vonage: ['198.51.100.77', '2001:db8::9', '192.0.2.99'] });
  assert.deepEqual(rs.sets.find((s) => s.name === 'sig_vonage_v4')?.elements, [
    '192.0.2.99',
    { prefix: { addr: '198.51.100.0', len: 24 } },
  ]);
  assert.deepEqual(rs.sets.find((s) => s.name === 'sig_vonage_v6')?.elements, [{ prefix: { addr: '2001:db8::', len: 32 } }]);
});

test('media per policy: open range, Vonage media ranges, signalled peers', () => {
  assert.deepEqual(rule(gen(firewallDoc()), 'media, open range (side wan)'), [
    { match: { op: '==', left: { payload: { protocol: 'udp', field: 'dport' } }, right: { range: [10000, 20000] } } },
    { accept: null },
  ]);

  const ranges = gen(firewallDoc({ media_policy: 'vonage-ranges', media_lists: ['vonage-media-later'] }));
  assert.deepEqual(rule(ranges, "media from trunk vonage's media lists (IPv4)")[0], {
    match: { op: '==', left: saddr('ip'), right: '@media_vonage_v4' },
  });
  assert.equal(ranges.sets.find((s) => s.name === 'media_vonage_v4')?.elements.length, 5);
  assert.ok(!ranges.rules.some((r) => r.comment.startsWith('media, open range')));

  const peers = gen(firewallDoc({ media_policy: 'signalled-peers' }));
  assert.deepEqual(rule(peers, 'media from signalled peers (IPv4)'), [
    {
      match: {
        op: '==',
        left: { concat: [saddr('ip'), { payload: { protocol: 'udp', field: 'dport' } }] },
        right: '@peers_v4',
      },
    },
    { counter: { packets: 0, bytes: 0 } },
    { accept: null },
  ]);
  assert.deepEqual(peers.sets.find((s) => s.name === 'peers_v4'), {
    name: 'peers_v4',
    type: ['ipv4_addr', 'inet_service'],
    size: 65535,
    flags: ['timeout'],
    elements: [],
    dynamic: true,
  });
});

test('flood meter: per-source dynamic set, over the rate the kernel adds to banned; allow-list exempt', () => {
  const rs = gen(firewallDoc({}, (d) => {
    d.firewall.flood = { packets_per_s: 300, burst: 600, ban_timeout_s: 120 };
    d.firewall.bans.allow_list = ['192.0.2.0/24'];
  }));
  assert.deepEqual(rule(rs, 'SIP flood meter (IPv4)'), [
    { match: { op: '==', left: { meta: { key: 'l4proto' } }, right: { set: ['tcp', 'udp'] } } },
    { match: { op: '==', left: { payload: { protocol: 'th', field: 'dport' } }, right: { set: [5060, 5061] } } },
    { match: { op: '!=', left: saddr('ip'), right: '@allow_v4' } },
    {
      set: {
        op: 'update',
        elem: saddr('ip'),
        set: '@flood_v4',
        stmt: [{ limit: { rate: 300, burst: 600, per: 'second', inv: true } }],
      },
    },
    { set: { op: 'add', elem: { elem: { val: saddr('ip'), timeout: 120 } }, set: '@banned_v4' } },
    { drop: null },
  ]);
  assert.deepEqual(rs.sets.find((s) => s.name === 'allow_v4')?.elements, [{ prefix: { addr: '192.0.2.0', len: 24 } }]);
  assert.deepEqual(rs.sets.find((s) => s.name === 'banned_v6'), {
    name: 'banned_v6',
    type: 'ipv6_addr',
    size: 65535,
    flags: ['timeout'],
    elements: [],
    dynamic: true,
  });
  const off = gen(firewallDoc({}, (d) => (d.firewall.flood.packets_per_s = 0)));
  assert.ok(!off.rules.some((r) => r.comment.startsWith('SIP flood meter')));
});

test('admin ports only from admin networks on WAN; ICMP rate-limited', () => {
  const rs = gen(firewallDoc({}, (d) => (d.firewall.admin = { tcp_ports: [22, 443], networks: ['203.0.113.0/28'] })));
  assert.deepEqual(rule(rs, 'admin from admin networks (IPv4)'), [
    { match: { op: '==', left: saddr('ip'), right: '@admin_v4' } },
    { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: { set: [22, 443, 8443] } } },
    { accept: null },
  ]);
  assert.deepEqual(rs.sets.find((s) => s.name === 'admin_v4')?.elements, [{ prefix: { addr: '203.0.113.0', len: 28 } }]);
  assert.deepEqual(rule(rs, 'ICMP, rate-limited'), [
    { match: { op: '==', left: { meta: { key: 'l4proto' } }, right: 'icmp' } },
    { limit: { rate: 10, burst: 20, per: 'second' } },
    { accept: null },
  ]);
});

test('WAN interfaces, when configured, classify WAN traffic instead of addresses', () => {
  const rs = gen(firewallDoc({}, (d) => (d.firewall.wan_interfaces = ['wan1', 'wan0'])));
  assert.deepEqual(rs.rules.filter((r) => r.chain === 'input').map((r) => r.expr), [
    [{ match: { op: '==', left: { meta: { key: 'iifname' } }, right: { set: ['wan0', 'wan1'] } } }, { jump: { target: 'wan' } }],
  ]);
});

test('a disabled trunk or one on a LAN side opens nothing', () => {
  const rs = gen(firewallDoc({}, (d) => (d.trunks[0]!.enabled = false)));
  assert.ok(!rs.rules.some((r) => r.comment.includes('trunk vonage')));
  assert.ok(!rs.sets.some((s) => s.name.startsWith('sig_')));
});

test('the batch replaces only our table, in one transaction, and carries bans over', () => {
  const rs = gen(firewallDoc());
  const carried = new Map([['banned_v4', [{ elem: { val: '203.0.113.66', timeout: 42 } }]]]);
  const batch = replaceTableBatch(rs, carried);
  assert.deepEqual(batch.nftables.slice(0, 3), [
    { add: { table: { family: 'inet', name: 'edgesbc' } } },
    { delete: { table: { family: 'inet', name: 'edgesbc' } } },
    { add: { table: { family: 'inet', name: 'edgesbc' } } },
  ]);
  const tables = new Set<string>();
  JSON.stringify(batch, (k, v: unknown) => {
    if (k === 'table') tables.add(typeof v === 'string' ? v : JSON.stringify(v));
    return v;
  });
  assert.deepEqual([...tables].sort(), ['edgesbc', '{"family":"inet","name":"edgesbc"}']);
  assert.deepEqual(
    batch.nftables.find((c) => JSON.stringify(c).includes('"name":"banned_v4","elem"')),
    { add: { element: { family: 'inet', table: 'edgesbc', name: 'banned_v4', elem: [{ elem: { val: '203.0.113.66', timeout: 42 } }] } } },
  );
});

test('interfaces holding the WAN addresses (rtnetlink) are matched too; LAN-shared and loopback ones never', () => {
  const doc = firewallDoc();
  const ifaces = [
    { index: 1, name: 'lo', up: true, loopback: true, addresses: [{ family: 4 as const, address: '198.51.100.1', prefixLen: 32 }] },
    { index: 2, name: 'eth1', up: true, loopback: false, addresses: [{ family: 6 as const, address: '2001:db8:100::1', prefixLen: 64 }] },
    { index: 3, name: 'eth0', up: true, loopback: false, addresses: [{ family: 4 as const, address: '192.0.2.1', prefixLen: 24 }] },
    {
      index: 4,
      name: 'br0',
      up: true,
      loopback: false,
      addresses: [
        { family: 4 as const, address: '198.51.100.1', prefixLen: 24 },
        { family: 4 as const, address: '192.0.2.1', prefixLen: 24 },
      ],
    },
  ];
  assert.deepEqual(wanInterfacesOf(doc, ifaces), ['eth1']);
  const rs = generateRuleset({ doc, lists: allLists(doc.firewall), resolved: new Map(), wanInterfaces: ['eth1'] });
  assert.deepEqual(rs.rules.filter((r) => r.chain === 'input').map((r) => r.comment), [
    'interfaces holding the WAN addresses',
    'to the WAN addresses (IPv4)',
    'to the WAN addresses (IPv6)',
  ]);
  assert.deepEqual(rule(rs, 'interfaces holding the WAN addresses')[0], { match: { op: '==', left: { meta: { key: 'iifname' } }, right: 'eth1' } });
});

test('admin ports follow the API\'s configured port (one source of truth) plus the other admin ports', () => {
  const def = gen(firewallDoc());
  assert.deepEqual(def.rules.find((r) => r.comment === 'admin from admin networks (IPv4)')?.expr[1], {
    match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: { set: [22, 8443] } },
  });
  const moved = gen(firewallDoc({}, (d) => (d.api.port = 9443)));
  assert.deepEqual(moved.rules.find((r) => r.comment === 'admin from admin networks (IPv4)')?.expr[1], {
    match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: { set: [22, 9443] } },
  });
});

test('an endpoint-set trunk\'s signalling sources are its real hops (resolved), not trunks[].endpoints', () => {
  const doc = firewallDoc({ signalling_lists: [] }, (d) => {
    // No manual endpoints: before, the table admitted none of the set's hosts.
    Object.assign(d.trunks[0]!, { endpoints: [], endpoint_set: 'vonage-current', region: 'us', srv: false });
  });
  const names = trunkNames(doc.trunks[0]!);
  assert.equal(names.length, 12, JSON.stringify(names));
  assert.deepEqual(names[0], { host: 'sip-us-3-1.vonage.com', srv: false }, 'the region\'s hosts first');
  const rs = gen(doc, { vonage: ['198.51.100.21', '198.51.100.22'] });
  assert.deepEqual(rs.sets.find((s) => s.name === 'sig_vonage_v4')?.elements, ['198.51.100.21', '198.51.100.22']);
  const srv = firewallDoc({}, (d) => Object.assign(d.trunks[0]!, { endpoints: [], endpoint_set: 'vonage-current', region: 'eu', srv: true }));
  assert.deepEqual(trunkNames(srv.trunks[0]!), [{ host: 'sip-eu.vonage.com', srv: true }]);
});
