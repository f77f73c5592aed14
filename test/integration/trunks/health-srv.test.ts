// V-OUT-3 with DNS SRV, end to end: sbcd asks the Vonage stand-in's dnsmasq
// (198.51.100.53, through `sip.dns_servers`) and the SIP engine's RFC 3263
// resolution decides where calls go. `sip-us.vonage.test` has edge1 at SRV
// priority 10 and edge2 at priority 20: calls go to edge1, and to edge2 when
// edge1 is stopped (over TCP: connection refused, the engine moves on to the
// next SRV target at once). `sip-lb.vonage.test` has both at priority 10
// with weights 70/30: over 40 calls edge1 takes roughly 70 %. Where each
// call went is read from the stand-in's event log, the DNS questions from
// dnsmasq's log.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { describeSipp, netnsSkipReason, NETNS_ADDR } from '../harness/index.js';
import { VONAGE_ADDR, VONAGE_HOSTS } from '../vonage/standin.js';
import { edgeCalls, firstEdges, pbxCalls, pbxFinals, sbcConfig, startRig, stopRig, type Rig } from './health-rig.js';

const skip = netnsSkipReason();
// Routed by the dialled number: 1… to the priority trunk, 44… to the weighted one.
const TO_PRIORITY = '14155550100';
const TO_WEIGHTED = '442079460001';

describe('V-OUT-3: with srv, RFC 3263 resolution (SRV priority and weight) decides where calls go', { skip, timeout: 55_000 }, () => {
  let r: Rig;
  before(async () => {
    const config = sbcConfig(
      { name: 'priority', srv: true, transport: 'tcp', endpoints: [{ host: VONAGE_HOSTS.failover, port: 5060 }] },
      { dns_servers: [VONAGE_ADDR.dns], timers: { t1_ms: 100, t2_ms: 1000, t4_ms: 1000 } },
    );
    config.trunks.push({
      ...config.trunks[0]!,
      name: 'weighted',
      transport: 'udp',
      endpoints: [{ host: VONAGE_HOSTS.loadShare, port: 5060 }],
    });
    config.routes = [
      { name: 'to-priority', from_side: 'lan', match: { ruri_user: '^1' }, to: { trunk: 'priority' } },
      { name: 'to-weighted', from_side: 'lan', match: { ruri_user: '^44' }, to: { trunk: 'weighted' } },
      { name: 'vonage-to-pbx', from_side: 'wan', to: { pbx: 'pbx' } },
    ];
    r = await startRig({ endpoints: 2, dns: true }, config);
  });
  after(() => stopRig(r));

  test('V-OUT-3: calls go to the priority-10 SRV target, asked of the configured DNS server (sip.dns_servers)', async () => {
    const since = Date.now();
    const run = await pbxCalls(r, 4, { service: TO_PRIORITY });
    assert.deepEqual(pbxFinals(run), [200, 200, 200, 200], `every call answered (digest V-OUT-2 done by the SBC)\n${describeSipp(run)}`);
    assert.deepEqual(firstEdges(r.standin, since), { edge1: 4 });
    for (const c of edgeCalls(r.standin, since)) {
      assert.equal(c.events[0]!.fields.proto, 'tcp', 'the trunk transport');
      assert.match(c.events[0]!.message!.startLine, new RegExp(`^INVITE sip:${TO_PRIORITY}@${VONAGE_HOSTS.failover.replace(/\./g, '\\.')};transport=tcp `));
    }
    const asked = r.standin.dns!.queries.filter((q) => q.from.startsWith(NETNS_ADDR.sbcWan) || q.from.startsWith(NETNS_ADDR.sbcLan));
    assert.ok(asked.some((q) => q.type === 'SRV' && q.name === `_sip._tcp.${VONAGE_HOSTS.failover}`), JSON.stringify(r.standin.dns!.queries));
  });

  test('V-OUT-3: with the priority-10 target stopped, calls go to the priority-20 one at once', async () => {
    await r.standin.edge1.stop();
    try {
      const since = Date.now();
      const run = await pbxCalls(r, 2, { service: TO_PRIORITY });
      const took = Date.now() - since;
      assert.deepEqual(pbxFinals(run), [200, 200], `both answered: the PBX never sees the failure\n${describeSipp(run)}`);
      assert.deepEqual(firstEdges(r.standin, since), { edge2: 2 });
      assert.ok(took < 6400, `no INVITE timeout waited for (${took} ms)`);
    } finally {
      await r.standin.edge1.start();
    }
  });

  test('V-OUT-3: SRV weights 70/30 are roughly honoured over 40 calls', async () => {
    const since = Date.now();
    const run = await pbxCalls(r, 40, { service: TO_WEIGHTED, rate: 20, timeoutMs: 30_000 });
    assert.deepEqual(pbxFinals(run), Array<number>(40).fill(200), `every call answered (digest V-OUT-2 done by the SBC)\n${describeSipp(run)}`);
    const got = firstEdges(r.standin, since);
    const edge1 = got.edge1 ?? 0;
    const edge2 = got.edge2 ?? 0;
    assert.equal(edge1 + edge2, 40, JSON.stringify(got));
    // Binomial(40, 0.7): mean 28, sd 2.9; 20..36 is beyond 2.7 sd either way.
    assert.ok(edge1 >= 20 && edge1 <= 36, `edge1 took ${edge1}/40, edge2 ${edge2}/40`);
    assert.ok(edge2 >= 4, `edge2 took ${edge2}/40`);
    // A call challenged (V-OUT-2; later calls may reuse a nonce and not be)
    // sends its retry, resolved again with weights, to the edge whose nonce it
    // answers: every call stays on one edge, under one Call-ID.
    let challenged = 0;
    for (const c of edgeCalls(r.standin, since)) {
      assert.equal(c.edges.length, 1, `${c.call}: ${c.edges.join(' -> ')}`);
      assert.equal(new Set(c.events.map((e) => e.callId)).size, 1, c.call);
      if (r.standin.challenges({ callId: c.events[0]!.callId!, since }).length > 0) challenged += 1;
    }
    assert.ok(challenged >= 2, `challenged calls: ${challenged}`);
  });
});
