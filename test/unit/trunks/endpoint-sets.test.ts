// V-OUT-1 / V-OUT-3: the shipped endpoint sets (data/vonage/endpoints/) load,
// carry their date and source, hold exactly the spec's hosts, and a trunk
// naming one gets those hosts, its own region first.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EndpointSetError, endpointSets, loadEndpointSets, parseEndpointSet } from '../../../src/trunks/endpoint-sets.js';
import { trunkHops } from '../../../src/trunks/trunk-endpoints.js';

const hosts = (name: string): string[] => endpointSets().get(name)!.endpoints.map((e) => e.host);

test('V-OUT-3: the current set holds the two proxies of the six sites of seed 003', () => {
  const set = endpointSets().get('vonage-current')!;
  assert.equal(set.generation, 'current');
  assert.match(set.source, /shared\/seeds\/003_519c7d4f73bb16fb\.txt/);
  assert.equal(set.published, '', 'the page carries no date');
  assert.match(set.publishedNote, /no date/);
  assert.match(set.recorded, /^\d{4}-\d{2}-\d{2}$/);
  assert.deepEqual(hosts('vonage-current'), [
    'sip-us-3-1.vonage.com', 'sip-us-3-2.vonage.com', 'sip-us-4-1.vonage.com', 'sip-us-4-2.vonage.com',
    'sip-ap-3-1.vonage.com', 'sip-ap-3-2.vonage.com', 'sip-ap-4-1.vonage.com', 'sip-ap-4-2.vonage.com',
    'sip-eu-3-1.vonage.com', 'sip-eu-3-2.vonage.com', 'sip-eu-4-1.vonage.com', 'sip-eu-4-2.vonage.com',
  ]);
  assert.deepEqual([...new Set(set.endpoints.map((e) => e.site))], ['Virginia', 'Oregon', 'Singapore', 'Sydney', 'Dublin', 'Frankfurt']);
  // V-OUT-1: the regional entry names.
  assert.deepEqual(set.srvDomains, { us: 'sip-us.vonage.com', eu: 'sip-eu.vonage.com', ap: 'sip-ap.vonage.com' });
  assert.deepEqual(set.ports, { udp: 5060, tcp: 5060, tls: 5061 });
  assert.equal(set.tlsMinVersion, '1.2');
});

test('V-OUT-3: both legacy generations (seeds 000 and 001) ship as their own sets', () => {
  assert.deepEqual(hosts('nexmo-legacy'), [
    'sip-us1.nexmo.com', 'sip-us2.nexmo.com', 'sip-eu1.nexmo.com', 'sip-eu2.nexmo.com', 'sip-ap1.nexmo.com', 'sip-ap2.nexmo.com',
  ]);
  assert.deepEqual(hosts('nexmo-later'), [
    'sip-eu1.nexmo.com', 'sip-eu2.nexmo.com', 'sip-ap1.nexmo.com', 'sip-ap2.nexmo.com', 'sip-us-2-1.nexmo.com', 'sip-us-2-2.nexmo.com',
  ]);
  assert.match(endpointSets().get('nexmo-legacy')!.source, /000_7a1925c15fcbb5cd/);
  assert.match(endpointSets().get('nexmo-later')!.source, /001_2cbf674345f25911/);
  for (const n of ['nexmo-legacy', 'nexmo-later']) {
    const s = endpointSets().get(n)!;
    assert.equal(s.generation, 'legacy');
    assert.deepEqual(s.srvDomains, { '': 'sip.nexmo.com' }); // V-OUT-1 legacy entry name
    assert.equal(s.tlsMinVersion, '1.0');
  }
});

const trunk = (over: Partial<Parameters<typeof trunkHops>[0]>) => ({
  transport: 'tls' as const, region: '' as const, endpoint_set: '', endpoints: [], srv: false, ...over,
});

test('V-OUT-3: a trunk with an endpoint set gets its region first, the others as ordered backups, on the transport port', () => {
  const hops = trunkHops(trunk({ endpoint_set: 'vonage-current', region: 'eu' }));
  assert.deepEqual(hops.slice(0, 4).map((h) => `${h.host}:${h.port} ${h.site}`), [
    'sip-eu-3-1.vonage.com:5061 Dublin', 'sip-eu-3-2.vonage.com:5061 Dublin', 'sip-eu-4-1.vonage.com:5061 Frankfurt', 'sip-eu-4-2.vonage.com:5061 Frankfurt',
  ]);
  assert.equal(hops.length, 12);
  assert.deepEqual(hops.slice(4).map((h) => h.region), ['us', 'us', 'us', 'us', 'ap', 'ap', 'ap', 'ap']);
  assert.equal(trunkHops(trunk({ endpoint_set: 'vonage-current', transport: 'udp' }))[0]!.port, 5060);
});

test('V-OUT-3: with srv the hop is the RFC 3263 entry name with no port; manual endpoints pass as written', () => {
  assert.deepEqual(trunkHops(trunk({ endpoint_set: 'vonage-current', region: 'ap', srv: true })), [
    { host: 'sip-ap.vonage.com', port: 0, site: '', region: 'ap' },
  ]);
  assert.equal(trunkHops(trunk({ endpoint_set: 'nexmo-later', srv: true }))[0]!.host, 'sip.nexmo.com');
  const manual = [{ host: '192.0.2.7', port: 5062 }];
  assert.deepEqual(trunkHops(trunk({ endpoints: manual })), [{ host: '192.0.2.7', port: 5062, site: '', region: '' }]);
  assert.deepEqual(trunkHops(trunk({ endpoints: manual, srv: true })), [{ host: '192.0.2.7', port: 0, site: '', region: '' }]);
});

test('a broken endpoint file is refused with the file and the reason', () => {
  const good = {
    name: 'x', generation: 'current', description: 'd', published: null, recorded: '2026-01-01',
    source: 'page (shared/seeds/003_519c7d4f73bb16fb.txt)', tls_min_version: '1.2',
    ports: { udp: 5060, tcp: 5060, tls: 5061 }, srv_domains: { us: 'sip-us.example.com' },
    endpoints: [{ host: 'a.example.com', site: 'S', region: 'us' }],
  };
  assert.equal(parseEndpointSet('x.json', good).name, 'x');
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ name: 'y' }, /name "y" must equal the file name/],
    [{ published: '2026' }, /"published" must be YYYY-MM-DD or null/],
    [{ source: 'somewhere' }, /must name the seed document/],
    [{ endpoints: [] }, /non-empty array/],
    [{ endpoints: [good.endpoints[0], good.endpoints[0]] }, /listed twice/],
    [{ endpoints: [{ host: 'a.example.com', site: 'S', region: 'mars' }] }, /region must be us, eu or ap/],
    [{ endpoints: [{ host: 'not a host', site: 'S', region: 'us' }] }, /is not a host name/],
    [{ ports: { udp: 0, tcp: 5060, tls: 5061 } }, /ports\.udp must be a port/],
    [{ srv_domains: { mars: 'x.example.com' } }, /unknown region "mars"/],
  ];
  for (const [patch, re] of cases) {
    assert.throws(() => parseEndpointSet('x.json', { ...good, ...patch }), (err: unknown) => err instanceof EndpointSetError && re.test(err.message) && err.message.startsWith('endpoint set x.json: '));
  }
  const dir = mkdtempSync(join(tmpdir(), 'edgesbc-sets-'));
  try {
    writeFileSync(join(dir, 'x.json'), '{ not json');
    assert.throws(() => loadEndpointSets(dir), /endpoint set x\.json: not valid JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
