// V-OUT-8 and V-OUT-3 end to end: the real sbcd checks the Vonage stand-in's
// two edges (Kamailio at 198.51.100.10 and .11) with OPTIONS every second;
// an edge that stops answering OPTIONS is marked down and the PBX's calls go
// to the other one; when it answers again it is marked up and the calls are
// shared between the two again. Where each call went is read from the
// stand-in's event log, not from the SBC.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { describeSipp, netnsSkipReason, NETNS_ADDR } from '../harness/index.js';
import { VONAGE_ADDR } from '../vonage/standin.js';
import { firstEdges, logsOf, pbxCalls, pbxFinals, sbcConfig, startRig, stopRig, type Rig } from './health-rig.js';

const skip = netnsSkipReason();

describe('V-OUT-8: OPTIONS health checks of the trunk endpoints decide where calls go', { skip, timeout: 55_000 }, () => {
  let r: Rig;
  before(async () => {
    r = await startRig(
      { endpoints: 2, dns: false },
      sbcConfig(
        {
          endpoints: [
            { host: VONAGE_ADDR.edge1, port: 5060 },
            { host: VONAGE_ADDR.edge2, port: 5060 },
          ],
          options_ping_s: 1,
        },
        // T1 500 ms: a round trip under load still counts (Karn); T2 1 s: the OPTIONS in flight to
        // an edge that went quiet is retransmitted each second, so its return is seen quickly.
        { timers: { t1_ms: 500, t2_ms: 1000, t4_ms: 1000 } },
      ),
    );
  });
  after(() => stopRig(r));

  const upLine = (host: string, since = 0) => (l: { msg?: string; host?: unknown; time?: unknown }) =>
    l.msg === 'trunk endpoint up' && l.host === host && Number(l.time ?? 0) >= since;
  const downLine = (host: string, since = 0) => (l: { msg?: string; host?: unknown; time?: unknown }) =>
    l.msg === 'trunk endpoint down' && l.host === host && Number(l.time ?? 0) >= since;

  test('V-OUT-8: both edges get OPTIONS from the SBC WAN address and are up; V-OUT-3: calls alternate between them', async () => {
    await r.sbc.waitForLog(upLine(VONAGE_ADDR.edge1), 5000);
    await r.sbc.waitForLog(upLine(VONAGE_ADDR.edge2), 5000);
    for (const edge of ['edge1', 'edge2']) {
      const options = r.standin.requests({ method: 'OPTIONS', edge });
      assert.ok(options.length >= 1, `${edge} got OPTIONS`);
      assert.equal(options[0]!.fields.src?.split(':')[0], NETNS_ADDR.sbcWan);
      assert.match(options[0]!.message!.startLine, /^OPTIONS sip:198\.51\.100\.1[01]:5060 SIP\/2\.0$/);
    }
    const up = logsOf(r.sbc, 'trunk endpoint up');
    assert.ok(up.every((l) => l.trunk === 'vonage' && l.port === 5060 && typeof l.rttMs === 'number'), JSON.stringify(up));
    const since = Date.now();
    const run = await pbxCalls(r, 4);
    assert.deepEqual(pbxFinals(run), [200, 200, 200, 200], `every call answered (digest V-OUT-2 done by the SBC)\n${describeSipp(run)}`);
    assert.deepEqual(firstEdges(r.standin, since), { edge1: 2, edge2: 2 }, 'the two closest take turns');
  });

  test('V-OUT-8: an edge that stops answering OPTIONS is marked down and calls go to the other edge', async () => {
    const mark = Date.now();
    await r.standin.edge1.answerOptions(false);
    const down = await r.sbc.waitForLog(downLine(VONAGE_ADDR.edge1, mark), 8000);
    assert.equal(down.trunk, 'vonage');
    assert.equal(down.port, 5060);
    assert.match(String(down.reason), /^no answer within 1 s$|^timeout$/);
    // Marked down after 3 silent intervals of 1 s, not at the first one.
    assert.ok(Number(down.time) - mark >= 2000, `down ${Number(down.time) - mark} ms after OPTIONS stopped`);
    assert.equal(logsOf(r.sbc, 'trunk endpoint down', (l) => l.host === VONAGE_ADDR.edge2).length, 0, 'edge2 stays up');
    const since = Date.now();
    const run = await pbxCalls(r, 4);
    assert.deepEqual(pbxFinals(run), [200, 200, 200, 200], `every call answered (digest V-OUT-2 done by the SBC)\n${describeSipp(run)}`);
    assert.deepEqual(firstEdges(r.standin, since), { edge2: 4 });
    assert.equal(r.standin.requests({ method: 'INVITE', edge: 'edge1', since }).length, 0, 'the down edge gets no INVITE');
  });

  test('V-OUT-8: the edge answering OPTIONS again is marked up and takes calls again', async () => {
    const mark = Date.now();
    await r.standin.edge1.answerOptions(true);
    const up = await r.sbc.waitForLog(upLine(VONAGE_ADDR.edge1, mark), 10_000);
    assert.equal(up.from, 'down');
    const since = Date.now();
    const run = await pbxCalls(r, 4);
    assert.deepEqual(pbxFinals(run), [200, 200, 200, 200], `every call answered (digest V-OUT-2 done by the SBC)\n${describeSipp(run)}`);
    assert.deepEqual(firstEdges(r.standin, since), { edge1: 2, edge2: 2 });
  });
});
