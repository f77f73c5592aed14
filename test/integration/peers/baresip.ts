// Drives baresip 1.0 (Debian baresip-core) as the PBX-side phone: a config
// directory made per test, no audio hardware (ausine as the source, aubridge
// as a sink), and control plus call events through its ctrl_tcp module
// (JSON in netstrings: {"command":"dial","params":…} → {"response":true…},
// and {"event":true,"type":"CALL_ESTABLISHED"…}).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { tmpDir } from '../harness/index.js';
import { trackChild } from '../harness/cleanup.js';

export interface BaresipEvent {
  event?: boolean;
  response?: boolean;
  type?: string;
  ok?: boolean;
  data?: string;
  param?: string;
  peeruri?: string;
  token?: string;
  [k: string]: unknown;
}

export interface BaresipOptions {
  /** Address baresip binds for SIP (its UDP source address). */
  ip: string;
  sipPort: number;
  ctrlPort: number;
  /** Hard bound on the process's life. */
  timeoutMs: number;
  /** Media encryption (account mediaenc, loads the srtp module): "srtp-mand" offers and requires RTP/SAVP with SDES. */
  mediaenc?: 'srtp' | 'srtp-mand' | 'srtp-mandf';
  /** Answer incoming calls at once (account answermode=auto). */
  autoAnswer?: boolean;
}

export class Baresip {
  readonly events: BaresipEvent[] = [];
  private waiters: Array<() => void> = [];
  private output = '';
  private ctrl?: Socket;
  private exitedFlag = false;
  readonly exited: Promise<number | null>;

  private constructor(
    readonly proc: ChildProcess,
    readonly dir: string,
    private readonly opts: BaresipOptions,
  ) {
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => (this.output = (this.output + d).slice(-32 * 1024)));
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => (this.output = (this.output + d).slice(-32 * 1024)));
    this.exited = new Promise((resolve) =>
      proc.once('exit', (code) => {
        this.exitedFlag = true;
        this.wake();
        resolve(code);
      }),
    );
  }

  static async start(opts: BaresipOptions): Promise<Baresip> {
    const dir = tmpDir('baresip-');
    // Keys and values as in baresip 1.0's own example config
    // (/usr/share/doc/baresip-core/examples/config). ausine only produces
    // 48 kHz stereo; baresip resamples to the 8 kHz codec by itself.
    // net_interface <ip> keeps the SDP (and so every RTP packet) on loopback.
    const config = [
      'poll_method\t\tepoll',
      `sip_listen\t\t${opts.ip}:${opts.sipPort}`,
      'call_local_timeout\t30',
      'call_max_calls\t\t4',
      'audio_source\t\tausine,440',
      'audio_player\t\taubridge,sink',
      'audio_alert\t\taubridge,sink',
      'ausrc_srate\t\t48000',
      'auplay_srate\t\t48000',
      'ausrc_channels\t\t2',
      'rtp_tos\t\t\t0',
      `net_interface\t\t${opts.ip}`,
      'module_path\t\t/usr/lib/baresip/modules',
      'module\t\t\tg711.so',
      'module\t\t\tausine.so',
      'module\t\t\taubridge.so',
      ...(opts.mediaenc ? ['module\t\t\tsrtp.so'] : []),
      'module_tmp\t\taccount.so',
      'module_app\t\tmenu.so',
      'module_app\t\tctrl_tcp.so',
      `ctrl_tcp_listen\t\t${opts.ip}:${opts.ctrlPort}`,
      '',
    ].join('\n');
    writeFileSync(join(dir, 'config'), config);
    // No registration (regint=0): the SBC knows the PBX by configuration.
    const params = [
      'regint=0',
      'audio_codecs=pcmu',
      ...(opts.mediaenc ? [`mediaenc=${opts.mediaenc}`] : []),
      ...(opts.autoAnswer ? ['answermode=auto'] : []),
    ];
    writeFileSync(join(dir, 'accounts'), `<sip:pbx-phone@${opts.ip}>;${params.join(';')}\n`);
    writeFileSync(join(dir, 'contacts'), '');

    const proc = spawn('baresip', ['-f', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(proc);
    const b = new Baresip(proc, dir, opts);
    const killer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs);
    void b.exited.then(() => clearTimeout(killer));
    await b.connectCtrl();
    return b;
  }

  private async connectCtrl(): Promise<void> {
    const deadline = Date.now() + 8000;
    for (;;) {
      if (this.exitedFlag) throw new Error(`baresip exited during start:\n${this.output}`);
      try {
        this.ctrl = await new Promise<Socket>((resolve, reject) => {
          const s = connect({ host: this.opts.ip, port: this.opts.ctrlPort }, () => resolve(s));
          s.once('error', reject);
        });
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`baresip ctrl_tcp did not listen within 8 s:\n${this.output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    let buf = '';
    this.ctrl.setEncoding('utf8');
    this.ctrl.on('error', () => undefined);
    this.ctrl.on('data', (d: string) => {
      buf += d;
      // Netstrings: "<len>:<json>,"
      for (;;) {
        const m = /^(\d+):/.exec(buf);
        if (!m) break;
        const n = Number(m[1]);
        const start = m[0].length;
        if (buf.length < start + n + 1) break;
        const json = buf.slice(start, start + n);
        buf = buf.slice(start + n + 1);
        try {
          this.events.push(JSON.parse(json) as BaresipEvent);
        } catch {
          this.events.push({ type: 'UNPARSED', data: json });
        }
        this.wake();
      }
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  command(command: string, params?: string): void {
    const json = JSON.stringify({ command, ...(params !== undefined ? { params } : {}), token: command });
    this.ctrl?.write(`${Buffer.byteLength(json)}:${json},`);
  }

  /** First event matching `pred` (past or arriving within `ms`). */
  async waitFor(pred: (e: BaresipEvent) => boolean, ms: number): Promise<BaresipEvent | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0 || this.exitedFlag) return undefined;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  describe(): string {
    const ev = this.events.map((e) => (e.event ? `${e.type}(${e.param ?? ''})` : `resp ${e.token}:${e.ok}`)).join(', ');
    return `baresip dir ${this.dir}\nevents: ${ev || 'none'}\noutput (tail):\n${this.output.replace(/\[[0-9:]+\] audio=[^\s]+ \(bit\/s\)\s*/g, '').slice(-3000)}`;
  }

  /** quit over ctrl_tcp, then SIGTERM/SIGKILL if it lingers. */
  async stop(): Promise<void> {
    if (this.exitedFlag) return;
    this.command('quit');
    const t1 = setTimeout(() => this.proc.kill('SIGTERM'), 3000);
    const t2 = setTimeout(() => this.proc.kill('SIGKILL'), 6000);
    await this.exited;
    clearTimeout(t1);
    clearTimeout(t2);
    this.ctrl?.destroy();
  }
}
