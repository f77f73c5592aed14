// Reads a running SIPp's message trace while the call is up. SIPp flushes
// -trace_msg after every message, so polling the file tells a media test when
// the call is established, what SDP each side got, when a re-INVITE went out,
// and it can start or stop RTP at those moments.
import { readFileSync } from 'node:fs';
import type { SippHandle } from './sipp.js';
import { cseqMethod, parseMessages, type SipMessage } from './sip-log.js';

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

  messages(): SipMessage[] {
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    return parseMessages(text);
  }

  /** The `nth` (1-based) message matching `pred`, waiting at most `ms` for it. */
  async waitFor(pred: (m: SipMessage) => boolean, ms: number, what: string, nth = 1): Promise<SipMessage> {
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
