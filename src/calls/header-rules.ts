// Header rules of a trunk or PBX (config `header_rules`): add, remove and
// rewrite-by-regex on what the SBC sends toward that peer, in order, after
// the header policy (header-policy.ts) chose what crosses. They act on the
// headers call control hands the engine; the engine writes the routing and
// dialog headers itself, and those, with the headers the SBC negotiates per
// leg, are out of the rules' reach: a rule naming one is refused when the
// config is validated, with the reason (headerRuleProblem).
import type { HeaderRule } from '../config/document.js';
import { type HeaderList, canonicalName } from '../sip/index.js';

// Header name (long form, lower case) → why a rule may not touch it.
const ENGINE = 'written by the SIP engine for each leg (dialog and routing state)';
const NEGOTIATED = 'negotiated by the SBC per leg (100rel, session timers)';
const PROTECTED: ReadonlyMap<string, string> = new Map([
  ['via', ENGINE],
  ['from', ENGINE],
  ['to', ENGINE],
  ['call-id', ENGINE],
  ['cseq', ENGINE],
  ['contact', ENGINE],
  ['route', ENGINE],
  ['record-route', ENGINE],
  ['max-forwards', ENGINE],
  ['content-length', ENGINE],
  ['content-type', 'it describes the body the SBC writes'],
  ['supported', NEGOTIATED],
  ['require', NEGOTIATED],
  ['session-expires', NEGOTIATED],
  ['min-se', NEGOTIATED],
  ['rseq', NEGOTIATED],
  ['rack', NEGOTIATED],
  ['authorization', 'the SBC answers digest challenges itself (V-OUT-2)'],
  ['proxy-authorization', 'the SBC answers digest challenges itself (V-OUT-2)'],
]);

/**
 * Why `rule` is refused, or null when it is fine. A prefix (remove `X-*`)
 * is refused when it would reach a protected header.
 */
export function headerRuleProblem(rule: Pick<HeaderRule, 'action' | 'name'>): { field: 'name'; message: string } | null {
  const prefix = rule.action === 'remove' && rule.name.endsWith('*');
  if (prefix) {
    const p = rule.name.slice(0, -1).toLowerCase();
    const hit = [...PROTECTED.keys()].find((n) => n.startsWith(p));
    if (hit !== undefined) {
      return { field: 'name', message: `the prefix ${rule.name} reaches ${hit}, which rules cannot touch: ${PROTECTED.get(hit)!}` };
    }
    return null;
  }
  const name = canonicalName(rule.name);
  const why = PROTECTED.get(name);
  return why === undefined ? null : { field: 'name', message: `${rule.name} cannot be changed by header rules: ${why}` };
}

type Compiled = (headers: HeaderList) => HeaderList;

function compileRule(rule: HeaderRule): Compiled {
  const prefix = rule.action === 'remove' && rule.name.endsWith('*');
  const name = prefix ? rule.name.slice(0, -1).toLowerCase() : canonicalName(rule.name);
  const named = prefix
    ? (n: string) => n.toLowerCase().startsWith(name)
    : (n: string) => canonicalName(n) === name;
  switch (rule.action) {
    case 'add':
      return (headers) => [...headers, [rule.name, rule.value]];
    case 'remove':
      return (headers) => headers.filter(([n]) => !named(n));
    case 'rewrite': {
      // First match in each value, as String.prototype.replace does without
      // the g flag; a value the rewrite leaves empty is dropped.
      const re = new RegExp(rule.pattern);
      return (headers) => {
        const out: HeaderList = [];
        for (const [n, v] of headers) {
          if (!named(n)) out.push([n, v]);
          else {
            const nv = v.replace(re, rule.value).replace(/[\r\n]/g, ' ').trim();
            if (nv !== '') out.push([n, nv]);
          }
        }
        return out;
      };
    }
  }
}

const NO_RULES: Compiled = (headers) => headers;
const compiledCache = new WeakMap<readonly HeaderRule[], Compiled>();

/**
 * One function applying every rule of a peer in order. Rules that the
 * config check refuses never reach here; one that would (a document loaded
 * around validation) is skipped rather than trusted.
 */
export function compileHeaderRules(rules: readonly HeaderRule[] | undefined): Compiled {
  if (!rules || rules.length === 0) return NO_RULES;
  const cached = compiledCache.get(rules);
  if (cached) return cached;
  const steps: Compiled[] = [];
  for (const r of rules) {
    if (headerRuleProblem(r) !== null) continue;
    try {
      steps.push(compileRule(r));
    } catch {
      // An invalid regex: validation reports it, nothing to apply.
    }
  }
  const fn: Compiled = (headers) => steps.reduce((h, step) => step(h), headers);
  compiledCache.set(rules, fn);
  return fn;
}
