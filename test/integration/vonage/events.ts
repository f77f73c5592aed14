// What the Vonage stand-in's Kamailio reports: every request it received
// and every decision it took, one "STANDIN <event> key=value …" line each on
// its stderr (see kamailio/vonage-edge.cfg). Whole SIP messages travel
// base64-encoded in `msg`, so they survive the log line intact.
import { parseMessages, type SipMessage } from '../harness/index.js';

export type StandinEventName =
  | 'request' // any request received (msg = the request as received)
  | 'reply' // a response relayed back through the stand-in (msg = the response)
  | 'challenge' // 401/407 sent; reason = no-credentials | stale-nonce (expired, or nc not increasing) | nonce-reused | wrong-password | wrong-user | …
  | 'auth-ok' // digest verified with the API key/secret
  | 'auth-failed' // wrong password or wrong username (followed by a challenge or a 403)
  | 'replied' // a final response the stand-in produced itself (code, why)
  | 'relayed' // forwarded to the callee (outbound) or toward its Request-URI (inbound)
  | 'dropped' // no answer on purpose (silent mode, OPTIONS switched off)
  | 'inbound-try' // inbound failover: trying target `index` (uri base64) with `timeout` ms
  | 'inbound-failover' // … and moving on (why = timeout or the 5xx code)
  | 'inbound-exhausted'
  | 'inbound-relay-failed';

export interface StandinEvent {
  event: StandinEventName | string;
  /** The endpoint that logged it ("edge1", "edge2"). */
  edge: string;
  /** When it happened, ms since the epoch: Kamailio's clock ($TV) when logged, else when the driver read the line. */
  at: number;
  /** key=value fields as logged (msg and uri already decoded). */
  fields: Record<string, string>;
  method?: string;
  callId?: string;
  /** For `request` and `reply`: the message, parsed like a SIPp trace entry. */
  message?: SipMessage;
}

const LINE = /STANDIN (\S+)((?: \S+=\S*)*)\s*$/;

/** Parses one stderr line; null when it is not a stand-in event. */
export function parseStandinLine(line: string, at = Date.now()): StandinEvent | null {
  const m = LINE.exec(line);
  if (!m) return null;
  const fields: Record<string, string> = {};
  for (const kv of (m[2] ?? '').trim().split(' ')) {
    if (!kv) continue;
    const eq = kv.indexOf('=');
    fields[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  // ts = "seconds.microseconds" from Kamailio's gettimeofday: same clock as Date.now().
  const ts = fields.ts !== undefined ? Number(fields.ts) : NaN;
  const ev: StandinEvent = { event: m[1]!, edge: fields.inst ?? '', at: Number.isFinite(ts) ? Math.round(ts * 1000) : at, fields };
  if (fields.method) ev.method = fields.method;
  if (fields.callid) ev.callId = fields.callid;
  if (fields.uri) fields.uri = Buffer.from(fields.uri, 'base64').toString('utf8');
  if (fields.contact) fields.contact = Buffer.from(fields.contact, 'base64').toString('utf8');
  if (fields.msg !== undefined) {
    const raw = Buffer.from(fields.msg, 'base64').toString('utf8');
    fields.msg = raw;
    ev.message = parseSipText(raw, (fields.proto ?? 'udp').toUpperCase());
  }
  return ev;
}

/**
 * One SIP message from its text. Wrapped as a SIPp trace entry so that the
 * harness's parser (the one every other test's assertions go through) reads
 * it: same header folding, compact forms and body split.
 */
export function parseSipText(raw: string, transport = 'UDP'): SipMessage | undefined {
  const entry = `----------------------------------------------- 0.0\n${transport} message received [${raw.length}] bytes :\n\n${raw}`;
  return parseMessages(entry)[0];
}

/** Bounded collection of events with waiters. */
export class EventLog {
  private readonly list: StandinEvent[] = [];
  private readonly waiters = new Set<() => void>();
  /** At most this many events are kept (oldest dropped). */
  constructor(private readonly max = 20_000) {}

  push(ev: StandinEvent): void {
    this.list.push(ev);
    if (this.list.length > this.max) this.list.splice(0, this.list.length - this.max);
    for (const w of [...this.waiters]) w();
  }

  all(): StandinEvent[] {
    return this.list.slice();
  }

  /** Resolves with the first event (past or future) matching `pred`; rejects after timeoutMs. */
  waitFor(pred: (e: StandinEvent) => boolean, timeoutMs: number, what = 'stand-in event'): Promise<StandinEvent> {
    const seen = this.list.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const e = this.list.find(pred);
        if (e) {
          clearTimeout(t);
          this.waiters.delete(check);
          resolve(e);
        }
      };
      const t = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${what} not seen within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }
}
