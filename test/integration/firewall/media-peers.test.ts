// The signalled-peers media policy with real packets: a call from Vonage
// puts (198.51.100.10 . our WAN media port) in the kernel's peers set as its
// SDP is relayed; media from that peer to that port passes the rule, media
// from another host of the same range (198.51.100.77) to the same port is
// dropped by the WAN default rule.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NETNS_ADDR, createTopology, describeSipp, netnsSkipReason, runSipp, startSbcd, startSipp, type Sbcd, type Topology } from '../harness/index.js';
import { SIP_PORT, fwConfig } from './helpers.js';

const skip = netnsSkipReason();
const WAN = { ip: NETNS_ADDR.sbcWan, port: SIP_PORT };
const NEIGHBOUR = '198.51.100.77';

type Elem = { elem?: { val?: { concat?: [string, number] } } };

async function peersInKernel(topo: Topology): Promise<[string, number][]> {
  const out = await topo.run(topo.ns.sbc, 'nft', ['-j', 'list', 'set', 'inet', 'edgesbc', 'peers_v4']);
  const set = (JSON.parse(out) as { nftables: { set?: { elem?: Elem[] } }[] }).nftables.find((x) => x.set)?.set;
  return (set?.elem ?? []).flatMap((e) => (e.elem?.val?.concat ? [e.elem.val.concat] : []));
}

// Packets counted by our rule with that comment.
async function counted(topo: Topology, comment: string): Promise<number> {
  const out = await topo.run(topo.ns.sbc, 'nft', ['-j', 'list', 'chain', 'inet', 'edgesbc', 'wan']);
  const rule = (JSON.parse(out) as { nftables: { rule?: { comment?: string; expr: { counter?: { packets: number } }[] } }[] }).nftables
    .map((x) => x.rule)
    .find((r) => r?.comment === comment);
  assert.ok(rule, `rule "${comment}"`);
  return rule.expr.find((e) => e.counter)?.counter?.packets ?? -1;
}

// The counter once it reached `want` (or what it is after 2 s): the
// packets were sent, the kernel may count them a moment later.
async function countedAtLeast(topo: Topology, comment: string, want: number): Promise<number> {
  let n = await counted(topo, comment);
  for (const until = Date.now() + 2000; n < want && Date.now() < until; n = await counted(topo, comment)) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return n;
}

describe('signalled-peers media policy in a namespace', { skip, timeout: 60_000 }, () => {
  let topo: Topology;
  let sbc: Sbcd;

  before(async () => {
    topo = await createTopology({ prefix: 'esbc-fwm' });
    // A second host on the Vonage range: same segment, same /24.
    await topo.run(topo.ns.attacker, 'ip', ['addr', 'add', `${NEIGHBOUR}/24`, 'dev', 'eth0']);
    sbc = await startSbcd({
      netns: topo.ns.sbc,
      fullConfig: fwConfig({ firewall: { trunks: { vonage: { media_policy: 'signalled-peers' } }, bans: { unknown_sources: false } } }),
    });
  });
  after(async () => {
    await sbc?.stop();
    await topo?.destroy();
  });

  test('media from the signalled peer passes; from another host of its range it does not', async () => {
    assert.deepEqual(await peersInKernel(topo), [], 'no call, no peer');
    const uas = await startSipp({ scenario: 'uas', ip: NETNS_ADDR.pbx, port: SIP_PORT, calls: 1, timeoutMs: 25_000, netns: topo.ns.pbx, name: 'fwm-uas' });
    const call = runSipp({
      scenario: 'uac', ip: NETNS_ADDR.vonage, port: SIP_PORT, remote: WAN, calls: 1, service: '14155550100',
      extra: ['-d', '3000'], timeoutMs: 20_000, netns: topo.ns.vonage, name: 'fwm-uac',
    });
    // The peer is in the set once the INVITE's SDP went through (bounded wait).
    let peers: [string, number][] = [];
    for (const until = Date.now() + 5000; Date.now() < until && peers.length === 0; ) {
      peers = await peersInKernel(topo);
      if (peers.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    const mine = peers.filter(([ip]) => ip === NETNS_ADDR.vonage);
    assert.ok(mine.length > 0, `peers set: ${JSON.stringify(peers)}`);
    assert.ok(peers.every(([ip]) => ip === NETNS_ADDR.vonage), 'only the WAN peer (the PBX is on the unfiltered LAN)');
    const port = mine[0]![1];

    const viaPeers = await counted(topo, 'media from signalled peers (IPv4)');
    const dropped = await counted(topo, 'WAN default drop');
    const vonageRtp = await topo.udpPeer(topo.ns.vonage, NETNS_ADDR.vonage, 7010);
    const neighbour = await topo.udpPeer(topo.ns.attacker, NEIGHBOUR, 7010);
    const packets = Array.from({ length: 5 }, (_, i) => Buffer.from(`rtp-${i}`));
    await vonageRtp.send({ ip: NETNS_ADDR.sbcWan, port }, packets);
    await neighbour.send({ ip: NETNS_ADDR.sbcWan, port }, packets);
    assert.equal(await countedAtLeast(topo, 'media from signalled peers (IPv4)', viaPeers + 5), viaPeers + 5, 'the signalled peer\'s 5 packets passed the rule');
    assert.equal(await countedAtLeast(topo, 'WAN default drop', dropped + 5), dropped + 5, 'the neighbour\'s 5 packets were dropped');

    const uac = await call;
    assert.equal(uac.code, 0, describeSipp(uac));
    await uas.done;
    console.log(`# signalled peer ${NETNS_ADDR.vonage} -> :${port}: 5/5 passed; ${NEIGHBOUR} -> :${port}: 5/5 dropped`);
  });
});
