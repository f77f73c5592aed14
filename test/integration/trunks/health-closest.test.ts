// V-OUT-3 "load balance between the two closest endpoints and set the
// remaining ones as backup", end to end with measured round trips: the trunk
// lists a far endpoint FIRST (198.51.100.12, answering OPTIONS 300 ms late,
// INVITEs with 503), then the stand-in's two Kamailio edges. Once the OPTIONS
// health checks (V-OUT-8) have measured them, calls take turns on the two
// edges and the far endpoint — first in configured order — gets none. When
// edge1 stops answering OPTIONS, the two closest healthy endpoints are edge2
// and the far one: calls take turns on them, and those sent to the far one
// (503) move on to edge2, the backup.
//
// Under load (CI runs two test files at once on two cores) an edge's round
// trip can reach tens of milliseconds, so the far endpoint is 300 ms away and
// the assertions compare round trips with each other, not with a fixed bound;
// T1 is 1 s so a 300 ms answer is still a round-trip sample (an answer later
// than T1 may answer a retransmission and is not measured: Karn).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { describeSipp, netnsSkipReason } from '../harness/index.js';
import { VONAGE_ADDR } from '../vonage/standin.js';
import { edgeCalls, firstEdges, logsOf, pbxCalls, pbxFinals, sbcConfig, startFarEndpoint, startRig, stopRig, type FarEndpoint, type Rig } from './health-rig.js';

const skip = netnsSkipReason();
const FAR_IP = '198.51.100.12';
const FAR_DELAY_MS = 300;
const UP_WAIT_MS = 15_000;

describe('V-OUT-3: the two closest endpoints by OPTIONS round trip take the calls, the others are backups', { skip, timeout: 55_000 }, () => {
  let r: Rig | undefined;
  let far: FarEndpoint | undefined;
  before(async () => {
    const config = sbcConfig({
      endpoints: [
        { host: FAR_IP, port: 5060 },
        { host: VONAGE_ADDR.edge1, port: 5060 },
        { host: VONAGE_ADDR.edge2, port: 5060 },
      ],
      options_ping_s: 1,
    }, { timers: { t1_ms: 1000, t2_ms: 4000, t4_ms: 5000 } });
    r = await startRig({ endpoints: 2, dns: false }, config, async (topo) => {
      far = await startFarEndpoint(topo, FAR_IP, FAR_DELAY_MS);
    });
  });
  after(async () => {
    await far?.stop();
    await stopRig(r);
  });

  test('V-OUT-3/V-OUT-8: after measurement the far endpoint (first in config) gets no call; the two edges take turns', async () => {
    const rig = r!;
    for (const host of [FAR_IP, VONAGE_ADDR.edge1, VONAGE_ADDR.edge2]) {
      await rig.sbc.waitForLog((l) => l.msg === 'trunk endpoint up' && l.host === host, UP_WAIT_MS);
    }
    const farUp = logsOf(rig.sbc, 'trunk endpoint up', (l) => l.host === FAR_IP)[0]!;
    assert.ok(Number(farUp.rttMs) >= FAR_DELAY_MS, `far endpoint round trip ${String(farUp.rttMs)} ms`);
    for (const host of [VONAGE_ADDR.edge1, VONAGE_ADDR.edge2]) {
      const up = logsOf(rig.sbc, 'trunk endpoint up', (l) => l.host === host)[0]!;
      assert.ok(up.rttMs !== null && Number(up.rttMs) < Number(farUp.rttMs), `${host} round trip ${String(up.rttMs)} ms, far ${String(farUp.rttMs)} ms`);
    }
    const since = Date.now();
    const run = await pbxCalls(rig, 4);
    assert.deepEqual(pbxFinals(run), [200, 200, 200, 200], `every call answered (digest V-OUT-2 done by the SBC)\n${describeSipp(run)}`);
    assert.deepEqual(firstEdges(rig.standin, since), { edge1: 2, edge2: 2 });
    assert.equal(far!.got('INVITE'), 0, 'the far endpoint is a backup only');
    assert.ok(far!.got('OPTIONS') >= 1, 'but it is checked');
  });

  test('V-OUT-3/V-OUT-8: with edge1 down the closest healthy pair is edge2 + the far endpoint; calls sent to the far one (503) fall back to edge2', async () => {
    const rig = r!;
    const mark = Date.now();
    await rig.standin.edge1.answerOptions(false);
    await rig.sbc.waitForLog((l) => l.msg === 'trunk endpoint down' && l.host === VONAGE_ADDR.edge1 && Number(l.time) >= mark, UP_WAIT_MS);
    const since = Date.now();
    const farBefore = far!.got('INVITE');
    const run = await pbxCalls(rig, 4);
    assert.deepEqual(pbxFinals(run), [200, 200, 200, 200], `every call answered (digest V-OUT-2 done by the SBC)\n${describeSipp(run)}`);
    assert.equal(far!.got('INVITE') - farBefore, 2, 'half the calls tried the far endpoint first');
    const calls = edgeCalls(rig.standin, since);
    assert.equal(calls.length, 4, 'every call reached edge2');
    assert.ok(calls.every((c) => c.edges.length === 1 && c.edges[0] === 'edge2'), JSON.stringify(calls.map((c) => c.edges)));
    const failover = logsOf(rig.sbc, 'failing over to next hop', (l) => Number(l.time) >= since);
    assert.deepEqual(failover.map((l) => l.status), [503, 503]);
  });
});
