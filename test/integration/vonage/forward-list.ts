// The "forward to SIP URI" field of the Vonage dashboard, read the way the
// spec describes Vonage reading it: a comma-separated list tried in order
// (V-IN-1), `;timeout=N` in ms, 2000–20000, default 5000 (V-IN-3),
// `;transport=tls` with 5061 as the default port, or a legacy `sips:` URI
// (V-IN-4). `;timeout` and `;media=srtp` (V-IN-5) are instructions to Vonage,
// so they are not part of the Request-URI sent to the target.

export interface ForwardTarget {
  /** The Request-URI the stand-in sends to. */
  uri: string;
  timeoutMs: number;
  tls: boolean;
  srtp: boolean;
}

export const DEFAULT_TIMEOUT_MS = 5000;

export function parseForwardList(field: string): ForwardTarget[] {
  const items = field.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === '')) throw new Error(`forward list "${field}": empty entry`);
  return items.map((item) => {
    const m = /^(sips?):([^;?]+)((?:;[^;?]*)*)$/i.exec(item);
    if (!m) throw new Error(`forward list: "${item}" is not a sip:/sips: URI`);
    const scheme = m[1]!.toLowerCase();
    let hostPart = m[2]!;
    const params = (m[3] ?? '').split(';').filter(Boolean);
    let timeoutMs = DEFAULT_TIMEOUT_MS;
    let srtp = false;
    let transport = '';
    const kept: string[] = [];
    for (const p of params) {
      const [k = '', v = ''] = p.split('=');
      const key = k.toLowerCase();
      if (key === 'timeout') {
        if (!/^\d+$/.test(v) || Number(v) < 2000 || Number(v) > 20000) throw new Error(`forward list: "${item}": timeout must be 2000-20000 ms`);
        timeoutMs = Number(v);
      } else if (key === 'media') {
        srtp = v.toLowerCase() === 'srtp';
      } else {
        if (key === 'transport') transport = v.toLowerCase();
        kept.push(p);
      }
    }
    const tls = scheme === 'sips' || transport === 'tls';
    // host[:port] after the optional user@; no port + TLS = 5061 (V-IN-4).
    const at = hostPart.lastIndexOf('@');
    const host = hostPart.slice(at + 1);
    if (tls && !/:\d+$/.test(host)) hostPart = `${hostPart}:5061`;
    return { uri: `${scheme}:${hostPart}${kept.map((p) => `;${p}`).join('')}`, timeoutMs, tls, srtp };
  });
}
