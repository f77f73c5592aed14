// Checks of the firewall section that JSON Schema cannot express: addresses
// parse (host bits zero), named lists exist, trunks and sides exist, a
// list's name does not shadow a shipped one. Written against `unknown` like
// semantic.ts, so it reports everything in one pass.
import type { ConfigProblem } from './errors.js';
import { builtinLists } from '../firewall/address-lists.js';
import { parseCidr } from '../firewall/cidr.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function checkCidrs(list: unknown, path: string, out: ConfigProblem[]): void {
  arr(list).forEach((v, i) => {
    if (typeof v !== 'string') return;
    const c = parseCidr(v);
    if (typeof c === 'string') out.push({ path: `${path}/${i}`, message: c });
  });
}

export function firewallProblems(doc: Obj, sideNames: ReadonlySet<string>, out: ConfigProblem[]): void {
  const fw = doc.firewall;
  if (!isObj(fw)) return;
  const builtin = builtinLists();
  const lists = new Set(builtin.keys());

  if (isObj(fw.address_lists)) {
    for (const [name, l] of Object.entries(fw.address_lists)) {
      const base = `/firewall/address_lists/${name}`;
      if (builtin.has(name)) {
        out.push({ path: base, message: `"${name}" is a shipped list (data/vonage/): import under another name` });
      }
      lists.add(name);
      if (isObj(l)) checkCidrs(l.entries, `${base}/entries`, out);
    }
  }

  arr(fw.wan_sides).forEach((s, i) => {
    if (typeof s === 'string' && !sideNames.has(s)) {
      out.push({ path: `/firewall/wan_sides/${i}`, message: `unknown side "${s}"` });
    }
  });

  const trunkNames = new Set(
    arr(doc.trunks)
      .filter(isObj)
      .map((t) => t.name)
      .filter((n): n is string => typeof n === 'string'),
  );
  if (isObj(fw.trunks)) {
    for (const [name, t] of Object.entries(fw.trunks)) {
      const base = `/firewall/trunks/${name}`;
      if (!trunkNames.has(name)) out.push({ path: base, message: `unknown trunk "${name}"` });
      if (!isObj(t)) continue;
      for (const field of ['signalling_lists', 'media_lists'] as const) {
        arr(t[field]).forEach((n, i) => {
          if (typeof n === 'string' && !lists.has(n)) {
            out.push({ path: `${base}/${field}/${i}`, message: `unknown address list "${n}" (shipped: ${[...builtin.keys()].join(', ')})` });
          }
        });
      }
      if (t.media_policy === 'vonage-ranges' && arr(t.media_lists).length === 0) {
        out.push({ path: `${base}/media_lists`, message: 'media_policy vonage-ranges needs at least one media list' });
      }
    }
  }

  if (isObj(fw.admin)) checkCidrs(fw.admin.networks, '/firewall/admin/networks', out);
  if (isObj(fw.bans)) checkCidrs(fw.bans.allow_list, '/firewall/bans/allow_list', out);
}
