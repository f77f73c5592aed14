// The Authorization header a registering PBX sends (RFC 3261 §22.4, RFC
// 7616 §3.4), parsed with the same tokenizer that reads the trunks'
// challenges (src/trunks/digest.ts). Pure; never throws on network text.
import { tokenizeChallenges } from '../trunks/digest.js';

export interface DigestCredentialsSent {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm: string; // as sent, upper-cased; "MD5" when absent
  qop: string; // "" when absent
  nc: string;
  cnonce: string;
  opaque: string;
}

const REQUIRED = ['username', 'realm', 'nonce', 'uri', 'response'] as const;

// The first Digest credentials in the header values; null when there are
// none or one of the required fields is missing.
export function parseCredentials(values: readonly string[]): DigestCredentialsSent | null {
  for (const value of values) {
    if (value.length > 4096) continue;
    for (const { scheme, params } of tokenizeChallenges(value)) {
      if (scheme.toLowerCase() !== 'digest') continue;
      if (REQUIRED.some((k) => (params.get(k) ?? '') === '')) continue;
      return {
        username: params.get('username')!,
        realm: params.get('realm')!,
        nonce: params.get('nonce')!,
        uri: params.get('uri')!,
        response: params.get('response')!.toLowerCase(),
        algorithm: (params.get('algorithm') || 'MD5').toUpperCase(),
        qop: (params.get('qop') ?? '').toLowerCase(),
        nc: params.get('nc') ?? '',
        cnonce: params.get('cnonce') ?? '',
        opaque: params.get('opaque') ?? '',
      };
    }
  }
  return null;
}
