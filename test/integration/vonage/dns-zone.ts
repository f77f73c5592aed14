// The DNS records the Vonage stand-in serves (dnsmasq in the Vonage
// namespace), so that RFC 3263 resolution (V-OUT-1, V-OUT-3: NAPTR → SRV →
// A, SRV priority and weight) can be shown without the internet. Names live
// under vonage.test (RFC 2606); addresses are the stand-in's endpoints.

export interface NaptrRecord {
  name: string;
  order: number;
  preference: number;
  /** "SIPS+D2T" | "SIP+D2T" | "SIP+D2U" */
  service: string;
  /** The SRV name it points at. */
  replacement: string;
}

export interface SrvRecord {
  /** "_sip._udp.sip-us.vonage.test" */
  name: string;
  target: string;
  port: number;
  priority: number;
  weight: number;
}

export interface ARecord {
  name: string;
  ip: string;
}

export interface DnsZone {
  naptr: NaptrRecord[];
  srv: SrvRecord[];
  a: ARecord[];
  /** TTL of every record, seconds. */
  ttl: number;
}

export interface ZoneEndpoints {
  /** Host name and address of each endpoint, first = preferred. */
  endpoints: Array<{ host: string; ip: string }>;
}

/**
 * NAPTR (TLS first, then TCP, then UDP, like a secure-by-default setup) and
 * the three SRV sets for `domain`, pointing at the endpoints with
 * `priorities` and `weights` (one entry per endpoint).
 */
export function sipDomainRecords(
  domain: string,
  endpoints: Array<{ host: string }>,
  priorities: number[],
  weights: number[],
): { naptr: NaptrRecord[]; srv: SrvRecord[] } {
  const sets = [
    { service: 'SIPS+D2T', srv: `_sips._tcp.${domain}`, port: 5061, order: 10 },
    { service: 'SIP+D2T', srv: `_sip._tcp.${domain}`, port: 5060, order: 20 },
    { service: 'SIP+D2U', srv: `_sip._udp.${domain}`, port: 5060, order: 30 },
  ];
  return {
    naptr: sets.map((s) => ({ name: domain, order: s.order, preference: 10, service: s.service, replacement: s.srv })),
    srv: sets.flatMap((s) =>
      endpoints.map((e, i) => ({ name: s.srv, target: e.host, port: s.port, priority: priorities[i] ?? 10, weight: weights[i] ?? 0 })),
    ),
  };
}

/**
 * The default zone:
 *  - sip-us.vonage.test: endpoint 1 priority 10, endpoint 2 priority 20
 *    (ordered failover);
 *  - sip-lb.vonage.test: both priority 10, weights 70/30 (load sharing);
 *  - sip-a.vonage.test: an A record only (the RFC 3263 fallback when
 *    there is neither NAPTR nor SRV);
 *  - one A record per endpoint host (sip-us-3-1 / sip-us-3-2, the current
 *    Virginia names of V-OUT-3 under the test domain).
 */
export function defaultZone(z: ZoneEndpoints, ttl = 30): DnsZone {
  const eps = z.endpoints;
  const us = sipDomainRecords('sip-us.vonage.test', eps, [10, 20], [100, 100]);
  const lb = sipDomainRecords('sip-lb.vonage.test', eps, [10, 10], [70, 30]);
  return {
    naptr: [...us.naptr, ...lb.naptr],
    srv: [...us.srv, ...lb.srv],
    a: [...eps.map((e) => ({ name: e.host, ip: e.ip })), ...(eps[0] ? [{ name: 'sip-a.vonage.test', ip: eps[0].ip }] : [])],
    ttl,
  };
}

const NAME = /^[A-Za-z0-9_.+-]+$/;

function checkName(n: string): string {
  if (!NAME.test(n)) throw new Error(`dns zone: bad name "${n}"`);
  return n;
}

/** dnsmasq options serving exactly these records (and NXDOMAIN for anything else under vonage.test). */
export function dnsmasqRecordArgs(zone: DnsZone): string[] {
  const args = [`--local-ttl=${zone.ttl}`, '--local=/vonage.test/'];
  for (const r of zone.naptr) {
    // --naptr-record=<name>,<order>,<preference>,<flags>,<service>,<regexp>,<replacement>
    args.push(`--naptr-record=${checkName(r.name)},${r.order},${r.preference},s,${checkName(r.service)},,${checkName(r.replacement)}`);
  }
  for (const r of zone.srv) {
    // --srv-host=<_service>.<_prot>.<domain>,<target>,<port>,<priority>,<weight>
    args.push(`--srv-host=${checkName(r.name)},${checkName(r.target)},${r.port},${r.priority},${r.weight}`);
  }
  for (const r of zone.a) args.push(`--host-record=${checkName(r.name)},${r.ip},${zone.ttl}`);
  return args;
}
