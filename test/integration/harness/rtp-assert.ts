// Assertions about what an RTP endpoint received from one stream.
import assert from 'node:assert/strict';
import type { RtpEndpoint, RtpStream, SeenPacket, UdpAddress } from './rtp-endpoint.js';

/** What one sender sent: its payload seed and sequence numbers in order. */
export interface SentStream {
  seed: number;
  sent: ReadonlyArray<{ seq: number }>;
}
import { sequenceGaps } from './rtp-packet.js';

const fmt = (a: UdpAddress): string => `${a.ip}:${a.port}`;

export function describeSeen(seen: SeenPacket[]): string {
  const bySource = new Map<string, number>();
  for (const p of seen) bySource.set(fmt(p.from), (bySource.get(fmt(p.from)) ?? 0) + 1);
  return `${seen.length} datagrams from ${[...bySource].map(([k, n]) => `${k} x${n}`).join(', ') || 'nobody'}`;
}

/**
 * Every packet `stream` sent arrived at `ep`, byte-identical in payload (the
 * pattern of the stream's seed), in order with no sequence gap or repeat, and
 * every one of them from exactly `from` (the SBC's media address for `ep`).
 */
export function assertRelayedStream(ep: RtpEndpoint, stream: SentStream, from: UdpAddress, label: string): void {
  const got = ep.fromSeed(stream.seed);
  const ctx = `${label}: ${describeSeen(ep.seen)}`;
  assert.equal(got.length, stream.sent.length, `${ctx}\nreceived ${got.length} of the ${stream.sent.length} packets sent`);
  const wrongSource = got.filter((p) => p.from.ip !== from.ip || p.from.port !== from.port);
  assert.equal(wrongSource.length, 0, `${ctx}\npackets not from the SBC media address ${fmt(from)}: first from ${wrongSource[0] ? fmt(wrongSource[0].from) : ''}`);
  const seqs = got.map((p) => p.rtp!.seq);
  assert.deepEqual(sequenceGaps(seqs), { gaps: 0, repeats: 0, backwards: 0 }, `${ctx}\nsequence not continuous: ${seqs.join(',')}`);
  assert.deepEqual(seqs, stream.sent.map((s) => s.seq), `${ctx}\nsequence numbers differ from those sent`);
}

/**
 * Of the packets `stream` sent in [fromMs, toMs), how many `ep` received, and
 * which did not arrive (sequence number and ms after fromMs it was sent).
 */
export function receivedSentBetween(
  ep: RtpEndpoint,
  stream: RtpStream,
  fromMs: number,
  toMs: number,
): { sent: number; received: number; missing: Array<{ seq: number; atMs: number }> } {
  const inWindow = stream.sent.filter((s) => s.at >= fromMs && s.at < toMs);
  const got = new Set(ep.fromSeed(stream.seed).map((p) => p.rtp!.seq));
  const missing = inWindow.filter((s) => !got.has(s.seq)).map((s) => ({ seq: s.seq, atMs: s.at - fromMs }));
  return { sent: inWindow.length, received: inWindow.length - missing.length, missing };
}
