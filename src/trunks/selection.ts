// The order in which a new call tries a trunk's endpoints (V-OUT-3: "load
// balance between the two closest endpoints and set the remaining ones as
// backup"):
//  - endpoints marked down by the health checks are left out, unless every
//    endpoint is down: then all of them, in configured order (trying beats
//    refusing the call, and the checks may simply lag);
//  - the rest are ranked by smoothed OPTIONS round-trip time, measured ones
//    first, ties and unmeasured ones in configured order — so before any
//    measurement (or with checks off) the ranking is the configured order;
//  - the first two of the ranking take turns as the first hop (one call to
//    each in turn), the other of the two is the first backup, the rest
//    follow in rank order.
// With SRV (a single host name, no port) there is nothing to order here:
// RFC 3263 resolution in the engine decides by SRV priority and weight.
import type { HealthState } from './health.js';

export interface HopHealth {
  state: HealthState;
  rttMs: number | undefined;
}

/**
 * `hops` in configured order; `healthOf(i)` is hop i's health (undefined =
 * never checked); `turn` counts calls (which of the two closest goes first).
 */
export function orderHops<H>(hops: readonly H[], healthOf: (index: number) => HopHealth | undefined, turn: number): H[] {
  if (hops.length < 2) return [...hops];
  const info = hops.map((hop, index) => ({ hop, index, health: healthOf(index) }));
  const usable = info.filter((e) => e.health?.state !== 'down');
  if (usable.length === 0) return [...hops];
  usable.sort((x, y) => {
    const rx = x.health?.rttMs ?? Infinity;
    const ry = y.health?.rttMs ?? Infinity;
    return rx !== ry ? rx - ry : x.index - y.index;
  });
  if (usable.length >= 2 && turn % 2 === 1) [usable[0], usable[1]] = [usable[1]!, usable[0]!];
  return usable.map((e) => e.hop);
}

/** Orders a trunk's hops for each new call, taking turns per trunk. */
export class HopSelector {
  // Per trunk: which of the two closest goes first on the next call.
  private readonly turns = new Map<string, number>();

  constructor(private readonly healthOf: (trunk: string, host: string, port: number) => HopHealth | undefined) {}

  order<H extends { host: string; port: number }>(trunk: string, hops: readonly H[]): H[] {
    if (hops.length < 2) return [...hops];
    const turn = this.turns.get(trunk) ?? 0;
    this.turns.set(trunk, turn ^ 1);
    return orderHops(hops, (i) => this.healthOf(trunk, hops[i]!.host, hops[i]!.port), turn);
  }
}
