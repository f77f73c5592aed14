// Checks a PBX's digest response: the expected response is computed by the
// trunks' client code (answerChallenge, src/trunks/digest.ts) from the
// fields the PBX sent and the password we hold, so the digest math lives in
// one place. Only what we offer is accepted: SHA-256 or MD5, qop=auth.
import { timingSafeEqual } from 'node:crypto';
import { answerChallenge, type DigestAlgorithm } from '../trunks/digest.js';
import type { DigestCredentialsSent } from './credentials.js';

// The order of our challenges. MD5 first: many PBXs and tools answer the
// first challenge whatever it is and know only MD5 (sipsak, older phones
// and SIPp fail with SHA-256 first), while clients that choose by strength
// (RFC 7616 §3.7; our own trunk code, src/trunks/digest.ts pickChallenge)
// still answer SHA-256.
export const OFFERED_ALGORITHMS = ['MD5', 'SHA-256'] as const satisfies readonly DigestAlgorithm[];

export type Verdict = { ok: true } | { ok: false; why: string };

export function verifyResponse(cred: DigestCredentialsSent, password: string, realm: string, method: string): Verdict {
  const algorithm = OFFERED_ALGORITHMS.find((a) => a === cred.algorithm);
  if (!algorithm) return { ok: false, why: `algorithm ${cred.algorithm.slice(0, 20)} not offered` };
  if (cred.realm !== realm) return { ok: false, why: 'wrong realm' };
  if (cred.qop !== 'auth') return { ok: false, why: 'qop=auth required' };
  if (!/^[0-9a-fA-F]{8}$/.test(cred.nc) || cred.cnonce === '') return { ok: false, why: 'nc or cnonce missing' };
  const expected = answerChallenge(
    { realm, nonce: cred.nonce, algorithm, qop: ['auth'], stale: false, userhash: false, proxy: false },
    { username: cred.username, password },
    { method, uri: cred.uri },
    { nc: parseInt(cred.nc, 16), cnonce: cred.cnonce },
  ).response;
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(cred.response, 'latin1');
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, why: 'wrong response (password)' };
  return { ok: true };
}
