// DTMF as RFC 4733 telephone-events through sbcd (issue 6 item 3, V-OUT-7):
// the 16 digits 0-9 * # A-D with varied durations, sent by the PBX and by
// the trunk at the same time, each side checking what arrived: the digits
// in order, each event's final duration within 20 ms of what was sent, and
// its end packet three times (RFC 4733 section 2.5.1.4). Once with both
// sides on PCMU (the events pass through untouched) and once transcoded
// PCMU <-> G.722 (the engine regenerates every event on its own stream:
// its own timestamps, duration clock and end-packet redundancy).
import assert from 'node:assert/strict';
import { type Socket, createSocket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';

import { describeSdp } from '../../../src/media/sdp/index.js';
import { assertSippPassed, startMediaCall, startMediaSbcd, type MediaSbcd } from '../harness/media-call.js';
import { audioAddress } from '../harness/media-sdp.js';
import { on } from '../harness/media-trace.js';

const DIGITS = '0123456789*#ABCD';
const EVENT_PT = 101;
const code = (d: string): number => DIGITS.indexOf(d);
// 80..230 ms, different for every digit and direction.
const durationMs = (i: number, dir: number): number => 80 + ((i * 37 + dir * 53) % 160);

interface Peer {
  sock: Socket;
  got: Array<{ pt: number; ts: number; marker: boolean; payload: Buffer }>;
}

async function peerOn(ip: string): Promise<Peer> {
  const sock = createSocket('udp4');
  const got: Peer['got'] = [];
  sock.on('message', (m) => {
    if (m.length >= 12 && m[0]! >> 6 === 2) got.push({ pt: m[1]! & 0x7f, marker: (m[1]! & 0x80) !== 0, ts: m.readUInt32BE(4), payload: m.subarray(12) });
  });
  await new Promise<void>((resolve) => sock.bind(0, ip, resolve));
  return { sock, got };
}

/**
 * Audio (silence in `audio`'s codec) every 20 ms, and the 16 digits as
 * telephone-events: an event packet every 20 ms while a digit lasts (same
 * timestamp, growing duration, marker on the first), then its end packet
 * three times; 100 ms of audio between digits.
 */
async function sendDigits(sock: Socket, to: { ip: string; port: number }, audio: { pt: number; silence: Buffer }, dir: number): Promise<void> {
  let seq = 100 + dir * 1000;
  let ts = 5000 + dir * 77777;
  const ssrc = 0x0d0d0000 + dir;
  const send = (pt: number, marker: boolean, stamp: number, payload: Buffer): void => {
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h[1] = (marker ? 0x80 : 0) | pt;
    h.writeUInt16BE(seq++ & 0xffff, 2);
    h.writeUInt32BE(stamp >>> 0, 4);
    h.writeUInt32BE(ssrc, 8);
    sock.send(Buffer.concat([h, payload]), to.port, to.ip);
  };
  const start = Date.now();
  let tick = 0;
  const wait = async (): Promise<void> => {
    tick++;
    const d = start + tick * 20 - Date.now();
    if (d > 0) await new Promise((r) => setTimeout(r, d));
  };
  const audioFor = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 20) {
      send(audio.pt, false, ts, audio.silence);
      ts += 160;
      await wait();
    }
  };
  await audioFor(300);
  for (let i = 0; i < DIGITS.length; i++) {
    const total = durationMs(i, dir) * 8; // samples at 8 kHz
    const eventTs = ts;
    let duration = 0;
    let first = true;
    while (duration + 160 < total) {
      duration += 160;
      send(EVENT_PT, first, eventTs, Buffer.from([code(DIGITS[i]!), 10, duration >> 8, duration & 0xff]));
      first = false;
      await wait();
    }
    for (let k = 0; k < 3; k++) send(EVENT_PT, false, eventTs, Buffer.from([code(DIGITS[i]!), 0x80 | 10, total >> 8, total & 0xff]));
    ts += total;
    await wait();
    await audioFor(100);
  }
  await audioFor(200);
}

interface Event {
  digit: string;
  durationMs: number;
  ends: number;
}

/** The telephone-events received, one per RTP timestamp, in arrival order. */
function events(got: Peer['got'], pt: number): Event[] {
  const byTs = new Map<number, { digit: string; duration: number; ends: number }>();
  for (const p of got) {
    if (p.pt !== pt || p.payload.length < 4) continue;
    const e = byTs.get(p.ts) ?? { digit: DIGITS[p.payload[0]!] ?? '?', duration: 0, ends: 0 };
    e.duration = Math.max(e.duration, p.payload.readUInt16BE(2));
    if (p.payload[1]! & 0x80) e.ends++;
    byTs.set(p.ts, e);
  }
  return [...byTs.values()].map((e) => ({ digit: e.digit, durationMs: e.duration / 8, ends: e.ends }));
}

function assertDigits(got: Event[], dir: number, what: string): void {
  assert.equal(got.map((e) => e.digit).join(''), DIGITS, `${what}: digits received ${JSON.stringify(got)}`);
  got.forEach((e, i) => {
    const want = durationMs(i, dir);
    assert.ok(Math.abs(e.durationMs - want) <= 20, `${what}: digit ${e.digit} lasted ${e.durationMs} ms, sent ${want} ms`);
    assert.equal(e.ends, 3, `${what}: digit ${e.digit} had ${e.ends} end packets, want 3`);
  });
}

const PCMU = { pt: 0, rtpmap: 'PCMU/8000', silence: Buffer.alloc(160, 0xff) };
// G.722 silence: the encoder's output for zeros is not all-zero bytes, but any
// 80 bytes decode to some audio; the test only checks the events.
const G722 = { pt: 9, rtpmap: 'G722/8000', silence: Buffer.alloc(160, 0xfa) };

for (const [label, trunkCodec, trunkPolicy] of [
  ['passthrough (PCMU both sides)', PCMU, ['PCMU', 'telephone-event']],
  ['transcoded (PCMU <-> G.722): events regenerated', G722, ['G722', 'telephone-event']],
] as const) {
  describe(`RFC 4733 DTMF through sbcd, ${label}`, { timeout: 60_000 }, () => {
    let m: MediaSbcd;
    before(async () => {
      m = await startMediaSbcd({ trunk: { codecs: [...trunkPolicy] } });
    });
    after(async () => {
      await m?.sbc.stop();
    });

    test('16 digits each way: same digits in order, durations within 20 ms, end packet x3', async () => {
      const { sbc } = m;
      const pbx = await peerOn(sbc.pbx.ip);
      const trunk = await peerOn(sbc.vonage.ip);
      const call = await startMediaCall(sbc, {
        direction: 'pbx-to-vonage', uac: 'codec-uac', uas: 'codec-uas',
        uacKeys: { rtp_port: pbx.sock.address().port, p_talk: 9000, pt: 0, rtpmap: 'PCMU/8000', fmtp_line: 'a=sendrecv' },
        uasKeys: { rtp_port: trunk.sock.address().port, pt: trunkCodec.pt, rtpmap: trunkCodec.rtpmap, fmtp_line: 'a=sendrecv' },
        timeoutMs: 30_000,
      });
      try {
        const offer = await call.callee.waitFor(on.request('received', 'INVITE'), 5000, 'INVITE at the trunk');
        const answer = await call.caller.waitFor(on.response('received', 200, 'INVITE'), 5000, '200 at the PBX');
        const toTrunk = describeSdp(offer.body).media[0]!;
        assert.deepEqual(toTrunk.codecs.map((c) => c.name), [trunkCodec.rtpmap.split('/')[0], 'telephone-event']);
        const tePt = toTrunk.codecs.find((c) => c.name === 'telephone-event')!.pt;
        await call.callee.waitFor(on.request('received', 'ACK'), 5000, 'ACK at the trunk');

        await Promise.all([
          sendDigits(pbx.sock, audioAddress(answer.body), PCMU, 0),
          sendDigits(trunk.sock, audioAddress(offer.body), trunkCodec, 1),
        ]);
        await new Promise((r) => setTimeout(r, 300));
        assertDigits(events(trunk.got, tePt), 0, 'PBX -> trunk');
        assertDigits(events(pbx.got, EVENT_PT), 1, 'trunk -> PBX');
        const { uac, uas } = await call.finish();
        assertSippPassed(uac, 'PBX');
        assertSippPassed(uas, 'trunk');
      } finally {
        await call.stop();
        pbx.sock.close();
        trunk.sock.close();
      }
    });
  });
}
