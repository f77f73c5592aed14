// Reads a running SIPp's message trace while the call is up. SIPp flushes
// -trace_msg after every message, so polling the file tells a media test when
// the call is established, what SDP each side got, when a re-INVITE went out,
// and it can start or stop RTP at those moments.
import { readFileSync } from 'node:fs';
import type { SippHandle } from './sipp.js';
import { cseqMethod, parseMessages, type SipMessage } from './sip-log.js';

/** A traced message with the wall-clock time SIPp logged it at (ms since the epoch). */
export type TimedMessage = SipMessage & { at: number };

// The dashes line that opens each trace entry carries SIPp's local time,
// "----- 2026-11-23 17:34:35.290640"; entries are in the same order as
// parseMessages returns them.
const STAMP = /^-{5,} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})\d*\n\w+ message (?:sent|received)/gm;

export class SippTrace {
  readonly file: string;

  constructor(readonly handle: SippHandle, readonly label: string) {
    // The harness passes "-message_file <dir>/messages.log"; read it from the command line.
    const args = handle.proc.spawnargs;
    const i = args.indexOf('-message_file');
    const file = i >= 0 ? args[i + 1] : undefined;
    if (!file) throw new Error(`${label}: SIPp was started without -message_file`);
    this.file = file;
  }

  messages(): TimedMessage[] {
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    const stamps = [...text.matchAll(STAMP)].map((m) => new Date(`${m[1]}T${m[2]}`).getTime());
    const all = parseMessages(text).map((msg, i) => ({ ...msg, at: stamps[i] ?? Number.NaN }));
    // SIPp ends every entry with "\n\n" after the message; an entry read
    // half-written is left for the next poll.
    return text.endsWith('\n\n') ? all : all.slice(0, -1);
  }

  /** The `nth` (1-based) message matching `pred`, waiting at most `ms` for it. */
  async waitFor(pred: (m: SipMessage) => boolean, ms: number, what: string, nth = 1): Promise<TimedMessage> {
    const deadline = Date.now() + ms;
    let exited = false;
    void this.handle.done.then(() => (exited = true));
    for (;;) {
      const hits = this.messages().filter(pred);
      if (hits.length >= nth) return hits[nth - 1]!;
      if (Date.now() > deadline || exited) {
        const seen = this.messages().map((m) => `  ${m.direction} ${m.startLine} (${cseqMethod(m) ?? ''})`).join('\n');
        throw new Error(
          `${this.label}: ${what} not seen within ${ms} ms${exited ? ' (SIPp exited)' : ''}\ntrace ${this.file}:\n${seen || '  nothing'}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Predicates for waitFor. */
export const on = {
  request: (direction: 'sent' | 'received', method: string) => (m: SipMessage) => m.direction === direction && m.method === method,
  response: (direction: 'sent' | 'received', status: number, cseq: string) => (m: SipMessage) =>
    m.direction === direction && m.status === status && cseqMethod(m) === cseq,
};

/** A message whose CSeq header is exactly `cseq` ("2 INVITE"), sent or received. */
export function withCseq(direction: 'sent' | 'received', cseq: string, status?: number): (m: SipMessage) => boolean {
  return (m) =>
    m.direction === direction &&
    (status === undefined ? m.method !== undefined : m.status === status) &&
    (m.headers.find((h) => /^(cseq)$/i.test(h.name))?.value.trim().replace(/\s+/g, ' ') ?? '') === cseq;
}
