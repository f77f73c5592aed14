// A bounded flood from the attacker (50 000 packets/s for 10 s at the SIP
// port) while Vonage places legitimate calls through the SBC: the kernel's
// per-source meter bans the attacker, no legitimate call fails, and sbcd's
// CPU stays far below 50 % (the flood never reaches userspace).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { NETNS_ADDR, createTopology, describeSipp, netnsSkipReason, runSipp, startSbcd, startSipp, type Sbcd, type Topology } from '../harness/index.js';
import { SIP_PORT, bannedInKernel, fwConfig, sleep } from './helpers.js';

const skip = netnsSkipReason();
const FLOOD_PPS = 50_000;
const FLOOD_S = 10;
const CALLS = 140;
const CPS = 10;
const FLOOD_CHILD = fileURLToPath(new URL('./flood-child.js', import.meta.url));

// utime + stime of a process, in seconds.
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // CLK_TCK is 100 on Linux
}

describe('flood from the attacker during legitimate calls', { skip, timeout: 120_000 }, () => {
  let topo: Topology;
  let sbc: Sbcd;

  before(async () => {
    topo = await createTopology({ prefix: 'esbc-fwf' });
    sbc = await startSbcd({ netns: topo.ns.sbc, fullConfig: fwConfig({ sip: { max_calls_in_progress: 1000 } }) });
  });
  after(async () => {
    await sbc?.stop();
    await topo?.destroy();
  });

  test(`${FLOOD_PPS} packets/s for ${FLOOD_S} s: 0 failed legitimate calls, sbcd CPU < 50 %`, async () => {
    const pid = sbc.proc.pid!;
    const uas = await startSipp({ scenario: 'uas', ip: NETNS_ADDR.pbx, port: SIP_PORT, calls: CALLS, timeoutMs: 60_000, netns: topo.ns.pbx, name: 'flood-uas' });
    const calls = runSipp({
      scenario: 'uac', ip: NETNS_ADDR.vonage, port: SIP_PORT, remote: { ip: NETNS_ADDR.sbcWan, port: SIP_PORT },
      calls: CALLS, rate: CPS, limit: 100, service: '14155550100', extra: ['-d', '1000'], timeoutMs: 50_000,
      netns: topo.ns.vonage, name: 'flood-uac',
    });
    await sleep(1500);

    const cpu0 = cpuSeconds(pid);
    const t0 = Date.now();
    const flood = JSON.parse(
      await topo.run(topo.ns.attacker, process.execPath, [FLOOD_CHILD, NETNS_ADDR.sbcWan, String(SIP_PORT), String(FLOOD_PPS), String(FLOOD_S)], (FLOOD_S + 10) * 1000),
    ) as { sent: number; errors: number; ms: number };
    const cpu = (cpuSeconds(pid) - cpu0) / ((Date.now() - t0) / 1000);

    const uac = await calls;
    const far = await uas.done;
    const banned = sbc.logs().find((l) => l.msg === 'source banned' && l.ip === NETNS_ADDR.attacker);
    const rate = Math.round(flood.sent / (flood.ms / 1000));
    console.log(
      `# flood: ${flood.sent} packets in ${flood.ms} ms (${rate}/s, ${flood.errors} send errors); ` +
        `sbcd CPU during the flood ${(cpu * 100).toFixed(1)} %; legitimate calls ${uac.stats.successful} ok / ${uac.stats.failed} failed; ` +
        `attacker banned by the kernel meter: ${banned ? 'yes' : 'no'}`,
    );
    assert.ok(flood.sent >= FLOOD_PPS * FLOOD_S * 0.9, `the flood was sent (${flood.sent})`);
    assert.ok(rate >= FLOOD_PPS * 0.8, `flood rate ${rate}/s`);
    assert.equal(uac.stats.failed, 0, describeSipp(uac));
    assert.equal(uac.stats.successful, CALLS, describeSipp(uac));
    assert.equal(far.stats.successful, CALLS, describeSipp(far));
    assert.ok(cpu < 0.5, `sbcd CPU ${(cpu * 100).toFixed(1)} %`);
    assert.equal(banned?.reason, 'flood');
    assert.deepEqual(await bannedInKernel(topo), [NETNS_ADDR.attacker]);
  });
});
