import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type LinePlan, type RewritePlan, SdpOrigin, rewriteSdp } from '../../../src/media/sdp/index.js';
import { crlfLines, sample } from './sdp-samples.js';

const OURS = '203.0.113.5';
const plan = (port: number, address = OURS): RewritePlan => ({
  address,
  lines: [{ port, rtcpPort: port + 1, rtcpMux: false, crypto: null } satisfies LinePlan],
});

function originOf(sdp: string): { username: string; id: string; version: number; address: string } {
  const o = crlfLines(sdp)[1] ?? '';
  const m = /^o=(\S+) (\d+) (\d+) IN IP[46] (\S+)$/.exec(o);
  assert.ok(m, o);
  return { username: m[1] as string, id: m[2] as string, version: Number(m[3]), address: m[4] as string };
}

test('SdpOrigin: EdgeSBC username, fixed session id, version +1 only when what we send changes (RFC 3264 §8)', () => {
  const origin = new SdpOrigin(OURS);
  const offer = sample('asterisk-offer');
  const first = originOf(rewriteSdp(offer, plan(30000), origin));
  assert.equal(first.username, 'EdgeSBC');
  assert.equal(first.address, OURS);
  assert.equal(first.id, origin.sessionId);
  assert.ok(first.version >= 1 && first.version < 1000, String(first.version));

  // A session refresh re-sends the same SDP: same version.
  const again = originOf(rewriteSdp(offer, plan(30000), origin));
  assert.deepEqual(again, first);
  // The peer's o= version moving does not change what we send.
  const peerBumped = offer.replace('1690294611 1690294611', '1690294611 1690294612');
  assert.deepEqual(originOf(rewriteSdp(peerBumped, plan(30000), origin)), first);

  // Hold: the description changes, +1.
  const hold = originOf(rewriteSdp(sample('hold-sendonly'), plan(30000), origin));
  assert.deepEqual(hold, { ...first, version: first.version + 1 });
  assert.equal(originOf(rewriteSdp(sample('hold-sendonly'), plan(30000), origin)).version, first.version + 1);
  // Resume: changes again, +1 (never back to an old version).
  assert.equal(originOf(rewriteSdp(offer, plan(30000), origin)).version, first.version + 2);
  // New port: +1.
  assert.equal(originOf(rewriteSdp(offer, plan(30002), origin)).version, first.version + 3);
  // Same body with another address: +1, o= carries the new address.
  const moved = originOf(rewriteSdp(offer, plan(30002, '2001:db8::5'), origin));
  assert.deepEqual(moved, { username: 'EdgeSBC', id: first.id, version: first.version + 4, address: '2001:db8::5' });
});

test('SdpOrigin: one session id per instance (per leg), numeric, stamp() without rewriteSdp', () => {
  const ids = new Set(Array.from({ length: 50 }, () => new SdpOrigin(OURS).sessionId));
  assert.equal(ids.size, 50);
  for (const id of ids) assert.match(id, /^[1-9]\d*$/);
  const origin = new SdpOrigin('192.0.2.9');
  const v = origin.version;
  assert.equal(origin.stamp('a'), `EdgeSBC ${origin.sessionId} ${v} IN IP4 192.0.2.9`);
  assert.equal(origin.stamp('a'), `EdgeSBC ${origin.sessionId} ${v} IN IP4 192.0.2.9`);
  assert.equal(origin.stamp('b'), `EdgeSBC ${origin.sessionId} ${v + 1} IN IP4 192.0.2.9`);
  assert.equal(origin.stamp('b', '2001:db8::9'), `EdgeSBC ${origin.sessionId} ${v + 2} IN IP6 2001:db8::9`);
});
