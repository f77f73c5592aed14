// Checks of the `api` section that JSON Schema cannot express: the sides
// exist, listen addresses are IP literals, admin networks parse, cert and
// key come together, and the HTTPS port is not a SIP TCP/TLS port on an
// address both listen on. Written against `unknown` like semantic.ts.
import { isIP } from 'node:net';
import { parseCidr } from '../firewall/cidr.js';
import type { ConfigProblem } from './errors.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function apiProblems(doc: Obj, sides: ReadonlyMap<string, Obj>, out: ConfigProblem[]): void {
  const api = doc.api;
  if (!isObj(api)) return;
  const listen = new Set<string>();
  arr(api.sides).forEach((s, i) => {
    if (typeof s !== 'string') return;
    const side = sides.get(s);
    if (!side) {
      out.push({ path: `/api/sides/${i}`, message: `no side "${s}": name the sides whose addresses the admin API listens on` });
      return;
    }
    for (const a of arr(side.addresses)) if (typeof a === 'string') listen.add(a);
  });
  arr(api.addresses).forEach((a, i) => {
    if (typeof a !== 'string') return;
    if (isIP(a) === 0) out.push({ path: `/api/addresses/${i}`, message: `"${a}" is not an IPv4/IPv6 address` });
    else listen.add(a);
  });
  arr(api.allowed_networks).forEach((n, i) => {
    if (typeof n !== 'string') return;
    const c = parseCidr(n);
    if (typeof c === 'string') out.push({ path: `/api/allowed_networks/${i}`, message: c });
  });
  if (api.enabled !== false && arr(api.sides).length === 0 && arr(api.addresses).length === 0) {
    out.push({ path: '/api/sides', message: 'the API needs somewhere to listen: name a side or an address (or set enabled: false)' });
  }
  const cert = api.cert_file;
  const key = api.key_file;
  if (typeof cert === 'string' && typeof key === 'string' && (cert === '') !== (key === '')) {
    out.push({ path: cert === '' ? '/api/cert_file' : '/api/key_file', message: 'set cert_file and key_file together (or neither)' });
  }
  const port = api.port;
  if (typeof port !== 'number' || api.enabled === false) return;
  for (const [name, side] of sides) {
    for (const a of arr(side.addresses)) {
      if (typeof a !== 'string' || !listen.has(a)) continue;
      for (const t of ['tcp', 'tls'] as const) {
        if (side[t] === port) {
          out.push({ path: '/api/port', message: `port ${port} is side ${name}'s SIP ${t.toUpperCase()} port on ${a}` });
        }
      }
    }
  }
}
