// An endpoint-set trunk (no manual endpoints) gets its signalling sources
// from its real hops: the set's hosts, resolved through sip.dns_servers
// (a dnsmasq in the Vonage namespace answers two of them with 198.51.100.10
// and .11). SIP from 198.51.100.10 reaches sbcd, from the attacker it does not.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { NETNS_ADDR, createTopology, netnsSkipReason, startSbcd, type Sbcd, type Topology, type UdpPeer } from '../harness/index.js';
import { socketListening } from '../vonage/kamailio-edge.js';
import { SIP_PORT, fwConfig, options } from './helpers.js';

const skip = netnsSkipReason();
const WAN = { ip: NETNS_ADDR.sbcWan, port: SIP_PORT };

async function answered(peer: UdpPeer): Promise<boolean> {
  const n = peer.received.length;
  await peer.send(WAN, [options({ ip: peer.ip, port: peer.port }, WAN)]);
  return peer.waitFor((r) => r.length > n, 1500);
}

async function sigSet(topo: Topology): Promise<string[]> {
  const out = await topo.run(topo.ns.sbc, 'nft', ['-j', 'list', 'set', 'inet', 'edgesbc', 'sig_vonage_v4']);
  const set = (JSON.parse(out) as { nftables: { set?: { elem?: unknown[] } }[] }).nftables.find((x) => x.set)?.set;
  return (set?.elem ?? []).map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
}

describe('endpoint-set trunk: firewall sources from the real hops', { skip, timeout: 60_000 }, () => {
  let topo: Topology;
  let sbc: Sbcd;
  let dns: ChildProcess;

  before(async () => {
    topo = await createTopology({ prefix: 'esbc-fwh' });
    dns = topo.spawn(topo.ns.vonage, 'dnsmasq', [
      '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--no-poll', '--bind-interfaces',
      `--listen-address=${NETNS_ADDR.vonage}`, '--port=53', '--user=root', '--pid-file=',
      `--address=/sip-us-3-1.vonage.com/${NETNS_ADDR.vonage}`,
      '--address=/sip-us-3-2.vonage.com/198.51.100.11',
    ], { stdio: 'ignore' });
    for (const until = Date.now() + 5000; !socketListening(`/proc/${dns.pid}/net`, 'udp', NETNS_ADDR.vonage, 53); ) {
      assert.ok(Date.now() < until && dns.exitCode === null, 'dnsmasq did not start');
      await new Promise((r) => setTimeout(r, 25));
    }
    const base = fwConfig({ sip: { dns_servers: [`${NETNS_ADDR.vonage}:53`] }, firewall: { bans: { unknown_sources: false } } });
    // No manual endpoints: the trunk's hops are the set's hosts.
    base.trunks = [{ name: 'vonage', side: 'wan', transport: 'udp', endpoints: [], endpoint_set: 'vonage-current', region: 'us', enabled: true }];
    sbc = await startSbcd({ netns: topo.ns.sbc, fullConfig: base });
  });
  after(async () => {
    await sbc?.stop();
    await topo?.destroy();
  });

  test('the set\'s resolved hosts are the trunk\'s sources: Vonage answered, the attacker not', async () => {
    assert.deepEqual(await sigSet(topo), [NETNS_ADDR.vonage, '198.51.100.11']);
    const vonage = await topo.udpPeer(topo.ns.vonage, NETNS_ADDR.vonage, 5068);
    const attacker = await topo.udpPeer(topo.ns.attacker, NETNS_ADDR.attacker, 5068);
    assert.ok(await answered(vonage), vonage.describe());
    assert.equal(await answered(attacker), false);
  });
});
