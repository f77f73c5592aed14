// Read-only views of received SIP messages. Each wraps the addon's event
// object as is; headers and the common header fields are parsed on first
// access only, so a message nobody inspects costs one small object.
import { Headers } from './headers.js';
import type { NativeEvent } from './native.js';
import { parseCSeq, parseNameAddr, type CSeq, type NameAddr } from './parse.js';

export interface SourceAddress {
  ip: string;
  port: number;
}

function flatHeaders(h: string[] | string): string[] {
  if (typeof h !== 'string') return h;
  return h === '' ? [] : h.split('\n');
}

abstract class SipMessage {
  /** @internal */ protected readonly ev: NativeEvent;
  #headers: Headers | undefined;

  /** @internal */
  constructor(ev: NativeEvent) {
    this.ev = ev;
  }

  get headers(): Headers {
    return (this.#headers ??= Headers.fromFlat(flatHeaders(this.ev.headers)));
  }

  get body(): string {
    return this.ev.body;
  }

  /** First value of a header (case-insensitive, compact forms understood). */
  get(name: string): string | undefined {
    return this.headers.get(name);
  }

  get callId(): string {
    return this.headers.get('call-id') ?? '';
  }

  /** Parsed From, or null when absent or malformed. */
  get from(): NameAddr | null {
    const v = this.headers.get('from');
    return v === undefined ? null : parseNameAddr(v);
  }

  /** Parsed To, or null when absent or malformed. */
  get to(): NameAddr | null {
    const v = this.headers.get('to');
    return v === undefined ? null : parseNameAddr(v);
  }

  get cseq(): CSeq | null {
    const v = this.headers.get('cseq');
    return v === undefined ? null : parseCSeq(v);
  }

  get contentType(): string | undefined {
    return this.headers.get('content-type');
  }
}

export class SipRequest extends SipMessage {
  get method(): string {
    return this.ev.method;
  }

  /** The Request-URI as received. */
  get uri(): string {
    return this.ev.ruri;
  }

  /** Side ("lan" / "wan") of the listener it arrived on. */
  get side(): string {
    return this.ev.side;
  }

  /** "udp" | "tcp" | "tls" */
  get transport(): string {
    return this.ev.transport;
  }

  get listener(): string {
    return this.ev.listener;
  }

  get source(): SourceAddress {
    return { ip: this.ev.remoteIp, port: this.ev.remotePort };
  }

  /** The request carries one of our own Via branches: it came back to us. */
  get looped(): boolean {
    return this.ev.looped;
  }

  /** Max-Forwards as a number, or undefined when absent or not a number. */
  get maxForwards(): number | undefined {
    const v = this.headers.get('max-forwards');
    if (v === undefined) return undefined;
    // Same as /^\s*[0-9]{1,3}\s*$/ (Number() trims the same whitespace), no regex per INVITE.
    const t = v.trim();
    if (t.length === 0 || t.length > 3) return undefined;
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
    }
    return Number(t);
  }
}

export class SipResponse extends SipMessage {
  get status(): number {
    return this.ev.status;
  }

  get reason(): string {
    return this.ev.reason;
  }

  /** The CSeq method of the request this answers. */
  get method(): string {
    return this.ev.method;
  }

  /** Made up by the engine (408 on timeout, 503 on transport failure), not received. */
  get local(): boolean {
    return this.ev.local;
  }

  /** Engine's note on a local response (e.g. the transport error). */
  get info(): string {
    return this.ev.info;
  }

  /** Transport and peer it came from ("" / 0 for local responses). */
  get transport(): string {
    return this.ev.transport;
  }

  get source(): SourceAddress {
    return { ip: this.ev.remoteIp, port: this.ev.remotePort };
  }
}

/** A response the JavaScript side makes up itself (engine closed). */
export function localResponse(method: string, status: number, reason: string, info: string): SipResponse {
  return new SipResponse({
    type: 'response',
    txn: 0,
    dialog: 0,
    method,
    ruri: '',
    status,
    reason,
    headers: [],
    body: '',
    local: true,
    looped: false,
    listener: '',
    side: '',
    transport: '',
    remoteIp: '',
    remotePort: 0,
    info,
  });
}
