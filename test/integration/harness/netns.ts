// Network namespaces for tests that need real addresses instead of loopback:
// an SBC namespace with a LAN and a WAN segment, the PBX, Vonage and an
// attacker each in a namespace of their own, and optionally a NAT router
// (nftables SNAT/DNAT) in front of one of those peers. Every name carries the
// process id and a counter, so parallel test files never collide; teardown
// runs on destroy(), at process exit and on SIGINT/SIGTERM, and namespaces
// left by a crashed run (same prefix, dead pid) are removed before a new one
// is built.
//
//   pbx 192.0.2.20 ── lan bridge (SBC 192.0.2.1/24)
//   vonage 198.51.100.10 ──┐
//   attacker 203.0.113.66 ─┴ wan bridge (SBC 198.51.100.1/24 and 203.0.113.1/24)
//
// With `nat: { peer: 'pbx' }` the PBX hangs off the router instead:
//   pbx 192.0.2.20/32 ── router [in 192.0.2.254/32 | out 192.0.2.2] ── lan bridge
// The SBC then still sees 192.0.2.20 as on-link but nobody answers for it
// (the address a NATed peer signals is unreachable), and the peer's packets
// arrive from 192.0.2.2 with source ports mapped into 40000-40999, except
// the `forward` ports (port forwards, e.g. its SIP port), which keep their
// number both ways.
import { execFile, execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { trackChild } from './cleanup.js';

/** The addresses every netns test uses (documentation ranges only). */
export const NETNS_ADDR = {
  sbcLan: '192.0.2.1',
  sbcWan: '198.51.100.1',
  /** Second WAN address, the attacker's gateway (a different network on the same segment). */
  sbcWanAttackerGw: '203.0.113.1',
  pbx: '192.0.2.20',
  vonage: '198.51.100.10',
  attacker: '203.0.113.66',
} as const;

export type SegmentName = 'lan' | 'wan';
export type PeerName = 'pbx' | 'vonage' | 'attacker';

interface SegmentPlan {
  /** Bridge interface in the SBC namespace: what the SBC's side binds to. */
  bridge: SegmentName;
  cidrs: string[];
  /** A NAT router's outside address on this segment, and its inside (gateway) address. */
  natOutside: string;
  natInside: string;
}

const SEGMENTS: Record<SegmentName, SegmentPlan> = {
  lan: { bridge: 'lan', cidrs: ['192.0.2.1/24'], natOutside: '192.0.2.2', natInside: '192.0.2.254' },
  wan: { bridge: 'wan', cidrs: ['198.51.100.1/24', '203.0.113.1/24'], natOutside: '198.51.100.2', natInside: '198.51.100.254' },
};

interface PeerPlan {
  segment: SegmentName;
  ip: string;
  gateway: string;
  /** The bridge port's name in the SBC namespace (≤ 15 chars). */
  port: string;
  short: string;
}

const PEERS: Record<PeerName, PeerPlan> = {
  pbx: { segment: 'lan', ip: NETNS_ADDR.pbx, gateway: NETNS_ADDR.sbcLan, port: 'lan-pbx', short: 'pbx' },
  vonage: { segment: 'wan', ip: NETNS_ADDR.vonage, gateway: NETNS_ADDR.sbcWan, port: 'wan-von', short: 'von' },
  attacker: { segment: 'wan', ip: NETNS_ADDR.attacker, gateway: NETNS_ADDR.sbcWanAttackerGw, port: 'wan-atk', short: 'atk' },
};

export interface NatOptions {
  /** The peer that sits behind the router. */
  peer: PeerName;
  /** Ports (UDP and TCP) forwarded from the router's outside address to the peer under the same number. */
  forward?: number[];
  /** Outside source ports everything else is mapped to (default 40000-40999). */
  portRange?: [number, number];
}

export interface TopologyOptions {
  nat?: NatOptions;
  /** Namespace name prefix (default "esbc-"); stale namespaces are looked for under it. */
  prefix?: string;
}

export interface Topology {
  /** Unique per run: "<prefix><pid>-<n>". */
  id: string;
  /** Namespace names. `nat` is null without a NAT router. */
  ns: { sbc: string; pbx: string; vonage: string; attacker: string; nat: string | null };
  /** The SBC's interfaces per side (bridges: every peer of a side arrives on it). */
  ifaces: Record<SegmentName, string>;
  addr: typeof NETNS_ADDR;
  /** Where the NATed peer's packets come from (the router's outside address), or null. */
  natOutside: string | null;
  /** Runs a command inside a namespace to completion (10 s bound); stdout, or throws with stderr. */
  run(ns: string, cmd: string, args: string[], timeoutMs?: number): Promise<string>;
  /** Spawns a process inside a namespace; killed at destroy() and at process exit. */
  spawn(ns: string, cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  /** A UDP socket bound to ip:port (0 = any) inside `ns`, driven from the test. */
  udpPeer(ns: string, ip: string, port?: number): Promise<UdpPeer>;
  /** Kills whatever still runs in the namespaces and deletes them. Idempotent. */
  destroy(): Promise<void>;
}

/** Arguments that make `ip` run `cmd args` inside namespace `ns`; `ip netns exec` execs, so the pid is the command's. */
export function netnsExecArgs(ns: string, cmd: string, args: string[]): string[] {
  return ['netns', 'exec', ns, cmd, ...args];
}

let skipReasonCache: string | false | undefined;

/** Why netns tests cannot run here (not root, no `ip netns`, no nft), or false. */
export function netnsSkipReason(): string | false {
  if (skipReasonCache !== undefined) return skipReasonCache;
  skipReasonCache = computeSkipReason();
  return skipReasonCache;
}

function computeSkipReason(): string | false {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root (CI runs as root)';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'pipe', timeout: 5000 });
  } catch (e) {
    return `"ip netns" is not available: ${(e as Error).message.split('\n')[0]}`;
  }
  try {
    execFileSync('nft', ['--version'], { stdio: 'pipe', timeout: 5000 });
  } catch (e) {
    return `"nft" is not available: ${(e as Error).message.split('\n')[0]}`;
  }
  return false;
}

// ---- bookkeeping: live namespaces and children, torn down at exit --------

const liveNamespaces = new Set<string>();
let counter = 0;
let exitHooksInstalled = false;
const staleSweptFor = new Set<string>();

function deleteNamespaceSync(ns: string): void {
  killNamespacePidsSync(ns);
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'pipe', timeout: 5000 });
  } catch {
    // already gone
  }
  liveNamespaces.delete(ns);
}

function killNamespacePidsSync(ns: string): void {
  let pids: string[] = [];
  try {
    pids = execFileSync('ip', ['netns', 'pids', ns], { stdio: 'pipe', timeout: 5000, encoding: 'utf8' }).split(/\s+/).filter(Boolean);
  } catch {
    return;
  }
  for (const p of pids) {
    const pid = Number(p);
    if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.once('exit', () => {
    for (const ns of [...liveNamespaces]) deleteNamespaceSync(ns);
  });
  // A signal would end the process without 'exit' handlers (and leave the
  // namespaces behind): turn it into a normal exit with the usual status.
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(sig, () => process.exit(code));
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes namespaces named "<prefix><pid>-…" whose pid is no longer running (a crashed run). */
export function removeStaleNamespaces(prefix: string): string[] {
  const removed: string[] = [];
  let list = '';
  try {
    list = execFileSync('ip', ['netns', 'list'], { stdio: 'pipe', timeout: 5000, encoding: 'utf8' });
  } catch {
    return removed;
  }
  const re = new RegExp(`^${escapeRegExp(prefix)}(\\d+)-\\d+-[a-z]+$`);
  for (const line of list.split('\n')) {
    const name = line.trim().split(/\s+/)[0] ?? '';
    const m = re.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || pidAlive(pid)) continue;
    deleteNamespaceSync(name);
    removed.push(name);
  }
  return removed;
}

// ---- running commands ------------------------------------------------------

function runIp(args: string[], timeoutMs = 10_000, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('ip', args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`ip ${args.join(' ')} failed: ${err.message.split('\n')[0]}\n${stderr}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

// ---- the topology ----------------------------------------------------------

/** Builds the SBC/peer namespaces (and the NAT router when asked); throws with the failing command. */
export async function createTopology(opts: TopologyOptions = {}): Promise<Topology> {
  const reason = netnsSkipReason();
  if (reason) throw new Error(`createTopology: ${reason}`);
  const prefix = opts.prefix ?? 'esbc-';
  if (!/^[a-z0-9-]{1,24}$/.test(prefix)) throw new Error(`createTopology: prefix "${prefix}" must be 1-24 of [a-z0-9-]`);
  installExitHooks();
  if (!staleSweptFor.has(prefix)) {
    staleSweptFor.add(prefix);
    removeStaleNamespaces(prefix);
  }

  const id = `${prefix}${process.pid}-${++counter}`;
  const nat = opts.nat ?? null;
  const ns = {
    sbc: `${id}-sbc`,
    pbx: `${id}-pbx`,
    vonage: `${id}-von`,
    attacker: `${id}-atk`,
    nat: nat ? `${id}-nat` : null,
  };
  const children = new Set<ChildProcess>();
  let destroyed = false;

  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    await Promise.all(
      [...children].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGKILL');
            setTimeout(resolve, 2000).unref();
          }),
      ),
    );
    for (const n of Object.values(ns)) if (n) deleteNamespaceSync(n);
  };

  const run = (where: string, cmd: string, args: string[], timeoutMs = 10_000): Promise<string> =>
    runIp(netnsExecArgs(where, cmd, args), timeoutMs);

  const spawnIn = (where: string, cmd: string, args: string[], o: SpawnOptions = {}): ChildProcess => {
    const proc = spawn('ip', netnsExecArgs(where, cmd, args), { stdio: ['ignore', 'pipe', 'pipe'], ...o });
    trackChild(proc);
    children.add(proc);
    proc.once('exit', () => children.delete(proc));
    return proc;
  };

  try {
    for (const n of Object.values(ns)) {
      if (!n) continue;
      await runIp(['netns', 'add', n]);
      liveNamespaces.add(n);
      await runIp(['-n', n, 'link', 'set', 'lo', 'up']);
    }
    // The SBC's segments are bridges, so that every peer of a side arrives
    // on the one interface the side is bound to (what a firewall matches).
    for (const seg of Object.values(SEGMENTS)) {
      await runIp(['-n', ns.sbc, 'link', 'add', seg.bridge, 'type', 'bridge']);
      for (const cidr of seg.cidrs) await runIp(['-n', ns.sbc, 'addr', 'add', cidr, 'dev', seg.bridge]);
      await runIp(['-n', ns.sbc, 'link', 'set', seg.bridge, 'up']);
    }
    for (const [name, peer] of Object.entries(PEERS) as Array<[PeerName, PeerPlan]>) {
      const peerNs = ns[name];
      const seg = SEGMENTS[peer.segment];
      if (nat?.peer === name) {
        // SBC segment <-> router "out"; router "in" <-> peer "eth0".
        const routerNs = ns.nat!;
        await runIp(['link', 'add', `${peer.segment}-nat`, 'netns', ns.sbc, 'type', 'veth', 'peer', 'name', 'out', 'netns', routerNs]);
        await attachToBridge(ns.sbc, `${peer.segment}-nat`, seg.bridge);
        await runIp(['-n', routerNs, 'addr', 'add', `${seg.natOutside}/24`, 'dev', 'out']);
        await runIp(['-n', routerNs, 'link', 'set', 'out', 'up']);
        await runIp(['-n', routerNs, 'route', 'add', 'default', 'via', peer.gateway]);
        await runIp(['link', 'add', 'in', 'netns', routerNs, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', peerNs]);
        await runIp(['-n', routerNs, 'addr', 'add', `${seg.natInside}/32`, 'dev', 'in']);
        await runIp(['-n', routerNs, 'link', 'set', 'in', 'up']);
        await runIp(['-n', routerNs, 'route', 'add', `${peer.ip}/32`, 'dev', 'in']);
        await run(routerNs, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
        await runIp(['-n', peerNs, 'addr', 'add', `${peer.ip}/32`, 'dev', 'eth0']);
        await runIp(['-n', peerNs, 'link', 'set', 'eth0', 'up']);
        await runIp(['-n', peerNs, 'route', 'add', 'default', 'via', seg.natInside, 'dev', 'eth0', 'onlink']);
        await applyNat(routerNs, peer.ip, seg.natOutside, nat);
      } else {
        await runIp(['link', 'add', peer.port, 'netns', ns.sbc, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', peerNs]);
        await attachToBridge(ns.sbc, peer.port, seg.bridge);
        await runIp(['-n', peerNs, 'addr', 'add', `${peer.ip}/24`, 'dev', 'eth0']);
        await runIp(['-n', peerNs, 'link', 'set', 'eth0', 'up']);
        await runIp(['-n', peerNs, 'route', 'add', 'default', 'via', peer.gateway]);
      }
    }
  } catch (e) {
    await destroy();
    throw e;
  }

  return {
    id,
    ns,
    ifaces: { lan: SEGMENTS.lan.bridge, wan: SEGMENTS.wan.bridge },
    addr: NETNS_ADDR,
    natOutside: nat ? SEGMENTS[PEERS[nat.peer].segment].natOutside : null,
    run,
    spawn: spawnIn,
    udpPeer: (where, ip, port = 0) => startUdpPeer(spawnIn, where, ip, port),
    destroy,
  };
}

async function attachToBridge(ns: string, port: string, bridge: string): Promise<void> {
  await runIp(['-n', ns, 'link', 'set', port, 'master', bridge]);
  await runIp(['-n', ns, 'link', 'set', port, 'up']);
}

async function applyNat(routerNs: string, peerIp: string, outside: string, nat: NatOptions): Promise<void> {
  const [lo, hi] = nat.portRange ?? [40000, 40999];
  const forward = (nat.forward ?? []).map((p) => {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`createTopology: bad forward port ${p}`);
    return String(p);
  });
  const set = forward.length ? `{ ${forward.join(', ')} }` : '';
  // Forwarded ports keep their number both ways (a port forward); every other
  // flow leaves from a port in [lo, hi], so the peer's source port changes.
  const ruleset = [
    'table ip edgesbc_test_nat {',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    set ? `    iifname "out" meta l4proto { tcp, udp } th dport ${set} dnat to ${peerIp}` : '',
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    set ? `    oifname "out" ip saddr ${peerIp} meta l4proto { tcp, udp } th sport ${set} snat to ${outside}` : '',
    `    oifname "out" ip saddr ${peerIp} meta l4proto { tcp, udp } snat to ${outside}:${lo}-${hi}`,
    `    oifname "out" ip saddr ${peerIp} snat to ${outside}`,
    '  }',
    '}',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
  await runIp(netnsExecArgs(routerNs, 'nft', ['-f', '-']), 10_000, ruleset + '\n');
}

// ---- UDP peers ---------------------------------------------------------------

export interface Datagram {
  ip: string;
  port: number;
  data: Buffer;
  /** Date.now() when the test process read it. */
  at: number;
}

export interface SendResult {
  sent: number;
  errors: number;
  error?: string;
}

/** A UDP socket living in a namespace (child process netns-udp-peer.js), driven from the test. */
export class UdpPeer {
  readonly received: Datagram[] = [];
  private readonly pending = new Map<number, (r: SendResult) => void>();
  private readonly watchers = new Set<() => void>();
  private nextId = 1;
  private stderrText = '';
  private fatal: string | null = null;
  readonly exited: Promise<void>;

  constructor(
    readonly ns: string,
    readonly ip: string,
    public port: number,
    private readonly proc: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.stderrText = (this.stderrText + d).slice(-4000);
    });
    void this.exited.then(() => {
      for (const [, r] of this.pending) r({ sent: 0, errors: 1, error: `peer exited: ${this.describe()}` });
      this.pending.clear();
      this.notify();
    });
  }

  /** @internal fed by startUdpPeer with the child's stdout events */
  onEvent(ev: Record<string, unknown>): void {
    if (ev.ev === 'rx') {
      this.received.push({ ip: String(ev.ip), port: Number(ev.port), data: Buffer.from(String(ev.data), 'base64'), at: Date.now() });
      this.notify();
    } else if (ev.ev === 'sent') {
      const id = Number(ev.id);
      const r = this.pending.get(id);
      this.pending.delete(id);
      r?.({ sent: Number(ev.sent), errors: Number(ev.errors), ...(ev.error ? { error: String(ev.error) } : {}) });
    } else if (ev.ev === 'fatal') {
      this.fatal = String(ev.error);
    }
  }

  private notify(): void {
    for (const w of [...this.watchers]) w();
  }

  describe(): string {
    return `udp peer ${this.ip}:${this.port} in ${this.ns}${this.fatal ? ` fatal: ${this.fatal}` : ''}${this.stderrText ? ` stderr: ${this.stderrText}` : ''}`;
  }

  /** Sends the packets to `to`, one every `intervalMs` (0 = back to back); resolves when all went out. */
  send(to: { ip: string; port: number }, packets: Buffer[], intervalMs = 0): Promise<SendResult> {
    const id = this.nextId++;
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
      return Promise.resolve({ sent: 0, errors: 1, error: `peer exited: ${this.describe()}` });
    }
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.proc.stdin?.write(
        JSON.stringify({ op: 'send', id, ip: to.ip, port: to.port, intervalMs, packets: packets.map((p) => p.toString('base64')) }) + '\n',
      );
    });
  }

  /** Datagrams received from ip (and port, when given). */
  from(ip: string, port?: number): Datagram[] {
    return this.received.filter((d) => d.ip === ip && (port === undefined || d.port === port));
  }

  /** Resolves true once pred(received) holds, false when timeoutMs passed first (or the peer died). */
  waitFor(pred: (received: Datagram[]) => boolean, timeoutMs: number): Promise<boolean> {
    if (pred(this.received)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (v: boolean): void => {
        clearTimeout(t);
        this.watchers.delete(check);
        resolve(v);
      };
      const check = (): void => {
        if (pred(this.received)) done(true);
        else if (this.proc.exitCode !== null || this.proc.signalCode !== null) done(false);
      };
      const t = setTimeout(() => done(false), timeoutMs);
      this.watchers.add(check);
    });
  }

  async close(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.stdin?.end(JSON.stringify({ op: 'close' }) + '\n');
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 2000);
      await this.exited;
      clearTimeout(t);
    }
  }
}

const peerScript = fileURLToPath(new URL('./netns-udp-peer.js', import.meta.url));

async function startUdpPeer(
  spawnIn: (ns: string, cmd: string, args: string[], o?: SpawnOptions) => ChildProcess,
  ns: string,
  ip: string,
  port: number,
): Promise<UdpPeer> {
  const proc = spawnIn(ns, process.execPath, [peerScript, ip, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const peer = new UdpPeer(ns, ip, port, proc);
  const bound = new Promise<number>((resolve, reject) => {
    // A node process starting: well under a second idle, but seconds on a
    // loaded 2-core CI machine (seen over 5 s at load 18).
    const t = setTimeout(() => reject(new Error(`udp peer ${ip}:${port} in ${ns} not bound within 15 s: ${peer.describe()}`)), 15_000);
    const rl = createInterface({ input: proc.stdout! });
    rl.on('line', (line) => {
      let ev: Record<string, unknown>;
      try {
        ev = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (ev.ev === 'bound') {
        clearTimeout(t);
        resolve(Number(ev.port));
      } else if (ev.ev === 'fatal') {
        clearTimeout(t);
        peer.onEvent(ev);
        reject(new Error(`udp peer ${ip}:${port} in ${ns}: ${String(ev.error)}`));
      } else peer.onEvent(ev);
    });
    void peer.exited.then(() => {
      clearTimeout(t);
      reject(new Error(`udp peer ${ip}:${port} in ${ns} exited before binding: ${peer.describe()}`));
    });
  });
  peer.port = await bound;
  return peer;
}
