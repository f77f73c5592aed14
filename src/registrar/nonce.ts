// Our own digest nonces (RFC 7616 §3.3 leaves their form to the server):
// issue time + random bytes, signed with a per-process key, so a nonce is
// checked without keeping state and no client can make one up or stretch
// its life. A nonce older than the lifetime is stale: the client is
// challenged again with stale=true (its password was right, RFC 7616 §3.3).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const NONCE_LIFETIME_S = 300;

const MAC_BYTES = 16;

export type NonceState = 'fresh' | 'stale' | 'invalid';

export class NonceIssuer {
  private readonly key: Buffer;

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly lifetimeS = NONCE_LIFETIME_S,
    key?: Buffer,
  ) {
    this.key = key ?? randomBytes(32);
  }

  issue(): string {
    const body = Buffer.alloc(16);
    body.writeBigUInt64BE(BigInt(Math.floor(this.clock())), 0);
    randomBytes(8).copy(body, 8);
    return Buffer.concat([body, this.mac(body)]).toString('base64url');
  }

  check(nonce: string): NonceState {
    if (nonce.length > 64) return 'invalid';
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== 16 + MAC_BYTES) return 'invalid';
    const body = raw.subarray(0, 16);
    if (!timingSafeEqual(raw.subarray(16), this.mac(body))) return 'invalid';
    const issued = Number(body.readBigUInt64BE(0));
    const age = this.clock() - issued;
    if (age < 0) return 'invalid';
    return age > this.lifetimeS * 1000 ? 'stale' : 'fresh';
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, MAC_BYTES);
  }
}
