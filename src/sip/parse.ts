// Small, pure parsers for the SIP header values the application reads
// (RFC 3261 §20, §25). They never throw: malformed input gives null (or an
// empty list), because header text comes straight from the network.

export interface SipUri {
  /** Lower-cased: "sip", "sips", "tel", or any other scheme as written. */
  scheme: string;
  /** Still %-escaped; for tel: the number. */
  user: string;
  password: string;
  /** IPv6 without brackets; lower-cased. Empty for tel: and unknown schemes. */
  host: string;
  /** 0 when absent. */
  port: number;
  /** URI parameters, names lower-cased; flag parameters map to "". */
  params: Record<string, string>;
  /** Raw "?…" header part without the "?" ("" when absent). */
  headers: string;
}

export interface NameAddr {
  /** Display name without quotes and escapes ("" when absent). */
  display: string;
  /** The URI text (without < >). */
  uri: string;
  /** ;tag= value ("" when absent). */
  tag: string;
  /** Header parameters after the URI, names lower-cased; flags map to "". */
  params: Record<string, string>;
}

export interface CSeq {
  seq: number;
  method: string;
}

export interface Via {
  /** "SIP/2.0" */
  protocol: string;
  /** Upper-cased: "UDP", "TCP", "TLS", … */
  transport: string;
  host: string;
  /** 0 when absent. */
  port: number;
  branch: string;
  received: string;
  /** rport value; 0 when the flag is present without a value; undefined when absent. */
  rport: number | undefined;
  params: Record<string, string>;
}

// Called per character: compares instead of running a regex (/[ \t\r\n]/).
function isWs(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/**
 * Splits a header value at top-level commas (not inside "quotes" or <angle
 * brackets>), trimming each element and dropping empty ones.
 */
export function splitCommaList(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
    } else if (c === '"') inQuote = true;
    else if (c === '<') inAngle = true;
    else if (c === '>') inAngle = false;
    else if (c === ',' && !inAngle) {
      const part = value.slice(start, i).trim();
      if (part) out.push(part);
      start = i + 1;
    }
  }
  const last = value.slice(start).trim();
  if (last) out.push(last);
  return out;
}

function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) {
    return s.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return s;
}

/**
 * Parses ";a=b;c;d=\"q\"" (leading ';' optional) into a record with
 * lower-cased names; quoted values are unquoted. The first occurrence wins.
 */
export function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && (text[i] === ';' || isWs(text[i]))) i++;
    if (i >= n) break;
    let j = i;
    while (j < n && text[j] !== '=' && text[j] !== ';' && !isWs(text[j])) j++;
    const name = text.slice(i, j).toLowerCase();
    while (j < n && isWs(text[j])) j++;
    let value = '';
    if (text[j] === '=') {
      j++;
      while (j < n && isWs(text[j])) j++;
      if (text[j] === '"') {
        let k = j + 1;
        while (k < n && text[k] !== '"') k += text[k] === '\\' ? 2 : 1;
        value = unquote(text.slice(j, Math.min(k + 1, n)));
        j = k + 1;
      } else {
        let k = j;
        while (k < n && text[k] !== ';') k++;
        value = text.slice(j, k).trim();
        j = k;
      }
    }
    if (name && !(name in params)) params[name] = value;
    while (j < n && text[j] !== ';') j++;
    i = j;
  }
  return params;
}

function parsePort(s: string): number | null {
  if (!/^[0-9]{1,5}$/.test(s)) return null;
  const p = Number(s);
  return p <= 65535 ? p : null;
}

/** Parses "host", "host:port", "[v6]" or "[v6]:port". */
export function parseHostPort(text: string): { host: string; port: number } | null {
  const t = text.trim();
  if (!t) return null;
  if (t.startsWith('[')) {
    const close = t.indexOf(']');
    if (close < 0) return null;
    const host = t.slice(1, close);
    const rest = t.slice(close + 1);
    if (!host || !/^[0-9a-fA-F:.]+$/.test(host)) return null;
    if (!rest) return { host: host.toLowerCase(), port: 0 };
    if (!rest.startsWith(':')) return null;
    const port = parsePort(rest.slice(1));
    return port === null ? null : { host: host.toLowerCase(), port };
  }
  const colon = t.lastIndexOf(':');
  let host = t;
  let port = 0;
  if (colon >= 0) {
    host = t.slice(0, colon);
    const p = parsePort(t.slice(colon + 1));
    if (p === null) return null;
    port = p;
  }
  if (!host || !/^[A-Za-z0-9.\-_]+$/.test(host)) return null;
  return { host: host.toLowerCase(), port };
}

/**
 * Parses a URI (without < >). SIP/SIPS URIs are checked (host required,
 * numeric port); tel: and unknown schemes keep everything after the colon in
 * `user` (tel: params are split off). Null for malformed SIP/SIPS URIs.
 */
export function parseUri(text: string): SipUri | null {
  const t = text.trim();
  const colon = t.indexOf(':');
  if (colon <= 0) return null;
  const scheme = t.slice(0, colon).toLowerCase();
  if (scheme !== 'sip' && scheme !== 'sips' && !/^[a-z][a-z0-9+.\-]*$/.test(scheme)) return null;
  let rest = t.slice(colon + 1);
  const empty = (): Record<string, string> => Object.create(null) as Record<string, string>;
  if (scheme !== 'sip' && scheme !== 'sips') {
    if (scheme === 'tel') {
      const semi = rest.indexOf(';');
      const user = semi < 0 ? rest : rest.slice(0, semi);
      if (!user) return null;
      return { scheme, user, password: '', host: '', port: 0, params: semi < 0 ? empty() : parseParams(rest.slice(semi)), headers: '' };
    }
    return { scheme, user: rest, password: '', host: '', port: 0, params: empty(), headers: '' };
  }
  if (/\s/.test(rest)) return null;
  let headers = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    headers = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  // The user part may itself contain ';' (RFC 4475 semiuri), so find '@' first.
  let user = '';
  let password = '';
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const pc = userinfo.indexOf(':');
    if (pc >= 0) {
      user = userinfo.slice(0, pc);
      password = userinfo.slice(pc + 1);
    } else user = userinfo;
    if (!user) return null;
  }
  const semi = rest.indexOf(';');
  const hostport = semi < 0 ? rest : rest.slice(0, semi);
  const hp = parseHostPort(hostport);
  if (!hp) return null;
  return {
    scheme,
    user,
    password,
    host: hp.host,
    port: hp.port,
    params: semi < 0 ? empty() : parseParams(rest.slice(semi)),
    headers,
  };
}

/**
 * Parses one name-addr or addr-spec (From, To, Contact, Route, Refer-To …).
 * For an addr-spec without < >, every ';' parameter belongs to the header
 * (RFC 3261 §20.10). Null when the value is malformed (e.g. unbalanced quotes).
 */
export function parseNameAddr(text: string): NameAddr | null {
  const t = text.trim();
  if (!t) return null;
  let display = '';
  let uri: string;
  let paramText: string;
  let i = 0;
  if (t[0] === '"') {
    let k = 1;
    while (k < t.length && t[k] !== '"') k += t[k] === '\\' ? 2 : 1;
    if (k >= t.length) return null;
    display = unquote(t.slice(0, k + 1));
    i = k + 1;
    while (isWs(t[i])) i++;
    if (t[i] !== '<') return null;
  }
  const lt = t.indexOf('<', i);
  if (lt >= 0) {
    if (i === 0) display = t.slice(0, lt).trim();
    const gt = t.indexOf('>', lt);
    if (gt < 0) return null;
    uri = t.slice(lt + 1, gt).trim();
    paramText = t.slice(gt + 1);
    if (paramText.trim() && !paramText.trim().startsWith(';')) return null;
  } else {
    if (t.includes('>')) return null;
    const semi = t.indexOf(';');
    uri = (semi < 0 ? t : t.slice(0, semi)).trim();
    paramText = semi < 0 ? '' : t.slice(semi);
    if (/\s/.test(uri)) return null;
  }
  if (!uri) return null;
  const params = parseParams(paramText);
  return { display, uri, tag: params.tag ?? '', params };
}

/** Parses "314159 INVITE". Null when the number is missing, not decimal or ≥ 2^31. */
export function parseCSeq(text: string): CSeq | null {
  const m = /^\s*([0-9]{1,10})\s+([A-Za-z0-9.!%*_+`'~\-]+)\s*$/.exec(text);
  if (!m) return null;
  const seq = Number(m[1]);
  if (seq >= 2 ** 31) return null;
  return { seq, method: m[2]! };
}

/**
 * Parses a Via header value, which may hold several comma separated vias;
 * malformed entries are skipped. LWS around '/' is allowed (RFC 4475 wsinv).
 */
export function parseVia(text: string): Via[] {
  const out: Via[] = [];
  for (const part of splitCommaList(text)) {
    const m = /^([A-Za-z0-9.!%*_+`'~\-]+)\s*\/\s*([0-9.]+)\s*\/\s*([A-Za-z0-9.!%*_+`'~\-]+)\s+([^;]+?)\s*(;.*)?$/s.exec(part);
    if (!m) continue;
    const hp = parseHostPort(m[4]!.replace(/\s+/g, ''));
    if (!hp) continue;
    const params = parseParams(m[5] ?? '');
    let rport: number | undefined;
    if ('rport' in params) {
      const p = parsePort(params.rport ?? '');
      rport = p ?? 0;
    }
    out.push({
      protocol: `${m[1]!.toUpperCase()}/${m[2]}`,
      transport: m[3]!.toUpperCase(),
      host: hp.host,
      port: hp.port,
      branch: params.branch ?? '',
      received: params.received ?? '',
      rport,
      params,
    });
  }
  return out;
}
