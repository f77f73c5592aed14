// Interfaces followed, not polled: with firewall.wan_interfaces empty the
// table matches WAN traffic by the interfaces holding the WAN addresses.
// Moving the WAN address to another interface of the SBC's namespace (as
// HA or DHCP would) is announced by rtnetlink and the table follows within
// a second, with no commit and no re-read timer (resolve_interval_s 3600);
// moving it back follows too, and SIP from Vonage is answered again.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NETNS_ADDR, createTopology, netnsSkipReason, startSbcd, type Sbcd, type Topology } from '../harness/index.js';
import { SIP_PORT, fwConfig, listTable, options } from './helpers.js';

const skip = netnsSkipReason();
const WAN = { ip: NETNS_ADDR.sbcWan, port: SIP_PORT };

// The interface names our input chain sends to the wan chain.
async function wanIfacesInTable(topo: Topology): Promise<string[]> {
  const table = (await listTable(topo)) ?? [];
  for (const x of table) {
    const r = (x as { rule?: { comment?: string; expr: { match?: { right: unknown } }[] } }).rule;
    if (r?.comment !== 'interfaces holding the WAN addresses') continue;
    const right = r.expr[0]?.match?.right;
    return typeof right === 'string' ? [right] : ((right as { set: string[] }).set ?? []);
  }
  return [];
}

async function waitForIfaces(topo: Topology, want: string[], ms = 3000): Promise<string[]> {
  let got = await wanIfacesInTable(topo);
  for (const until = Date.now() + ms; JSON.stringify(got) !== JSON.stringify(want) && Date.now() < until; got = await wanIfacesInTable(topo)) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return got;
}

describe('firewall follows interface address changes (rtnetlink)', { skip, timeout: 60_000 }, () => {
  let topo: Topology;
  let sbc: Sbcd;

  before(async () => {
    topo = await createTopology({ prefix: 'esbc-fwi' });
    // A second interface in the SBC's namespace the WAN address can move to.
    await topo.run(topo.ns.sbc, 'ip', ['link', 'add', 'wan2', 'type', 'veth', 'peer', 'name', 'wan2p']);
    await topo.run(topo.ns.sbc, 'ip', ['link', 'set', 'wan2', 'up']);
    sbc = await startSbcd({
      netns: topo.ns.sbc,
      fullConfig: fwConfig({ firewall: { wan_interfaces: [], resolve_interval_s: 3600, bans: { unknown_sources: false } } }),
    });
  });
  after(async () => {
    await sbc?.stop();
    await topo?.destroy();
  });

  test('the WAN address moves to wan2 and back: the table follows each move, no commit, no timer', async () => {
    assert.deepEqual(await wanIfacesInTable(topo), ['wan']);
    await topo.run(topo.ns.sbc, 'ip', ['addr', 'del', `${NETNS_ADDR.sbcWan}/24`, 'dev', 'wan']);
    await topo.run(topo.ns.sbc, 'ip', ['addr', 'add', `${NETNS_ADDR.sbcWan}/24`, 'dev', 'wan2']);
    const moved = Date.now(); // the address is on wan2 (ip has returned)
    assert.deepEqual(await waitForIfaces(topo, ['wan2']), ['wan2']);
    const followed = await sbc.waitForLog((l) => l.msg === 'firewall follows the WAN interfaces' && JSON.stringify(l.wanInterfaces) === '["wan2"]', 2000);
    const followMs = Number(followed.time) - moved;
    // 100 ms of settling plus one re-read and one nft batch; bound loose for a loaded CI box.
    assert.ok(followMs < 1500, `followed ${followMs} ms after the move`);

    await topo.run(topo.ns.sbc, 'ip', ['addr', 'del', `${NETNS_ADDR.sbcWan}/24`, 'dev', 'wan2']);
    await topo.run(topo.ns.sbc, 'ip', ['addr', 'add', `${NETNS_ADDR.sbcWan}/24`, 'dev', 'wan']);
    assert.deepEqual(await waitForIfaces(topo, ['wan']), ['wan']);
    // Back where it was: SIP from Vonage is answered again (the listener's
    // address is back on the segment).
    const vonage = await topo.udpPeer(topo.ns.vonage, NETNS_ADDR.vonage, 5066);
    let answered = false;
    for (let i = 0; i < 5 && !answered; i++) {
      await vonage.send(WAN, [options({ ip: vonage.ip, port: vonage.port }, WAN)]);
      answered = await vonage.waitFor((r) => r.length > 0, 1000);
    }
    assert.ok(answered, vonage.describe());
    assert.equal(sbc.logs().filter((l) => l.msg === 'running config applied').length, 0, 'no commit was involved');
    console.log(`# WAN address moved wan -> wan2: table followed in ${followMs} ms`);
  });
});
