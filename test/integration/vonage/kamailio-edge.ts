// One Vonage SIP edge: a Kamailio 5.6 process in the Vonage namespace, run
// from kamailio/vonage-edge.cfg with the run's values as substdefs. It can be
// stopped and started again (same address, same settings) and switched at run
// time through its ctl socket (kamcmd → htable "ctl"/"in").
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Topology } from '../harness/index.js';
import { repoRoot } from '../harness/index.js';
import { parseStandinLine, type EventLog } from './events.js';

export const EDGE_CONFIG = join(repoRoot, 'test', 'integration', 'vonage', 'kamailio', 'vonage-edge.cfg');

export interface EdgeSettings {
  name: string;
  ip: string;
  /** UDP and TCP port (5060). */
  port: number;
  /** TLS port (5061); 0 = no TLS listener. */
  tlsPort: number;
  /** "current": TLS 1.2 only; "legacy": TLS 1.0 and later (V-OUT-9). */
  tlsPolicy: 'current' | 'legacy';
  certFile: string;
  keyFile: string;
  realm: string;
  key: string;
  secret: string;
  challenge: 401 | 407;
  algorithm: 'MD5' | 'SHA-256';
  qop: boolean;
  nonceCount: boolean;
  nonceExpireS: number;
  badCredentials: 'challenge' | 403;
  /** The longest registration the registrar grants (s); longer Expires are shortened to it. */
  registerMaxExpiresS: number;
  callee: { ip: string; port: number };
  insideNet: string;
  /** Scratch directory of this edge (ctl socket, tls.cfg). */
  dir: string;
}

/** What a run-time switch does; see setMode(). */
export type EdgeMode = 'normal' | 'silent' | 'reject503';

const SAFE = /^[A-Za-z0-9._:/@+-]*$/;

function substdef(name: string, value: string | number): string {
  const v = String(value);
  // "!" is the substdef delimiter; quotes and backslashes would end up in
  // config strings. Test values never need them.
  if (!SAFE.test(v)) throw new Error(`vonage stand-in: ${name} "${v}" must match ${SAFE}`);
  return `--substdef=!${name}!${v}!`;
}

function tlsConfig(s: EdgeSettings): string {
  // Current Vonage: TLS 1.2 only. Legacy: TLS >= 1.0, which OpenSSL 3 only
  // negotiates at security level 0 (SHA-1 signatures in TLS 1.0/1.1).
  const server = s.tlsPolicy === 'legacy'
    ? ['method = TLSv1+', 'cipher_list = DEFAULT:@SECLEVEL=0']
    : ['method = TLSv1.2'];
  return [
    '[server:default]',
    ...server,
    'verify_certificate = no',
    'require_certificate = no',
    `certificate = ${s.certFile}`,
    `private_key = ${s.keyFile}`,
    '',
    // Vonage calling the SBC over TLS (V-IN-4): the SBC's certificate is not checked.
    '[client:default]',
    'method = TLSv1.2+',
    'verify_certificate = no',
    'require_certificate = no',
    '',
  ].join('\n');
}

export class KamailioEdge {
  private proc: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private tail = '';
  readonly ctlSocket: string;

  constructor(
    readonly settings: EdgeSettings,
    private readonly topo: Topology,
    private readonly events: EventLog,
  ) {
    this.ctlSocket = join(settings.dir, 'ctl');
  }

  get name(): string {
    return this.settings.name;
  }

  get running(): boolean {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The last 16 KiB of Kamailio's own output that was not an event (errors, start-up). */
  output(): string {
    return this.tail;
  }

  private args(): string[] {
    const s = this.settings;
    const args = [
      '-DD', '-E', '-f', EDGE_CONFIG, '-m', '64', '-M', '8', '-w', s.dir,
      substdef('INST', s.name),
      substdef('EDGE_IP', s.ip),
      substdef('SIP_PORT', s.port),
      substdef('TLS_PORT', s.tlsPort || 5061),
      substdef('CTL_SOCK', `unix:${this.ctlSocket}`),
      substdef('TLS_CFG', join(s.dir, 'tls.cfg')),
      substdef('REALM', s.realm),
      substdef('AUTH_USER', s.key),
      substdef('AUTH_PASS', s.secret),
      substdef('CALLEE_URI', `sip:${s.callee.ip}:${s.callee.port}`),
      substdef('INSIDE_NET', s.insideNet),
      substdef('NONCE_EXPIRE', s.nonceExpireS),
      // proxy_challenge/www_challenge flags: 1 = qop=auth, 16 = stale=true.
      substdef('CH_FLAGS', s.qop ? 1 : 0),
      substdef('STALE_FLAGS', s.qop ? 17 : 16),
      substdef('BAD_CREDS', String(s.badCredentials)),
      substdef('REG_MAX_EXPIRES', s.registerMaxExpiresS),
    ];
    if (s.tlsPort) args.push('-A', 'WITH_TLS');
    if (s.challenge === 401) args.push('-A', 'WITH_WWW_AUTH');
    if (s.algorithm === 'SHA-256') args.push('-A', 'WITH_SHA256');
    if (s.qop) args.push('-A', 'WITH_QOP');
    if (s.qop && s.nonceCount) args.push('-A', 'WITH_NONCE_COUNT');
    return args;
  }

  /** Starts Kamailio and resolves once its UDP, TCP (and TLS) sockets listen and its ctl socket answers. */
  async start(): Promise<void> {
    if (this.running) return;
    const s = this.settings;
    if (s.tlsPort) writeFileSync(join(s.dir, 'tls.cfg'), tlsConfig(s));
    this.tail = '';
    const proc = this.topo.spawn(this.topo.ns.vonage, 'kamailio', this.args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    let partial = '';
    const onData = (d: string): void => {
      partial += d;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const ev = parseStandinLine(line);
        if (ev) this.events.push(ev);
        else if (line.trim()) this.tail = (this.tail + line + '\n').slice(-16 * 1024);
      }
    };
    proc.stdout?.setEncoding('utf8').on('data', onData);
    proc.stderr?.setEncoding('utf8').on('data', onData);

    const deadline = Date.now() + 10_000;
    const procNet = `/proc/${proc.pid}/net`;
    const want: Array<['udp' | 'tcp', number]> = [['udp', s.port], ['tcp', s.port]];
    if (s.tlsPort) want.push(['tcp', s.tlsPort]);
    for (;;) {
      if (!this.running) throw new Error(`vonage stand-in ${s.name}: kamailio exited at start-up\n${this.tail}`);
      if (want.every(([t, p]) => listening(procNet, t, s.ip, p)) && existsSync(this.ctlSocket)) {
        try {
          await this.ctl(['core.version']);
          return;
        } catch {
          // ctl not answering yet
        }
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`vonage stand-in ${s.name}: not listening on ${s.ip}:${s.port} within 10 s\n${this.tail}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM (SIGKILL after 3 s); the address stays, so UDP peers get ICMP port unreachable. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || !this.running) return;
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(t);
  }

  /** Runs a kamcmd RPC against this edge (10 s bound). */
  ctl(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('kamcmd', ['-s', `unix:${this.ctlSocket}`, ...args], { timeout: 10_000, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err) reject(new Error(`kamcmd ${args.join(' ')} (${this.name}) failed: ${err.message.split('\n')[0]} ${stderr}`));
        else resolve(stdout);
      });
    });
  }

  /** normal; silent (no answer to anything: timeouts); reject503 (new INVITEs get 503). */
  async setMode(mode: EdgeMode): Promise<void> {
    if (mode === 'normal') await this.ctl(['htable.delete', 'ctl', 'mode']);
    else await this.ctl(['htable.sets', 'ctl', 'mode', mode]);
  }

  /** Whether out-of-dialog OPTIONS get their 200 (V-OUT-8 health checks). */
  async answerOptions(on: boolean): Promise<void> {
    if (on) await this.ctl(['htable.delete', 'ctl', 'options']);
    else await this.ctl(['htable.sets', 'ctl', 'options', 'off']);
  }

  /**
   * Inbound failover list (V-IN-1..3) for calls the inside caller sends to
   * this edge's own address: Request-URIs tried in order, each with its
   * no-response timeout; `finalMs` bounds the wait for a final response
   * after a provisional one.
   */
  async setInboundTargets(targets: Array<{ uri: string; timeoutMs: number }>, finalMs: number): Promise<void> {
    await this.ctl(['htable.flush', 'in']);
    for (const [i, t] of targets.entries()) {
      await this.ctl(['htable.sets', 'in', `uri::${i}`, t.uri]);
      await this.ctl(['htable.seti', 'in', `timeout::${i}`, String(t.timeoutMs)]);
    }
    await this.ctl(['htable.seti', 'in', 'final_ms', String(finalMs)]);
    await this.ctl(['htable.seti', 'in', 'n', String(targets.length)]);
  }
}

// /proc/<pid>/net/{udp,tcp}: local address as host-order hex ip:port; state 0A = LISTEN.
function listening(procNet: string, proto: 'udp' | 'tcp', ip: string, port: number): boolean {
  let table = '';
  try {
    table = readFileSync(`${procNet}/${proto}`, 'utf8');
  } catch {
    return false;
  }
  const hexIp = ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).reverse().join('').toUpperCase();
  const key = `${hexIp}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return table.split('\n').some((l) => {
    const f = l.trim().split(/\s+/);
    return f[1] === key && (proto === 'udp' || f[3] === '0A');
  });
}

export { listening as socketListening };
