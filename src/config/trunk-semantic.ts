// Checks of trunks, Programmable SIP domains and PBXs beyond the schema
// (issue 5): endpoint sets exist, Vonage trunks carry what Vonage demands,
// numbers can be written in E.164, domains have a region (V-PS-2), ACLs
// parse (V-PS-3), header rules compile. Written against `unknown` like
// semantic.ts so every problem is reported in one pass. A message never
// quotes a secret field's value.
import type { ConfigProblem } from './errors.js';
import { headerRuleProblem } from '../calls/header-rules.js';
import { parseCidr } from '../firewall/cidr.js';
import { endpointSets } from '../trunks/endpoint-sets.js';
import { isKnownCountry, normaliseNumber } from '../trunks/numbers.js';
import { srvDomainOf } from '../trunks/trunk-endpoints.js';

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

export function checkHeaderRules(rules: unknown, base: string, out: ConfigProblem[]): void {
  arr(rules).forEach((r, i) => {
    if (!isObj(r)) return;
    const path = `${base}/${i}`;
    const name = str(r.name) ?? '';
    if (r.action !== 'remove' && name.endsWith('*')) {
      out.push({ path: `${path}/name`, message: 'a name ending in * (a prefix) is only for remove' });
    } else if (r.action === 'add' || r.action === 'remove' || r.action === 'rewrite') {
      // Engine-owned and per-leg negotiated headers (src/calls/header-rules.ts).
      const problem = headerRuleProblem({ action: r.action, name });
      if (problem) out.push({ path: `${path}/name`, message: problem.message });
    }
    if (r.action === 'add' && str(r.value) === '') {
      out.push({ path: `${path}/value`, message: 'add needs the header value' });
    }
    if (r.action === 'rewrite') {
      const re = str(r.pattern);
      if (re === '') out.push({ path: `${path}/pattern`, message: 'rewrite needs a pattern' });
      else if (re !== undefined) {
        try {
          new RegExp(re);
        } catch (err) {
          out.push({ path: `${path}/pattern`, message: `invalid regex: ${(err as Error).message}` });
        }
      }
    }
  });
}

function checkTrunk(t: Obj, base: string, domains: Map<string, Obj>, globalTimer: Obj, out: ConfigProblem[]): void {
  const vonage = t.kind === 'vonage';
  const setName = str(t.endpoint_set) ?? '';
  const endpoints = arr(t.endpoints);
  const region = str(t.region) ?? '';

  if (setName === '' && endpoints.length === 0) {
    out.push({ path: `${base}/endpoints`, message: 'name at least one endpoint, or an endpoint_set' });
  } else if (setName !== '' && endpoints.length > 0) {
    out.push({ path: `${base}/endpoint_set`, message: 'use either endpoint_set or endpoints, not both' });
  }
  if (setName !== '') {
    const sets = endpointSets();
    const set = sets.get(setName);
    if (!set) {
      out.push({ path: `${base}/endpoint_set`, message: `unknown endpoint set "${setName}" (shipped: ${[...sets.keys()].join(', ')})` });
    } else if (t.srv === true && srvDomainOf(set, region as '') === undefined) {
      out.push({
        path: `${base}/region`,
        message: `srv with endpoint set "${setName}" needs a region: its RFC 3263 names are regional (${Object.values(set.srvDomains).join(', ')})`,
      });
    } else if (region !== '' && !set.endpoints.some((e) => e.region === region)) {
      out.push({ path: `${base}/region`, message: `endpoint set "${setName}" has no endpoint in region "${region}"` });
    }
  }

  const key = str(t.api_key) ?? '';
  const secretSet = (str(t.api_secret) ?? '') !== '';
  if (vonage && (key === '' || !secretSet)) {
    out.push({
      path: `${base}/${key === '' ? 'api_key' : 'api_secret'}`,
      message: 'a Vonage trunk needs api_key and api_secret: every INVITE is authenticated with digest (V-OUT-2)',
    });
  } else if ((key === '') !== !secretSet) {
    out.push({ path: `${base}/${key === '' ? 'api_key' : 'api_secret'}`, message: 'set api_key and api_secret together' });
  }
  if (isObj(t.register) && t.register.enabled === true && key === '') {
    out.push({ path: `${base}/register/enabled`, message: 'REGISTER needs the trunk’s credentials (api_key, api_secret)' });
  }

  if (isObj(t.session_timer)) {
    const { expires_s: expires, min_se_s: minSe } = t.session_timer;
    for (const [k, v] of [['expires_s', expires], ['min_se_s', minSe]] as const) {
      if (typeof v === 'number' && v !== 0 && v < 90) {
        out.push({ path: `${base}/session_timer/${k}`, message: 'must be 0 (the global value) or 90..86400 (RFC 4028: 90 s is the floor)' });
      }
    }
    // What applies on the trunk's legs: its own value, else the global one.
    const effective = (v: unknown, global: unknown) => (typeof v === 'number' && v !== 0 ? v : typeof global === 'number' ? global : undefined);
    const e = effective(expires, globalTimer.expires_s);
    const m = effective(minSe, globalTimer.min_se_s);
    if (e !== undefined && m !== undefined && m > e && (expires !== 0 || minSe !== 0)) {
      out.push({
        path: `${base}/session_timer/${minSe !== 0 ? 'min_se_s' : 'expires_s'}`,
        message: `min_se_s (${m}) must be <= expires_s (${e}) on this trunk, counting sip.session_timer for a 0 (we would refuse our own Session-Expires)`,
      });
    }
  }

  const country = str(t.country) ?? '';
  if (country !== '' && !isKnownCountry(country)) {
    out.push({ path: `${base}/country`, message: `"${country}" is not an ISO 3166-1 alpha-2 country with a numbering plan` });
  }
  if (vonage && country === '') {
    out.push({
      path: `${base}/country`,
      message: 'a Vonage trunk needs a country: national numbers from the PBX are written in E.164 with it (V-OUT-4)',
    });
  }
  if (isObj(t.caller_id)) {
    const num = str(t.caller_id.number) ?? '';
    if (t.caller_id.mode === 'fixed') {
      if (num === '') out.push({ path: `${base}/caller_id/number`, message: 'mode fixed needs the number' });
      else if (vonage && isKnownCountry(country)) {
        const n = normaliseNumber(num, country);
        if (!n.ok) out.push({ path: `${base}/caller_id/number`, message: `cannot be written in E.164 (V-OUT-5): ${n.reason}` });
      }
    }
  }

  const domainName = str(t.sip_domain) ?? '';
  if (domainName !== '') {
    const d = domains.get(domainName);
    if (!d) out.push({ path: `${base}/sip_domain`, message: `unknown sip domain "${domainName}"` });
    else {
      if (region !== '' && d.region !== '' && d.region !== region) {
        out.push({
          path: `${base}/sip_domain`,
          message: `domain "${domainName}" is in region ${String(d.region)}, the trunk in ${region}: calls to a domain are handled in its region (V-PS-2)`,
        });
      }
      if (d.auth === 'digest' && key === '') {
        out.push({ path: `${base}/api_key`, message: `domain "${domainName}" authenticates with digest: the trunk needs api_key and api_secret (V-PS-3)` });
      }
    }
  }
  checkHeaderRules(t.header_rules, `${base}/header_rules`, out);
}

// V-PS-2 / V-PS-3. Returns the domains by name for the trunks' references.
function checkSipDomains(doc: Obj, out: ConfigProblem[]): Map<string, Obj> {
  const byName = new Map<string, Obj>();
  arr(doc.sip_domains).forEach((d, i) => {
    if (!isObj(d)) return;
    const base = `/sip_domains/${i}`;
    const name = str(d.name);
    if (name !== undefined) {
      if (byName.has(name)) out.push({ path: `${base}/name`, message: `duplicate name "${name}"` });
      else byName.set(name, d);
      if (/\./.test(name)) {
        out.push({
          path: `${base}/name`,
          message: 'write only the domain name (as in NAME.sip-REGION.nexmo.com); the region goes in region',
        });
      }
    }
    if (d.region === '') {
      out.push({
        path: `${base}/region`,
        message:
          'a Programmable SIP domain needs its region (us, eu or ap): Vonage fails calls whose Request-URI lacks it, ' +
          `e.g. sip:NUMBER@${name ?? 'NAME'}.sip-eu.nexmo.com, never ${name ?? 'NAME'}.sip.nexmo.com (V-PS-2)`,
      });
    }
    const acl = arr(d.acl);
    if (d.auth === 'acl' && acl.length === 0) {
      out.push({ path: `${base}/acl`, message: 'auth acl needs at least one address or CIDR block (V-PS-3)' });
    }
    acl.forEach((a, j) => {
      if (typeof a !== 'string') return;
      const c = parseCidr(a);
      if (typeof c === 'string') out.push({ path: `${base}/acl/${j}`, message: c });
    });
  });
  return byName;
}

function checkPbx(p: Obj, base: string, out: ConfigProblem[]): void {
  const reg = isObj(p.registration) ? p.registration : {};
  if (reg.mode === 'register') {
    if (str(reg.username) === '') out.push({ path: `${base}/registration/username`, message: 'mode register needs a username' });
    if (str(reg.password) === '') out.push({ path: `${base}/registration/password`, message: 'mode register needs a password' });
  } else if (str(p.host) === '') {
    out.push({ path: `${base}/host`, message: 'is required unless registration mode is register' });
  }
  checkHeaderRules(p.header_rules, `${base}/header_rules`, out);
}

export function trunkProblems(doc: Obj, out: ConfigProblem[]): void {
  const domains = checkSipDomains(doc, out);
  arr(doc.trunks).forEach((t, i) => {
    const globalTimer = isObj(doc.sip) && isObj(doc.sip.session_timer) ? doc.sip.session_timer : {};
    if (isObj(t)) checkTrunk(t, `/trunks/${i}`, domains, globalTimer, out);
  });
  arr(doc.pbxs).forEach((p, i) => {
    if (isObj(p)) checkPbx(p, `/pbxs/${i}`, out);
  });
}
