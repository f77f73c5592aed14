// SDES keying (RFC 4568): the value of an a=crypto attribute.
//
//   a=crypto:<tag> <crypto-suite> inline:<key||salt base64>[|<lifetime>][|<MKI>:<length>] [<session params>]
//
// Only the two suites the media engine implements are kept; a line with any
// other suite, or one that is malformed, gives null so that the caller can
// skip it and keep the others.
import { randomBytes } from 'node:crypto';

export type SrtpSuite = 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32';

export const SRTP_SUITES: readonly SrtpSuite[] = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'];

/** Master key (16 bytes) followed by master salt (14 bytes), as both suites use. */
export const SDES_KEY_LENGTH = 30;

export interface SdesCrypto {
  tag: number;
  suite: SrtpSuite;
  /** 30 bytes: master key then master salt. */
  key: Buffer;
  /** As written: "2^31" or a decimal count of packets. */
  lifetime?: string;
  /** As written: "<value>:<byte length>". */
  mki?: string;
  /** Session parameters after the key ("KDR=0", "UNENCRYPTED_SRTCP", ...), as written. */
  sessionParams?: string[];
}

const TAG = /^\d{1,9}$/;
const KEY_BASE64 = /^[A-Za-z0-9+/]{40}$/; // 30 bytes encode to exactly 40 characters, no padding
const LIFETIME = /^(?:2\^\d{1,2}|\d{1,20})$/;
const MKI = /^(\d{1,20}):(\d{1,3})$/;

function asSuite(name: string): SrtpSuite | null {
  const upper = name.toUpperCase();
  return SRTP_SUITES.find((s) => s === upper) ?? null;
}

/**
 * Parses the value of one a=crypto attribute ("1 AES_CM_128_HMAC_SHA1_80 inline:…|2^20|1:4").
 * A leading "a=crypto:" or "crypto:" is accepted. Returns null for a suite we do not
 * support and for a malformed line; never throws.
 */
export function parseCrypto(value: string): SdesCrypto | null {
  if (typeof value !== 'string' || value.length > 4096) return null;
  const text = value.trim().replace(/^(?:a=)?crypto:/i, '');
  const fields = text.split(/[ \t]+/);
  const [tagText, suiteText, keyParams, ...sessionParams] = fields;
  if (tagText === undefined || suiteText === undefined || keyParams === undefined) return null;
  if (!TAG.test(tagText)) return null;
  const suite = asSuite(suiteText);
  if (!suite) return null;

  // Several key-params (";"-separated) are only usable with an MKI; the first
  // one is the key the peer starts with.
  const firstKey = keyParams.split(';')[0] ?? '';
  const method = firstKey.slice(0, 7);
  if (method.toLowerCase() !== 'inline:') return null;
  const [keyText, ...extras] = firstKey.slice(7).split('|');
  if (keyText === undefined || !KEY_BASE64.test(keyText)) return null;
  const key = Buffer.from(keyText, 'base64');
  if (key.length !== SDES_KEY_LENGTH) return null;

  const crypto: SdesCrypto = { tag: Number(tagText), suite, key };
  if (extras.length > 2) return null;
  for (const extra of extras) {
    const mki = MKI.exec(extra);
    if (mki) {
      if (crypto.mki !== undefined) return null;
      const length = Number(mki[2]);
      if (length < 1 || length > 128) return null;
      crypto.mki = extra;
    } else if (LIFETIME.test(extra) && crypto.lifetime === undefined && crypto.mki === undefined) {
      crypto.lifetime = extra;
    } else {
      return null;
    }
  }
  const params = sessionParams.filter((p) => p !== '');
  if (params.length > 0) crypto.sessionParams = params;
  return crypto;
}

/** The a=crypto value for `c` (without "a=crypto:"). */
export function formatCrypto(c: SdesCrypto): string {
  if (!Number.isInteger(c.tag) || c.tag < 0 || c.tag > 999_999_999) {
    throw new RangeError(`SDES tag ${String(c.tag)} is not an integer from 0 to 999999999`);
  }
  if (!asSuite(c.suite)) throw new RangeError(`SDES suite ${String(c.suite)} is not supported`);
  if (!Buffer.isBuffer(c.key) || c.key.length !== SDES_KEY_LENGTH) {
    throw new RangeError(`SDES key must be ${SDES_KEY_LENGTH} bytes (master key + salt)`);
  }
  let keyParams = `inline:${c.key.toString('base64')}`;
  if (c.lifetime !== undefined) keyParams += `|${c.lifetime}`;
  if (c.mki !== undefined) keyParams += `|${c.mki}`;
  const params = c.sessionParams?.length ? ` ${c.sessionParams.join(' ')}` : '';
  return `${c.tag} ${c.suite} ${keyParams}${params}`;
}

/** A fresh key for what we send; the tag should be the tag of the offer line we answer. */
export function newCrypto(suite: SrtpSuite, tag: number): SdesCrypto {
  if (!asSuite(suite)) throw new RangeError(`SDES suite ${String(suite)} is not supported`);
  return { tag, suite, key: randomBytes(SDES_KEY_LENGTH) };
}

// Session parameters that do not change how packets are protected: a key
// derivation rate of 0 (the default) and a replay window size hint.
const HARMLESS_SESSION_PARAM = /^(?:KDR=0|WSH=\d+)$/i;

/**
 * The first offered line the media engine can use, in offer order (so 80 wins
 * over 32 only when offered first). Lines with an MKI (the engine does not
 * parse MKI fields in packets) or with session parameters that change the
 * protection (UNENCRYPTED_SRTP, a KDR other than 0, FEC_ORDER, ...) are passed over.
 */
export function chooseCrypto(offered: SdesCrypto[]): SdesCrypto | null {
  for (const c of offered) {
    if (!asSuite(c.suite) || c.key.length !== SDES_KEY_LENGTH) continue;
    if (c.mki !== undefined) continue;
    if (c.sessionParams?.some((p) => !HARMLESS_SESSION_PARAM.test(p))) continue;
    return c;
  }
  return null;
}
