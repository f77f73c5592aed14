// RTP packets as the media tests send them: PCMU-sized (12-byte header +
// 160-byte payload, 20 ms at 8 kHz) with a payload pattern the receiver can
// check byte for byte. The same pattern is built by the libsrtp2 test peer
// (test/tools/srtp-peer/srtp-peer.c): byte i of the packet with sequence
// number s from a sender with seed k is (k*31 + s*7 + i*13) mod 256.

export const RTP_HEADER_LEN = 12;
export const PCMU_PAYLOAD_LEN = 160;

export interface RtpFields {
  seq: number;
  ts: number;
  ssrc: number;
  pt: number;
  marker: boolean;
  payload: Buffer;
}

export function patternPayload(seed: number, seq: number, len = PCMU_PAYLOAD_LEN): Buffer {
  const p = Buffer.alloc(len);
  for (let i = 0; i < len; i++) p[i] = (seed * 31 + seq * 7 + i * 13) & 0xff;
  return p;
}

/** True when `payload` is exactly what a sender with `seed` puts in packet `seq`. */
export function matchesPattern(seed: number, seq: number, payload: Buffer): boolean {
  return payload.length === PCMU_PAYLOAD_LEN && payload.equals(patternPayload(seed, seq));
}

export function buildRtp(f: { seq: number; ts: number; ssrc: number; pt?: number; marker?: boolean; payload: Buffer }): Buffer {
  const h = Buffer.alloc(RTP_HEADER_LEN);
  h[0] = 0x80;
  h[1] = ((f.marker ? 0x80 : 0) | ((f.pt ?? 0) & 0x7f)) & 0xff;
  h.writeUInt16BE(f.seq & 0xffff, 2);
  h.writeUInt32BE(f.ts >>> 0, 4);
  h.writeUInt32BE(f.ssrc >>> 0, 8);
  return Buffer.concat([h, f.payload]);
}

/** RTP fields of a datagram, or null for RTCP (PT 200-204 per RFC 5761) and anything not RTP v2. */
export function parseRtp(buf: Buffer): RtpFields | null {
  if (buf.length < RTP_HEADER_LEN || (buf[0]! & 0xc0) !== 0x80) return null;
  if (buf[1]! >= 192 && buf[1]! <= 223) return null;
  const cc = buf[0]! & 0x0f;
  let hdr = RTP_HEADER_LEN + 4 * cc;
  if (buf[0]! & 0x10) {
    if (buf.length < hdr + 4) return null;
    hdr += 4 + 4 * buf.readUInt16BE(hdr + 2);
  }
  if (hdr > buf.length) return null;
  let end = buf.length;
  if (buf[0]! & 0x20) end -= buf[buf.length - 1]!;
  if (end < hdr) return null;
  return {
    seq: buf.readUInt16BE(2),
    ts: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    pt: buf[1]! & 0x7f,
    marker: (buf[1]! & 0x80) !== 0,
    payload: buf.subarray(hdr, end),
  };
}

/** FNV-1a 64 over the payloads in order, as hex: the digest srtp-peer prints. */
export function payloadDigest(payloads: Iterable<Buffer>): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = (1n << 64n) - 1n;
  for (const p of payloads) {
    for (const b of p) {
      h ^= BigInt(b);
      h = (h * prime) & mask;
    }
  }
  return h.toString(16).padStart(16, '0');
}

/** Sequence numbers that are missing between consecutive entries (mod 2^16), and repeats. */
export function sequenceGaps(seqs: number[]): { gaps: number; repeats: number; backwards: number } {
  let gaps = 0;
  let repeats = 0;
  let backwards = 0;
  for (let i = 1; i < seqs.length; i++) {
    const ahead = (seqs[i]! - seqs[i - 1]!) & 0xffff;
    if (ahead === 0) repeats++;
    else if (ahead < 0x8000) gaps += ahead - 1;
    else backwards++;
  }
  return { gaps, repeats, backwards };
}
