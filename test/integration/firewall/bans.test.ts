// Dynamic bans in a real kernel: the attacker scanning with a scanner
// User-Agent (SIPp playing SIPVicious' svmap, which Debian 12 does not
// package) is banned within a second and let back in after the timeout; the
// admin can list and clear bans; allow-listed sources are never banned.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NETNS_ADDR, createTopology, netnsSkipReason, repoRoot, runSipp, startSbcd, type Sbcd, type Topology, type UdpPeer } from '../harness/index.js';
import { SIP_PORT, bannedInKernel, fwConfig, options, sleep } from './helpers.js';

const skip = netnsSkipReason();
const WAN = { ip: NETNS_ADDR.sbcWan, port: SIP_PORT };
const SCANNER = join(repoRoot, 'test', 'integration', 'firewall', 'scanner-options.xml');
const BAN_S = 3;

async function answered(peer: UdpPeer, ua = 'Probe/1.0'): Promise<boolean> {
  const n = peer.received.length;
  await peer.send(WAN, [options({ ip: peer.ip, port: peer.port }, WAN, ua)]);
  return peer.waitFor((r) => r.length > n, 1500);
}

describe('dynamic bans', { skip, timeout: 90_000 }, () => {
  let topo: Topology;
  let sbc: Sbcd;

  before(async () => {
    topo = await createTopology({ prefix: 'esbc-fwb' });
    // SIP open to the world (as when the trunk's current list is unknown),
    // so the SIP engine sees the scanner and the bans do the work.
    sbc = await startSbcd({
      netns: topo.ns.sbc,
      fullConfig: fwConfig({
        firewall: {
          address_lists: { anywhere: { source: 'test: SIP open to all', entries: ['0.0.0.0/0', '::/0'] } },
          trunks: { vonage: { signalling_lists: ['anywhere'] } },
          bans: { timeout_s: BAN_S, unknown_sources: false, allow_list: ['198.51.100.10/32'] },
        },
      }),
    });
  });
  after(async () => {
    await sbc?.stop();
    await topo?.destroy();
  });

  test('a scanner User-Agent is banned within a second, logged with its reason, and let back in after the timeout', async () => {
    const attacker = await topo.udpPeer(topo.ns.attacker, NETNS_ADDR.attacker, 5070);
    assert.ok(await answered(attacker), 'before the scan the attacker is answered (SIP open to all)');

    const started = Date.now();
    const scan = await runSipp({
      scenario: SCANNER, ip: NETNS_ADDR.attacker, port: 5071, remote: WAN, calls: 10, rate: 10,
      timeoutMs: 10_000, netns: topo.ns.attacker, name: 'scanner',
    });
    const banned = await sbc.waitForLog((l) => l.msg === 'source banned' && l.ip === NETNS_ADDR.attacker, 3000);
    const banMs = Number(banned.time) - started;
    assert.equal(banned.reason, 'scanner-user-agent');
    assert.match(String(banned.detail), /friendly-scanner/);
    assert.ok(banMs < 1000, `banned ${banMs} ms after the scan started`);
    assert.deepEqual(await bannedInKernel(topo), [NETNS_ADDR.attacker]);
    // SIPp sent 10; the engine saw the first only (answered 403), the kernel dropped the rest.
    const refused = sbc.logs().filter((l) => l.msg === 'source banned').length;
    assert.equal(refused, 1);
    assert.ok(scan.messages.filter((m) => m.direction === 'sent').length >= 2);
    assert.equal(scan.messages.filter((m) => m.direction === 'received').length, 1, 'only the first OPTIONS got an answer (403)');
    assert.equal(await answered(attacker), false, 'banned: nothing answered, whatever the User-Agent');

    const expired = await sbc.waitForLog((l) => l.msg === 'ban expired' && l.ip === NETNS_ADDR.attacker, (BAN_S + 3) * 1000);
    const heldMs = Number(expired.time) - Number(banned.time);
    assert.ok(heldMs >= BAN_S * 1000 - 100 && heldMs <= BAN_S * 1000 + 1500, `ban held ${heldMs} ms for a ${BAN_S} s timeout`);
    assert.deepEqual(await bannedInKernel(topo), []);
    assert.ok(await answered(attacker), 'after the timeout the attacker is answered again');
    console.log(`# scanner banned ${banMs} ms after SIPp started; ban lifted after ${heldMs} ms (timeout ${BAN_S} s)`);
  });

  test('allow-listed sources are never banned', async () => {
    const vonage = await topo.udpPeer(topo.ns.vonage, NETNS_ADDR.vonage, 5070);
    assert.ok(await answered(vonage, 'friendly-scanner'));
    assert.ok(await answered(vonage, 'friendly-scanner'), 'still answered: the allow-list is never banned');
    assert.deepEqual(await bannedInKernel(topo), []);
    await sleep(0);
  });
});
