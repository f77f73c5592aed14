// The SDP each leg of a call last agreed on, kept so that a session refresh
// (RFC 4028) is answered on its own leg: a re-INVITE or UPDATE whose offer is
// the one its peer already sent changes nothing, so it need not cross to the
// other leg, and the media relays are not touched. The answer is the SDP we
// last sent on that leg, byte for byte (its o= version unchanged, RFC 3264
// §8); a refresh we send ourselves as a re-INVITE carries that SDP too.
//
// It sits between the call and its CallMedia: every SDP that crosses goes
// through offer()/answer() here, and an offer counts only once answered (a
// re-offer the other leg refused leaves the agreed SDP as it was).
import type { CallMedia } from '../media/call-media.js';
import { type LegName, otherLeg } from './leg.js';

/** Rewrites the SDP about to be sent on `to` (e.g. a peer's required fmtp). */
export type OutgoingSdp = (to: LegName, sdp: string) => string;

interface Exchange {
  received: Record<LegName, string>;
  sent: Record<LegName, string>;
}

export class SdpLedger implements CallMedia {
  readonly #inner: CallMedia;
  readonly #outgoing: OutgoingSdp;
  readonly #agreed: Exchange = { received: { a: '', b: '' }, sent: { a: '', b: '' } };
  #pendingOffer: { from: LegName; received: string; sent: string } | null = null;

  constructor(inner: CallMedia, outgoing: OutgoingSdp = (_to, sdp) => sdp) {
    this.#inner = inner;
    this.#outgoing = outgoing;
  }

  async offer(from: LegName, sdp: string): Promise<string> {
    const to = otherLeg(from);
    const out = this.#outgoing(to, await this.#inner.offer(from, sdp));
    this.#pendingOffer = { from, received: sdp, sent: out };
    return out;
  }

  async answer(from: LegName, sdp: string): Promise<string> {
    const to = otherLeg(from);
    const out = this.#outgoing(to, await this.#inner.answer(from, sdp));
    const offer = this.#pendingOffer;
    if (offer && offer.from === to) {
      this.#agreed.received[to] = offer.received;
      this.#agreed.sent[from] = offer.sent;
    }
    this.#agreed.received[from] = sdp;
    this.#agreed.sent[to] = out;
    return out;
  }

  close(): void {
    this.#inner.close();
  }

  stats(): Promise<unknown[]> {
    return this.#inner.stats();
  }

  /** The SDP we last sent on `leg` in an agreed exchange ("" before any). */
  lastSent(leg: LegName): string {
    return this.#agreed.sent[leg];
  }

  /**
   * True when `sdp` from the peer of `leg` is the description it already
   * agreed to: the same lines, o= version included, line endings aside.
   * RFC 3264 §8 keeps the version for an unchanged session, so a raised
   * version is a new offer (a peer moving its media may change nothing else)
   * and crosses, as it always did.
   */
  isUnchanged(leg: LegName, sdp: string): boolean {
    const before = this.#agreed.received[leg];
    if (before === '' || this.#agreed.sent[leg] === '') return false;
    return sameSession(before, sdp);
  }
}

function sessionLines(sdp: string): string[] {
  return sdp
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l !== '');
}

export function sameSession(x: string, y: string): boolean {
  const a = sessionLines(x);
  const b = sessionLines(y);
  return a.length === b.length && a.every((l, i) => l === b[i]);
}
