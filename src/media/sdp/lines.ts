// Splits an SDP body into its session section and its media sections, line by
// line, without interpreting values. Everything else in this folder works on
// this split so that a rewrite keeps the lines it does not understand.
import { SdpError } from './errors.js';

export interface SdpLine {
  /** The letter before '=' ("v", "o", "m", "a", ...). */
  type: string;
  /** Everything after '=', trailing blanks removed. */
  value: string;
  /** 1-based line number in the source, for error messages. */
  lineNo: number;
}

export interface SdpSections {
  /** Lines before the first m= (starting with v=). */
  session: SdpLine[];
  /** One array per m= line; each starts with that m= line. */
  media: SdpLine[][];
}

// A SIP message over UDP cannot exceed 64 KiB; an SDP larger than that is not
// something a phone or trunk sends, and refusing it bounds the work per call.
export const MAX_SDP_LENGTH = 65535;

const LINE = /^([a-z])=(.*)$/s;

export function splitSdp(text: string): SdpSections {
  if (typeof text !== 'string') throw new SdpError('SDP is not a string');
  if (text.length > MAX_SDP_LENGTH) throw new SdpError(`SDP is longer than ${MAX_SDP_LENGTH} characters`);
  if (text.includes('\0')) throw new SdpError('SDP contains a NUL character');

  const session: SdpLine[] = [];
  const media: SdpLine[][] = [];
  let current = session;
  const raw = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < raw.length; i++) {
    const line = (raw[i] ?? '').replace(/[ \t]+$/, '');
    if (line === '') continue; // blank lines (and the final CRLF) carry nothing
    const match = LINE.exec(line);
    if (!match) throw new SdpError(`SDP line ${i + 1} is not of the form <letter>=<value>`);
    const sdpLine: SdpLine = { type: match[1] ?? '', value: match[2] ?? '', lineNo: i + 1 };
    if (session.length === 0) {
      if (sdpLine.type !== 'v') throw new SdpError('SDP does not start with a v= line');
      if (sdpLine.value.trim() !== '0') throw new SdpError('SDP version (v=) is not 0');
    }
    if (sdpLine.type === 'm') {
      current = [];
      media.push(current);
    }
    current.push(sdpLine);
  }
  if (session.length === 0) throw new SdpError('SDP is empty');
  if (media.length === 0) throw new SdpError('SDP has no m= line');
  return { session, media };
}

/** The attribute name of an a= line value: "rtpmap:0 PCMU/8000" -> "rtpmap". */
export function attributeName(value: string): string {
  const colon = value.indexOf(':');
  return colon < 0 ? value.trim() : value.slice(0, colon).trim();
}

/** The text after "name:" of an a= line value ("" when there is none). */
export function attributeValue(value: string): string {
  const colon = value.indexOf(':');
  return colon < 0 ? '' : value.slice(colon + 1);
}
