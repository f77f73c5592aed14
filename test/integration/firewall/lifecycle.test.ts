// The table follows the config's life: a `commit confirmed` that is not
// confirmed in time puts the old ruleset back, and sbcd killed and started
// again (the kernel's table gone too, as after a reboot) restores the
// running ruleset before SIP listens.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { kernelLines } from '../../../src/firewall/preview.js';
import type { Json } from '../../../src/firewall/nft-json.js';
import {
  NETNS_ADDR, daemonPath, netnsSkipReason, repoRoot, startSbcd, createTopology, type Sbcd, type Topology, type UdpPeer,
} from '../harness/index.js';
import { trackChild } from '../harness/cleanup.js';
import { SIP_PORT, commitToSbcd, fwConfig, listTable, options, sleep, tcpProbe } from './helpers.js';

const skip = netnsSkipReason();
const WAN = { ip: NETNS_ADDR.sbcWan, port: SIP_PORT };
const DYNAMIC = new Set(['banned_v4', 'banned_v6', 'flood_v4', 'flood_v6', 'peers_v4', 'peers_v6']);

async function ruleset(topo: Topology): Promise<string[]> {
  const t = await listTable(topo);
  assert.ok(t, 'our table is in the kernel');
  return kernelLines(t as Json[], DYNAMIC);
}

async function answered(peer: UdpPeer): Promise<boolean> {
  const n = peer.received.length;
  await peer.send(WAN, [options({ ip: peer.ip, port: peer.port }, WAN)]);
  return peer.waitFor((r) => r.length > n, 1500);
}

describe('firewall across commit confirmed and restarts', { skip, timeout: 120_000 }, () => {
  let topo: Topology;
  let sbc: Sbcd;

  before(async () => {
    topo = await createTopology({ prefix: 'esbc-fwl' });
    sbc = await startSbcd({ netns: topo.ns.sbc, fullConfig: fwConfig() });
    // A stand-in admin service on the WAN address, on the API's port (the admin port the firewall opens).
    topo.spawn(topo.ns.sbc, process.execPath, ['-e', `require('net').createServer((s)=>{s.on('error',()=>{});s.end('admin\\n')}).listen(8443, '${NETNS_ADDR.sbcWan}')`]);
  });
  after(async () => {
    if (sbc && sbc.proc.exitCode === null) await sbc.stop();
    await topo?.destroy();
  });

  test('commit confirmed not confirmed in time: the old ruleset is back', async () => {
    const good = await ruleset(topo);
    assert.equal(await tcpProbe(topo, topo.ns.attacker, NETNS_ADDR.sbcWan, 8443), 'closed');
    // The test's store clock runs 52 s behind: "commit confirmed 1" expires 8 s from now.
    commitToSbcd(sbc, { firewall: { admin: { networks: ['203.0.113.64/28'] }, icmp_per_s: 50 } }, { confirmMinutes: 1, clock: () => Date.now() - 52_000 });
    await sbc.waitForLog((l) => l.msg === 'firewall applied' && l.why === 'SIGHUP', 5000);
    assert.notDeepEqual(await ruleset(topo), good);
    assert.equal(await tcpProbe(topo, topo.ns.attacker, NETNS_ADDR.sbcWan, 8443), 'open', 'the risky commit opened admin to 203.0.113.64/28');
    const restored = await sbc.waitForLog((l) => l.msg === 'firewall applied' && /confirm timeout/.test(String(l.why)), 20_000);
    assert.match(String(restored.why), /^commit \d+: confirm timeout, restored commit \d+$/);
    assert.deepEqual(await ruleset(topo), good);
    assert.equal(await tcpProbe(topo, topo.ns.attacker, NETNS_ADDR.sbcWan, 8443), 'closed');
  });

  test('sbcd killed (kill -9) and started again: the ruleset is back before SIP listens', async () => {
    const before = await ruleset(topo);
    sbc.proc.kill('SIGKILL');
    await sbc.exited;
    // A reboot empties the kernel; a plain crash leaves the table (both must end well).
    await topo.run(topo.ns.sbc, 'nft', ['delete', 'table', 'inet', 'edgesbc']);
    assert.equal(await listTable(topo), null);

    const proc = spawn('ip', ['netns', 'exec', topo.ns.sbc, process.execPath, daemonPath, '--data-dir', sbc.dataDir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(proc);
    const lines: { msg?: string }[] = [];
    const ready = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`sbcd not ready in 15 s: ${JSON.stringify(lines)}`)), 15_000);
      createInterface({ input: proc.stdout! }).on('line', (l) => {
        try {
          lines.push(JSON.parse(l) as { msg?: string });
        } catch {
          lines.push({ msg: l });
        }
        if (lines.at(-1)?.msg === 'sbcd ready') {
          clearTimeout(t);
          resolve();
        }
      });
    });
    try {
      await ready;
      const msgs = lines.map((l) => l.msg);
      assert.ok(msgs.indexOf('firewall applied') >= 0 && msgs.indexOf('firewall applied') < msgs.indexOf('sbcd ready'), msgs.join(' | '));
      assert.deepEqual(await ruleset(topo), before);
      const vonage = await topo.udpPeer(topo.ns.vonage, NETNS_ADDR.vonage, 5066);
      const attacker = await topo.udpPeer(topo.ns.attacker, NETNS_ADDR.attacker, 5066);
      assert.ok(await answered(vonage), vonage.describe());
      assert.equal(await answered(attacker), false);
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
    // sbcd stopping leaves the table in the kernel: the box stays protected.
    assert.deepEqual(await ruleset(topo), before);
    await sleep(0);
  });
});
