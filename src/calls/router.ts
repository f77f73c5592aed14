// Picks where a new call goes, from the running config's routes: the first
// enabled route (by priority, then order) whose from_side and R-URI user
// pattern match. Built once per config commit; route() is on the call path
// and does no allocation beyond the result.
import type { ConfigDocument } from '../config/document.js';
import { inboundTarget } from '../trunks/inbound-targets.js';
import type { TrunkRegistry, TrunkRuntime } from '../trunks/registry.js';
import { trunkHops } from '../trunks/trunk-endpoints.js';
import { sipDomainHost } from '../trunks/sip-domain-uri.js';

export type Side = 'lan' | 'wan';
export type Transport = 'udp' | 'tcp' | 'tls';

export interface Hop {
  host: string;
  port: number; // 0 = no port: the host is resolved with RFC 3263 (trunk srv)
  // An ordered PBX list (route `to.pbxs`, V-IN-1..3): each hop is its own
  // PBX, waited on for at most timeoutMs for a first response (inbound-targets.ts).
  pbx?: { name: string; side: Side; transport: Transport; timeoutMs: number };
}

export interface RouteTarget {
  kind: 'trunk' | 'pbx';
  name: string;
  side: Side;
  transport: Transport;
  hops: Hop[]; // ordered: first is primary, the rest are failover
  fromDomain: string; // host for the From header ("" = the hop's host)
  ruriHost?: string; // host of the Request-URI and To instead of the hop's (a Programmable SIP domain, V-PS-1)
  trunk?: TrunkRuntime; // a trunk's credentials, numbers policy (src/trunks/)
}

export type RouteDecision =
  | { ok: true; route: string; target: RouteTarget }
  | { ok: false; status: 404 | 480; reason: string };

interface CompiledRoute {
  name: string;
  fromSide: Side;
  pattern: RegExp | null;
  fromTrunk: string; // "" = from any source
  target: RouteTarget | null; // null: the target exists but is disabled
}

export class Router {
  private readonly routes: CompiledRoute[];

  // `registry`: the trunk state kept across commits (digest nonces); absent in
  // tests that only route.
  constructor(doc: ConfigDocument, registry?: TrunkRegistry) {
    const trunks = new Map(doc.trunks.map((t) => [t.name, t]));
    const pbxs = new Map(doc.pbxs.map((p) => [p.name, p]));
    this.routes = doc.routes
      .map((r, index) => ({ r, index }))
      .filter(({ r }) => r.enabled !== false)
      .sort((x, y) => (x.r.priority ?? 100) - (y.r.priority ?? 100) || x.index - y.index)
      .map(({ r }) => {
        let target: RouteTarget | null = null;
        if (r.to.trunk !== undefined) {
          const t = trunks.get(r.to.trunk);
          // Manual endpoints or the trunk's endpoint set (V-OUT-1, V-OUT-3).
          const hops = t ? trunkHops(t).map((h) => ({ host: h.host, port: h.port })) : [];
          if (t && t.enabled !== false && hops.length > 0) {
            target = {
              kind: 'trunk',
              name: t.name,
              side: t.side as Side,
              transport: t.transport as Transport,
              hops,
              fromDomain: t.from_domain ?? '',
              ...(sipDomainHost(t, doc.sip_domains) ? { ruriHost: sipDomainHost(t, doc.sip_domains) } : {}),
              ...(registry?.get(t.name) ? { trunk: registry.get(t.name) } : {}),
            };
          }
        } else if (r.to.pbx !== undefined) {
          const p = pbxs.get(r.to.pbx);
          if (p && p.enabled !== false) {
            target = {
              kind: 'pbx',
              name: p.name,
              side: p.side as Side,
              transport: p.transport as Transport,
              hops: [{ host: p.host, port: p.port }],
              fromDomain: '',
            };
          }
        } else if (r.to.pbxs !== undefined) {
          target = inboundTarget(r.to.pbxs, pbxs);
        }
        const user = r.match?.ruri_user ?? '';
        return { name: r.name, fromSide: r.from_side as Side, pattern: user ? new RegExp(user) : null, fromTrunk: r.match?.from_trunk ?? '', target };
      });
  }

  // `sourceTrunk`: the trunk the request came from, when known (routes with
  // match.from_trunk only match it).
  route(fromSide: Side, ruriUser: string, sourceTrunk = ''): RouteDecision {
    let matchedDisabled = false;
    for (const r of this.routes) {
      if (r.fromSide !== fromSide) continue;
      if (r.fromTrunk !== '' && r.fromTrunk !== sourceTrunk) continue;
      if (r.pattern && !r.pattern.test(ruriUser)) continue;
      if (!r.target) {
        matchedDisabled = true;
        continue;
      }
      return { ok: true, route: r.name, target: r.target };
    }
    return matchedDisabled
      ? { ok: false, status: 480, reason: 'Temporarily Unavailable' }
      : { ok: false, status: 404, reason: 'Not Found' };
  }
}
