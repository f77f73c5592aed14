// System health for the admin UI: CPU load, memory, disks, interfaces and
// temperatures (where the hardware reports them), through systeminformation.
// Reading it takes about a second (it samples /proc and runs df), so one
// reading is shared by every caller for CACHE_MS.
import { hostname, loadavg, networkInterfaces, uptime } from 'node:os';
import si from 'systeminformation';

export interface SystemInfo {
  hostname: string;
  uptimeS: number;
  process: { pid: number; uptimeS: number; rssBytes: number; heapUsedBytes: number; node: string };
  cpu: { cores: number; loadPct: number; loadAvg: [number, number, number] };
  memory: { totalBytes: number; usedBytes: number; availableBytes: number; swapTotalBytes: number; swapUsedBytes: number };
  disks: Array<{ mount: string; fs: string; type: string; sizeBytes: number; usedBytes: number; usePct: number }>;
  interfaces: Array<{ name: string; mac: string; up: boolean; speedMbps: number | null; mtu: number | null; addresses: string[] }>;
  // null when no sensor is readable (virtual machines).
  temperatures: { mainC: number | null; maxC: number | null; coresC: number[] } | null;
  at: string;
}

const CACHE_MS = 5000;

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

async function read(): Promise<SystemInfo> {
  const [load, mem, fs, ifs, temp] = await Promise.all([
    si.currentLoad(),
    si.mem(),
    si.fsSize().catch(() => []),
    si.networkInterfaces().catch(() => []),
    si.cpuTemperature().catch(() => null),
  ]);
  const addrs = networkInterfaces();
  const list = Array.isArray(ifs) ? ifs : [ifs];
  const pu = process.memoryUsage();
  return {
    hostname: hostname(),
    uptimeS: Math.round(uptime()),
    process: {
      pid: process.pid,
      uptimeS: Math.round(process.uptime()),
      rssBytes: pu.rss,
      heapUsedBytes: pu.heapUsed,
      node: process.version,
    },
    cpu: {
      cores: load.cpus.length,
      loadPct: round(load.currentLoad),
      loadAvg: loadavg().map((x) => round(x, 2)) as [number, number, number],
    },
    memory: {
      totalBytes: mem.total,
      usedBytes: mem.total - mem.available,
      availableBytes: mem.available,
      swapTotalBytes: mem.swaptotal,
      swapUsedBytes: mem.swapused,
    },
    disks: fs.map((d) => ({ mount: d.mount, fs: d.fs, type: d.type, sizeBytes: d.size, usedBytes: d.used, usePct: round(d.use ?? 0) })),
    interfaces: list.map((i) => ({
      name: i.iface,
      mac: i.mac,
      up: i.operstate === 'up' || (i.internal && i.operstate !== 'down'),
      speedMbps: typeof i.speed === 'number' && i.speed > 0 ? i.speed : null,
      mtu: typeof i.mtu === 'number' ? i.mtu : null,
      addresses: (addrs[i.iface] ?? []).map((a) => `${a.address}/${a.cidr?.split('/')[1] ?? ''}`.replace(/\/$/, '')),
    })),
    temperatures: temperaturesOf(temp),
    at: new Date().toISOString(),
  };
}

// A reading is a number in °C; systeminformation gives null (and older
// versions -1) where the hardware has no sensor.
function celsius(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v !== -1 ? v : null;
}

/** The temperatures part of the answer: null when no sensor reports anything (a VM). */
export function temperaturesOf(temp: { main?: unknown; max?: unknown; cores?: unknown } | null): SystemInfo['temperatures'] {
  if (!temp) return null;
  const coresC = (Array.isArray(temp.cores) ? temp.cores : []).map(celsius).filter((c): c is number => c !== null);
  const mainC = celsius(temp.main);
  const maxC = celsius(temp.max);
  return mainC === null && maxC === null && coresC.length === 0 ? null : { mainC, maxC, coresC };
}

// A reader with the cache; the daemon passes it to the API.
export function systemInfoReader(cacheMs = CACHE_MS): () => Promise<SystemInfo> {
  let last: { at: number; info: Promise<SystemInfo> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > cacheMs) {
      const info = read();
      last = { at: now, info };
      // A failed reading is not cached.
      info.catch(() => {
        if (last?.info === info) last = undefined;
      });
    }
    return last.info;
  };
}
