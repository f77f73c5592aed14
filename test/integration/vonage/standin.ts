// A Vonage SIP trunk stand-in, built from ../shared/spec/vonage-sip.md and
// nothing of EdgeSBC's own code: two edge endpoints (Kamailio 5.6, one
// process each, independently stoppable), a callee behind them, and dnsmasq
// serving NAPTR/SRV/A records for a test domain, all in the Vonage namespace
// of a netns topology (harness/netns.ts). See README.md beside this file.
//
//   198.51.100.10  edge1  UDP/TCP 5060, TLS 5061   sip-us-3-1.vonage.test
//   198.51.100.11  edge2  UDP/TCP 5060, TLS 5061   sip-us-3-2.vonage.test
//   198.51.100.20  callee (the test's SIPp/baresip UAS, 5060)
//   198.51.100.21  inbound caller (the test's SIPp UAC, sending through an edge)
//   198.51.100.53  dnsmasq :53
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir, type Topology } from '../harness/index.js';
import { defaultZone, type DnsZone } from './dns-zone.js';
import { StandinDns } from './dnsmasq.js';
import { EventLog, type StandinEvent } from './events.js';
import { parseForwardList, type ForwardTarget } from './forward-list.js';
import { KamailioEdge, type EdgeSettings } from './kamailio-edge.js';
import { pointResolverAt } from './resolv-conf.js';

export const VONAGE_ADDR = {
  edge1: '198.51.100.10',
  edge2: '198.51.100.11',
  callee: '198.51.100.20',
  caller: '198.51.100.21',
  dns: '198.51.100.53',
  /** Requests from here are Vonage-internal (callee, inbound caller): no digest, relayed toward their Request-URI. */
  insideNet: '198.51.100.16/28',
} as const;

export const VONAGE_HOSTS = {
  edge1: 'sip-us-3-1.vonage.test',
  edge2: 'sip-us-3-2.vonage.test',
  /** NAPTR + SRV: edge1 priority 10, edge2 priority 20. */
  failover: 'sip-us.vonage.test',
  /** NAPTR + SRV: both priority 10, weights 70 (edge1) / 30 (edge2). */
  loadShare: 'sip-lb.vonage.test',
  /** A record only (edge1): the RFC 3263 fallback. */
  aOnly: 'sip-a.vonage.test',
} as const;

/** The test account: API key and secret (alphanumeric, like Vonage's). */
export const TEST_CREDENTIALS = { key: 'a1b2c3d4', secret: 'Xq7TestSecret9Zk' } as const;

export interface StandinOptions {
  /** API key (digest username) and secret (password). Default TEST_CREDENTIALS. */
  key?: string;
  secret?: string;
  /** Digest realm. Default "vonage.test". */
  realm?: string;
  /** 407 Proxy-Authenticate (default) or 401 WWW-Authenticate. */
  challenge?: 401 | 407;
  /** Default MD5; SHA-256 puts algorithm=SHA-256 in the challenge (RFC 8760). */
  algorithm?: 'MD5' | 'SHA-256';
  /** qop="auth" in challenges (default true). */
  qop?: boolean;
  /** With qop: nonce reuse only with an increasing nc (default true). */
  nonceCount?: boolean;
  /** Nonce lifetime, s (default 300); expired nonces are challenged with stale=true. */
  nonceExpireS?: number;
  /** Wrong key/secret: challenge again (default, what makes a naive client loop) or 403. */
  badCredentials?: 'challenge' | 403;
  /** REGISTER: the longest expiry the registrar grants, s (default 3600); a test's short one forces refreshes. */
  registerMaxExpiresS?: number;
  /** "current": TLS 1.2 only (default); "legacy": TLS >= 1.0; "off": no TLS listener. */
  tls?: 'current' | 'legacy' | 'off';
  /** 2 (default) or 1 edge. */
  endpoints?: 1 | 2;
  /** Where authenticated INVITEs go. Default 198.51.100.20:5060. */
  callee?: { ip: string; port: number };
  /** dnsmasq with the default zone (true), a custom zone, or none. Default true. */
  dns?: boolean | { zone?: DnsZone; ttl?: number };
}

export interface RequestQuery {
  edge?: string;
  method?: string;
  callId?: string;
  /** Only events after this Date.now() value. */
  since?: number;
}

export interface VonageStandin {
  topo: Topology;
  edges: KamailioEdge[];
  edge1: KamailioEdge;
  /** Undefined with `endpoints: 1`. */
  edge2: KamailioEdge | undefined;
  dns: StandinDns | null;
  credentials: { key: string; secret: string };
  realm: string;
  /** The edges' self-signed certificate (PEM). */
  certFile: string;
  /** Every event so far, all edges, in arrival order. */
  events(): StandinEvent[];
  waitFor(pred: (e: StandinEvent) => boolean, timeoutMs?: number, what?: string): Promise<StandinEvent>;
  /** `request` events (what the edges received), filtered. */
  requests(q?: RequestQuery): StandinEvent[];
  /** `challenge` events (401/407 sent), filtered: count them to show there is no loop. */
  challenges(q?: RequestQuery): StandinEvent[];
  /** Final responses the stand-in produced itself (403, 484, 503, 405, OPTIONS 200 …). */
  replies(q?: RequestQuery): StandinEvent[];
  /**
   * Sets the inbound forward list of an edge from the dashboard's field
   * (V-IN-1..4); calls the inside caller sends to that edge's own address
   * then go to these targets in order. Returns the parsed list.
   */
  setInboundTargets(field: string, opts?: { edge?: KamailioEdge; finalMs?: number }): Promise<ForwardTarget[]>;
  /**
   * Makes programs started in `ns` from now on (sbcd, probes) use the
   * stand-in's dnsmasq as their system resolver (/etc/netns/<ns>/resolv.conf);
   * undone at stop(). The alternative is the SBC's own DNS server setting.
   */
  useDnsIn(ns: string): void;
  /** SIPp arguments that make a UAC at VONAGE_ADDR.caller send through `edge` (default edge1) while its Request-URI names the SBC. */
  inboundViaArgs(edge?: KamailioEdge): string[];
  stop(): Promise<void>;
}

async function ensureAddress(topo: Topology, ip: string): Promise<void> {
  const have = await topo.run(topo.ns.vonage, 'ip', ['-4', '-o', 'addr', 'show', 'dev', 'eth0']);
  if (new RegExp(`inet ${ip.replace(/\./g, '\\.')}/`).test(have)) return;
  await topo.run(topo.ns.vonage, 'ip', ['addr', 'add', `${ip}/24`, 'dev', 'eth0']);
}

function selfSignedCert(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'edge.crt');
  const keyFile = join(dir, 'edge.key');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=sip-us.vonage.test',
    '-addext', `subjectAltName=DNS:sip-us.vonage.test,DNS:${VONAGE_HOSTS.edge1},DNS:${VONAGE_HOSTS.edge2},IP:${VONAGE_ADDR.edge1},IP:${VONAGE_ADDR.edge2}`,
  ], { stdio: 'pipe', timeout: 10_000 });
  return { certFile, keyFile };
}

function matches(e: StandinEvent, q: RequestQuery): boolean {
  return (q.edge === undefined || e.edge === q.edge)
    && (q.method === undefined || e.method === q.method)
    && (q.callId === undefined || e.callId === q.callId)
    && (q.since === undefined || e.at >= q.since);
}

/** Starts the stand-in in `topo`'s Vonage namespace; every process ends at stop() or topo.destroy(). */
export async function startVonageStandin(topo: Topology, opts: StandinOptions = {}): Promise<VonageStandin> {
  const dir = tmpDir('vonage-standin-');
  const key = opts.key ?? TEST_CREDENTIALS.key;
  const secret = opts.secret ?? TEST_CREDENTIALS.secret;
  const realm = opts.realm ?? 'vonage.test';
  const tls = opts.tls ?? 'current';
  const n = opts.endpoints ?? 2;
  const { certFile, keyFile } = selfSignedCert(dir);
  const events = new EventLog();

  const ips = [VONAGE_ADDR.edge1, VONAGE_ADDR.edge2].slice(0, n);
  for (const ip of [...ips, VONAGE_ADDR.callee, VONAGE_ADDR.caller, VONAGE_ADDR.dns]) await ensureAddress(topo, ip);

  const edges = ips.map((ip, i) => {
    const edgeDir = join(dir, `edge${i + 1}`);
    mkdirSync(edgeDir);
    const settings: EdgeSettings = {
      name: `edge${i + 1}`,
      ip,
      port: 5060,
      tlsPort: tls === 'off' ? 0 : 5061,
      tlsPolicy: tls === 'legacy' ? 'legacy' : 'current',
      certFile,
      keyFile,
      realm,
      key,
      secret,
      challenge: opts.challenge ?? 407,
      algorithm: opts.algorithm ?? 'MD5',
      qop: opts.qop ?? true,
      nonceCount: opts.nonceCount ?? true,
      nonceExpireS: opts.nonceExpireS ?? 300,
      badCredentials: opts.badCredentials ?? 'challenge',
      registerMaxExpiresS: opts.registerMaxExpiresS ?? 3600,
      callee: opts.callee ?? { ip: VONAGE_ADDR.callee, port: 5060 },
      insideNet: VONAGE_ADDR.insideNet,
      dir: edgeDir,
    };
    return new KamailioEdge(settings, topo, events);
  });

  let dns: StandinDns | null = null;
  const resolvConfs: Array<{ remove(): void }> = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(edges.map((e) => e.stop()));
    await dns?.stop();
    for (const r of resolvConfs.splice(0)) r.remove();
  };
  try {
    await Promise.all(edges.map((e) => e.start()));
    if (opts.dns !== false) {
      const d = typeof opts.dns === 'object' ? opts.dns : {};
      const zone = d.zone ?? defaultZone(
        { endpoints: ips.map((ip, i) => ({ host: i === 0 ? VONAGE_HOSTS.edge1 : VONAGE_HOSTS.edge2, ip })) },
        d.ttl ?? 30,
      );
      dns = new StandinDns(topo, VONAGE_ADDR.dns, zone, dir);
      await dns.start();
    }
  } catch (e) {
    await stopAll();
    throw e;
  }

  const edge1 = edges[0]!;
  return {
    topo,
    edges,
    edge1,
    edge2: edges[1],
    dns,
    credentials: { key, secret },
    realm,
    certFile,
    events: () => events.all(),
    waitFor: (pred, timeoutMs = 5000, what) => events.waitFor(pred, timeoutMs, what),
    requests: (q = {}) => events.all().filter((e) => e.event === 'request' && matches(e, q)),
    challenges: (q = {}) => events.all().filter((e) => e.event === 'challenge' && matches(e, q)),
    replies: (q = {}) => events.all().filter((e) => e.event === 'replied' && matches(e, q)),
    setInboundTargets: async (field, o = {}) => {
      const targets = parseForwardList(field);
      await (o.edge ?? edge1).setInboundTargets(targets, o.finalMs ?? 60_000);
      return targets;
    },
    useDnsIn: (ns) => {
      if (!dns) throw new Error('vonage stand-in: started with dns: false');
      resolvConfs.push(pointResolverAt(ns, dns.ip));
    },
    inboundViaArgs: (edge = edge1) => ['-rsa', `${edge.settings.ip}:${edge.settings.port}`],
    stop: stopAll,
  };
}
