// Issue 7 item 5: a side bound to an interface (`sides.wan.interface`)
// listens on that interface's address and follows it when it changes, with
// no restart: OPTIONS to the first address answered; the address moved
// (ip addr del/add) → OPTIONS to the new one answered within a bounded
// wait, and the old address (put back as a secondary) no longer answered.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTopology, netnsSkipReason, NETNS_ADDR, startSbcd, type Topology, type UdpPeer } from '../harness/index.js';

const skip = netnsSkipReason();
const NEW_WAN = '198.51.100.3';

let seq = 0;
function options(to: string, from: string, fromPort: number): Buffer {
  const n = ++seq;
  return Buffer.from(
    `OPTIONS sip:${to}:5060 SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP ${from}:${fromPort};branch=z9hG4bKfollow${n};rport\r\n` +
      'Max-Forwards: 70\r\n' +
      `From: <sip:probe@${from}>;tag=f${n}\r\n` +
      `To: <sip:${to}>\r\n` +
      `Call-ID: follow-${n}@${from}\r\n` +
      `CSeq: ${n} OPTIONS\r\n` +
      'Content-Length: 0\r\n\r\n',
  );
}

// Sends OPTIONS to ip:5060 every 250 ms until a response from there
// arrives or timeoutMs passes; true when answered.
async function answered(peer: UdpPeer, ip: string, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    // `received` is cumulative: only answers that arrive after this probe count.
    const before = peer.received.length;
    await peer.send({ ip, port: 5060 }, [options(ip, peer.ip, peer.port)]);
    const got = await peer.waitFor(
      (r) => r.slice(before).some((d) => d.ip === ip && d.port === 5060 && d.data.toString().startsWith('SIP/2.0 ')),
      250,
    );
    if (got) return true;
  }
  return false;
}

describe('SIP listeners follow the WAN interface address', { skip, timeout: 45_000 }, () => {
  const built: Topology[] = [];
  after(async () => {
    for (const t of built) await t.destroy();
  });

  test('address moved on the interface: the new one answers, the old one no longer does', async () => {
    const topo = await createTopology();
    built.push(topo);
    const wan = topo.ifaces.wan;
    // Only the Vonage network on the WAN bridge: its first address is the SBC's WAN address.
    await topo.run(topo.ns.sbc, 'ip', ['addr', 'del', '203.0.113.1/24', 'dev', wan]);
    const sbc = await startSbcd({
      netns: topo.ns.sbc,
      config: {
        sides: {
          lan: { addresses: [NETNS_ADDR.sbcLan], udp: 5060, tcp: 0, tls: 0 },
          wan: { interface: wan, addresses: ['198.51.100.200'], udp: 5060, tcp: 0, tls: 0 },
        },
        trunks: [{ name: 'vonage', side: 'wan', transport: 'udp', endpoints: [{ host: NETNS_ADDR.vonage, port: 5060 }], options_ping_s: 0, enabled: true }],
        pbxs: [{ name: 'pbx', side: 'lan', host: NETNS_ADDR.pbx, port: 5060, transport: 'udp', enabled: true }],
      },
    });
    try {
      const vonage = await topo.udpPeer(topo.ns.vonage, NETNS_ADDR.vonage, 5062);
      // The configured address (198.51.100.200) is not on the box: listening
      // at all shows the interface's address was used.
      assert.ok(await answered(vonage, NETNS_ADDR.sbcWan, 5000), `first address not answered: ${sbc.stdout().slice(-2000)}`);

      await topo.run(topo.ns.sbc, 'ip', ['addr', 'del', `${NETNS_ADDR.sbcWan}/24`, 'dev', wan]);
      await topo.run(topo.ns.sbc, 'ip', ['addr', 'add', `${NEW_WAN}/24`, 'dev', wan]);
      assert.ok(await answered(vonage, NEW_WAN, 5000), `new address not answered: ${sbc.stdout().slice(-2000)}`);
      const moved = await sbc.waitForLog((l) => l.msg === 'interface address changed: SIP listeners and media follow', 3000);
      assert.ok(JSON.stringify(moved).includes(`udp:${NEW_WAN}:5060`));

      // The old address back as a secondary (the interface's first address
      // stays NEW_WAN): the closed listener does not come back.
      await topo.run(topo.ns.sbc, 'ip', ['addr', 'add', `${NETNS_ADDR.sbcWan}/24`, 'dev', wan]);
      assert.equal(await answered(vonage, NETNS_ADDR.sbcWan, 1500), false, `the old address still answers: ${sbc.stdout().slice(-3000)}`);
      assert.ok(await answered(vonage, NEW_WAN, 2000), 'the new address stopped answering');
    } finally {
      await sbc.stop();
    }
  });
});
