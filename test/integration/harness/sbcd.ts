// Starts the real daemon (dist/src/daemon.js) on loopback with a config built
// for the test: the SBC's LAN side on 127.0.0.1, its WAN side on 127.0.0.2,
// the PBX stand-in on 127.0.0.10, the Vonage stand-in on 127.0.0.20, every
// port freshly allocated so two test files can run side by side.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trackChild } from './cleanup.js';
import { daemonPath, repoRoot } from './paths.js';
import { freePort, tmpDir } from './ports.js';

export const ADDR = {
  pbx: '127.0.0.10',
  sbcLan: '127.0.0.1',
  sbcWan: '127.0.0.2',
  vonage: '127.0.0.20',
} as const;

/** The config document (v1); loose on purpose: tests also build invalid ones. */
export interface ConfigDoc {
  version: number;
  system?: Record<string, unknown>;
  sip?: Record<string, unknown>;
  tls?: Record<string, unknown>;
  sides: {
    lan: SideConfig;
    wan: SideConfig;
  };
  trunks: Array<Record<string, unknown> & { name: string; endpoints: Array<{ host: string; port: number }> }>;
  pbxs: Array<Record<string, unknown> & { name: string; host: string; port: number }>;
  routes: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export interface SideConfig {
  addresses: string[];
  /** Listen on this interface's address instead (followed while running). */
  interface?: string;
  advertised_address?: string;
  udp: number;
  tcp: number;
  tls: number;
}

type DeepPartial<T> = T extends Array<unknown> ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
export type PartialConfig = DeepPartial<ConfigDoc> & Record<string, unknown>;

export interface StartSbcdOptions {
  /** Deep-merged into the test default (objects merge, arrays replace). */
  config?: PartialConfig;
  /** Used verbatim instead of the default + config (no port allocation). */
  fullConfig?: ConfigDoc;
  /** Allocate TLS ports on both sides (default: TLS off, port 0). */
  tls?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Extra daemon arguments. */
  args?: string[];
  /** Default 15 000 ms. */
  readyTimeoutMs?: number;
  /** Run the daemon inside this network namespace (`ip netns exec`; see netns.ts). */
  netns?: string;
}

export interface SideAddr {
  ip: string;
  udp: number;
  tcp: number;
  tls: number;
}

export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Sbcd {
  proc: ChildProcess;
  dataDir: string;
  configFile: string;
  /** The effective document the daemon was started with. */
  config: ConfigDoc;
  lan: SideAddr;
  wan: SideAddr;
  /** The first pbx of the config (the PBX stand-in's address). */
  pbx: { ip: string; port: number };
  /** The first endpoint of the first trunk (the Vonage stand-in's address). */
  vonage: { ip: string; port: number };
  /** stdout lines parsed as JSON (non-JSON lines come back as {msg: line, raw: true}). */
  logs(): LogLine[];
  stdout(): string;
  stderr(): string;
  /** Resolves with the first log line (past or future) matching `pred`. */
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves when the process has exited. */
  exited: Promise<ExitResult>;
  /** Sends `signal` and waits for the exit (SIGKILL after shutdown_grace_s + 10 s). */
  stop(signal?: NodeJS.Signals): Promise<ExitResult>;
}

export class SbcdStartError extends Error {
  constructor(
    message: string,
    readonly exit: ExitResult | null,
    readonly stdoutText: string,
    readonly stderrText: string,
  ) {
    super(`${message}\n--- exit: ${JSON.stringify(exit)}\n--- stdout (tail):\n${stdoutText.slice(-4000)}\n--- stderr (tail):\n${stderrText.slice(-4000)}`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects merge key by key, arrays and scalars replace. */
export function deepMerge<T>(base: T, over: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlainObject(out[k]) && isPlainObject(v) ? deepMerge(out[k], v) : v;
  }
  return out as T;
}

/** The default test document: one PBX, one Vonage trunk, a route each way, fresh ports. */
export async function defaultTestConfig(opts: { tls?: boolean } = {}): Promise<ConfigDoc> {
  const lanPort = await freePort(ADDR.sbcLan);
  const wanPort = await freePort(ADDR.sbcWan);
  const lanTls = opts.tls ? await freePort(ADDR.sbcLan) : 0;
  const wanTls = opts.tls ? await freePort(ADDR.sbcWan) : 0;
  return {
    version: 1,
    system: { name: 'edgesbc-test', log_level: 'info' },
    sip: {
      user_agent: 'EdgeSBC',
      max_calls_in_progress: 1000,
      retry_after_s: 5,
      timers: { t1_ms: 500, t2_ms: 4000, t4_ms: 5000 },
      shutdown_grace_s: 2,
    },
    tls: { min_version: '1.2', cert_file: '', key_file: '' },
    sides: {
      lan: { addresses: [ADDR.sbcLan], advertised_address: '', udp: lanPort, tcp: lanPort, tls: lanTls },
      wan: { addresses: [ADDR.sbcWan], advertised_address: '', udp: wanPort, tcp: wanPort, tls: wanTls },
    },
    trunks: [
      {
        name: 'vonage',
        side: 'wan',
        transport: 'udp',
        endpoints: [{ host: ADDR.vonage, port: await freePort(ADDR.vonage) }],
        from_domain: '',
        options_ping_s: 0,
        enabled: true,
      },
    ],
    pbxs: [{ name: 'pbx', side: 'lan', host: ADDR.pbx, port: await freePort(ADDR.pbx), transport: 'udp', enabled: true }],
    routes: [
      { name: 'pbx-to-vonage', from_side: 'lan', match: { ruri_user: '' }, to: { trunk: 'vonage' }, priority: 100, enabled: true },
      { name: 'vonage-to-pbx', from_side: 'wan', match: { ruri_user: '' }, to: { pbx: 'pbx' }, priority: 100, enabled: true },
    ],
    firewall: { enabled: false },
  };
}

function sideAddr(s: SideConfig | undefined): SideAddr {
  return { ip: s?.addresses?.[0] ?? '', udp: s?.udp ?? 0, tcp: s?.tcp ?? 0, tls: s?.tls ?? 0 };
}

export async function startSbcd(opts: StartSbcdOptions = {}): Promise<Sbcd> {
  try {
    return await startOnce(opts);
  } catch (err) {
    // A port handed out by freePort can be taken by another process before
    // the daemon binds it; with harness-chosen ports, try once more.
    const text = err instanceof SbcdStartError ? `${err.stdoutText}\n${err.stderrText}` : '';
    if (opts.fullConfig || !/EADDRINUSE|address already in use/i.test(text)) throw err;
    return startOnce(opts);
  }
}

async function startOnce(opts: StartSbcdOptions): Promise<Sbcd> {
  const config: ConfigDoc = opts.fullConfig ?? deepMerge(await defaultTestConfig({ tls: opts.tls ?? false }), opts.config ?? {});
  const work = tmpDir('sbcd-');
  const dataDir = join(work, 'data');
  const configFile = join(work, 'config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));

  const args = [daemonPath, '--data-dir', dataDir, '--config', configFile, ...(opts.args ?? [])];
  // `ip netns exec` execs the command, so proc.pid is still the daemon's.
  const proc = spawn(opts.netns ? 'ip' : process.execPath, opts.netns ? ['netns', 'exec', opts.netns, process.execPath, ...args] : args, {
    cwd: repoRoot,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(proc);

  let out = '';
  let err = '';
  let partial = '';
  const lines: LogLine[] = [];
  const waiters: Array<{ pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  const onLine = (text: string): void => {
    if (!text.trim()) return;
    let line: LogLine;
    try {
      const v: unknown = JSON.parse(text);
      line = isPlainObject(v) ? (v as LogLine) : { msg: text, raw: true };
    } catch {
      line = { msg: text, raw: true };
    }
    lines.push(line);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (w.pred(line)) {
        waiters.splice(i, 1);
        w.resolve(line);
      }
    }
  };
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    partial += d;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) onLine(p);
  });
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });

  const exited = new Promise<ExitResult>((resolve) => {
    proc.once('exit', (code, signal) => {
      if (partial) onLine(partial);
      partial = '';
      resolve({ code, signal });
    });
    proc.once('error', (e) => {
      err += `\nspawn error: ${e.message}`;
      resolve({ code: null, signal: null });
    });
  });
  let exitResult: ExitResult | null = null;
  void exited.then((r) => (exitResult = r));

  const waitForLog = (pred: (l: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> => {
    const seen = lines.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      const w = { pred, resolve: (l: LogLine) => (clearTimeout(t), resolve(l)) };
      const t = setTimeout(() => {
        const i = waiters.indexOf(w);
        if (i >= 0) waiters.splice(i, 1);
        reject(new SbcdStartError(`sbcd: expected log line not seen within ${timeoutMs} ms`, exitResult, out, err));
      }, timeoutMs);
      waiters.push(w);
    });
  };

  const graceS = Number((config.sip as { shutdown_grace_s?: number } | undefined)?.shutdown_grace_s ?? 30);
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<ExitResult> => {
    if (exitResult) return exitResult;
    proc.kill(signal);
    const t = setTimeout(() => proc.kill('SIGKILL'), (graceS + 10) * 1000);
    const r = await exited;
    clearTimeout(t);
    return r;
  };

  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  const ready = await Promise.race([
    waitForLog((l) => l.msg === 'sbcd ready' || l.msg === 'sbcd failed', readyTimeoutMs).then(
      (l) => (l.msg === 'sbcd ready' ? 'ready' : 'failed'),
      () => 'timeout' as const,
    ),
    exited.then(() => 'exited' as const),
  ]);
  if (ready !== 'ready') {
    if (ready === 'timeout') proc.kill('SIGKILL');
    const r = ready === 'failed' ? await Promise.race([exited, new Promise<null>((res) => setTimeout(() => res(null), 2000))]) : ready === 'exited' ? await exited : null;
    if (ready === 'failed' && !exitResult) proc.kill('SIGKILL');
    throw new SbcdStartError(`sbcd did not become ready (${ready}) [config ${configFile}]`, r, out, err);
  }

  const firstTrunkEp = config.trunks?.[0]?.endpoints?.[0];
  const firstPbx = config.pbxs?.[0];
  return {
    proc,
    dataDir,
    configFile,
    config,
    lan: sideAddr(config.sides?.lan),
    wan: sideAddr(config.sides?.wan),
    pbx: { ip: firstPbx?.host ?? '', port: firstPbx?.port ?? 0 },
    vonage: { ip: firstTrunkEp?.host ?? '', port: firstTrunkEp?.port ?? 0 },
    logs: () => lines.slice(),
    stdout: () => out,
    stderr: () => err,
    waitForLog,
    exited,
    stop,
  };
}
