// The two legs of a B2BUA call. `a` is the leg the call arrived on (we are
// its UAS), `b` the one we originated (we are its UAC).
export type LegName = 'a' | 'b';

export function otherLeg(leg: LegName): LegName {
  return leg === 'a' ? 'b' : 'a';
}
