// Which names the firewall resolves for a trunk's signalling sources: the
// trunk's real hops (src/trunks/trunk-endpoints.ts: manual endpoints or the
// hosts of its endpoint set, or the set's SRV entry name), so the table
// admits what calls are sent to. Resolution honours sip.dns_servers as the
// SIP engine does (RFC 3263), else the system resolver; an SRV name is
// resolved to its targets' addresses.
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { ConfigDocument, TrunkConfig } from '../config/document.js';
import { trunkHops } from '../trunks/trunk-endpoints.js';

export interface TrunkName {
  host: string;
  // Resolve as an RFC 3263 entry name (SRV for the trunk's transport).
  srv: boolean;
}

// IP-literal hops of the trunk (used as they are).
export function trunkLiterals(trunk: TrunkConfig): string[] {
  return trunkHops(trunk).map((h) => h.host).filter((h) => isIP(h) !== 0);
}

export function trunkNames(trunk: TrunkConfig): TrunkName[] {
  const seen = new Set<string>();
  const out: TrunkName[] = [];
  for (const h of trunkHops(trunk)) {
    if (isIP(h.host) !== 0 || seen.has(h.host)) continue;
    seen.add(h.host);
    out.push({ host: h.host, srv: h.port === 0 });
  }
  return out;
}

export type Resolver = (host: string) => Promise<string[]>;

// Bounds what one SRV name may expand to.
const MAX_SRV_TARGETS = 16;

// A resolver for `doc`: A and AAAA (either may be absent) through the
// configured DNS servers, or the system's lookup when there are none.
export function resolverFor(doc: ConfigDocument): { host: Resolver; srv: (name: string, transport: string) => Promise<string[]> } {
  const servers = doc.sip.dns_servers;
  if (servers.length === 0) {
    return {
      host: async (host) => (await dns.lookup(host, { all: true })).map((a) => a.address),
      srv: async (name, transport) => {
        const recs = await dns.resolveSrv(`${srvPrefix(transport)}.${name}`);
        const out = new Set<string>();
        for (const r of recs.slice(0, MAX_SRV_TARGETS)) {
          (await dns.lookup(r.name, { all: true }).catch(() => [])).forEach((a) => out.add(a.address));
        }
        return [...out];
      },
    };
  }
  const r = new dns.Resolver({ timeout: 1000, tries: 2 });
  // "ip", "ip:port", "[v6]:port": the forms setServers takes.
  r.setServers(servers);
  const host: Resolver = async (name) => {
    const [v4, v6] = await Promise.all([r.resolve4(name).catch(() => [] as string[]), r.resolve6(name).catch(() => [] as string[])]);
    if (v4.length + v6.length === 0) throw new Error(`${name}: no A or AAAA record`);
    return [...v4, ...v6];
  };
  return {
    host,
    srv: async (name, transport) => {
      const recs = await r.resolveSrv(`${srvPrefix(transport)}.${name}`);
      const out = new Set<string>();
      for (const rec of recs.slice(0, MAX_SRV_TARGETS)) (await host(rec.name).catch(() => [])).forEach((a) => out.add(a));
      return [...out];
    },
  };
}

function srvPrefix(transport: string): string {
  return transport === 'tls' ? '_sips._tcp' : transport === 'tcp' ? '_sip._tcp' : '_sip._udp';
}
