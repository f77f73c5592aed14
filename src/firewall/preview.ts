// Preview: what applying a config would change in the kernel. Our table as
// the kernel lists it and the generated one are brought to one line-based
// form (handles, counters and run-time set elements left out) and diffed.
import type { Json } from './nft-json.js';
import type { Ruleset } from './ruleset.js';

type Obj = { [key: string]: Json };

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// JSON with object keys sorted, so key order never makes a difference.
export function stableJson(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isObj(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k] ?? null)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

// Counters count packets: their values are not part of the ruleset.
function withoutCounts(expr: Json): Json {
  if (Array.isArray(expr)) return expr.map(withoutCounts);
  if (isObj(expr)) {
    if ('counter' in expr) return { counter: null };
    const out: Obj = {};
    for (const [k, v] of Object.entries(expr)) out[k] = withoutCounts(v);
    return out;
  }
  return expr;
}

function setLine(name: string, type: Json, flags: Json, timeout: Json | undefined, elems: string[]): string {
  const f = Array.isArray(flags) ? flags.filter((x) => x !== 'dynamic').map(String).sort() : [];
  const t = timeout !== undefined ? ` timeout ${stableJson(timeout)}` : '';
  return `set ${name} type ${stableJson(type)} flags [${f.join(',')}]${t} elements {${elems.sort().join(', ')}}`;
}

function ruleLine(chain: string, comment: string, expr: Json): string {
  return `rule ${chain} "${comment}" ${stableJson(withoutCounts(expr))}`;
}

function chainLine(c: Obj): string {
  const base = c.hook !== undefined ? ` ${String(c.type)} hook ${String(c.hook)} prio ${String(c.prio)} policy ${String(c.policy)}` : '';
  return `chain ${String(c.name)}${base}`;
}

export function generatedLines(rs: Ruleset): string[] {
  const lines: string[] = [];
  for (const s of rs.sets) {
    lines.push(setLine(s.name, s.type, s.flags, s.timeout, s.dynamic ? [] : s.elements.map(stableJson)));
  }
  for (const c of rs.chains) lines.push(chainLine({ name: c.name, ...(c.base ?? {}) }));
  for (const r of rs.rules) lines.push(ruleLine(r.chain, r.comment, r.expr));
  return lines;
}

// `dynamicSets`: sets whose elements are run-time state (bans, meters, peers).
export function kernelLines(listed: Json[], dynamicSets: ReadonlySet<string>): string[] {
  const sets: string[] = [];
  const chains: string[] = [];
  const rules: string[] = [];
  for (const item of listed) {
    if (!isObj(item)) continue;
    const set = item.set;
    const chain = item.chain;
    const rule = item.rule;
    if (isObj(set)) {
      const name = String(set.name);
      const elems = dynamicSets.has(name) || !Array.isArray(set.elem) ? [] : set.elem.map(stableJson);
      sets.push(setLine(name, set.type ?? null, set.flags ?? [], set.timeout, elems));
    } else if (isObj(chain)) {
      chains.push(chainLine(chain));
    } else if (isObj(rule)) {
      rules.push(ruleLine(String(rule.chain), typeof rule.comment === 'string' ? rule.comment : '', rule.expr ?? []));
    }
  }
  return [...sets, ...chains, ...rules];
}

export interface DiffLine {
  op: '+' | '-';
  line: string;
}

// Line diff (longest common subsequence): '-' in the kernel only, '+' in the
// new ruleset only. Tables are a few hundred lines at most.
export function diffLines(before: string[], after: string[]): DiffLine[] {
  const n = before.length;
  const m = after.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = before[i] === after[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      out.push({ op: '+', line: after[j++]! });
    } else {
      out.push({ op: '-', line: before[i++]! });
    }
  }
  return out;
}
