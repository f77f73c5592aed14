// The SBC's table in a real kernel (network namespaces, real packets):
// SIP only from the trunk's sources, admin closed on WAN, media per policy,
// and an address-list update that changes what passes without dropping a
// call in progress.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  NETNS_ADDR, assertAllPassed, createTopology, describeSipp, netnsSkipReason, runSipp, startSbcd, startSipp,
  type Sbcd, type Topology, type UdpPeer,
} from '../harness/index.js';
import { SIP_PORT, commitToSbcd, fwConfig, listTable, options, ruleComments, sleep, tcpProbe } from './helpers.js';

const skip = netnsSkipReason();
const WAN = { ip: NETNS_ADDR.sbcWan, port: SIP_PORT };

async function answered(peer: UdpPeer, userAgent = 'Probe/1.0', waitMs = 1500): Promise<boolean> {
  const before = peer.received.length;
  await peer.send(WAN, [options({ ip: peer.ip, port: peer.port }, WAN, userAgent)]);
  return peer.waitFor((r) => r.length > before && /^SIP\/2\.0 200/.test(r[r.length - 1]!.data.toString()), waitMs);
}

describe('firewall policy in a namespace', { skip, timeout: 120_000 }, () => {
  let topo: Topology;
  let sbc: Sbcd;
  let vonage: UdpPeer;
  let attacker: UdpPeer;

  before(async () => {
    topo = await createTopology({ prefix: 'esbc-fwp' });
    sbc = await startSbcd({
      netns: topo.ns.sbc,
      fullConfig: fwConfig({ firewall: { admin: { networks: [] }, bans: { unknown_sources: false } } }),
    });
    vonage = await topo.udpPeer(topo.ns.vonage, NETNS_ADDR.vonage, 5062);
    attacker = await topo.udpPeer(topo.ns.attacker, NETNS_ADDR.attacker, 5062);
  });
  after(async () => {
    await sbc?.stop();
    await topo?.destroy();
  });

  test('our table is in the kernel before SIP listens, and it is the only table', async () => {
    const logs = sbc.logs().map((l) => l.msg);
    assert.ok(logs.indexOf('firewall applied') >= 0 && logs.indexOf('firewall applied') < logs.indexOf('sbcd ready'), logs.join(' | '));
    const tables = await topo.run(topo.ns.sbc, 'nft', ['list', 'tables']);
    assert.equal(tables.trim(), 'table inet edgesbc');
    assert.ok(ruleComments(await listTable(topo)).includes('WAN default drop'));
  });

  test('SIP from Vonage reaches sbcd; SIP from the attacker does not', async () => {
    assert.ok(await answered(vonage), vonage.describe());
    assert.equal(await answered(attacker), false, 'the attacker got an answer');
    assert.equal(attacker.received.length, 0);
    // The LAN side is not filtered.
    const pbx = await topo.udpPeer(topo.ns.pbx, NETNS_ADDR.pbx, 5062);
    const lan = { ip: NETNS_ADDR.sbcLan, port: SIP_PORT };
    await pbx.send(lan, [options({ ip: pbx.ip, port: pbx.port }, lan)]);
    assert.ok(await pbx.waitFor((r) => r.length > 0, 1500), pbx.describe());
  });

  test('admin port (the API\'s port, 8443): open from the LAN, closed on WAN, open from a configured admin network', async () => {
    // A stand-in admin service on the WAN address, on the API's port and on
    // 443 (an admin port before api.port became the one source of truth).
    topo.spawn(topo.ns.sbc, process.execPath, [
      '-e',
      `for (const p of [8443, 443]) require('net').createServer((s)=>{s.on('error',()=>{});s.end('admin\\n')}).listen(p, '${NETNS_ADDR.sbcWan}')`,
    ]);
    await sleep(300);
    assert.equal(await tcpProbe(topo, topo.ns.pbx, NETNS_ADDR.sbcLan, 8443), 'open', 'the admin API on the LAN side');
    assert.equal(await tcpProbe(topo, topo.ns.attacker, NETNS_ADDR.sbcWan, 8443), 'closed');
    assert.equal(await tcpProbe(topo, topo.ns.vonage, NETNS_ADDR.sbcWan, 8443), 'closed');
    commitToSbcd(sbc, { firewall: { admin: { networks: ['203.0.113.64/28'] } } });
    await sbc.waitForLog((l) => l.msg === 'firewall sets updated in place', 5000);
    assert.equal(await tcpProbe(topo, topo.ns.attacker, NETNS_ADDR.sbcWan, 8443), 'open');
    assert.equal(await tcpProbe(topo, topo.ns.attacker, NETNS_ADDR.sbcWan, 443), 'closed', '443 is not an admin port unless configured');
    assert.equal(await tcpProbe(topo, topo.ns.vonage, NETNS_ADDR.sbcWan, 8443), 'closed');
    const t0 = Date.now();
    commitToSbcd(sbc, { firewall: { admin: { networks: [] } } });
    await sbc.waitForLog((l) => l.msg === 'firewall sets updated in place' && Number(l.time) >= t0, 5000);
    assert.equal(await tcpProbe(topo, topo.ns.attacker, NETNS_ADDR.sbcWan, 8443), 'closed');
  });

  test('media: open range from anywhere, then only from the media list', async () => {
    const rtp = await topo.udpPeer(topo.ns.sbc, NETNS_ADDR.sbcWan, 10400);
    const to = { ip: NETNS_ADDR.sbcWan, port: 10400 };
    const got = (from: string) => rtp.received.filter((d) => d.ip === from).length;
    await attacker.send(to, [Buffer.from('rtp-a1')]);
    await vonage.send(to, [Buffer.from('rtp-v1')]);
    assert.ok(await rtp.waitFor(() => got(NETNS_ADDR.attacker) === 1 && got(NETNS_ADDR.vonage) === 1, 2000), rtp.describe());

    commitToSbcd(sbc, {
      firewall: {
        address_lists: { 'test-media': { source: 'test', entries: ['198.51.100.0/24'] } },
        trunks: { vonage: { media_policy: 'vonage-ranges', media_lists: ['test-media'] } },
      },
    });
    await sbc.waitForLog((l) => l.msg === 'firewall applied' && l.why === 'SIGHUP', 5000);
    await attacker.send(to, [Buffer.from('rtp-a2')]);
    await vonage.send(to, [Buffer.from('rtp-v2')]);
    assert.ok(await rtp.waitFor(() => got(NETNS_ADDR.vonage) === 2, 2000), rtp.describe());
    await sleep(300);
    assert.equal(got(NETNS_ADDR.attacker), 1, 'media from outside the list is dropped');
    // Outside the media port range nothing passes, whatever the source.
    const other = await topo.udpPeer(topo.ns.sbc, NETNS_ADDR.sbcWan, 9000);
    await vonage.send({ ip: NETNS_ADDR.sbcWan, port: 9000 }, [Buffer.from('x')]);
    assert.equal(await other.waitFor((r) => r.length > 0, 700), false);
    commitToSbcd(sbc, { firewall: { trunks: { vonage: { media_policy: 'open-range', media_lists: [] } } } });
    await sbc.waitForLog((l) => l.msg === 'firewall applied' && l.why === 'SIGHUP' && l.rules === 20, 5000);
  });

  test('a list update passes the new source at once, in place, and the call in progress goes on', async () => {
    commitToSbcd(sbc, {
      firewall: {
        address_lists: { 'test-kb': { source: 'test KB', published: '2026-11-01', entries: ['198.51.100.10/32'] } },
        trunks: { vonage: { signalling_lists: ['test-kb'] } },
      },
    });
    await sleep(500);
    const uas = await startSipp({ scenario: 'uas', ip: NETNS_ADDR.pbx, port: SIP_PORT, calls: 1, timeoutMs: 25_000, netns: topo.ns.pbx, name: 'fw-uas' });
    const call = runSipp({
      scenario: 'uac', ip: NETNS_ADDR.vonage, port: SIP_PORT, remote: WAN, calls: 1, service: '14155550100',
      extra: ['-d', '4000'], timeoutMs: 20_000, netns: topo.ns.vonage, name: 'fw-uac',
    });
    await sleep(1500); // the call is up, in its 4 s pause
    const inPlace = sbc.logs().filter((l) => l.msg === 'firewall sets updated in place').length;
    commitToSbcd(sbc, { firewall: { address_lists: { 'test-kb': { entries: ['198.51.100.10/32', '203.0.113.66/32'] } } } });
    await sbc.waitForLog(() => sbc.logs().filter((l) => l.msg === 'firewall sets updated in place').length > inPlace, 5000);
    assert.ok(await answered(attacker), 'the new list lets 203.0.113.66 in');
    const uac = await call;
    assertAllPassed(uac, 1, 'caller (Vonage)');
    const far = await uas.done;
    assert.equal(far.stats.successful, 1, describeSipp(far));
    commitToSbcd(sbc, { firewall: { address_lists: { 'test-kb': { entries: ['198.51.100.10/32'] } } } });
    await sleep(500);
    // A new flow from a source taken off the list is dropped (a flow already
    // in conntrack idles out: docs/firewall.md).
    const later = await topo.udpPeer(topo.ns.attacker, NETNS_ADDR.attacker, 5064);
    assert.equal(await answered(later), false, 'removed from the list: dropped again');
  });
});
