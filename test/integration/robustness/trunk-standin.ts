// The far-side stand-in for the robustness tests (the Vonage trunk when the
// LAN side is tortured, the PBX when the WAN side is): a UDP socket that
// records every request the SBC forwards and answers it at once, so a
// "process normally" INVITE ends with a known final status (486) relayed back
// to the caller, with no dialog left behind.
import { createSocket, type Socket } from 'node:dgram';
import { hdr, hdrs, parseDatagram, token, type Parsed } from './wire.js';

export const STANDIN_INVITE_STATUS = 486;

export interface Seen {
  msg: Parsed;
  from: { address: string; port: number };
}

export class TrunkStandin {
  readonly seen: Seen[] = [];
  private constructor(private readonly sock: Socket, readonly ip: string, readonly port: number) {}

  static async start(ip: string, port: number): Promise<TrunkStandin> {
    const sock = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind({ address: ip, port, exclusive: true }, () => resolve());
    });
    const t = new TrunkStandin(sock, ip, port);
    sock.on('error', () => undefined);
    sock.on('message', (b, rinfo) => {
      const m = parseDatagram(b);
      if (!m || m.method === undefined) return;
      t.seen.push({ msg: m, from: { address: rinfo.address, port: rinfo.port } });
      if (m.method === 'ACK') return;
      const status = m.method === 'INVITE' ? STANDIN_INVITE_STATUS : 200;
      sock.send(t.answer(m, status), rinfo.port, rinfo.address);
    });
    return t;
  }

  private answer(req: Parsed, status: number): Buffer {
    const reason = status === 200 ? 'OK' : 'Busy Here';
    let to = hdr(req, 'to') ?? '';
    if (!/;\s*tag=/i.test(to)) to += `;tag=standin${token(3)}`;
    const lines = [`SIP/2.0 ${status} ${reason}`];
    for (const v of hdrs(req, 'via')) lines.push(`Via: ${v}`);
    lines.push(`From: ${hdr(req, 'from') ?? ''}`, `To: ${to}`, `Call-ID: ${hdr(req, 'call-id') ?? ''}`);
    lines.push(`CSeq: ${hdr(req, 'cseq') ?? ''}`, 'Content-Length: 0', '', '');
    return Buffer.from(lines.join('\r\n'), 'latin1');
  }

  /** Requests (not ACK) received since index `from`. */
  requestsSince(from: number, method?: string): Seen[] {
    return this.seen.slice(from).filter((s) => s.msg.method !== 'ACK' && (method === undefined || s.msg.method === method));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.sock.close(() => resolve()));
  }
}
