// Children and /proc readings for the rtp-relay benchmark: every child is
// tracked and killed when the benchmark exits; CPU, memory and socket figures
// come from /proc.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim() || 100);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const children = new Set();
process.on('exit', () => {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/** Spawns a tracked child; keeps the head and the tail of its output. */
export function start(cmd, args, { cwd, env, stdin = 'ignore' } = {}) {
  const proc = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: [stdin, 'pipe', 'pipe'] });
  children.add(proc);
  // The first 32 KiB (start-up, the first error) and the last 64 KiB.
  let head = '';
  let tail = '';
  let total = 0;
  let stdout = '';
  const keep = (d) => {
    total += d.length;
    if (head.length < 32 * 1024) head += d.slice(0, 32 * 1024 - head.length);
    tail = (tail + d).slice(-64 * 1024);
  };
  proc.stdout.setEncoding('utf8').on('data', (d) => {
    stdout = (stdout + d).slice(-1024 * 1024);
    keep(d);
  });
  proc.stderr.setEncoding('utf8').on('data', keep);
  const done = new Promise((res) => {
    proc.once('exit', (code, signal) => {
      children.delete(proc);
      res({ code, signal });
    });
    proc.once('error', (e) => {
      tail += `\nspawn error: ${e.message}`;
      children.delete(proc);
      res({ code: null, signal: null });
    });
  });
  const out = () => (total <= head.length ? head : total <= head.length + tail.length ? head + tail.slice(head.length + tail.length - total) : `${head}\n[...]\n${tail}`);
  return { proc, done, stdout: () => stdout, out };
}

export function alive(h) {
  return h.proc.exitCode === null && h.proc.signalCode === null;
}

export async function stop(h, signal = 'SIGTERM', graceMs = 5000) {
  if (!h || !alive(h)) return;
  h.proc.kill(signal);
  const t = setTimeout(() => h.proc.kill('SIGKILL'), graceMs);
  await h.done;
  clearTimeout(t);
}

function statFields(path) {
  const s = readFileSync(path, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' '); // [11] utime, [12] stime
}

/** utime + stime of a process (all its threads, live and exited), in ticks. */
export function processTicks(pid) {
  try {
    const f = statFields(`/proc/${pid}/stat`);
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;
  }
}

/** Per thread: Map tid -> {comm, ticks}. */
export function threadTicks(pid) {
  const m = new Map();
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return m;
  }
  for (const tid of tids) {
    try {
      const f = statFields(`/proc/${pid}/task/${tid}/stat`);
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      m.set(Number(tid), { comm, ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      /* thread ended */
    }
  }
  return m;
}

/** Busy and total jiffies of one CPU from /proc/stat (busy = all but idle and iowait). */
export function coreJiffies(core) {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${core} `));
  if (!line) return undefined;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // user..steal; guest is inside user
  return { busy: total - v[3] - v[4], total };
}

export function corePct(a, b) {
  if (!a || !b || b.total === a.total) return undefined;
  return ((b.busy - a.busy) / (b.total - a.total)) * 100;
}

/** Proportional and resident set size of a process, KiB. */
export function memoryKiB(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const get = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1]);
    return { pss: get('Pss'), rss: get('Rss') };
  } catch {
    return undefined;
  }
}

export function fdCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

/** Sum of the kernel's per-socket receive drops for local UDP ports in [lo, hi] (/proc/net/udp). */
export function udpDrops(lo, hi) {
  let drops = 0;
  let sockets = 0;
  for (const l of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const f = l.trim().split(/\s+/);
    if (f.length < 13) continue;
    const port = parseInt(f[1].split(':')[1], 16);
    if (port < lo || port > hi) continue;
    sockets++;
    drops += Number(f[12]) || 0;
  }
  return { drops, sockets };
}

export function udpBound(ip, port) {
  const key = `${ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).reverse().join('').toUpperCase()}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/udp', 'utf8').split('\n').some((l) => l.trim().split(/\s+/)[1] === key);
}

/** UDP ports in [lo, hi] bound by anyone right now. */
export function udpPortsInUse(lo, hi) {
  const used = [];
  for (const l of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const f = l.trim().split(/\s+/);
    if (f.length < 2) continue;
    const port = parseInt(f[1].split(':')[1], 16);
    if (port >= lo && port <= hi) used.push(port);
  }
  return used;
}
