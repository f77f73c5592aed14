// Writes the SDP we send on one leg from the SDP the other leg sent us: our
// address and ports, our keys, the allowed codecs, and nothing of the other
// side's transport (ICE, DTLS, its addresses).
import { allowedCodecs, attributePayloadType } from './codecs.js';
import { isAdded, type PlannedPayload } from './negotiate.js';
import { formatCrypto, type SdesCrypto } from './crypto.js';
import { isRtpProto, type ParsedMedia, parseSdp } from './describe.js';
import { SdpError } from './errors.js';
import { attributeName, attributeValue, type SdpLine } from './lines.js';
import { addressType, type SdpOrigin } from './origin.js';

export interface LinePlan {
  /** Our RTP port on this side; 0 rejects the line (m=<type> 0 <proto> <first fmt>, nothing else). */
  port: number;
  rtcpPort: number;
  /** true: write a=rtcp:<port> and a=rtcp-mux; false: no a=rtcp-mux, a=rtcp only when rtcpPort is not port+1. */
  rtcpMux: boolean;
  /** non-null: RTP/SAVP(F) with exactly this a=crypto; null: RTP/AVP(F) without a=crypto. */
  crypto: SdesCrypto | null;
  /** Allowed encoding names ("PCMA", "telephone-event", "speex/16000"); undefined keeps all. None left rejects the line. */
  codecs?: string[];
  /**
   * The payload types of the line, in order (overrides `codecs`): kept ones
   * carry their source attributes, added ones get our a=rtpmap/a=fmtp
   * (codec negotiation, negotiate.ts). Empty rejects the line.
   */
  payloads?: PlannedPayload[];
}

/** One LinePlan per m= line of the source, in the same order. */
export interface RewritePlan {
  address: string;
  lines: LinePlan[];
}

// Transport and keying of the far side: ICE (RFC 8445/8839), DTLS-SRTP
// (RFC 5763, 8842), SDES and MIKEY keys, comedia (RFC 4145), BUNDLE (we give
// every m= line its own port). Our own a=rtcp / a=rtcp-mux / a=crypto are
// written from the plan instead.
const DROPPED_ATTRIBUTES = new Set([
  'candidate',
  'remote-candidates',
  'end-of-candidates',
  'fingerprint',
  'setup',
  'tls-id',
  'connection',
  'crypto',
  'key-mgmt',
  'rtcp',
  'rtcp-mux',
  'rtcp-mux-only',
  'bundle-only',
]);
const PAYLOAD_ATTRIBUTES = new Set(['rtpmap', 'fmtp', 'rtcp-fb']);
const ADDRESS = /^[0-9A-Za-z.:_-]+$/;

function isDroppedAttribute(value: string): boolean {
  const name = attributeName(value).toLowerCase();
  if (DROPPED_ATTRIBUTES.has(name) || name.startsWith('ice-')) return true;
  return name === 'group' && /^BUNDLE\b/i.test(attributeValue(value).trim());
}

function isPort(n: unknown, min: number): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= 65535;
}

function checkPlan(plan: RewritePlan, mediaCount: number): void {
  if (typeof plan.address !== 'string' || !ADDRESS.test(plan.address)) {
    throw new RangeError('rewrite plan: address must be an IP address');
  }
  if (!Array.isArray(plan.lines) || plan.lines.length !== mediaCount) {
    // The plan was made for another SDP; as an answer to the peer this is still "not acceptable".
    throw new SdpError(`rewrite plan has ${plan.lines?.length} lines but the SDP has ${mediaCount} m= lines`);
  }
  plan.lines.forEach((line, i) => {
    if (!isPort(line.port, 0)) throw new RangeError(`rewrite plan line ${i}: port must be 0..65535`);
    if (line.port !== 0 && !line.rtcpMux && !isPort(line.rtcpPort, 1)) {
      throw new RangeError(`rewrite plan line ${i}: rtcpPort must be 1..65535`);
    }
  });
}

/** The SDP to send, CRLF line endings, o= from `origin` (its version moves only when the result changes). */
export function rewriteSdp(sdp: string, plan: RewritePlan, origin: SdpOrigin): string {
  const parsed = parseSdp(sdp);
  checkPlan(plan, parsed.media.length);

  const body: string[] = [...rewriteSession(parsed.sections.session, plan.address)];
  parsed.media.forEach((media, i) => {
    body.push(...rewriteMedia(media, plan.lines[i] as LinePlan));
  });
  const text = (lines: string[]): string => `${lines.join('\r\n')}\r\n`;
  const originLine = `o=${origin.stamp(text(body), plan.address)}`;
  return text([body[0] as string, originLine, ...body.slice(1)]);
}

// v= o= s= c= b= t= r= z= a= (RFC 4566 order); o= is added by the caller.
// s= and the contact lines (i= u= e= p=) are ours to hide: they name the
// other side's product, people and numbers.
function rewriteSession(lines: SdpLine[], address: string): string[] {
  const bandwidth = lines.filter((l) => l.type === 'b').map((l) => `b=${l.value}`);
  let timing = lines.filter((l) => l.type === 't' || l.type === 'r' || l.type === 'z').map((l) => `${l.type}=${l.value}`);
  if (!timing.some((l) => l.startsWith('t='))) timing = ['t=0 0'];
  const attributes = lines.filter((l) => l.type === 'a' && !isDroppedAttribute(l.value)).map((l) => `a=${l.value}`);
  return ['v=0', 's=-', `c=IN ${addressType(address)} ${address}`, ...bandwidth, ...timing, ...attributes];
}

function rejectedLine(media: ParsedMedia): string[] {
  const d = media.description;
  return [`m=${d.type} 0 ${d.proto} ${media.formats[0] ?? '0'}`];
}

function rewriteMedia(media: ParsedMedia, plan: LinePlan): string[] {
  const d = media.description;
  if (plan.port === 0 || d.rejected) return rejectedLine(media);
  const rtp = isRtpProto(d.proto);

  let formats = media.formats;
  let keptPayloads: Set<number>;
  const addedLines: string[] = [];
  if (rtp && plan.payloads !== undefined) {
    if (plan.payloads.length === 0) return rejectedLine(media);
    formats = plan.payloads.map((p) => String(p.pt));
    keptPayloads = new Set(plan.payloads.filter((p) => !isAdded(p)).map((p) => p.pt));
    for (const p of plan.payloads) {
      if (!isAdded(p)) continue;
      addedLines.push(`a=rtpmap:${p.pt} ${p.name}/${p.rate}${p.channels !== undefined && p.channels !== 1 ? `/${p.channels}` : ''}`);
      if (p.fmtp) addedLines.push(`a=fmtp:${p.pt} ${p.fmtp}`);
    }
  } else {
    if (rtp && plan.codecs !== undefined) {
      formats = allowedCodecs(d, plan.codecs).map((c) => String(c.pt));
      if (formats.length === 0) return rejectedLine(media);
    }
    keptPayloads = new Set(formats.map(Number));
  }
  const keepAttribute = (value: string): boolean => {
    if (isDroppedAttribute(value)) return false;
    if (!rtp || !PAYLOAD_ATTRIBUTES.has(attributeName(value).toLowerCase())) return true;
    const pt = attributePayloadType(value);
    return pt === '*' || (pt !== null && keptPayloads.has(pt));
  };

  const proto = rtp ? `RTP/${plan.crypto ? 'S' : ''}AVP${/AVPF$/i.test(d.proto) ? 'F' : ''}` : d.proto;
  const out = [`m=${d.type} ${plan.port} ${proto} ${formats.join(' ')}`];
  out.push(...media.lines.filter((l) => l.type === 'i').map((l) => `i=${l.value}`));
  // RFC 2543 hold: old phones signal hold by c=0.0.0.0 only; keep it so that the peer sees the hold.
  if (media.nullAddressHold) out.push('c=IN IP4 0.0.0.0');
  out.push(...media.lines.filter((l) => l.type === 'b').map((l) => `b=${l.value}`));
  out.push(...media.lines.filter((l) => l.type === 'a' && keepAttribute(l.value)).map((l) => `a=${l.value}`));
  out.push(...addedLines);
  if (rtp) {
    if (plan.rtcpMux) out.push(`a=rtcp:${plan.port}`, 'a=rtcp-mux');
    else if (plan.rtcpPort !== plan.port + 1) out.push(`a=rtcp:${plan.rtcpPort}`);
    if (plan.crypto) out.push(`a=crypto:${formatCrypto(plan.crypto)}`);
  }
  return out;
}
