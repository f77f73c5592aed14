// Self-test of the network-namespace harness (harness/netns.ts): the
// addressing plan holds on the wire, the NAT router really translates, the
// SBC cannot reach a NATed peer's private address, and teardown leaves no
// namespace behind.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  assertAllPassed, createTopology, describeSipp, netnsSkipReason, NETNS_ADDR, removeStaleNamespaces, runSipp, select, startSbcd, startSipp,
  type Topology,
} from '../harness/index.js';

const skip = netnsSkipReason();

function namespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

describe('netns harness', { skip, timeout: 45_000 }, () => {
  const built: Topology[] = [];
  after(async () => {
    for (const t of built) await t.destroy();
  });

  test('direct peers: PBX -> SBC LAN and Vonage/attacker -> SBC WAN arrive from their own addresses, on the side bridge', async () => {
    const topo = await createTopology();
    built.push(topo);
    const sbcLan = await topo.udpPeer(topo.ns.sbc, NETNS_ADDR.sbcLan, 20000);
    const sbcWan = await topo.udpPeer(topo.ns.sbc, NETNS_ADDR.sbcWan, 20000);
    const pbx = await topo.udpPeer(topo.ns.pbx, NETNS_ADDR.pbx, 30000);
    const vonage = await topo.udpPeer(topo.ns.vonage, NETNS_ADDR.vonage, 30000);
    const attacker = await topo.udpPeer(topo.ns.attacker, NETNS_ADDR.attacker);

    assert.deepEqual(await pbx.send({ ip: NETNS_ADDR.sbcLan, port: 20000 }, [Buffer.from('from-pbx')]), { sent: 1, errors: 0 });
    assert.deepEqual(await vonage.send({ ip: NETNS_ADDR.sbcWan, port: 20000 }, [Buffer.from('from-vonage')]), { sent: 1, errors: 0 });
    assert.deepEqual(await attacker.send({ ip: NETNS_ADDR.sbcWan, port: 20000 }, [Buffer.from('from-attacker')]), { sent: 1, errors: 0 });
    assert.ok(await sbcLan.waitFor((r) => r.length >= 1, 3000), sbcLan.describe());
    assert.ok(await sbcWan.waitFor((r) => r.length >= 2, 3000), sbcWan.describe());
    assert.deepEqual(sbcLan.received.map((d) => [d.ip, d.port, d.data.toString()]), [[NETNS_ADDR.pbx, 30000, 'from-pbx']]);
    const wanGot = sbcWan.received.map((d) => [d.ip, d.data.toString()]).sort();
    assert.deepEqual(wanGot, [[NETNS_ADDR.vonage, 'from-vonage'], [NETNS_ADDR.attacker, 'from-attacker']]);

    // An answer goes back to the source.
    await sbcLan.send({ ip: NETNS_ADDR.pbx, port: 30000 }, [Buffer.from('to-pbx')]);
    assert.ok(await pbx.waitFor((r) => r.length >= 1, 3000), pbx.describe());
    assert.deepEqual(pbx.received.map((d) => [d.ip, d.port, d.data.toString()]), [[NETNS_ADDR.sbcLan, 20000, 'to-pbx']]);

    // The SBC's WAN bridge carries both WAN networks (what a side's firewall sees).
    const addrs = await topo.run(topo.ns.sbc, 'ip', ['-4', '-o', 'addr', 'show', 'dev', topo.ifaces.wan]);
    assert.match(addrs, /198\.51\.100\.1\/24/);
    assert.match(addrs, /203\.0\.113\.1\/24/);
    // The SBC is not a router: the attacker cannot reach the PBX through it.
    const forwarding = (await topo.run(topo.ns.sbc, 'sysctl', ['-n', 'net.ipv4.ip_forward'])).trim();
    assert.equal(forwarding, '0');
  });

  test('NAT in front of the PBX: its packets reach the SBC from the router address and a mapped port; forwarded port kept; private address unreachable', async () => {
    const topo = await createTopology({ nat: { peer: 'pbx', forward: [5070] } });
    built.push(topo);
    assert.equal(topo.natOutside, '192.0.2.2');
    const sbcLan = await topo.udpPeer(topo.ns.sbc, NETNS_ADDR.sbcLan, 20000);
    const pbxRtp = await topo.udpPeer(topo.ns.pbx, NETNS_ADDR.pbx, 30000);
    const pbxSip = await topo.udpPeer(topo.ns.pbx, NETNS_ADDR.pbx, 5070);

    await pbxRtp.send({ ip: NETNS_ADDR.sbcLan, port: 20000 }, [Buffer.from('rtp-through-nat')]);
    await pbxSip.send({ ip: NETNS_ADDR.sbcLan, port: 20000 }, [Buffer.from('sip-through-nat')]);
    assert.ok(await sbcLan.waitFor((r) => r.length >= 2, 3000), sbcLan.describe());
    const rtp = sbcLan.received.find((d) => d.data.toString() === 'rtp-through-nat');
    const sip = sbcLan.received.find((d) => d.data.toString() === 'sip-through-nat');
    assert.ok(rtp && sip);
    assert.equal(rtp.ip, '192.0.2.2', 'source address is the NAT router, not the PBX');
    assert.ok(rtp.port >= 40000 && rtp.port <= 40999 && rtp.port !== 30000, `mapped source port, got ${rtp.port}`);
    assert.deepEqual([sip.ip, sip.port], ['192.0.2.2', 5070], 'a forwarded port keeps its number');

    // The answer to the mapped address gets back through the NAT.
    await sbcLan.send({ ip: rtp.ip, port: rtp.port }, [Buffer.from('back-through-nat')]);
    assert.ok(await pbxRtp.waitFor((r) => r.length >= 1, 3000), pbxRtp.describe());
    assert.deepEqual(pbxRtp.received.map((d) => [d.ip, d.port, d.data.toString()]), [[NETNS_ADDR.sbcLan, 20000, 'back-through-nat']]);
    // The port forward works for a flow the outside starts.
    const sbcOther = await topo.udpPeer(topo.ns.sbc, NETNS_ADDR.sbcLan, 20002);
    await sbcOther.send({ ip: '192.0.2.2', port: 5070 }, [Buffer.from('forwarded-in')]);
    assert.ok(await pbxSip.waitFor((r) => r.length >= 1, 3000), pbxSip.describe());
    assert.deepEqual(pbxSip.received.map((d) => [d.ip, d.port, d.data.toString()]), [[NETNS_ADDR.sbcLan, 20002, 'forwarded-in']]);

    // The private address the PBX would signal is not reachable from the SBC.
    await sbcLan.send({ ip: NETNS_ADDR.pbx, port: 30000 }, [Buffer.from('to-private')]);
    const leaked = await pbxRtp.waitFor((r) => r.some((d) => d.data.toString() === 'to-private'), 500);
    assert.equal(leaked, false, 'the SBC reached the PBX private address');
  });

  test('sbcd and SIPp run inside the namespaces: a PBX call reaches Vonage through the SBC on the documentation addresses', async () => {
    const topo = await createTopology();
    built.push(topo);
    const sbc = await startSbcd({
      netns: topo.ns.sbc,
      config: {
        sides: {
          lan: { addresses: [NETNS_ADDR.sbcLan], udp: 5060, tcp: 5060 },
          wan: { addresses: [NETNS_ADDR.sbcWan], udp: 5060, tcp: 5060 },
        },
        trunks: [{ name: 'vonage', side: 'wan', transport: 'udp', endpoints: [{ host: NETNS_ADDR.vonage, port: 5060 }], options_ping_s: 0, enabled: true }],
        pbxs: [{ name: 'pbx', side: 'lan', host: NETNS_ADDR.pbx, port: 5060, transport: 'udp', enabled: true }],
      },
    });
    try {
      const uas = await startSipp({ netns: topo.ns.vonage, scenario: 'uas-basic', ip: NETNS_ADDR.vonage, port: 5060, calls: 1, timeoutMs: 15_000 });
      const uac = await runSipp({
        netns: topo.ns.pbx, scenario: 'uac-basic', ip: NETNS_ADDR.pbx, port: 5060, remote: { ip: NETNS_ADDR.sbcLan, port: 5060 },
        calls: 1, service: '14155550100', timeoutMs: 15_000,
      });
      assertAllPassed(uac, 1, 'PBX caller');
      const far = await Promise.race([uas.done, new Promise<null>((r) => setTimeout(() => r(null), 5000).unref())]);
      const got = far ?? (await uas.stop());
      assertAllPassed(got, 1, 'Vonage callee');
      const invite = select(got.messages, { direction: 'received', method: 'INVITE' })[0];
      assert.ok(invite, describeSipp(got));
      // Sent by the SBC's WAN side, which is the only way into the Vonage namespace.
      assert.match(invite.raw, /Via: SIP\/2\.0\/UDP 198\.51\.100\.1:5060/i, invite.raw);
    } finally {
      await sbc.stop();
    }
  });

  test('destroy() removes the namespaces and the processes in them; stale namespaces of a dead pid are swept', async () => {
    const topo = await createTopology({ nat: { peer: 'vonage' } });
    const mine = Object.values(topo.ns).filter((n): n is string => n !== null);
    assert.equal(mine.length, 5);
    for (const n of mine) assert.ok(namespaces().includes(n), `${n} exists`);
    const peer = await topo.udpPeer(topo.ns.vonage, NETNS_ADDR.vonage);
    await topo.destroy();
    await peer.exited;
    const left = namespaces().filter((n) => n.startsWith(topo.id));
    assert.deepEqual(left, []);

    // A namespace left by a crashed run (a pid that does not exist), under a
    // prefix of this process's own so that parallel runs do not meet.
    const prefix = `esbc-t${process.pid}-`;
    const stale = `${prefix}99999999-1-sbc`;
    execFileSync('ip', ['netns', 'add', stale]);
    try {
      const removed = removeStaleNamespaces(prefix);
      assert.deepEqual(removed, [stale]);
      assert.equal(namespaces().includes(stale), false);
    } finally {
      if (namespaces().includes(stale)) execFileSync('ip', ['netns', 'del', stale]);
    }
  });
});
