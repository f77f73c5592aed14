// dnsmasq (Debian dnsmasq-base) in the Vonage namespace serving the
// stand-in's zone on <ip>:53, logging every query it gets (so a test can
// tell what the SBC asked, and how often: caching, RFC 3263 order).
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Topology } from '../harness/index.js';
import { dnsmasqRecordArgs, type DnsZone } from './dns-zone.js';
import { socketListening } from './kamailio-edge.js';

export interface DnsQuery {
  /** "A", "AAAA", "SRV", "NAPTR", … */
  type: string;
  name: string;
  from: string;
  at: number;
}

export class StandinDns {
  private proc: ChildProcess | null = null;
  private tail = '';
  readonly queries: DnsQuery[] = [];

  constructor(
    private readonly topo: Topology,
    readonly ip: string,
    readonly zone: DnsZone,
    private readonly dir: string,
  ) {}

  /** "198.51.100.53:53": what the SBC's `dns_servers` should say. */
  get server(): string {
    return `${this.ip}:53`;
  }

  output(): string {
    return this.tail;
  }

  async start(): Promise<void> {
    const args = [
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      '--no-resolv',
      '--no-hosts',
      '--no-poll',
      '--bind-interfaces',
      `--listen-address=${this.ip}`,
      '--port=53',
      `--pid-file=${join(this.dir, 'dnsmasq.pid')}`,
      '--user=root',
      '--log-queries',
      '--log-facility=-',
      ...dnsmasqRecordArgs(this.zone),
    ];
    const proc = this.topo.spawn(this.topo.ns.vonage, 'dnsmasq', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    let partial = '';
    const onData = (d: string): void => {
      partial += d;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        // dnsmasq[123]: query[SRV] _sip._udp.sip-us.vonage.test from 198.51.100.1
        const m = /query\[(\w+)\] (\S+) from (\S+)/.exec(line);
        if (m) this.queries.push({ type: m[1]!, name: m[2]!, from: m[3]!, at: Date.now() });
        else if (line.trim()) this.tail = (this.tail + line + '\n').slice(-8192);
      }
    };
    proc.stdout?.setEncoding('utf8').on('data', onData);
    proc.stderr?.setEncoding('utf8').on('data', onData);
    const deadline = Date.now() + 5000;
    while (!socketListening(`/proc/${proc.pid}/net`, 'udp', this.ip, 53)) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`vonage stand-in dnsmasq exited at start-up:\n${this.tail}`);
      if (Date.now() > deadline) throw new Error(`vonage stand-in dnsmasq not listening on ${this.ip}:53 within 5 s:\n${this.tail}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
  }
}
