// RTP payload formats of an m= line and the codec filter of trunks/PBXs.
import { attributeValue } from './lines.js';

export interface Codec {
  pt: number;
  /** Encoding name as the peer wrote it (static payload types get their RFC 3551 name). */
  name: string;
  /** Clock rate; 0 when a dynamic payload type has no (or an unreadable) rtpmap. */
  rate: number;
  channels?: number;
  /** The a=fmtp parameters of this payload type, as written. */
  fmtp?: string;
}

// RFC 3551 tables 4 and 5: static payload types, usable without an a=rtpmap.
const STATIC_PAYLOAD_TYPES: ReadonlyMap<number, { name: string; rate: number; channels?: number }> = new Map([
  [0, { name: 'PCMU', rate: 8000 }],
  [3, { name: 'GSM', rate: 8000 }],
  [4, { name: 'G723', rate: 8000 }],
  [5, { name: 'DVI4', rate: 8000 }],
  [6, { name: 'DVI4', rate: 16000 }],
  [7, { name: 'LPC', rate: 8000 }],
  [8, { name: 'PCMA', rate: 8000 }],
  [9, { name: 'G722', rate: 8000 }],
  [10, { name: 'L16', rate: 44100, channels: 2 }],
  [11, { name: 'L16', rate: 44100 }],
  [12, { name: 'QCELP', rate: 8000 }],
  [13, { name: 'CN', rate: 8000 }],
  [14, { name: 'MPA', rate: 90000 }],
  [15, { name: 'G728', rate: 8000 }],
  [16, { name: 'DVI4', rate: 11025 }],
  [17, { name: 'DVI4', rate: 22050 }],
  [18, { name: 'G729', rate: 8000 }],
  [25, { name: 'CelB', rate: 90000 }],
  [26, { name: 'JPEG', rate: 90000 }],
  [28, { name: 'nv', rate: 90000 }],
  [31, { name: 'H261', rate: 90000 }],
  [32, { name: 'MPV', rate: 90000 }],
  [33, { name: 'MP2T', rate: 90000 }],
  [34, { name: 'H263', rate: 90000 }],
]);

/** The codec a payload type stands for without an rtpmap (static types), else an unnamed one. */
export function staticCodec(pt: number): Codec {
  const known = STATIC_PAYLOAD_TYPES.get(pt);
  if (!known) return { pt, name: '', rate: 0 };
  const codec: Codec = { pt, name: known.name, rate: known.rate };
  if (known.channels !== undefined) codec.channels = known.channels;
  return codec;
}

/** A payload type as written in an m= line or an attribute: 0..127, digits only. */
export function parsePayloadType(text: string): number | null {
  if (!/^\d{1,3}$/.test(text)) return null;
  const pt = Number(text);
  return pt <= 127 ? pt : null;
}

/**
 * The payload type an a=rtpmap / a=fmtp / a=rtcp-fb line is about
 * ("fmtp:101 0-16" -> 101), '*' for rtcp-fb wildcards, null when unreadable.
 */
export function attributePayloadType(value: string): number | '*' | null {
  const first = attributeValue(value).trim().split(/[ \t]/, 1)[0] ?? '';
  if (first === '*') return '*';
  return parsePayloadType(first);
}

interface AllowedEntry {
  name: string;
  rate?: number;
  channels?: number;
}

function parseAllowed(entry: string): AllowedEntry | null {
  const [name, rate, channels, ...rest] = entry.trim().split('/');
  if (!name || rest.length > 0) return null;
  const parsed: AllowedEntry = { name: name.toLowerCase() };
  if (rate !== undefined) {
    if (!/^\d+$/.test(rate)) return null;
    parsed.rate = Number(rate);
  }
  if (channels !== undefined) {
    if (!/^\d+$/.test(channels)) return null;
    parsed.channels = Number(channels);
  }
  return parsed;
}

function matches(codec: Codec, allowed: AllowedEntry): boolean {
  if (codec.name.toLowerCase() !== allowed.name) return false;
  if (allowed.rate !== undefined && codec.rate !== allowed.rate) return false;
  if (allowed.channels !== undefined && (codec.channels ?? 1) !== allowed.channels) return false;
  return true;
}

/**
 * The codecs of `media` that `allowed` lets through, in the peer's order.
 * Entries are encoding names ("PCMA", "telephone-event"), compared without
 * case; "name/rate" (and "name/rate/channels") match only that clock rate
 * (and channel count). `undefined` allows everything; an empty list nothing.
 * Unreadable entries match nothing.
 */
export function allowedCodecs(media: { codecs: Codec[] }, allowed: string[] | undefined): Codec[] {
  if (allowed === undefined) return [...media.codecs];
  const entries = allowed.map(parseAllowed).filter((e): e is AllowedEntry => e !== null);
  return media.codecs.filter((codec) => entries.some((entry) => matches(codec, entry)));
}
