// Reads SIPp's -trace_msg file: every message SIPp sent or received, as the
// bytes were on the wire. Assertions about what a peer saw are made on this.

export interface SipMessage {
  direction: 'sent' | 'received';
  transport: string; // "UDP" | "TCP" | …
  /** The message text as SIPp logged it (start line, headers, blank line, body). */
  raw: string;
  startLine: string;
  /** Request method, or undefined for a response. */
  method?: string;
  /** Response status code, or undefined for a request. */
  status?: number;
  /** Header lines in order, names as written (compact forms are not expanded). */
  headers: Array<{ name: string; value: string }>;
  body: string;
}

const COMPACT: Record<string, string> = {
  i: 'call-id', f: 'from', t: 'to', v: 'via', m: 'contact', l: 'content-length',
  c: 'content-type', e: 'content-encoding', k: 'supported', s: 'subject', o: 'event',
  r: 'refer-to', b: 'referred-by', u: 'allow-events', x: 'session-expires',
};

function canonical(name: string): string {
  const n = name.trim().toLowerCase();
  return COMPACT[n] ?? n;
}

/** Every value of header `name` (case-insensitive, compact forms understood). */
export function headerValues(msg: SipMessage, name: string): string[] {
  const want = canonical(name);
  return msg.headers.filter((h) => canonical(h.name) === want).map((h) => h.value);
}

/** The first value of header `name`, or undefined. */
export function header(msg: SipMessage, name: string): string | undefined {
  return headerValues(msg, name)[0];
}

/** CSeq method of a message ("INVITE" for a 200 to an INVITE). */
export function cseqMethod(msg: SipMessage): string | undefined {
  return header(msg, 'cseq')?.trim().split(/\s+/)[1];
}

// One entry starts with a dashes line carrying a timestamp, then a line like
// "UDP message received [519] bytes :" or "UDP message sent (314 bytes):".
const ENTRY = /^-{5,}[^\n]*\n(\w+) message (sent|received)[^\n]*\n\n/gm;

export function parseMessages(log: string): SipMessage[] {
  const out: SipMessage[] = [];
  const starts: Array<{ at: number; end: number; transport: string; dir: 'sent' | 'received' }> = [];
  for (const m of log.matchAll(ENTRY)) {
    starts.push({
      at: m.index ?? 0,
      end: (m.index ?? 0) + m[0].length,
      transport: m[1] ?? '',
      dir: m[2] === 'sent' ? 'sent' : 'received',
    });
  }
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i]!;
    const next = starts[i + 1]?.at ?? log.length;
    const raw = log.slice(s.end, next).replace(/\n+$/, '\n');
    out.push(parseOne(raw, s.transport, s.dir));
  }
  return out;
}

function parseOne(raw: string, transport: string, direction: 'sent' | 'received'): SipMessage {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const head = split >= 0 ? text.slice(0, split) : text;
  const body = split >= 0 ? text.slice(split + 2) : '';
  const lines = head.split('\n');
  const startLine = lines[0] ?? '';
  const headers: Array<{ name: string; value: string }> = [];
  for (const line of lines.slice(1)) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      headers[headers.length - 1]!.value += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  const msg: SipMessage = { direction, transport, raw, startLine, headers, body };
  const resp = /^SIP\/2\.0\s+(\d{3})/.exec(startLine);
  if (resp) msg.status = Number(resp[1]);
  else msg.method = startLine.split(' ')[0];
  return msg;
}

/** Messages filtered by direction and request method or response code. */
export function select(
  msgs: SipMessage[],
  q: { direction?: 'sent' | 'received'; method?: string; status?: number; cseq?: string },
): SipMessage[] {
  return msgs.filter(
    (m) =>
      (q.direction === undefined || m.direction === q.direction) &&
      (q.method === undefined || m.method === q.method) &&
      (q.status === undefined || m.status === q.status) &&
      (q.cseq === undefined || cseqMethod(m) === q.cseq),
  );
}

/** Value of a header parameter, e.g. param("SIP/2.0/UDP h;branch=z9", "branch"). */
export function param(value: string, name: string): string | undefined {
  const re = new RegExp(`;\\s*${name}=([^;,>\\s]+)`, 'i');
  return re.exec(value)?.[1];
}

/**
 * A regex matching an IPv4 literal as a whole token: "127.0.0.1" must not
 * match inside "127.0.0.10" nor "127.0.0.1" inside "127.0.0.100".
 */
export function ipPattern(ip: string, port?: number): RegExp {
  const esc = ip.replace(/\./g, '\\.');
  const tail = port === undefined ? '(?![0-9])' : `:${port}(?![0-9])`;
  return new RegExp(`(?<![0-9.])${esc}${tail}`);
}
