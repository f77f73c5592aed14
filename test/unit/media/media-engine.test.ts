// The media engine through the real addon, with node:dgram sockets on
// 127.0.0.1 as the two peers: what each peer receives, from which port,
// the events, the stats, argument errors, and 10 000 relays opened and
// closed leaving the process with the descriptors it started with.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { readdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { MediaEngine, MediaError, type LegUpdate } from '../../../src/media/media-engine.js';

const IP = '127.0.0.1';
// Ports far from the kernel's ephemeral range; the pools skip pairs someone else holds.
const SIDES = [
  { name: 'lan', ip: IP, portMin: 47000, portMax: 47999 },
  { name: 'wan', ip: IP, portMin: 48000, portMax: 48999 },
];

interface Peer {
  sock: Socket;
  port: number;
  got: Array<{ data: Buffer; port: number }>;
}

async function peer(): Promise<Peer> {
  const sock = createSocket('udp4');
  const p: Peer = { sock, port: 0, got: [] };
  sock.on('message', (data, rinfo) => p.got.push({ data, port: rinfo.port }));
  await new Promise<void>((resolve) => sock.bind(0, IP, resolve));
  p.port = sock.address().port;
  return p;
}

function rtp(seq: number, ssrc = 0x11223344): Buffer {
  const b = Buffer.alloc(12 + 160, seq & 0xff);
  b[0] = 0x80;
  b[1] = 0;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(seq * 160, 4);
  b.writeUInt32BE(ssrc, 8);
  return b;
}

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function leg(p: Peer, extra: Partial<LegUpdate> = {}): LegUpdate {
  return { remote: { ip: IP, rtpPort: p.port, rtcpPort: p.port + 1 }, ...extra };
}

let engine: MediaEngine;
const peers: Peer[] = [];
async function newPeer(): Promise<Peer> {
  const p = await peer();
  peers.push(p);
  return p;
}

before(() => {
  engine = MediaEngine.start({ workers: 2, tickMs: 20, sides: SIDES });
});

after(() => {
  engine.stop();
  for (const p of peers) p.sock.close();
});

test('createRelay/updateRelay/closeRelay: RTP both ways, from the relay ports, byte for byte', async () => {
  const [pa, pb] = [await newPeer(), await newPeer()];
  const r = engine.createRelay('lan', 'wan');
  assert.equal(r.a.ip, IP);
  assert.equal(r.a.rtpPort % 2, 0);
  assert.equal(r.a.rtcpPort, r.a.rtpPort + 1);
  assert.ok(r.a.rtpPort >= 47000 && r.a.rtcpPort <= 47999);
  assert.ok(r.b.rtpPort >= 48000 && r.b.rtcpPort <= 48999);
  engine.updateRelay(r.id, leg(pa), leg(pb), 0);
  await sleep(20);
  const sent = [rtp(1), rtp(2), rtp(3)];
  for (const s of sent) pa.sock.send(s, r.a.rtpPort, IP);
  await waitFor(() => pb.got.length === 3);
  assert.deepEqual(pb.got.map((g) => g.data), sent);
  assert.ok(pb.got.every((g) => g.port === r.b.rtpPort));
  pb.sock.send(rtp(9, 0x55667788), r.b.rtpPort, IP);
  await waitFor(() => pa.got.length === 1);
  assert.deepEqual(pa.got[0]?.data, rtp(9, 0x55667788));
  assert.equal(pa.got[0]?.port, r.a.rtpPort);

  const st = await engine.stats(r.id);
  assert.ok(st);
  assert.equal(st.a.rxPackets, 3);
  assert.equal(st.a.rxBytes, 3 * 172);
  assert.equal(st.b.txPackets, 3);
  assert.equal(st.b.rxPackets, 1);
  assert.equal(st.a.txPackets, 1);
  assert.equal(st.a.expected, 3);
  assert.equal(st.a.lost, 0);
  assert.equal(st.a.ssrc, 0x11223344);
  assert.deepEqual(st.a.peer, { ip: IP, port: pa.port });
  assert.equal(st.a.latched, false);
  assert.equal(st.a.rttMs, null);
  assert.equal(st.a.remoteFractionLost, null);
  assert.equal(typeof st.a.idleMs, 'number');
  const c = engine.counters();
  assert.ok(c.relays >= 1 && c.sockets >= 4 && c.packets >= 4);
  assert.ok((c.portsInUse.lan ?? 0) >= 2);

  // Hold: B stops receiving, A still does.
  engine.updateRelay(r.id, leg(pa), leg(pb, { send: false }), 0);
  await sleep(20);
  pa.sock.send(rtp(4), r.a.rtpPort, IP);
  pb.sock.send(rtp(10, 0x55667788), r.b.rtpPort, IP);
  await waitFor(() => pa.got.length === 2);
  await sleep(50);
  assert.equal(pb.got.length, 3);

  engine.closeRelay(r.id);
  engine.closeRelay(r.id);  // idempotent
  assert.equal(await engine.stats(r.id), null);
  pa.sock.send(rtp(5), r.a.rtpPort, IP);
  await sleep(50);
  assert.equal(pb.got.length, 3);
});

test("'latched' event: an until-signalled leg follows its first foreign source", async () => {
  const [pa, pb, nat] = [await newPeer(), await newPeer(), await newPeer()];
  const r = engine.createRelay('lan', 'wan');
  const seen: Array<[number, string, boolean, string, number]> = [];
  const onLatched = (id: number, legName: 'a' | 'b', rtcp: boolean, ip: string, port: number) =>
    seen.push([id, legName, rtcp, ip, port]);
  engine.on('latched', onLatched);
  try {
    engine.updateRelay(r.id, leg(pa, { latch: 'until-signalled' }), leg(pb), 0);
    await sleep(20);
    nat.sock.send(rtp(1), r.a.rtpPort, IP);
    await waitFor(() => seen.length === 1 && pb.got.length === 1);
    assert.deepEqual(seen[0], [r.id, 'a', false, IP, nat.port]);
    pb.sock.send(rtp(2, 7), r.b.rtpPort, IP);
    await waitFor(() => nat.got.length === 1);
    assert.equal(pa.got.length, 0);
    const st = await engine.stats(r.id);
    assert.equal(st?.a.latched, true);
    assert.deepEqual(st?.a.peer, { ip: IP, port: nat.port });
  } finally {
    engine.off('latched', onLatched);
    engine.closeRelay(r.id);
  }
});

test("'timeout' event once after no RTP for timeoutMs, not while packets flow", async () => {
  const [pa, pb] = [await newPeer(), await newPeer()];
  const r = engine.createRelay('lan', 'wan');
  const timeouts: Array<[number, number]> = [];
  const onTimeout = (id: number, idleMs: number) => {
    if (id === r.id) timeouts.push([id, idleMs]);
  };
  engine.on('timeout', onTimeout);
  try {
    engine.updateRelay(r.id, leg(pa), leg(pb), 150);
    for (let i = 0; i < 12; i++) {
      pa.sock.send(rtp(i), r.a.rtpPort, IP);
      await sleep(30);
    }
    assert.equal(timeouts.length, 0);
    await waitFor(() => timeouts.length === 1, 1000);
    assert.ok((timeouts[0]?.[1] ?? 0) >= 150);
    await sleep(250);
    assert.equal(timeouts.length, 1);
  } finally {
    engine.off('timeout', onTimeout);
    engine.closeRelay(r.id);
  }
});

test('argument errors are MediaError with codes', () => {
  const expectCode = (fn: () => unknown, code: string) =>
    assert.throws(fn, (err: unknown) => err instanceof MediaError && err.code === code);
  expectCode(() => engine.createRelay('lan', 'nowhere'), 'ERR_MEDIA_SIDE');
  expectCode(() => engine.createRelay('', 'wan'), 'ERR_MEDIA_ARG');
  expectCode(() => engine.createRelay(5 as unknown as string, 'wan'), 'ERR_MEDIA_ARG');
  const r = engine.createRelay('lan', 'wan');
  const ok: LegUpdate = { remote: { ip: IP, rtpPort: 4000, rtcpPort: 4001 } };
  const bad: unknown[] = [
    { remote: { ip: 'not-an-ip', rtpPort: 4000, rtcpPort: 4001 } },
    { remote: { ip: IP, rtpPort: 70000, rtcpPort: 4001 } },
    { remote: { ip: IP, rtpPort: 1.5, rtcpPort: 4001 } },
    { remote: null, latch: 'sometimes' },
    { remote: null, rtcpMux: 'yes' },
    { remote: null, srtpIn: { suite: 'AES_CM_128_HMAC_SHA1_80', key: Buffer.alloc(29) } },
    { remote: null, srtpOut: { suite: 'AES_256_CM', key: Buffer.alloc(30) } },
    { remote: null, srtpOut: { suite: 'AES_CM_128_HMAC_SHA1_32', key: 'x'.repeat(30) } },
    { remote: null, ssrc: -1 },
    { remote: null, ssrc: 2 ** 32 },
    { remote: null, clockRate: 0 },
    null,
    'leg',
  ];
  for (const b of bad) expectCode(() => engine.updateRelay(r.id, ok, b as LegUpdate, 0), 'ERR_MEDIA_ARG');
  expectCode(() => engine.updateRelay(r.id, ok, ok, -1), 'ERR_MEDIA_ARG');
  expectCode(() => engine.updateRelay(-1, ok, ok, 0), 'ERR_MEDIA_ARG');
  expectCode(() => engine.closeRelay(NaN), 'ERR_MEDIA_ARG');
  expectCode(() => engine.setSides([]), 'ERR_MEDIA_ARG');
  expectCode(() => engine.setSides([{ name: 'x', ip: '192.0.2.1', portMin: 40000, portMax: 40010 }]), 'ERR_MEDIA_SIDE');
  expectCode(() => MediaEngine.start({ sides: [{ name: 'x', ip: '192.0.2.1', portMin: 40000, portMax: 40010 }] }), 'ERR_MEDIA_START');
  expectCode(() => MediaEngine.start({ workers: -1, sides: SIDES }), 'ERR_MEDIA_ARG');
  // A valid update with keys of the right size is accepted.
  const key = { suite: 'AES_CM_128_HMAC_SHA1_80' as const, key: Buffer.alloc(30, 1) };
  engine.updateRelay(r.id, { ...ok, srtpIn: key, srtpOut: key, ssrc: 0xffffffff, clockRate: 48000 }, ok, 0);
  engine.closeRelay(r.id);
});

test('ports run out with ERR_MEDIA_PORTS and come back after closeRelay', async () => {
  // A side of its own with 3 pairs.
  engine.setSides([...SIDES, { name: 'tiny', ip: IP, portMin: 49000, portMax: 49005 }]);
  const ids: number[] = [];
  for (let i = 0; i < 3; i++) ids.push(engine.createRelay('tiny', 'wan').id);
  assert.throws(
    () => engine.createRelay('tiny', 'wan'),
    (err: unknown) => err instanceof MediaError && err.code === 'ERR_MEDIA_PORTS' && /no free media ports on side tiny/.test(err.message),
  );
  assert.equal(engine.counters().portsInUse.tiny, 6);
  for (const id of ids) engine.closeRelay(id);
  await waitFor(() => engine.counters().portsInUse.tiny === 0);
  const again = engine.createRelay('tiny', 'wan');
  engine.closeRelay(again.id);
  engine.setSides(SIDES);
});

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

test('10 000 relays opened and closed: /proc/self/fd back to its starting count', async () => {
  await waitFor(() => engine.counters().relays === 0);
  // Two sides of their own on other loopback addresses, 5000 pairs each.
  const bulk = [
    { name: 'bulk-a', ip: '127.0.0.2', portMin: 20000, portMax: 29999 },
    { name: 'bulk-b', ip: '127.0.0.3', portMin: 20000, portMax: 29999 },
  ];
  engine.setSides([...SIDES, ...bulk]);
  const start = openFds();
  assert.equal(engine.counters().sockets, 0);
  // 1000 at a time (4000 descriptors), ten rounds.
  for (let round = 0; round < 10; round++) {
    const ids: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const r = engine.createRelay('bulk-a', 'bulk-b');
      ids.push(r.id);
      // Half of them get peers, so what update() sets up is freed too.
      if (i % 2 === 0) engine.updateRelay(r.id, { remote: { ip: IP, rtpPort: 9, rtcpPort: 10 } }, { remote: null }, 1000);
    }
    assert.equal(engine.counters().sockets, 4000);
    assert.equal(openFds(), start + 4000);
    for (const id of ids) engine.closeRelay(id);
    await waitFor(() => engine.counters().relays === 0 && engine.counters().sockets === 0, 5000);
  }
  assert.equal(openFds(), start);
  const c = engine.counters();
  assert.equal(c.relays, 0);
  assert.equal(c.sockets, 0);
  assert.deepEqual(c.portsInUse, { lan: 0, wan: 0, 'bulk-a': 0, 'bulk-b': 0 });
  engine.setSides(SIDES);
});

test('stop() closes everything; stats() then resolves null and createRelay throws', async () => {
  const before = openFds();
  const own = MediaEngine.start({ workers: 1, sides: [{ name: 'x', ip: IP, portMin: 46000, portMax: 46099 }] });
  own.createRelay('x', 'x');
  own.createRelay('x', 'x');
  assert.equal(openFds(), before + 2 + 8);  // the worker's epoll and eventfd, two relays
  own.stop();
  own.stop();
  assert.equal(openFds(), before);
  assert.equal(own.counters().sockets, 0);
  assert.equal(own.counters().relays, 0);
  assert.equal(await own.stats(1), null);
  assert.throws(() => own.createRelay('x', 'x'), (err: unknown) => err instanceof MediaError && err.code === 'ERR_MEDIA_START');
});
