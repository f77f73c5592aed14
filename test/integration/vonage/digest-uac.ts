// A minimal digest client for the stand-in's own self-test: what SIPp 3.6
// cannot do (SHA-256, RFC 8760; reusing a nonce with a chosen nc). Written
// from RFC 2617 / RFC 8760, for tests only; the SBC has its own.
import { createHash, randomBytes } from 'node:crypto';

/** The parameters of a Digest challenge header value. */
export function parseChallenge(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  const body = value.replace(/^\s*Digest\s+/i, '');
  for (const m of body.matchAll(/([A-Za-z0-9_-]+)\s*=\s*(?:"([^"]*)"|([^,\s]+))/g)) {
    out[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  }
  return out;
}

export interface DigestInput {
  algorithm: 'MD5' | 'SHA-256';
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  /** With qop=auth: nc as a number (formatted as 8 hex digits) and a cnonce. */
  qop?: 'auth';
  nc?: number;
  cnonce?: string;
}

function h(alg: DigestInput['algorithm'], s: string): string {
  return createHash(alg === 'SHA-256' ? 'sha256' : 'md5').update(s).digest('hex');
}

/** The credentials header value (Authorization or Proxy-Authorization). */
export function digestCredentials(d: DigestInput): string {
  const ha1 = h(d.algorithm, `${d.username}:${d.realm}:${d.password}`);
  const ha2 = h(d.algorithm, `${d.method}:${d.uri}`);
  const nc = (d.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = d.cnonce ?? randomBytes(8).toString('hex');
  const response = d.qop
    ? h(d.algorithm, `${ha1}:${d.nonce}:${nc}:${cnonce}:${d.qop}:${ha2}`)
    : h(d.algorithm, `${ha1}:${d.nonce}:${ha2}`);
  const parts = [
    `username="${d.username}"`, `realm="${d.realm}"`, `nonce="${d.nonce}"`, `uri="${d.uri}"`,
    `response="${response}"`, `algorithm=${d.algorithm}`,
  ];
  if (d.qop) parts.push(`qop=${d.qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  return `Digest ${parts.join(', ')}`;
}

export interface RequestText {
  method: string;
  uri: string;
  local: { ip: string; port: number };
  fromUser: string;
  toUser: string;
  host: string;
  callId: string;
  cseq: number;
  extraHeaders?: string[];
}

/** A complete UDP request with an empty body. */
export function requestText(r: RequestText): string {
  const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
  return [
    `${r.method} ${r.uri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${r.local.ip}:${r.local.port};branch=${branch};rport`,
    `From: <sip:${r.fromUser}@${r.host}>;tag=${r.callId.slice(0, 8)}`,
    `To: <sip:${r.toUser}@${r.host}>`,
    `Call-ID: ${r.callId}`,
    `CSeq: ${r.cseq} ${r.method}`,
    `Contact: <sip:${r.fromUser}@${r.local.ip}:${r.local.port}>`,
    'Max-Forwards: 70',
    ...(r.extraHeaders ?? []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
