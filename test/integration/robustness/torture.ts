// RFC 4475 torture messages, read in place from the shared test data, and
// what the SBC must do with each one. The SBC is a B2BUA: toward the PBX it is
// a UAS, so the expectations are those of RFC 4475 for a UAS, sharpened to what
// EdgeSBC specifically answers (it is not a registrar, it answers OPTIONS
// itself, a valid INVITE is routed to the trunk and the trunk's final status
// comes back).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STANDIN_INVITE_STATUS } from './trunk-standin.js';
import { hdr, hdrs, type Parsed } from './wire.js';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'binding.gyp'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root not found');
    dir = parent;
  }
}

/** The shared corpus, used in place (never copied into the repo). */
export const TORTURE_DIR = process.env.EDGESBC_RFC4475_DIR ?? resolve(repoRoot(), '../shared/testdata/rfc4475');

export interface ManifestEntry {
  name: string;
  section: string;
  valid: boolean;
  kind: 'request' | 'response';
  expected: string;
}

export function loadManifest(): ManifestEntry[] {
  const text = readFileSync(join(TORTURE_DIR, 'MANIFEST.tsv'), 'utf8');
  const out: ManifestEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [name = '', section = '', cls = '', kind = '', expected = ''] = line.split('\t');
    out.push({ name, section, valid: cls === 'valid', kind: kind === 'response' ? 'response' : 'request', expected });
  }
  return out;
}

export function loadMessage(name: string): Buffer {
  return readFileSync(join(TORTURE_DIR, `${name}.dat`));
}

export interface Spec {
  /** Acceptable final statuses; empty = nothing at all may come back. */
  codes: number[];
  /** Silence (or, on a stream, the SBC closing the connection) is acceptable too. */
  mayDrop?: boolean;
  /** Only responses with this CSeq method count (a stream carrying two requests). */
  cseqMethod?: string;
  /** Don't check what reached the trunk (the second request of dblreq on a stream). */
  anyForwarding?: boolean;
  /** More assertions on the final response; returns a failure text. */
  check?: (m: Parsed) => string | undefined;
  /** Overrides on TCP/TLS, where framing changes the meaning of some messages. */
  stream?: Partial<Spec>;
}

// Not a registrar (PBXs are configured statically): REGISTER is a method it
// knows but does not serve → 405 with Allow (RFC 3261 8.2.1); 403/501 are
// tolerated forms of the same refusal.
const REGISTER = [403, 405, 501];
// An unknown method: 501 (RFC 3261 21.5.2), 405 tolerated.
const UNKNOWN_METHOD = [405, 501];
const INVITE_RELAYED = [STANDIN_INVITE_STATUS];

function headerContains(name: string, ...needles: string[]): (m: Parsed) => string | undefined {
  return (m) => {
    const v = hdrs(m, name).join(',');
    if (!v) return `${m.status} has no ${name} header`;
    for (const n of needles) if (!v.toLowerCase().includes(n.toLowerCase())) return `${name}: "${v}" does not name ${n}`;
    return undefined;
  };
}

function allowOn405(m: Parsed): string | undefined {
  return m.status === 405 && hdr(m, 'allow') === undefined ? '405 without Allow (RFC 3261 8.2.1)' : undefined;
}

export const SPECS: Record<string, Spec> = {
  // 3.1.1 valid messages
  // wsinv carries a To tag: an in-dialog request for a dialog that does not
  // exist → 481 (RFC 3261 12.2.2), and nothing goes to the trunk.
  wsinv: { codes: [481] },
  intmeth: { codes: UNKNOWN_METHOD },
  esc01: { codes: INVITE_RELAYED },
  escnull: { codes: REGISTER, check: allowOn405 },
  esc02: { codes: UNKNOWN_METHOD },
  lwsdisp: { codes: [200] },
  longreq: { codes: INVITE_RELAYED },
  // UDP: the REGISTER is handled, the trailing INVITE ignored (never reaches
  // the trunk). On a stream the trailing bytes are a second request whose
  // body is 5 bytes longer than its Content-Length: those 5 bytes break the
  // framing, so closing the connection (which may lose the answers still
  // being made) is acceptable there.
  dblreq: { codes: REGISTER, check: allowOn405, stream: { cseqMethod: 'REGISTER', anyForwarding: true, mayDrop: true } },
  semiuri: { codes: [200] },
  transports: { codes: [200] },
  // MESSAGE outside a dialog: refused, or relayed to the trunk (stand-in says 200).
  mpart01: { codes: [200, 202, 403, 405, 415, 501] },
  unreason: { codes: [] },
  noreason: { codes: [] },
  // 3.1.2 invalid messages
  badinv01: { codes: [400], mayDrop: true },
  // Content-Length beyond the datagram: 400 or discard. On a stream the SBC
  // must wait for the missing bytes: nothing may come back (closing is fine).
  clerr: { codes: [400], mayDrop: true, stream: { codes: [] } },
  ncl: { codes: [400], mayDrop: true },
  scalar02: { codes: [400] },
  scalarlg: { codes: [] },
  quotbal: { codes: [400] },
  ltgtruri: { codes: [400] },
  lwsruri: { codes: [400] },
  lwsstart: { codes: [400, ...INVITE_RELAYED] },
  trws: { codes: [400, 200] },
  escruri: { codes: [400, ...INVITE_RELAYED] },
  baddate: { codes: [400, ...INVITE_RELAYED] },
  regbadct: { codes: [400, ...REGISTER] },
  badaspec: { codes: [400] },
  baddn: { codes: [400] },
  badvers: { codes: [505] },
  mismatch01: { codes: [400] },
  mismatch02: { codes: [400, 501] },
  bigcode: { codes: [] },
  // 3.2 transaction layer
  badbranch: { codes: [200] },
  // 3.3 application layer
  insuf: { codes: [400] },
  unkscm: { codes: [416] },
  novelsc: { codes: [416] },
  unksm2: { codes: [400, 416, ...REGISTER] },
  bext01: { codes: [420], check: headerContains('unsupported', 'nothingSupportsThis', 'nothingSupportsThisEither') },
  invut: { codes: [415], check: headerContains('accept', 'application/sdp') },
  regaut01: { codes: [401, ...REGISTER] },
  multi01: { codes: [400] },
  // Two Content-Length values: on a stream the framing is lost, so closing
  // the connection without an answer is acceptable there.
  mcl01: { codes: [400], stream: { mayDrop: true } },
  bcast: { codes: [] },
  // The SBC answers OPTIONS itself, as a UAS: Max-Forwards 0 does not apply.
  zeromf: { codes: [200] },
  cparam01: { codes: REGISTER, check: allowOn405 },
  cparam02: { codes: REGISTER, check: allowOn405 },
  regescrt: { codes: REGISTER, check: allowOn405 },
  sdp01: { codes: [406] },
  // 3.4 backward compatibility. No Content-Length: fine on UDP; on a stream
  // the body then reads as garbage, so 400 or a closed connection is fine too.
  inv2543: { codes: INVITE_RELAYED, stream: { codes: [400, ...INVITE_RELAYED], mayDrop: true } },
};

export function specFor(name: string, stream: boolean): Spec {
  const base = SPECS[name];
  if (!base) throw new Error(`no expectation written for torture message ${name}`);
  return stream && base.stream ? { ...base, ...base.stream } : base;
}

/**
 * Rewrites the sent-protocol transport and the sent-by of the FIRST Via value,
 * leaving every other byte (odd LWS, folding, parameters) as it was.
 */
export function rewriteTopVia(msg: Buffer, transport: string, sentBy: string | undefined): Buffer {
  const text = msg.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd < 0 ? text : text.slice(0, headEnd);
  const via = /(?:^|\r\n)(?:via|v)[ \t]*:/i.exec(head);
  if (!via) return msg;
  const from = via.index + via[0].length;
  const re = /(SIP[ \t\r\n]*\/[ \t\r\n]*[0-9.]+[ \t\r\n]*\/[ \t\r\n]*)([A-Za-z0-9.!%*_+`'~-]+)([ \t\r\n]+)([^ \t\r\n;,]+)/y;
  // Skip the LWS right after the colon, then expect the sent-protocol.
  let at = from;
  while (at < head.length && /[ \t\r\n]/.test(head[at]!)) at++;
  re.lastIndex = at;
  const m = re.exec(head);
  if (!m) return msg;
  const replaced = m[1]! + transport + m[3]! + (sentBy ?? m[4]!);
  return Buffer.from(text.slice(0, at) + replaced + text.slice(at + m[0].length), 'latin1');
}

/** The Request-URI as written on the request line (for the ACK). */
export function requestUri(msg: Buffer): string | undefined {
  const line = msg.subarray(0, Math.max(0, msg.indexOf('\r\n'))).toString('latin1');
  return /^\S+\s+(\S+)/.exec(line)?.[1];
}

/**
 * The ACK for a non-2xx final response to an INVITE (RFC 3261 17.1.1.3), made
 * from the response itself: its top Via is our request's, its To has the tag.
 * Undefined when the response lacks what an ACK needs (e.g. a 400 to insuf).
 */
export function ackFor(resp: Parsed, ruri: string): string | undefined {
  const via = hdrs(resp, 'via')[0];
  const from = hdr(resp, 'from');
  const to = hdr(resp, 'to');
  const callId = hdr(resp, 'call-id');
  const cseqNum = (hdr(resp, 'cseq') ?? '').trim().split(/\s+/)[0];
  if (!via || !from || !to || !callId || !cseqNum) return undefined;
  return (
    `ACK ${ruri} SIP/2.0\r\nVia: ${via.split(',')[0]}\r\nMax-Forwards: 70\r\nFrom: ${from}\r\nTo: ${to}\r\n` +
    `Call-ID: ${callId}\r\nCSeq: ${cseqNum} ACK\r\nContent-Length: 0\r\n\r\n`
  );
}
