// Raw SIP for the registrar tests: a REGISTER (with or without digest
// credentials, computed by the trunks' client code), an INVITE, a response
// to a received request, and reading a datagram's status and headers.
import { answerChallenge, parseChallenges, type DigestAlgorithm } from '../../../src/trunks/digest.js';

export interface Addr {
  ip: string;
  port: number;
}

let seq = 0;
const tag = () => `${process.pid}-${++seq}`;

export function register(from: Addr, to: Addr, user: string, opts: { cseq: number; callId: string; authorization?: string; expires?: number }): Buffer {
  return sip([
    `REGISTER sip:${to.ip} SIP/2.0`,
    `Via: SIP/2.0/UDP ${from.ip}:${from.port};branch=z9hG4bK-reg-${tag()}`,
    'Max-Forwards: 70',
    `From: <sip:${user}@${to.ip}>;tag=r${opts.callId.length}`,
    `To: <sip:${user}@${to.ip}>`,
    `Call-ID: ${opts.callId}`,
    `CSeq: ${opts.cseq} REGISTER`,
    `Contact: <sip:${user}@${from.ip}:${from.port}>`,
    `Expires: ${opts.expires ?? 600}`,
    ...(opts.authorization ? [`Authorization: ${opts.authorization}`] : []),
  ]);
}

export function invite(from: Addr, to: Addr, callee: string, caller: string): { packet: Buffer; callId: string } {
  const callId = `inv-${tag()}@${from.ip}`;
  const sdp = ['v=0', `o=- 1 1 IN IP4 ${from.ip}`, 's=-', `c=IN IP4 ${from.ip}`, 't=0 0', 'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');
  const packet = sip(
    [
      `INVITE sip:${callee}@${to.ip}:${to.port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${from.ip}:${from.port};branch=z9hG4bK-inv-${tag()}`,
      'Max-Forwards: 70',
      `From: <sip:${caller}@${from.ip}>;tag=i${tag()}`,
      `To: <sip:${callee}@${to.ip}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:${caller}@${from.ip}:${from.port}>`,
      'Content-Type: application/sdp',
    ],
    sdp,
  );
  return { packet, callId };
}

// A final response to a received request (Via, From, To, Call-ID, CSeq copied).
export function respondTo(request: string, status: number, reason: string): Buffer {
  const keep = request.split('\r\n').filter((l) => /^(via|from|call-id|cseq|to):/i.test(l));
  return sip([`SIP/2.0 ${status} ${reason}`, ...keep.map((l) => (/^to:/i.test(l) && !/;tag=/.test(l) ? `${l};tag=t${tag()}` : l))]);
}

function sip(lines: string[], body = ''): Buffer {
  return Buffer.from([...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'));
}

export function statusOf(text: string): number {
  const m = /^SIP\/2\.0 (\d{3})/.exec(text);
  return m ? Number(m[1]) : 0;
}

export function headerValues(text: string, name: string): string[] {
  const head = text.split('\r\n\r\n')[0] ?? '';
  return head
    .split('\r\n')
    .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((l) => l.slice(name.length + 1).trim());
}

// Authorization answering a 401's challenge for `algorithm`.
export function authorize(challenge401: string, user: string, password: string, uri: string, algorithm: DigestAlgorithm = 'SHA-256'): string {
  const chs = headerValues(challenge401, 'WWW-Authenticate').flatMap((v) => parseChallenges(v, false));
  const ch = chs.find((c) => c.algorithm === algorithm);
  if (!ch) throw new Error(`no ${algorithm} challenge in:\n${challenge401}`);
  return answerChallenge(ch, { username: user, password }, { method: 'REGISTER', uri }, { nc: 1 }).value;
}
