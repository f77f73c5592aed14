// Where a trunk's requests go, from its config: the manual endpoints, or
// the hosts of its endpoint set (V-OUT-1, V-OUT-3). Health checks and the
// choice of the two closest endpoints build on this list; this module only
// turns config into an ordered list.
import type { TrunkConfig } from '../config/document.js';
import { endpointSets, type EndpointSet, type Region } from './endpoint-sets.js';

export interface TrunkHop {
  host: string;
  /** 0 = no port: resolve the host with RFC 3263 (NAPTR/SRV, then A/AAAA). */
  port: number;
  /** From the endpoint set, when the hop came from one ("" otherwise). */
  site: string;
  region: Region | '';
}

type TrunkFields = Pick<TrunkConfig, 'transport' | 'region' | 'endpoint_set' | 'endpoints' | 'srv'>;

/** The SRV (RFC 3263) entry name of a set for a region, if it has one. */
export function srvDomainOf(set: EndpointSet, region: TrunkConfig['region']): string | undefined {
  return (region !== '' ? set.srvDomains[region] : undefined) ?? set.srvDomains[''];
}

/**
 * Ordered hops: with an endpoint set, the trunk's region's endpoints first
 * (in the document's order), the others after as backups, on the set's port
 * for the trunk's transport; with `srv`, the set's entry name for the
 * region, or each manual host, with no port. A set the config names but the
 * data lacks gives no hops (config validation refuses that).
 */
export function trunkHops(trunk: TrunkFields, sets: Map<string, EndpointSet> = endpointSets()): TrunkHop[] {
  if (trunk.endpoint_set === '') {
    return trunk.endpoints.map((e) => ({ host: e.host, port: trunk.srv ? 0 : e.port, site: '', region: '' }));
  }
  const set = sets.get(trunk.endpoint_set);
  if (!set) return [];
  if (trunk.srv) {
    const host = srvDomainOf(set, trunk.region);
    return host ? [{ host, port: 0, site: '', region: trunk.region }] : [];
  }
  const port = set.ports[trunk.transport];
  const mine = set.endpoints.filter((e) => e.region === trunk.region);
  const others = set.endpoints.filter((e) => e.region !== trunk.region);
  return [...mine, ...others].map((e) => ({ host: e.host, port, site: e.site, region: e.region }));
}
