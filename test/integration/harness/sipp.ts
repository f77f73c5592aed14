// Runs SIPp (Debian sip-tester 3.6) as a child process, in the foreground,
// bounded in time, with its message trace, error trace and statistics
// written into a scratch directory and read back for the assertions.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { trackChild } from './cleanup.js';
import { scenarioPath, scenariosDir } from './paths.js';
import { freePort, tmpDir } from './ports.js';
import { parseMessages, type SipMessage } from './sip-log.js';

export interface SippArgs {
  /** A path to an XML file, a scenario name under test/scenarios ("uac-basic"), or a SIPp built-in ("uac", "uas"). */
  scenario: string;
  /** Local IP SIPp binds (-i). */
  ip: string;
  /** Local port SIPp binds (-p). */
  port: number;
  /** Where a UAC sends its first request: "ip:port" or {ip, port}. */
  remote?: string | { ip: string; port: number };
  /** -m: stop after this many calls (a UAS exits after answering them). */
  calls?: number;
  /** -r: calls per second. */
  rate?: number;
  /** -l: at most this many calls at once. */
  limit?: number;
  /** -s: the Request-URI user. */
  service?: string;
  /** -key name value, used as [name] in the scenario. */
  keys?: Record<string, string | number>;
  transport?: 'udp' | 'tcp';
  /** Extra raw SIPp arguments. */
  extra?: string[];
  /** Hard bound: SIPp gets -timeout a little below it and is killed at it. */
  timeoutMs: number;
  /** Label used in the scratch file names. */
  name?: string;
  /** Run SIPp inside this network namespace (`ip netns exec`; see netns.ts). */
  netns?: string;
}

export interface SippStats {
  /** The last line of SIPp's -trace_stat CSV, by column name. */
  raw: Record<string, string>;
  created: number;
  successful: number;
  failed: number;
  incoming: number;
  outgoing: number;
}

export interface SippResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the harness killed SIPp at timeoutMs. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The -trace_msg file: every message SIPp sent and received. */
  messagesLog: string;
  messages: SipMessage[];
  /** The -trace_err file: unexpected messages, retransmission timeouts… */
  errors: string;
  stats: SippStats;
  /** Scratch directory with the raw files. */
  dir: string;
  /** The command line, for failure messages. */
  command: string;
  /** The -m value asked for, if any. */
  callsRequested?: number;
}

export interface SippHandle {
  proc: ChildProcess;
  ip: string;
  port: number;
  /** Resolves when SIPp exits on its own (or is stopped / killed at the timeout). */
  done: Promise<SippResult>;
  /** SIGTERM (SIPp then flushes its traces and exits 0), then the result. */
  stop(): Promise<SippResult>;
}

function resolveScenario(s: string): string[] {
  if (isAbsolute(s) && existsSync(s)) return ['-sf', s];
  if (s.includes('/') || s.endsWith('.xml')) {
    const p = isAbsolute(s) ? s : existsSync(s) ? s : join(scenariosDir, s);
    return ['-sf', p];
  }
  const local = scenarioPath(s);
  if (existsSync(local)) return ['-sf', local];
  return ['-sn', s];
}

function buildArgs(a: SippArgs, dir: string, controlPort: number): string[] {
  const args: string[] = [];
  if (a.remote !== undefined) {
    args.push(typeof a.remote === 'string' ? a.remote : `${a.remote.ip}:${a.remote.port}`);
  }
  args.push(...resolveScenario(a.scenario));
  args.push('-i', a.ip, '-p', String(a.port));
  args.push('-t', a.transport === 'tcp' ? 't1' : 'u1');
  if (a.calls !== undefined) args.push('-m', String(a.calls));
  if (a.rate !== undefined) args.push('-r', String(a.rate));
  if (a.limit !== undefined) args.push('-l', String(a.limit));
  if (a.service !== undefined) args.push('-s', a.service);
  for (const [k, v] of Object.entries(a.keys ?? {})) args.push('-key', k, String(v));
  const sippTimeoutS = Math.max(1, Math.floor(a.timeoutMs / 1000) - 1);
  args.push(
    // SIPp's remote-control socket listens on 0.0.0.0:8888 by default and a
    // stray datagram starting with "q" makes it quit with exit 0: give each
    // run a free port of its own instead.
    '-cp', String(controlPort),
    '-max_socket', '100',
    '-nostdin',
    '-timeout', `${sippTimeoutS}s`,
    '-trace_msg', '-message_file', join(dir, 'messages.log'),
    '-trace_err', '-error_file', join(dir, 'errors.log'),
    '-trace_stat', '-stf', join(dir, 'stats.csv'),
  );
  args.push(...(a.extra ?? []));
  return args;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function parseStats(csv: string): SippStats {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const head = (lines[0] ?? '').split(';');
  const last = (lines.length > 1 ? lines[lines.length - 1]! : '').split(';');
  const raw: Record<string, string> = {};
  head.forEach((h, i) => {
    if (h) raw[h] = last[i] ?? '';
  });
  const n = (k: string): number => Number(raw[k] ?? 0) || 0;
  return {
    raw,
    created: n('TotalCallCreated'),
    successful: n('SuccessfulCall(C)'),
    failed: n('FailedCall(C)'),
    incoming: n('IncomingCall(C)'),
    outgoing: n('OutgoingCall(C)'),
  };
}

/** Starts SIPp and returns once its SIP socket is bound (a UAS is then ready). */
export async function startSipp(a: SippArgs): Promise<SippHandle> {
  return launch(a, true);
}

async function launch(a: SippArgs, waitListening: boolean): Promise<SippHandle> {
  const dir = tmpDir(`sipp-${a.name ?? a.scenario.replace(/[^a-z0-9-]/gi, '_')}-`);
  const args = buildArgs(a, dir, await freePort('0.0.0.0'));
  const command = `sipp ${args.join(' ')}`;
  const proc = a.netns
    ? spawn('ip', ['netns', 'exec', a.netns, 'sipp', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
    // SIPp repaints its screen to stdout; only the tail is useful.
    stdout = (stdout + d).slice(-64 * 1024);
  });
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-64 * 1024);
  });
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    proc.kill('SIGTERM');
    setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
  }, a.timeoutMs);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
    proc.once('error', (err) => {
      stderr += `\nspawn error: ${err.message}`;
      resolve({ code: null, signal: null });
    });
  });
  const done = exited.then(({ code, signal }) => {
    clearTimeout(killer);
    const messagesLog = readOr(join(dir, 'messages.log'));
    const result: SippResult = {
      code,
      signal,
      timedOut,
      stdout,
      stderr,
      messagesLog,
      messages: parseMessages(messagesLog),
      errors: readOr(join(dir, 'errors.log')),
      stats: parseStats(readOr(join(dir, 'stats.csv'))),
      dir,
      command,
    };
    if (a.calls !== undefined) result.callsRequested = a.calls;
    return result;
  });
  const handle: SippHandle = {
    proc,
    ip: a.ip,
    port: a.port,
    done,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
        const r = await done;
        clearTimeout(t);
        return r;
      }
      return done;
    },
  };
  // /proc/<pid>/net shows the socket tables of that process's namespace.
  const procNet = a.netns && proc.pid ? `/proc/${proc.pid}/net` : '/proc/net';
  if (waitListening) await waitBound(a.ip, a.port, a.transport ?? 'udp', exited, command, () => stderr + stdout, procNet);
  return handle;
}

/** Runs SIPp to completion (a UAC, usually) and returns what it saw. */
export async function runSipp(a: SippArgs): Promise<SippResult> {
  const h = await launch(a, false);
  return h.done;
}

/** A short, readable account of a SIPp run for assertion messages. */
export function describeSipp(r: SippResult): string {
  const err = r.errors.trim().split('\n').slice(-15).join('\n');
  return [
    `command: ${r.command}`,
    `exit: code=${r.code} signal=${r.signal}${r.timedOut ? ' (killed at timeout)' : ''}`,
    `stats: created=${r.stats.created} successful=${r.stats.successful} failed=${r.stats.failed}`,
    r.code === 0 && !r.timedOut && r.callsRequested !== undefined && r.stats.created < r.callsRequested && r.stats.outgoing > 0
      ? `NOTE: exit 0 before its -m ${r.callsRequested} calls were placed: SIPp was stopped by a signal from outside the harness`
      : '',
    `files: ${r.dir}`,
    err ? `errors (tail):\n${err}` : '',
    r.stderr.trim() ? `stderr (tail): ${r.stderr.trim().slice(-1500)}` : '',
    r.messages.length ? `first messages:\n${r.messages.slice(0, 6).map((m) => `  ${m.direction} ${m.startLine}`).join('\n')}` : 'no SIP message logged',
  ]
    .filter(Boolean)
    .join('\n');
}

// /proc/net/{udp,tcp} list bound sockets: address as host-order hex, port as
// hex. Polling it tells us SIPp is listening without racing it for the port.
function procNetKey(ip: string, port: number): string {
  const hexIp = ip
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .reverse()
    .join('')
    .toUpperCase();
  return `${hexIp}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

function isBound(ip: string, port: number, transport: 'udp' | 'tcp', procNet: string): boolean {
  const table = readOr(`${procNet}/${transport}`);
  const key = procNetKey(ip, port);
  return table.split('\n').some((l) => {
    const f = l.trim().split(/\s+/);
    return f[1] === key && (transport === 'udp' || f[3] === '0A');
  });
}

async function waitBound(
  ip: string,
  port: number,
  transport: 'udp' | 'tcp',
  exited: Promise<unknown>,
  command: string,
  output: () => string,
  procNet = '/proc/net',
): Promise<void> {
  if (ip.includes(':')) {
    await new Promise((r) => setTimeout(r, 300)); // IPv6: just give it a moment
    return;
  }
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (isBound(ip, port, transport, procNet)) return;
    if (gone) return; // the caller reads the result from done
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`SIPp did not bind ${ip}:${port}/${transport} within 5 s\n${command}\n${output().slice(-2000)}`);
}
