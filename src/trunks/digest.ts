// HTTP Digest as SIP uses it (RFC 3261 §22 over RFC 2617; RFC 7616's
// algorithms as RFC 8760 brings them to SIP): parsing a challenge and
// computing the credentials that answer it. Pure functions; the state
// (which nonce, which nc, when to give up) is digest-session.ts.
import { createHash, randomBytes } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';

const HASH: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };
// Stronger first (RFC 7616 §3.7: a client uses the first challenge it supports, servers list the
// preferred first; RFC 8760 §2.4: a UAC prefers SHA-256 to MD5 when offered both).
const STRENGTH: readonly string[] = ['SHA-512-256', 'SHA-256', 'MD5'];

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm: DigestAlgorithm;
  /** Offered qop values ("auth", "auth-int"); empty = RFC 2069 style, no qop. */
  qop: string[];
  stale: boolean;
  userhash: boolean;
  /** 401 → WWW-Authenticate / Authorization; 407 → Proxy-Authenticate / Proxy-Authorization. */
  proxy: boolean;
}

export interface DigestCredentials {
  username: string;
  password: string;
}

export interface DigestRequest {
  method: string;
  /** The Request-URI exactly as sent (the digest-uri, RFC 3261 §22.4). */
  uri: string;
  /** Message body, for qop=auth-int. */
  body?: string;
}

// One pass over a WWW-/Proxy-Authenticate value (RFC 7235 §2.1, §4.1):
// scheme, then name=value pairs (token or quoted-string) until the next
// scheme. A value may hold several challenges.
export function tokenizeChallenges(text: string): { scheme: string; params: Map<string, string> }[] {
  const out: { scheme: string; params: Map<string, string> }[] = [];
  const token = /[A-Za-z0-9!#$%&'*+.^_`|~-]+/y;
  const space = /[\s,]*/y;
  const param = /\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*/y;
  let pos = 0;
  while (pos < text.length) {
    space.lastIndex = pos;
    space.exec(text);
    pos = space.lastIndex;
    token.lastIndex = pos;
    const scheme = token.exec(text);
    if (!scheme) break;
    pos = token.lastIndex;
    const params = new Map<string, string>();
    for (;;) {
      param.lastIndex = pos;
      const m = param.exec(text);
      if (!m) break;
      params.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? ''));
      pos = param.lastIndex;
      if (text[pos] !== ',') break;
      pos += 1;
    }
    out.push({ scheme: scheme[0], params });
  }
  return out;
}

function normaliseAlgorithm(a: string | undefined): DigestAlgorithm | undefined {
  if (a === undefined || a === '') return 'MD5';
  const up = a.toUpperCase();
  const sess = up.endsWith('-SESS');
  const base = sess ? up.slice(0, -5) : up;
  if (!(base in HASH)) return undefined;
  return `${base}${sess ? '-sess' : ''}` as DigestAlgorithm;
}

/**
 * The Digest challenges in one WWW-/Proxy-Authenticate header value (a
 * value may hold several, RFC 7235 §4.1); non-Digest schemes and
 * challenges without realm/nonce or with an algorithm we do not know are
 * skipped.
 */
export function parseChallenges(value: string, proxy: boolean): DigestChallenge[] {
  const out: DigestChallenge[] = [];
  for (const { scheme, params: p } of tokenizeChallenges(value)) {
    if (scheme.toLowerCase() !== 'digest') continue;
    const realm = p.get('realm');
    const nonce = p.get('nonce');
    const algorithm = normaliseAlgorithm(p.get('algorithm'));
    if (realm === undefined || nonce === undefined || nonce === '' || algorithm === undefined) continue;
    const qop = (p.get('qop') ?? '')
      .split(',')
      .map((q) => q.trim().toLowerCase())
      .filter((q) => q !== '');
    const opaque = p.get('opaque');
    out.push({
      realm,
      nonce,
      ...(opaque !== undefined ? { opaque } : {}),
      algorithm,
      qop,
      stale: (p.get('stale') ?? '').toLowerCase() === 'true',
      userhash: (p.get('userhash') ?? '').toLowerCase() === 'true',
      proxy,
    });
  }
  return out;
}

/** The challenge to answer: the strongest algorithm offered, with a qop we can do. */
export function pickChallenge(challenges: DigestChallenge[]): DigestChallenge | undefined {
  const usable = challenges.filter((c) => c.qop.length === 0 || c.qop.includes('auth') || c.qop.includes('auth-int'));
  const rank = (c: DigestChallenge): number => STRENGTH.indexOf(c.algorithm.replace(/-sess$/, ''));
  return [...usable].sort((a, b) => rank(a) - rank(b))[0];
}

function hashOf(algorithm: DigestAlgorithm): (s: string) => string {
  const name = HASH[algorithm.replace(/-sess$/, '')]!;
  return (s: string) => createHash(name).update(s, 'utf8').digest('hex');
}

/** A fresh client nonce from the CSPRNG (128 bits, hex). */
export function newCnonce(): string {
  return randomBytes(16).toString('hex');
}

export interface DigestAnswer {
  /** Header name: Authorization or Proxy-Authorization. */
  header: 'Authorization' | 'Proxy-Authorization';
  /** The header value. */
  value: string;
  /** The response hash alone (tests check it). */
  response: string;
}

export interface AnswerOptions {
  /** Nonce count (1 for a new nonce, +1 for each reuse). */
  nc: number;
  /** Defaults to newCnonce(). */
  cnonce?: string;
}

function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

/** RFC 2617 §3.2.2 / RFC 7616 §3.4: the credentials answering `ch` for `req`. */
export function answerChallenge(ch: DigestChallenge, creds: DigestCredentials, req: DigestRequest, opts: AnswerOptions): DigestAnswer {
  const H = hashOf(ch.algorithm);
  const qop = ch.qop.includes('auth') ? 'auth' : ch.qop.includes('auth-int') ? 'auth-int' : '';
  const cnonce = opts.cnonce ?? newCnonce();
  const nc = opts.nc.toString(16).padStart(8, '0');
  let ha1 = H(`${creds.username}:${ch.realm}:${creds.password}`);
  if (ch.algorithm.endsWith('-sess')) ha1 = H(`${ha1}:${ch.nonce}:${cnonce}`);
  const ha2 = qop === 'auth-int' ? H(`${req.method}:${req.uri}:${H(req.body ?? '')}`) : H(`${req.method}:${req.uri}`);
  const response = qop === '' ? H(`${ha1}:${ch.nonce}:${ha2}`) : H(`${ha1}:${ch.nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
  const username = ch.userhash ? H(`${creds.username}:${ch.realm}`) : creds.username;
  const parts = [
    `username=${quote(username)}`,
    `realm=${quote(ch.realm)}`,
    `nonce=${quote(ch.nonce)}`,
    `uri=${quote(req.uri)}`,
    `response=${quote(response)}`,
    `algorithm=${ch.algorithm}`,
  ];
  if (qop !== '') parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
  if (ch.opaque !== undefined) parts.push(`opaque=${quote(ch.opaque)}`);
  if (ch.userhash) parts.push('userhash=true');
  return { header: ch.proxy ? 'Proxy-Authorization' : 'Authorization', value: `Digest ${parts.join(', ')}`, response };
}
