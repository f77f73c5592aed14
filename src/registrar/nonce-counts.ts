// Replay guard for our nonces (RFC 7616 §3.4 nc): the highest nonce count
// seen with each nonce. A request whose nc is not above it is a replay (or
// a retransmission of an answered REGISTER): it is challenged again, never
// accepted. Entries go with their nonce's lifetime; the table is bounded.
export const MAX_TRACKED_NONCES = 20_000;

export class NonceCounts {
  private readonly seen = new Map<string, { nc: number; until: number }>();

  constructor(
    private readonly lifetimeMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  // true (and remembered) when nc is new for this nonce.
  accept(nonce: string, nc: number): boolean {
    const now = this.clock();
    const prev = this.seen.get(nonce);
    if (prev && prev.until > now && nc <= prev.nc) return false;
    this.seen.delete(nonce); // re-inserted last: the map stays in expiry order
    this.seen.set(nonce, { nc, until: now + this.lifetimeMs });
    for (const [k, v] of this.seen) {
      if (this.seen.size <= MAX_TRACKED_NONCES && v.until > now) break;
      this.seen.delete(k);
    }
    return true;
  }
}
