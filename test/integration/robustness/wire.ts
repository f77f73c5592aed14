// Raw SIP over UDP, TCP and TLS for the robustness tests: they send bytes a
// SIP stack would never produce, so SIPp cannot be used. Everything the peer
// sends back is framed (RFC 3261 18.3 for streams), parsed just enough to
// assert on, and kept in arrival order.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { randomBytes } from 'node:crypto';

export type Transport = 'udp' | 'tcp' | 'tls';

export interface Parsed {
  startLine: string;
  status?: number;
  method?: string;
  headers: Array<[string, string]>;
  body: Buffer;
  at: number;
}

const COMPACT: Record<string, string> = {
  i: 'call-id', f: 'from', t: 'to', v: 'via', m: 'contact', l: 'content-length',
  c: 'content-type', e: 'content-encoding', k: 'supported', s: 'subject', o: 'event',
  r: 'refer-to', b: 'referred-by', u: 'allow-events', x: 'session-expires',
};

export function canonicalName(name: string): string {
  const n = name.trim().toLowerCase();
  return COMPACT[n] ?? n;
}

export function hdrs(m: Parsed, name: string): string[] {
  const want = canonicalName(name);
  return m.headers.filter(([n]) => n === want).map(([, v]) => v);
}

export function hdr(m: Parsed, name: string): string | undefined {
  return hdrs(m, name)[0];
}

export function cseqOf(m: Parsed): { num: string; method: string } {
  const [num = '', method = ''] = (hdr(m, 'cseq') ?? '').trim().split(/\s+/);
  return { num, method };
}

/** Parses one complete message head (no trailing blank line) plus its body. */
export function parseHead(head: string, body: Buffer): Parsed {
  const lines = head.split(/\r?\n/);
  const startLine = lines.shift() ?? '';
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      const last = headers[headers.length - 1]!;
      last[1] += ' ' + line.trim();
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue;
    headers.push([canonicalName(line.slice(0, i)), line.slice(i + 1).trim()]);
  }
  const m: Parsed = { startLine, headers, body, at: Date.now() };
  const rs = /^SIP\/2\.0 (\d{3})/.exec(startLine);
  if (rs) m.status = Number(rs[1]);
  else m.method = startLine.split(' ')[0];
  return m;
}

function contentLength(head: string): number {
  const re = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)/gim;
  const m = re.exec(head);
  return m ? Number(m[1]) : 0;
}

/** Splits a byte stream into SIP messages; what is left waits for more bytes. */
export class StreamFramer {
  private buf = Buffer.alloc(0);
  push(chunk: Buffer, emit: (m: Parsed) => void): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      // Keep-alive CRLFs (RFC 5626 3.5.1) between messages.
      let start = 0;
      while (start + 1 < this.buf.length && this.buf[start] === 13 && this.buf[start + 1] === 10) start += 2;
      if (start > 0) this.buf = this.buf.subarray(start);
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buf.subarray(0, end).toString('latin1');
      const len = contentLength(head);
      if (this.buf.length < end + 4 + len) return;
      const body = this.buf.subarray(end + 4, end + 4 + len);
      this.buf = this.buf.subarray(end + 4 + len);
      emit(parseHead(head, Buffer.from(body)));
    }
  }
}

export function parseDatagram(b: Buffer): Parsed | undefined {
  const end = b.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = b.subarray(0, end).toString('latin1');
  return parseHead(head, Buffer.from(b.subarray(end + 4)));
}

export interface Target {
  ip: string;
  port: number;
}

/** One client "socket": a UDP socket, or one TCP/TLS connection. */
export class SipClient {
  readonly received: Parsed[] = [];
  closedByPeer = false;
  closed = false;
  localPort = 0;
  private waiters: Array<() => void> = [];

  private constructor(
    readonly transport: Transport,
    readonly localIp: string,
    private readonly target: Target,
    private readonly udp?: UdpSocket,
    private readonly stream?: Socket,
  ) {}

  static async open(transport: Transport, localIp: string, target: Target): Promise<SipClient> {
    if (transport === 'udp') {
      const sock = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind({ address: localIp, port: 0 }, () => resolve());
      });
      const c = new SipClient(transport, localIp, target, sock);
      c.localPort = sock.address().port;
      // ICMP errors and the like must not crash the test process.
      sock.on('error', () => undefined);
      sock.on('message', (b) => {
        const m = parseDatagram(b);
        if (m) c.deliver(m);
      });
      return c;
    }
    const stream = await new Promise<Socket>((resolve, reject) => {
      const opts = { host: target.ip, port: target.port, localAddress: localIp };
      const s =
        transport === 'tls'
          ? tlsConnect({ ...opts, rejectUnauthorized: false }, () => resolve(s))
          : netConnect(opts, () => resolve(s));
      s.once('error', reject);
      s.setTimeout(15000, () => s.destroy());
    });
    const c = new SipClient(transport, localIp, target, undefined, stream);
    c.localPort = stream.localPort ?? 0;
    const framer = new StreamFramer();
    stream.on('error', () => undefined);
    stream.on('data', (d: Buffer) => framer.push(d, (m) => c.deliver(m)));
    stream.on('end', () => {
      c.closedByPeer = true;
      c.wake();
    });
    stream.on('close', () => {
      if (!c.closed) c.closedByPeer = true;
      c.closed = true;
      c.wake();
    });
    return c;
  }

  private deliver(m: Parsed): void {
    this.received.push(m);
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves on the next arrival or close, or after `ms`. */
  private next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  async send(data: Buffer | string): Promise<void> {
    const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    if (this.udp) {
      await new Promise<void>((resolve, reject) =>
        this.udp!.send(b, this.target.port, this.target.ip, (err) => (err ? reject(err) : resolve())),
      );
      return;
    }
    const s = this.stream!;
    if (s.destroyed || !s.writable) throw new Error('connection closed');
    await new Promise<void>((resolve, reject) => s.write(b, (err) => (err ? reject(err) : resolve())));
  }

  /** First received message matching `pred` (already there or arriving within `ms`). */
  async waitFor(pred: (m: Parsed) => boolean, ms: number): Promise<Parsed | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.received.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0 || (this.closed && this.transport !== 'udp')) return undefined;
      await this.next(left);
    }
  }

  /** Waits until the peer closes the connection; true if it did within `ms`. */
  async waitClosed(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await this.next(deadline - Date.now());
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.udp) this.udp.close();
    else this.stream!.destroy();
  }
}

export function token(n = 8): string {
  return randomBytes(n).toString('hex');
}

/** A well-formed OPTIONS from `c` (Via with rport, so replies come back to us). */
export function optionsRequest(c: SipClient, target: Target): { callId: string; text: string } {
  const callId = `probe-${token()}`;
  const proto = c.transport.toUpperCase();
  const text =
    `OPTIONS sip:probe@${target.ip}:${target.port} SIP/2.0\r\n` +
    `Via: SIP/2.0/${proto} ${c.localIp}:${c.localPort};branch=z9hG4bK${token()};rport\r\n` +
    `Max-Forwards: 70\r\n` +
    `From: <sip:robustness@${c.localIp}>;tag=${token(4)}\r\n` +
    `To: <sip:probe@${target.ip}>\r\n` +
    `Call-ID: ${callId}\r\n` +
    `CSeq: 1 OPTIONS\r\n` +
    `Accept: application/sdp\r\n` +
    `Content-Length: 0\r\n\r\n`;
  return { callId, text };
}

/**
 * Sends an OPTIONS on a fresh socket/connection and returns the final
 * response's status (undefined: no answer within `ms`, or no connection).
 */
export async function probeOptions(transport: Transport, localIp: string, target: Target, ms = 4000): Promise<number | undefined> {
  let c: SipClient;
  try {
    c = await SipClient.open(transport, localIp, target);
  } catch {
    return undefined;
  }
  try {
    const { callId, text } = optionsRequest(c, target);
    await c.send(text);
    const r = await c.waitFor((m) => hdr(m, 'call-id') === callId && (m.status ?? 0) >= 200, ms);
    return r?.status;
  } finally {
    c.close();
  }
}
