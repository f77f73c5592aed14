// Endpoint selection for new calls (V-OUT-3): the two closest healthy
// endpoints (lowest smoothed OPTIONS round trip; configured order before any
// measurement) take turns as the first hop, the others follow as ordered
// backups, down endpoints are left out unless all are down.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HopSelector, orderHops, type HopHealth } from '../../../src/trunks/selection.js';

const HOPS = ['a', 'b', 'c', 'd', 'e'];

function health(map: Record<string, Partial<HopHealth>>): (i: number) => HopHealth | undefined {
  return (i) => {
    const h = map[HOPS[i]!];
    return h ? { state: h.state ?? 'up', rttMs: h.rttMs } : undefined;
  };
}

test('V-OUT-3: before any measurement the configured order, the first two taking turns', () => {
  assert.deepEqual(orderHops(HOPS, () => undefined, 0), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(orderHops(HOPS, () => undefined, 1), ['b', 'a', 'c', 'd', 'e']);
  assert.deepEqual(orderHops(HOPS, () => undefined, 2), ['a', 'b', 'c', 'd', 'e']);
  // unknown (checked, no verdict yet) is the same as never checked
  assert.deepEqual(orderHops(HOPS, health({ a: { state: 'unknown' }, b: { state: 'unknown' } }), 1), ['b', 'a', 'c', 'd', 'e']);
});

test('V-OUT-3: the two closest by smoothed round trip, the others as backups in round-trip order', () => {
  const h = health({ a: { rttMs: 90 }, b: { rttMs: 140 }, c: { rttMs: 12 }, d: { rttMs: 30 } });
  // measured first by round trip, the unmeasured (e) last
  assert.deepEqual(orderHops(HOPS, h, 0), ['c', 'd', 'a', 'b', 'e']);
  assert.deepEqual(orderHops(HOPS, h, 1), ['d', 'c', 'a', 'b', 'e']);
});

test('V-OUT-3: equal round trips keep the configured order', () => {
  const h = health({ a: { rttMs: 20 }, b: { rttMs: 20 }, c: { rttMs: 20 }, d: { rttMs: 20 }, e: { rttMs: 20 } });
  assert.deepEqual(orderHops(HOPS, h, 0), HOPS);
});

test('V-OUT-8/V-OUT-3: down endpoints are skipped, even the closest', () => {
  const h = health({ a: { state: 'down', rttMs: 5 }, b: { rttMs: 50 }, c: { state: 'down' }, d: { rttMs: 40 } });
  assert.deepEqual(orderHops(HOPS, h, 0), ['d', 'b', 'e']);
  assert.deepEqual(orderHops(HOPS, h, 1), ['b', 'd', 'e']);
});

test('V-OUT-3: with one healthy endpoint left it is the only hop', () => {
  const h = health({ a: { state: 'down' }, b: { state: 'down' }, c: { state: 'up', rttMs: 9 }, d: { state: 'down' }, e: { state: 'down' } });
  assert.deepEqual(orderHops(HOPS, h, 0), ['c']);
  assert.deepEqual(orderHops(HOPS, h, 1), ['c']);
});

test('V-OUT-3: when every endpoint is down, all of them in configured order (better than refusing)', () => {
  const h = health({ a: { state: 'down', rttMs: 80 }, b: { state: 'down', rttMs: 5 }, c: { state: 'down' }, d: { state: 'down' }, e: { state: 'down' } });
  assert.deepEqual(orderHops(HOPS, h, 0), HOPS);
  assert.deepEqual(orderHops(HOPS, h, 1), HOPS);
});

test('a single hop (SRV name or one endpoint) is left as it is', () => {
  assert.deepEqual(orderHops(['sip-us.vonage.test'], () => ({ state: 'down', rttMs: undefined }), 1), ['sip-us.vonage.test']);
  assert.deepEqual(orderHops([], () => undefined, 0), []);
});

test('V-OUT-3: HopSelector alternates per trunk: 40 calls split 20/20 between the two closest', () => {
  const hops = [
    { host: 'sip-us-3-1.vonage.test', port: 5060 },
    { host: 'sip-us-3-2.vonage.test', port: 5060 },
    { host: 'sip-us-4-1.vonage.test', port: 5060 },
  ];
  const rtt: Record<string, number> = { 'sip-us-3-1.vonage.test': 70, 'sip-us-3-2.vonage.test': 40, 'sip-us-4-1.vonage.test': 10 };
  const sel = new HopSelector((trunk, host, port) => {
    assert.equal(port, 5060);
    return trunk === 'vonage' ? { state: 'up', rttMs: rtt[host] } : undefined;
  });
  const first = new Map<string, number>();
  for (let i = 0; i < 40; i++) {
    const order = sel.order('vonage', hops);
    assert.equal(order.length, 3);
    assert.equal(order[2]!.host, 'sip-us-3-1.vonage.test', 'the farthest is the backup');
    first.set(order[0]!.host, (first.get(order[0]!.host) ?? 0) + 1);
    // another trunk's calls do not move this trunk's turn
    sel.order('other', hops);
    sel.order('other', hops);
    sel.order('other', hops);
  }
  assert.deepEqual(Object.fromEntries(first), { 'sip-us-4-1.vonage.test': 20, 'sip-us-3-2.vonage.test': 20 });
});
