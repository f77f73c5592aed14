// The o= line of everything we send on one leg. RFC 3264 §8: the session id
// stays for the whole session, and the version goes up by one exactly when
// the description changes; an identical re-send (a session refresh) keeps it.
import { randomBytes, randomInt } from 'node:crypto';

export const ORIGIN_USERNAME = 'EdgeSBC';

/** "IP6" for an address with a colon, else "IP4". */
export function addressType(address: string): 'IP4' | 'IP6' {
  return address.includes(':') ? 'IP6' : 'IP4';
}

export class SdpOrigin {
  readonly username = ORIGIN_USERNAME;
  /** Decimal, random per instance, never 0. */
  readonly sessionId: string;
  readonly address: string;
  private currentVersion: number;
  private lastSent: string | null = null;

  constructor(address: string) {
    this.address = address;
    // 48 random bits: unique enough per leg, exact as a JS number.
    this.sessionId = String(randomBytes(6).readUIntBE(0, 6) || 1);
    // Not always the same first version, so that a peer that mixes up two of
    // our sessions does not see matching versions.
    this.currentVersion = randomInt(1, 1000);
  }

  /** The version of the last description stamped (the first one's if none yet). */
  get version(): number {
    return this.currentVersion;
  }

  /**
   * The o= line (without "o=") for a description we are about to send.
   * `body` is the rest of that description; when it (or `address`) differs
   * from what was last stamped, the version goes up by one.
   */
  stamp(body: string, address: string = this.address): string {
    const sent = `${address}\n${body}`;
    if (this.lastSent !== null && this.lastSent !== sent) this.currentVersion++;
    this.lastSent = sent;
    return `${this.username} ${this.sessionId} ${this.currentVersion} IN ${addressType(address)} ${address}`;
  }
}
