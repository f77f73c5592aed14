// Runs the libsrtp2 test peer (test/tools/srtp-peer), building it on first
// use. Its options and JSON report are described in srtp-peer.c.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { trackChild } from './cleanup.js';
import { netnsExecArgs } from './netns.js';
import { repoRoot } from './paths.js';
import type { UdpAddress } from './rtp-endpoint.js';

export const srtpPeerDir = join(repoRoot, 'test', 'tools', 'srtp-peer');
export const srtpPeerPath = join(srtpPeerDir, 'build', 'srtp-peer');

let built = false;

/** make -C test/tools/srtp-peer (a no-op when up to date); throws with the compiler output. */
export function buildSrtpPeer(): string {
  if (built && existsSync(srtpPeerPath)) return srtpPeerPath;
  const r = spawnSync('make', ['-s', '-C', srtpPeerDir], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    throw new Error(`building the srtp-peer failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  built = true;
  return srtpPeerPath;
}

export type SrtpSuiteName = 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32';

export interface SrtpKeySpec {
  suite: SrtpSuiteName;
  /** base64 of 30 bytes (the a=crypto inline: value). */
  key: string;
}

export interface SrtpPeerOptions {
  bind: UdpAddress;
  remote?: UdpAddress;
  count?: number;
  intervalMs?: number;
  lingerMs?: number;
  durationMs?: number;
  ssrc?: number;
  seq?: number;
  seed?: number;
  expectSeed?: number;
  send?: SrtpKeySpec | null;
  recv?: SrtpKeySpec | null;
  tamperAt?: number;
  replayAt?: number;
  /** Kill bound (default: the run's own length + 10 s). */
  timeoutMs?: number;
  /** Run inside this network namespace (ip netns exec), e.g. a netns topology's Vonage side. */
  netns?: string;
}

export interface SrtpPeerReport {
  sent: number;
  sentTampered: number;
  sentReplayed: number;
  sendErrors: number;
  received: number;
  rtcp: number;
  malformed: number;
  decryptedOk: number;
  authFailures: number;
  replayFailures: number;
  otherFailures: number;
  patternOk: number;
  patternBad: number;
  digest: string;
  gaps: number;
  duplicates: number;
  reordered: number;
  firstSeq: number | null;
  lastSeq: number | null;
  ssrcs: number[];
  sources: Array<{ ip: string; port: number; packets: number }>;
  seqs: number[];
}

export interface SrtpPeerRun {
  /** The command line, for assertion messages. */
  command: string;
  /** The report printed when the run ends. */
  report: Promise<SrtpPeerReport>;
  kill(): void;
}

const addr = (a: UdpAddress): string => (a.ip.includes(':') ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`);

/** Starts the peer and resolves once its socket is bound (it then sends at once). */
export async function startSrtpPeer(o: SrtpPeerOptions): Promise<SrtpPeerRun> {
  const bin = buildSrtpPeer();
  const args = ['--bind', addr(o.bind)];
  if (o.remote) args.push('--remote', addr(o.remote));
  const num = (flag: string, v: number | undefined): void => {
    if (v !== undefined) args.push(flag, String(v));
  };
  num('--count', o.count);
  num('--interval-ms', o.intervalMs);
  num('--linger-ms', o.lingerMs);
  num('--duration-ms', o.durationMs);
  num('--ssrc', o.ssrc);
  num('--seq', o.seq);
  num('--seed', o.seed);
  num('--expect-seed', o.expectSeed);
  num('--tamper-at', o.tamperAt);
  num('--replay-at', o.replayAt);
  if (o.send) args.push('--send-suite', o.send.suite, '--send-key', o.send.key);
  if (o.recv) args.push('--recv-suite', o.recv.suite, '--recv-key', o.recv.key);
  // Keys stay out of the command line shown in messages.
  const command = `srtp-peer ${args.map((a, i) => (args[i - 1]?.endsWith('-key') ? '<key>' : a)).join(' ')}`;

  const runMs = o.durationMs ?? (o.count ?? 50) * (o.intervalMs ?? 20) + (o.lingerMs ?? 500);
  const proc = o.netns
    ? spawn('ip', netnsExecArgs(o.netns, bin, args), { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(proc);
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  let readyResolve: () => void = () => undefined;
  const ready = new Promise<void>((r) => (readyResolve = r));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    if (/^ready$/m.test(err)) readyResolve();
  });
  const killer = setTimeout(() => proc.kill('SIGKILL'), o.timeoutMs ?? runMs + 10_000);
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      clearTimeout(killer);
      readyResolve(); // never left waiting for "ready" from a peer that failed
      resolve(code);
    });
    proc.once('error', (e) => {
      err += `\nspawn error: ${e.message}`;
      resolve(null);
    });
  });
  const report = exited.then((code) => {
    const line = out.trim().split('\n').pop() ?? '';
    if (code !== 0 || !line.startsWith('{')) {
      throw new Error(`${command} failed (exit ${code}):\n${err}\n${out}`);
    }
    return JSON.parse(line) as SrtpPeerReport;
  });
  report.catch(() => undefined); // the caller awaits it; avoid an unhandled rejection meanwhile
  await ready;
  if (proc.exitCode !== null) await report; // throws with the reason (bad args, bind failure)
  return { command, report, kill: () => proc.kill('SIGKILL') };
}

/** A fresh random SDES key (30 bytes, base64). */
export function randomSrtpKey(): string {
  return randomBytes(30).toString('base64');
}
