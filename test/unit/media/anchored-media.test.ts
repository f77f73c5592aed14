// AnchoredMedia with the real native media engine on loopback: what each
// leg's SDP says after the rewrite, that RTP really flows through the relay
// ports named in it, SRTP keys per leg, refusals and the media timeout.
import assert from 'node:assert/strict';
import { type Socket, createSocket } from 'node:dgram';
import { after, before, test } from 'node:test';
import { pino } from 'pino';

import { AnchoredMediaFactory, type AnchoredMediaSettings } from '../../../src/media/anchored-media.js';
import { type CallMediaContext, type LegMediaPolicy, MediaRefusal } from '../../../src/media/call-media.js';
import { MediaEngine } from '../../../src/media/media-engine.js';
import { describeSdp } from '../../../src/media/sdp/index.js';

const LAN = '127.0.0.1';
const WAN = '127.0.0.2';
const PBX = '127.0.0.10';
const VONAGE = '127.0.0.20';

let engine: MediaEngine;
const logs: Array<Record<string, unknown>> = [];
const log = pino(
  { level: 'debug' },
  { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
);

before(() => {
  engine = MediaEngine.start({
    workers: 1,
    sides: [
      { name: 'lan', ip: LAN, portMin: 41000, portMax: 41999 },
      { name: 'wan', ip: WAN, portMin: 42000, portMax: 42999 },
    ],
  });
});
after(() => engine.stop());

const SETTINGS: AnchoredMediaSettings = {
  advertised: new Map([
    ['lan', LAN],
    ['wan', WAN],
  ]),
  timeoutMs: 60_000,
  holdTimeoutMs: 0,
};

function policy(side: string, over: Partial<LegMediaPolicy> = {}): LegMediaPolicy {
  return { side, srtp: 'off', latching: 'off', codecs: [], peer: side === 'lan' ? 'pbx' : 'vonage', ...over };
}

function context(a: Partial<LegMediaPolicy> = {}, b: Partial<LegMediaPolicy> = {}, onTimeout = () => {}): CallMediaContext {
  return { a: policy('lan', a), b: policy('wan', b), onTimeout };
}

function sdp(ip: string, port: number, extra = '', proto = 'RTP/AVP', fmts = '0 8 101'): string {
  return [
    'v=0',
    `o=peer 1 1 IN IP4 ${ip}`,
    's=-',
    `c=IN IP4 ${ip}`,
    't=0 0',
    `m=audio ${port} ${proto} ${fmts}`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    ...(extra ? [extra] : []),
    '',
  ].join('\r\n');
}

async function bound(ip: string): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, ip, resolve));
  return s;
}

function nextPacket(s: Socket, ms = 2000): Promise<{ data: Buffer; from: string }> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no packet')), ms);
    s.once('message', (data, rinfo) => {
      clearTimeout(t);
      resolve({ data, from: `${rinfo.address}:${rinfo.port}` });
    });
  });
}

function rtp(seq: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = 0;
  h.writeUInt16BE(seq, 2);
  h.writeUInt32BE(seq * 160, 4);
  h.writeUInt32BE(0x11223344, 8);
  return Buffer.concat([h, payload]);
}

test('each leg sees only the SBC media address of its side, and RTP flows through the ports it names', async () => {
  const factory = new AnchoredMediaFactory(engine, SETTINGS, log);
  const media = factory.create('t1', context());
  const pbx = await bound(PBX);
  const vonage = await bound(VONAGE);
  try {
    const toB = describeSdp(media.offer('a', sdp(PBX, pbx.address().port))).media[0]!;
    assert.equal(toB.address, WAN);
    assert.ok(toB.port >= 42000 && toB.port <= 42999, `wan port ${toB.port}`);
    assert.deepEqual(toB.codecs.map((c) => c.name), ['PCMU', 'PCMA', 'telephone-event']);
    const toA = describeSdp(media.answer('b', sdp(VONAGE, vonage.address().port, '', 'RTP/AVP', '8 101'))).media[0]!;
    assert.equal(toA.address, LAN);
    assert.ok(toA.port >= 41000 && toA.port <= 41999, `lan port ${toA.port}`);

    const payload = Buffer.alloc(160, 0xd5);
    const atVonage = nextPacket(vonage);
    pbx.send(rtp(1, payload), toA.port, LAN);
    const got = await atVonage;
    assert.equal(got.from, `${WAN}:${toB.port}`);
    assert.deepEqual(got.data.subarray(12), payload);

    const atPbx = nextPacket(pbx);
    vonage.send(rtp(7, payload), toB.port, WAN);
    assert.equal((await atPbx).from, `${LAN}:${toA.port}`);

    const [live] = await media.stats();
    assert.equal(live?.a?.rxPackets, 1, 'one packet from the PBX');
    assert.equal(live?.b?.txPackets, 1, 'relayed to Vonage');
    assert.equal(live?.b?.rxPackets, 1, 'one packet from Vonage');
    assert.equal(live?.a?.txPackets, 1, 'relayed to the PBX');
    assert.equal(live?.codec, 'PCMA', 'the codec of the answer');
  } finally {
    media.close();
    pbx.close();
    vonage.close();
  }
});

test('the codec policies of both peers filter the offer; nothing left is a 488', () => {
  const factory = new AnchoredMediaFactory(engine, SETTINGS, log);
  const m1 = factory.create('t2', context({ codecs: ['PCMA', 'PCMU', 'telephone-event'] }, { codecs: ['PCMA', 'telephone-event'] }));
  const toB = describeSdp(m1.offer('a', sdp(PBX, 30000))).media[0]!;
  assert.deepEqual(toB.codecs.map((c) => c.name), ['PCMA', 'telephone-event']);
  m1.close();
  // No codec in common: with transcoding off that is a 488; by default B is offered its own codec (negotiation.test.ts).
  const m2 = factory.create('t3', context({}, { codecs: ['G722'], transcode: 'off' }));
  assert.throws(() => m2.offer('a', sdp(PBX, 30000)), (e) => e instanceof MediaRefusal && e.status === 488);
  m2.close();
  const m2b = factory.create('t3b', context({}, { codecs: ['G722'] }));
  assert.deepEqual(describeSdp(m2b.offer('a', sdp(PBX, 30000))).media[0]!.codecs.map((c) => `${c.pt} ${c.name}`), ['9 G722']);
  m2b.close();
  const m3 = factory.create('t4', context());
  assert.throws(() => m3.offer('a', 'this is not sdp'), (e) => e instanceof MediaRefusal && e.status === 488);
  m3.close();
});

test('SRTP toward a leg whose policy says sdes; an SRTP offer is answered with our own key, same suite and tag', () => {
  const factory = new AnchoredMediaFactory(engine, SETTINGS, log);
  const m = factory.create('t5', context({}, { srtp: 'sdes' }));
  const toB = describeSdp(m.offer('a', sdp(PBX, 30000))).media[0]!;
  assert.equal(toB.proto, 'RTP/SAVP');
  assert.equal(toB.crypto.length, 1);
  assert.equal(toB.crypto[0]!.suite, 'AES_CM_128_HMAC_SHA1_80');
  const vonageKey = 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:' + Buffer.alloc(30, 7).toString('base64');
  const toA = describeSdp(m.answer('b', sdp(VONAGE, 30002, vonageKey, 'RTP/SAVP'))).media[0]!;
  assert.equal(toA.proto, 'RTP/AVP');
  assert.equal(toA.crypto.length, 0);
  m.close();

  const r = factory.create('t6', context());
  const offered = 'a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:' + Buffer.alloc(30, 9).toString('base64');
  const toB2 = describeSdp(r.offer('a', sdp(PBX, 30000, offered, 'RTP/SAVP'))).media[0]!;
  assert.equal(toB2.proto, 'RTP/AVP', 'the plain peer is offered RTP');
  const toA2 = describeSdp(r.answer('b', sdp(VONAGE, 30002))).media[0]!;
  assert.equal(toA2.proto, 'RTP/SAVP');
  assert.equal(toA2.crypto[0]!.tag, 3);
  assert.equal(toA2.crypto[0]!.suite, 'AES_CM_128_HMAC_SHA1_32');
  assert.notDeepEqual(toA2.crypto[0]!.key, Buffer.alloc(30, 9), 'our key, not the offerer’s');
  r.close();
});

test('a re-offer to a new far-end port moves the media there', async () => {
  const factory = new AnchoredMediaFactory(engine, SETTINGS, log);
  const m = factory.create('t7', context());
  const pbx = await bound(PBX);
  const v1 = await bound(VONAGE);
  const v2 = await bound(VONAGE);
  try {
    m.offer('a', sdp(PBX, pbx.address().port));
    const toA = describeSdp(m.answer('b', sdp(VONAGE, v1.address().port))).media[0]!;
    const toB = describeSdp(m.offer('b', sdp(VONAGE, v2.address().port))).media[0]!;
    assert.equal(toB.address, LAN, 'the re-offer from b goes to a with our LAN address');
    m.answer('a', sdp(PBX, pbx.address().port));
    const at2 = nextPacket(v2);
    pbx.send(rtp(2, Buffer.alloc(160, 1)), toA.port, LAN);
    await at2;
  } finally {
    m.close();
    pbx.close();
    v1.close();
    v2.close();
  }
});

test('no RTP for the timeout ends the call; its stats are logged when it closes', async () => {
  const factory = new AnchoredMediaFactory(engine, { ...SETTINGS, timeoutMs: 300 }, log);
  let timedOut = 0;
  const m = factory.create('t8', context({}, {}, () => timedOut++));
  m.offer('a', sdp(PBX, 30000));
  m.answer('b', sdp(VONAGE, 30002));
  const deadline = Date.now() + 3000;
  while (timedOut === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(timedOut, 1);
  m.close();
  await factory.settled(2000);
  const line = logs.find((l) => l.msg === 'call media stats' && l.call === 't8');
  assert.ok(line, 'stats line logged');
  const streams = line.streams as Array<{ a: { rxPackets: number }; b: { rxPackets: number } }>;
  assert.equal(streams[0]!.a.rxPackets, 0);
  assert.equal(factory.relays, 0);
});
