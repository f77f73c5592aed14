// A plain-RTP test endpoint on a node:dgram socket: it sends paced streams of
// pattern packets (rtp-packet.ts) and records every datagram it receives with
// its source address and arrival time, so tests can say exactly what reached
// the peer, from where, and when.
import { createSocket, type Socket } from 'node:dgram';
import { buildRtp, matchesPattern, parseRtp, patternPayload, type RtpFields, PCMU_PAYLOAD_LEN } from './rtp-packet.js';

export interface UdpAddress {
  ip: string;
  port: number;
}

export interface SeenPacket {
  from: UdpAddress;
  /** Date.now() at arrival. */
  at: number;
  raw: Buffer;
  /** null for RTCP and non-RTP datagrams. */
  rtp: RtpFields | null;
}

export interface SentPacket {
  seq: number;
  at: number;
  to: UdpAddress;
}

export interface StreamOptions {
  to: UdpAddress;
  /** Payload pattern seed (0..255): identifies the stream at the receiver. */
  seed: number;
  ssrc: number;
  seq0?: number;
  ts0?: number;
  intervalMs?: number;
  /** Stop after this many packets (default 3000: one minute of 20 ms packets). */
  count?: number;
}

/** One paced stream from an endpoint; `stop()` ends it, `done` resolves once it has ended. */
export class RtpStream {
  readonly sent: SentPacket[] = [];
  readonly done: Promise<void>;
  private timer: NodeJS.Timeout | undefined;
  private finish: () => void = () => undefined;
  private to: UdpAddress;

  constructor(
    private readonly socket: Socket,
    private readonly opts: StreamOptions,
  ) {
    this.to = opts.to;
    this.done = new Promise((resolve) => (this.finish = resolve));
    const interval = opts.intervalMs ?? 20;
    const count = opts.count ?? 3000;
    const start = Date.now();
    const seq0 = opts.seq0 ?? 1000;
    const ts0 = opts.ts0 ?? 160_000;
    const tick = (): void => {
      // Send every packet that is due (catches up after a late timer), then sleep.
      const due = Math.min(count, Math.floor((Date.now() - start) / interval) + 1);
      while (this.sent.length < due) {
        const i = this.sent.length;
        const seq = (seq0 + i) & 0xffff;
        const pkt = buildRtp({
          seq, ts: ts0 + i * PCMU_PAYLOAD_LEN, ssrc: opts.ssrc, marker: i === 0, payload: patternPayload(opts.seed, seq),
        });
        const to = this.to;
        this.sent.push({ seq, at: Date.now(), to });
        this.socket.send(pkt, to.port, to.ip);
      }
      if (this.sent.length >= count) {
        this.stop();
        return;
      }
      this.timer = setTimeout(tick, Math.max(1, start + this.sent.length * interval - Date.now()));
    };
    tick();
  }

  /** Sends the following packets to another address (the peer moved). */
  retarget(to: UdpAddress): void {
    this.to = to;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.finish();
  }

  get seed(): number {
    return this.opts.seed;
  }
}

export class RtpEndpoint {
  readonly seen: SeenPacket[] = [];
  private readonly streams: RtpStream[] = [];
  private closed = false;
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly socket: Socket,
    readonly ip: string,
    readonly port: number,
  ) {
    socket.on('message', (raw, rinfo) => {
      this.seen.push({ from: { ip: rinfo.address, port: rinfo.port }, at: Date.now(), raw, rtp: parseRtp(raw) });
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
    // ICMP port unreachable from a peer that is not listening yet: not our concern here.
    socket.on('error', () => undefined);
  }

  /** Binds `ip:port` (port 0 = any free port). */
  static open(ip: string, port = 0): Promise<RtpEndpoint> {
    return new Promise((resolve, reject) => {
      const s = createSocket(ip.includes(':') ? 'udp6' : 'udp4');
      s.once('error', reject);
      s.bind({ address: ip, port, exclusive: true }, () => {
        s.removeListener('error', reject);
        resolve(new RtpEndpoint(s, ip, s.address().port));
      });
    });
  }

  get address(): UdpAddress {
    return { ip: this.ip, port: this.port };
  }

  stream(opts: StreamOptions): RtpStream {
    const s = new RtpStream(this.socket, opts);
    this.streams.push(s);
    return s;
  }

  sendRaw(buf: Buffer, to: UdpAddress): void {
    this.socket.send(buf, to.port, to.ip);
  }

  /** RTP packets received whose payload is exactly the pattern of `seed` for their sequence number. */
  fromSeed(seed: number): SeenPacket[] {
    return this.seen.filter((p) => p.rtp !== null && matchesPattern(seed, p.rtp.seq, p.rtp.payload));
  }

  /** RTP packets received that match none of the `seeds` (garbage, tampering). */
  foreign(seeds: number[]): SeenPacket[] {
    return this.seen.filter((p) => p.rtp !== null && !seeds.some((s) => matchesPattern(s, p.rtp!.seq, p.rtp!.payload)));
  }

  /** Waits (at most `ms`) until `cond()` holds; re-checked on every datagram and every 50 ms. */
  async until(cond: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) return cond();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams) s.stop();
    this.socket.close();
  }
}
