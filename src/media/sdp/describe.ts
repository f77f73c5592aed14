// Reads an SDP into one MediaDescription per m= line: what the media engine
// needs to relay a stream (addresses, ports, codecs, keys) and what call
// control needs to decide (hold, rejected, relayable).
import { parse as parseAttributes } from 'sdp-transform';
import { type Codec, parsePayloadType, staticCodec } from './codecs.js';
import { chooseCrypto, parseCrypto, type SdesCrypto } from './crypto.js';
import { SdpError } from './errors.js';
import { attributeName, attributeValue, type SdpLine, type SdpSections, splitSdp } from './lines.js';

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface MediaDescription {
  index: number;
  type: string;
  port: number;
  proto: string;
  /** Effective connection address (media c=, else session c=); '0.0.0.0' kept; '' for a rejected line without any c=. */
  address: string;
  /** a=rtcp (RFC 3605) when present, else port+1 and `address`. Independent of rtcpMux. */
  rtcpPort: number;
  rtcpAddress: string;
  rtcpMux: boolean;
  /** Media-level attribute, else session-level, else sendrecv. */
  direction: Direction;
  /** c=0.0.0.0 (RFC 2543 hold; not with ICE, where it is a placeholder), or direction sendonly/inactive. */
  held: boolean;
  /** In m= order, duplicates removed, rtpmap/fmtp merged, static payload types named. Empty for non-RTP protos. */
  codecs: Codec[];
  ptime?: number;
  /** a=crypto lines with a suite we support, in order (malformed lines skipped). */
  crypto: SdesCrypto[];
  /** Port 0. */
  rejected: boolean;
  /**
   * RTP/AVP, RTP/AVPF, RTP/SAVP or RTP/SAVPF, port not 0, and for the secure
   * profiles an a=crypto line that chooseCrypto accepts (DTLS-SRTP and MIKEY
   * are not relayable).
   */
  relayable: boolean;
}

/** What rewrite needs besides the description: the source lines of the section. */
export interface ParsedMedia {
  description: MediaDescription;
  /** The section's lines, m= first. */
  lines: SdpLine[];
  /** The m= line's formats as written, duplicates removed. */
  formats: string[];
  /** c=0.0.0.0 means hold here (RFC 2543), not the ICE placeholder address (RFC 8839 §4.2.1). */
  nullAddressHold: boolean;
}

export interface ParsedSdp {
  sections: SdpSections;
  media: ParsedMedia[];
}

const RELAYABLE_PROTOS = new Set(['RTP/AVP', 'RTP/AVPF', 'RTP/SAVP', 'RTP/SAVPF']);
const DIRECTIONS = new Set<string>(['sendrecv', 'sendonly', 'recvonly', 'inactive']);
// The only attributes describe reads through sdp-transform; other lines are
// not handed to its regular expressions at all.
const PARSED_ATTRIBUTES = new Set(['rtpmap', 'fmtp', 'rtcp', 'rtcp-mux', 'ptime', ...DIRECTIONS]);
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`{|}~-]+$/;
const PROTO = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
const ADDRESS = /^[0-9A-Za-z.:_-]+$/;

/** RTP profiles in any transport: RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF, TCP/RTP/AVP, ... */
export function isRtpProto(proto: string): boolean {
  return /(?:^|\/)RTP\/S?AVPF?$/i.test(proto);
}

export function describeSdp(sdp: string): { media: MediaDescription[] } {
  return { media: parseSdp(sdp).media.map((m) => m.description) };
}

export function parseSdp(sdp: string): ParsedSdp {
  const sections = splitSdp(sdp);
  const sessionAttributes = readAttributes(sections.session);
  const sessionConnection = firstConnection(sections.session);
  const sessionIce = hasIce(sections.session);
  const media = sections.media.map((lines, index) =>
    describeSection(lines, index, sessionConnection, sessionAttributes, sessionIce),
  );
  return { sections, media };
}

interface AttributeSet {
  rtp?: unknown;
  fmtp?: unknown;
  rtcp?: unknown;
  rtcpMux?: unknown;
  ptime?: unknown;
  direction?: unknown;
}

// Hands only a= lines (no m= line) to sdp-transform, so what it reads lands
// on its session object whichever section the lines come from.
function readAttributes(lines: SdpLine[]): AttributeSet {
  const picked = lines
    .filter((l) => l.type === 'a' && PARSED_ATTRIBUTES.has(attributeName(l.value)))
    .map((l) => `a=${l.value}`);
  try {
    return parseAttributes(picked.join('\r\n')) as AttributeSet;
  } catch {
    throw new SdpError('SDP attributes could not be parsed');
  }
}

function hasIce(lines: SdpLine[]): boolean {
  return lines.some((l) => l.type === 'a' && ['ice-ufrag', 'candidate'].includes(attributeName(l.value)));
}

function firstConnection(lines: SdpLine[]): string | null {
  const line = lines.find((l) => l.type === 'c');
  return line ? parseConnection(line) : null;
}

function parseConnection(line: SdpLine): string {
  const [net, addrType, addr, ...rest] = line.value.trim().split(/[ \t]+/);
  if (net?.toUpperCase() !== 'IN' || !/^IP[46]$/i.test(addrType ?? '') || !addr || rest.length > 0) {
    throw new SdpError(`SDP line ${line.lineNo}: c= is not "IN IP4|IP6 <address>"`);
  }
  // Multicast addresses carry "/ttl[/count]"; the address is what precedes it.
  const address = addr.split('/')[0] ?? '';
  if (!ADDRESS.test(address)) throw new SdpError(`SDP line ${line.lineNo}: c= address is malformed`);
  return address;
}

interface MLine {
  type: string;
  port: number;
  proto: string;
  formats: string[];
}

function parseMLine(line: SdpLine): MLine {
  const [type, portText, proto, ...formats] = line.value.trim().split(/[ \t]+/);
  if (!type || !portText || !proto || !TOKEN.test(type) || !PROTO.test(proto)) {
    throw new SdpError(`SDP line ${line.lineNo}: m= is not "<media> <port> <proto> <fmt> ..."`);
  }
  // "<port>/<number of ports>" (RFC 4566 layered encodings): the base port is the stream's.
  const portMatch = /^(\d{1,5})(?:\/\d{1,5})?$/.exec(portText);
  const port = portMatch ? Number(portMatch[1]) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new SdpError(`SDP line ${line.lineNo}: m= port is not a number from 0 to 65535`);
  }
  if (formats.length === 0 && port !== 0) throw new SdpError(`SDP line ${line.lineNo}: m= line has no formats`);
  if (isRtpProto(proto)) {
    for (const fmt of formats) {
      if (parsePayloadType(fmt) === null) {
        throw new SdpError(`SDP line ${line.lineNo}: m= payload type is not a number from 0 to 127`);
      }
    }
  }
  return { type, port, proto, formats: [...new Set(formats)] };
}

function describeSection(
  lines: SdpLine[],
  index: number,
  sessionConnection: string | null,
  sessionAttributes: AttributeSet,
  sessionIce: boolean,
): ParsedMedia {
  const mLine = lines[0];
  if (!mLine) throw new SdpError('SDP media section is empty'); // splitSdp always starts one with m=
  const { type, port, proto, formats } = parseMLine(mLine);
  const rejected = port === 0;
  const address = firstConnection(lines) ?? sessionConnection;
  if (address === null && !rejected) {
    throw new SdpError(`SDP line ${mLine.lineNo}: m= line has no c= line, neither its own nor a session one`);
  }
  const mediaAttributes = readAttributes(lines);

  const effectiveAddress = address ?? '';
  const rtcp = readRtcp(mediaAttributes.rtcp, port, effectiveAddress);
  const direction = readDirection(mediaAttributes.direction) ?? readDirection(sessionAttributes.direction) ?? 'sendrecv';
  const crypto = lines
    .filter((l) => l.type === 'a' && attributeName(l.value) === 'crypto')
    .map((l) => parseCrypto(attributeValue(l.value)))
    .filter((c): c is SdesCrypto => c !== null);
  const upperProto = proto.toUpperCase();
  const nullAddressHold = effectiveAddress === '0.0.0.0' && !sessionIce && !hasIce(lines);
  const secure = upperProto.includes('SAVP');

  const description: MediaDescription = {
    index,
    type,
    port,
    proto,
    address: effectiveAddress,
    rtcpPort: rtcp.port,
    rtcpAddress: rtcp.address,
    rtcpMux: mediaAttributes.rtcpMux === 'rtcp-mux',
    direction,
    held: nullAddressHold || direction === 'sendonly' || direction === 'inactive',
    codecs: isRtpProto(proto) ? readCodecs(formats, mediaAttributes) : [],
    crypto,
    rejected,
    relayable: RELAYABLE_PROTOS.has(upperProto) && !rejected && (!secure || chooseCrypto(crypto) !== null),
  };
  const ptime = readPtime(mediaAttributes.ptime) ?? readPtime(sessionAttributes.ptime);
  if (ptime !== undefined) description.ptime = ptime;
  return { description, lines, formats, nullAddressHold };
}

function asInteger(value: unknown, min: number, max: number): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

function readRtcp(rtcp: unknown, port: number, address: string): { port: number; address: string } {
  const fallback = { port: port === 0 ? 0 : Math.min(port + 1, 65535), address };
  if (typeof rtcp !== 'object' || rtcp === null) return fallback;
  const r = rtcp as { port?: unknown; address?: unknown };
  const rtcpPort = asInteger(r.port, 1, 65535);
  if (rtcpPort === undefined) return fallback; // malformed a=rtcp: RTCP goes where RFC 3550 puts it
  const rtcpAddress = typeof r.address === 'string' && ADDRESS.test(r.address) ? r.address : address;
  return { port: rtcpPort, address: rtcpAddress };
}

function readDirection(value: unknown): Direction | undefined {
  return typeof value === 'string' && DIRECTIONS.has(value) ? (value as Direction) : undefined;
}

function readPtime(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 && n <= 10000 ? n : undefined;
}

interface RtpMapEntry {
  payload?: unknown;
  codec?: unknown;
  rate?: unknown;
  encoding?: unknown;
}
interface FmtpEntry {
  payload?: unknown;
  config?: unknown;
}

function readCodecs(formats: string[], attributes: AttributeSet): Codec[] {
  const rtpmaps = Array.isArray(attributes.rtp) ? (attributes.rtp as RtpMapEntry[]) : [];
  const fmtps = Array.isArray(attributes.fmtp) ? (attributes.fmtp as FmtpEntry[]) : [];
  return formats.map((fmt) => {
    const pt = Number(fmt);
    const rtpmap = rtpmaps.find((r) => asInteger(r.payload, 0, 127) === pt);
    let codec: Codec;
    if (rtpmap && typeof rtpmap.codec === 'string' && rtpmap.codec !== '') {
      codec = { pt, name: rtpmap.codec, rate: asInteger(rtpmap.rate, 1, 10_000_000) ?? 0 };
      const channels = asInteger(rtpmap.encoding, 1, 255);
      if (channels !== undefined) codec.channels = channels;
    } else {
      codec = staticCodec(pt);
    }
    const fmtp = fmtps.find((f) => asInteger(f.payload, 0, 127) === pt);
    if (fmtp && typeof fmtp.config === 'string' && fmtp.config.trim() !== '') codec.fmtp = fmtp.config.trim();
    return codec;
  });
}
