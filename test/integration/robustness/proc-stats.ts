// What the kernel says about the daemon, independent of anything it logs:
// whether it is alive, and how many TCP connections it holds open on its own
// listening ports (accepted connections, any state but LISTEN/TIME_WAIT, whose
// socket is still one of the process's file descriptors).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]!);
    } catch {
      // fd closed while we looked
    }
  }
  return out;
}

const LISTEN = '0A';
const TIME_WAIT = '06';

/** Accepted TCP connections the process still holds on any of `ports`. */
export function openConnections(pid: number, ports: number[]): number {
  const inodes = socketInodes(pid);
  const wanted = new Set(ports.filter((p) => p > 0));
  let n = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let table = '';
    try {
      table = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of table.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const local = f[1]!;
      const state = f[3]!;
      const inode = f[9]!;
      const port = parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
      if (!wanted.has(port) || state === LISTEN || state === TIME_WAIT) continue;
      if (inodes.has(inode)) n++;
    }
  }
  return n;
}

/** Polls until the count drops to `atMost` or `ms` pass; returns the last count. */
export async function waitConnectionsAtMost(pid: number, ports: number[], atMost: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  let n = openConnections(pid, ports);
  while (n > atMost && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    n = openConnections(pid, ports);
  }
  return n;
}

export function isAlive(proc: { exitCode: number | null; signalCode: NodeJS.Signals | null }): boolean {
  return proc.exitCode === null && proc.signalCode === null;
}
