// V-OUT-3 failover between trunk endpoints, end to end: the real sbcd with a
// trunk toward the Vonage stand-in's two edges, health checks off so only
// failover is at work. A call whose first hop answers 503 goes on to the
// other edge at once; one whose first hop is silent goes on after the INVITE
// timed out (timer B = 64*T1, T1 = 100 ms here); one whose first hop is
// stopped (TCP: connection refused, a transport error) goes on at once; a
// 4xx final is the callee's answer and is not retried elsewhere. The calls
// take turns on the two edges (the two closest, V-OUT-3), so of two calls
// one starts at the failing edge. Where each call went is read from the
// stand-in's event log.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { describeSipp, netnsSkipReason } from '../harness/index.js';
import { VONAGE_ADDR } from '../vonage/standin.js';
import { edgeCalls, logsOf, pbxCalls, pbxFinals, sbcConfig, startRig, stopRig, type Rig } from './health-rig.js';

const skip = netnsSkipReason();
const T1_MS = 100;
const TIMER_B_MS = 64 * T1_MS;

function trunkTo(transport: 'udp' | 'tcp'): Record<string, unknown> {
  return {
    transport,
    endpoints: [
      { host: VONAGE_ADDR.edge1, port: 5060 },
      { host: VONAGE_ADDR.edge2, port: 5060 },
    ],
    options_ping_s: 0,
  };
}

const TIMERS = { timers: { t1_ms: T1_MS, t2_ms: 1000, t4_ms: 1000 } };

describe('V-OUT-3: calls fail over between trunk endpoints on 503, timeout and transport error, not on 4xx', { skip, timeout: 55_000 }, () => {
  let r: Rig;
  before(async () => {
    r = await startRig({ endpoints: 2, dns: false }, sbcConfig(trunkTo('udp'), TIMERS));
  });
  after(() => stopRig(r));

  test('V-OUT-3: a call whose first edge answers 503 is tried on the other edge', async () => {
    await r.standin.edge1.setMode('reject503');
    try {
      const since = Date.now();
      const run = await pbxCalls(r, 2);
      assert.deepEqual(pbxFinals(run), [200, 200], `both answered: the PBX never sees the 503\n${describeSipp(run)}`);
      const calls = edgeCalls(r.standin, since);
      assert.equal(calls.length, 2);
      assert.deepEqual(calls.map((c) => c.edges).sort(), [['edge1', 'edge2'], ['edge2']]);
      assert.equal(r.standin.replies({ edge: 'edge1', since }).filter((e) => e.fields.code === '503').length, 1);
      const failover = logsOf(r.sbc, 'failing over to next hop', (l) => Number(l.time) >= since);
      assert.deepEqual(failover.map((l) => l.status), [503]);
    } finally {
      await r.standin.edge1.setMode('normal');
    }
  });

  test('V-OUT-3: a call whose first edge stays silent is tried on the other edge once its INVITE timed out', async () => {
    await r.standin.edge1.setMode('silent');
    try {
      const since = Date.now();
      const run = await pbxCalls(r, 2, { timeoutMs: 30_000 });
      assert.deepEqual(pbxFinals(run), [200, 200], `every call answered (digest V-OUT-2 done by the SBC)\n${describeSipp(run)}`);
      const calls = edgeCalls(r.standin, since);
      assert.deepEqual(calls.map((c) => c.edges).sort(), [['edge1', 'edge2'], ['edge2']]);
      const slow = calls.find((c) => c.edges[0] === 'edge1')!;
      const atEdge1 = slow.events.filter((e) => e.edge === 'edge1');
      const firstAtEdge2 = slow.events.find((e) => e.edge === 'edge2')!;
      assert.ok(atEdge1.length >= 4, `the INVITE was retransmitted to the silent edge (${atEdge1.length})`);
      const waited = firstAtEdge2.at - atEdge1[0]!.at;
      assert.ok(waited >= TIMER_B_MS - 200 && waited < TIMER_B_MS + 3000, `failover after ${waited} ms (timer B ${TIMER_B_MS} ms)`);
      const failover = logsOf(r.sbc, 'failing over to next hop', (l) => Number(l.time) >= since);
      assert.deepEqual(failover.map((l) => l.status), [408], 'the engine timeout (local 408)');
    } finally {
      await r.standin.edge1.setMode('normal');
    }
  });

  test('V-OUT-3: a 4xx final from the first edge is the answer: no other edge is tried', async () => {
    const since = Date.now();
    // Not E.164 (V-OUT-4): the edge answers 484 once the SBC's credentials passed.
    const run = await pbxCalls(r, 2, { service: '123' });
    assert.deepEqual(pbxFinals(run), [484, 484], describeSipp(run));
    const calls = edgeCalls(r.standin, since);
    assert.deepEqual(calls.map((c) => c.edges).sort(), [['edge1'], ['edge2']], 'each call stayed on its first edge');
    assert.equal(logsOf(r.sbc, 'failing over to next hop', (l) => Number(l.time) >= since).length, 0);
  });
});

describe('V-OUT-3: over TCP a stopped endpoint is a transport error and the call goes on at once', { skip, timeout: 40_000 }, () => {
  let r: Rig;
  before(async () => {
    r = await startRig({ endpoints: 2, dns: false }, sbcConfig(trunkTo('tcp'), TIMERS));
  });
  after(() => stopRig(r));

  test('V-OUT-3: edge1 stopped (connection refused): both calls end up on edge2, without waiting for a timeout', async () => {
    await r.standin.edge1.stop();
    const since = Date.now();
    const run = await pbxCalls(r, 2);
    const took = Date.now() - since;
    assert.deepEqual(pbxFinals(run), [200, 200], `both answered: the PBX never sees the failure\n${describeSipp(run)}`);
    const calls = edgeCalls(r.standin, since);
    assert.deepEqual(calls.map((c) => c.edges), [['edge2'], ['edge2']]);
    assert.ok(took < TIMER_B_MS, `no timeout waited for (${took} ms)`);
    const failover = logsOf(r.sbc, 'failing over to next hop', (l) => Number(l.time) >= since);
    assert.deepEqual(failover.map((l) => l.status), [503], 'the engine transport error (local 503)');
  });
});
