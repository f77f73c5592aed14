// Checks beyond JSON Schema: references resolve, names are unique, sides are
// consistent, addresses parse, regexes compile. Written against `unknown`
// input so it can run on a document that also failed the schema and report
// everything in one pass.
import { isIP } from 'node:net';
import { apiProblems } from './api-semantic.js';
import type { ConfigProblem } from './errors.js';
import { firewallProblems } from './firewall-semantic.js';
import { trunkProblems } from './trunk-semantic.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function esc(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*\\.?$`);

// An IP literal, or a DNS name that cannot be mistaken for a broken IPv4
// literal (all-numeric labels such as "300.1.1.1" are refused).
export function isHostOrIp(host: string): boolean {
  if (isIP(host) !== 0) return true;
  if (!HOSTNAME.test(host)) return false;
  return !/^[0-9.]+$/.test(host);
}

// TCP and TLS listeners both hold a TCP port.
function l4(transport: string): string {
  return transport === 'udp' ? 'udp' : 'tcp';
}

function checkSides(doc: Obj, out: ConfigProblem[]): Map<string, Obj> {
  const sides = new Map<string, Obj>();
  if (!isObj(doc.sides)) return sides;
  const bound = new Map<string, string>(); // "addr|l4|port" -> path of first user
  for (const [name, side] of Object.entries(doc.sides)) {
    if (!isObj(side)) continue;
    sides.set(name, side);
    const base = `/sides/${esc(name)}`;
    arr(side.addresses).forEach((a, i) => {
      const addr = str(a);
      if (addr === undefined) return;
      if (isIP(addr) === 0) {
        out.push({ path: `${base}/addresses/${i}`, message: `"${addr}" is not an IPv4/IPv6 address` });
        return;
      }
      for (const t of ['udp', 'tcp', 'tls'] as const) {
        const port = side[t];
        if (typeof port !== 'number' || port === 0) continue;
        const key = `${addr}|${l4(t)}|${port}`;
        const prev = bound.get(key);
        if (prev !== undefined) {
          out.push({ path: `${base}/${t}`, message: `${addr} ${l4(t)} port ${port} is already used by ${prev}` });
        } else {
          bound.set(key, `${base}/${t}`);
        }
      }
    });
    const adv = str(side.advertised_address);
    if (adv !== undefined && adv !== '' && isIP(adv) === 0) {
      out.push({ path: `${base}/advertised_address`, message: `"${adv}" is not an IPv4/IPv6 address` });
    }
    checkSideMedia(side, base, out);
  }
  return sides;
}

// A media range needs room for at least one RTP/RTCP pair, and its
// addresses must be literals (they go into SDP c= lines as they are).
function checkSideMedia(side: Obj, base: string, out: ConfigProblem[]): void {
  const media = side.media;
  if (!isObj(media)) return;
  for (const f of ['address', 'advertised_address'] as const) {
    const v = str(media[f]);
    if (v !== undefined && v !== '' && isIP(v) === 0) {
      out.push({ path: `${base}/media/${f}`, message: `"${v}" is not an IPv4/IPv6 address` });
    }
  }
  const addr = str(media.address);
  if (addr !== undefined && addr !== '' && !arr(side.addresses).includes(addr)) {
    out.push({ path: `${base}/media/address`, message: `"${addr}" is not one of this side's addresses` });
  }
  const min = media.port_min;
  const max = media.port_max;
  if (typeof min === 'number' && typeof max === 'number' && max < min + 1) {
    out.push({ path: `${base}/media/port_max`, message: `must be above port_min (${min}): a range holds RTP/RTCP pairs` });
  }
}

function checkUniqueNames(list: unknown[], base: string, out: ConfigProblem[]): Map<string, Obj> {
  const byName = new Map<string, Obj>();
  const firstIndex = new Map<string, number>();
  list.forEach((item, i) => {
    if (!isObj(item)) return;
    const name = str(item.name);
    if (name === undefined) return;
    const first = firstIndex.get(name);
    if (first !== undefined) {
      out.push({ path: `${base}/${i}/name`, message: `duplicate name "${name}" (also ${base}/${first})` });
      return;
    }
    firstIndex.set(name, i);
    byName.set(name, item);
  });
  return byName;
}

// A peer is reached through a side; that side must exist and listen on the
// peer's transport, or nothing could ever be sent to it.
function checkPeerSide(item: Obj, path: string, sides: Map<string, Obj>, out: ConfigProblem[]): void {
  const sideName = str(item.side);
  if (sideName === undefined) return;
  const side = sides.get(sideName);
  if (side === undefined) {
    out.push({ path: `${path}/side`, message: `unknown side "${sideName}"` });
    return;
  }
  const transport = str(item.transport);
  if (transport !== undefined && side[transport] === 0) {
    out.push({ path: `${path}/transport`, message: `side "${sideName}" has ${transport} switched off (port 0)` });
  }
}

function checkHost(v: unknown, path: string, out: ConfigProblem[], allowEmpty: boolean): void {
  const host = str(v);
  if (host === undefined || (allowEmpty && host === '')) return;
  if (!isHostOrIp(host)) out.push({ path, message: `"${host}" is not an IP address or host name` });
}

function checkRoutes(
  doc: Obj,
  sides: Map<string, Obj>,
  trunks: Map<string, Obj>,
  pbxs: Map<string, Obj>,
  out: ConfigProblem[],
): void {
  const routes = arr(doc.routes);
  checkUniqueNames(routes, '/routes', out);
  routes.forEach((r, i) => {
    if (!isObj(r)) return;
    const base = `/routes/${i}`;
    const from = str(r.from_side);
    if (from !== undefined && !sides.has(from)) {
      out.push({ path: `${base}/from_side`, message: `unknown side "${from}"` });
    }
    if (isObj(r.match)) {
      const re = str(r.match.ruri_user);
      if (re !== undefined && re !== '') {
        try {
          new RegExp(re);
        } catch (err) {
          out.push({ path: `${base}/match/ruri_user`, message: `invalid regex: ${(err as Error).message}` });
        }
      }
    }
    const fromTrunk = isObj(r.match) ? str(r.match.from_trunk) : undefined;
    if (fromTrunk !== undefined && fromTrunk !== '') {
      const t = trunks.get(fromTrunk);
      if (t === undefined) out.push({ path: `${base}/match/from_trunk`, message: `unknown trunk "${fromTrunk}"` });
      else if (from !== undefined && t.side !== from) {
        out.push({ path: `${base}/match/from_trunk`, message: `trunk "${fromTrunk}" is on side "${String(t.side)}", not "${from}"` });
      }
    }
    if (!isObj(r.to)) return;
    const seen = new Set<string>();
    arr(r.to.pbxs).forEach((pt, j) => {
      const target = isObj(pt) ? str(pt.pbx) : undefined;
      if (target === undefined) return;
      const path = `${base}/to/pbxs/${j}/pbx`;
      if (seen.has(target)) out.push({ path, message: `pbx "${target}" is already in the list` });
      seen.add(target);
      const peer = pbxs.get(target);
      if (peer === undefined) out.push({ path, message: `unknown pbx "${target}"` });
      else if (from !== undefined && peer.side === from) {
        out.push({ path, message: `pbx "${target}" is on side "${from}", the side the call comes from` });
      }
    });
    for (const [kind, pool] of [
      ['trunk', trunks],
      ['pbx', pbxs],
    ] as const) {
      const target = str(r.to[kind]);
      if (target === undefined) continue;
      const peer = pool.get(target);
      if (peer === undefined) {
        out.push({ path: `${base}/to/${kind}`, message: `unknown ${kind} "${target}"` });
        continue;
      }
      // A B2BUA between sides: a call leaves on another side than it came in.
      if (from !== undefined && peer.side === from) {
        out.push({
          path: `${base}/to/${kind}`,
          message: `${kind} "${target}" is on side "${from}", the side the call comes from`,
        });
      }
    }
  });
}

export function semanticProblems(input: unknown): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  if (!isObj(input)) return out;
  const sides = checkSides(input, out);

  if (isObj(input.sip) && isObj(input.sip.timers)) {
    const { t1_ms: t1, t2_ms: t2 } = input.sip.timers;
    if (typeof t1 === 'number' && typeof t2 === 'number' && t2 < t1) {
      out.push({ path: '/sip/timers/t2_ms', message: 'must be >= t1_ms' });
    }
  }
  if (isObj(input.sip) && isObj(input.sip.session_timer)) {
    const { expires_s: expires, min_se_s: minSe } = input.sip.session_timer;
    if (typeof expires === 'number' && typeof minSe === 'number' && minSe > expires) {
      out.push({ path: '/sip/session_timer/min_se_s', message: 'must be <= expires_s (we would refuse our own Session-Expires)' });
    }
  }
  if (isObj(input.sip)) {
    arr(input.sip.dns_servers).forEach((v, i) => {
      const entry = str(v);
      if (entry === undefined) return;
      // The schema's pattern is loose for IPv6: the address itself must parse.
      // "[v6]:port" / "[v6]"; "v4:port" has one colon; "v4" none, a bare "v6" two or more.
      const colons = entry.split(':').length - 1;
      const ip = entry.startsWith('[') ? entry.slice(1, entry.indexOf(']')) : colons === 1 ? entry.slice(0, entry.indexOf(':')) : entry;
      if (isIP(ip) === 0) out.push({ path: `/sip/dns_servers/${i}`, message: `"${entry}" is not an IP address (ip, ip:port or [ipv6]:port)` });
    });
  }
  if (isObj(input.tls)) {
    const cert = str(input.tls.cert_file);
    const key = str(input.tls.key_file);
    if (cert !== undefined && key !== undefined && (cert === '') !== (key === '')) {
      out.push({ path: cert === '' ? '/tls/cert_file' : '/tls/key_file', message: 'set cert_file and key_file together' });
    }
  }

  const trunkList = arr(input.trunks);
  const trunks = checkUniqueNames(trunkList, '/trunks', out);
  trunkList.forEach((t, i) => {
    if (!isObj(t)) return;
    checkPeerSide(t, `/trunks/${i}`, sides, out);
    arr(t.endpoints).forEach((ep, j) => {
      if (isObj(ep)) checkHost(ep.host, `/trunks/${i}/endpoints/${j}/host`, out, false);
    });
    checkHost(t.from_domain, `/trunks/${i}/from_domain`, out, true);
  });

  const pbxList = arr(input.pbxs);
  const pbxs = checkUniqueNames(pbxList, '/pbxs', out);
  pbxList.forEach((p, i) => {
    if (!isObj(p)) return;
    checkPeerSide(p, `/pbxs/${i}`, sides, out);
    checkHost(p.host, `/pbxs/${i}/host`, out, true); // "" only with registration (trunk-semantic.ts)
  });

  checkRoutes(input, sides, trunks, pbxs, out);
  trunkProblems(input, out);
  firewallProblems(input, new Set(sides.keys()), out);
  apiProblems(input, sides, out);
  return out;
}
