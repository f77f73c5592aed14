// The operational `show` commands: each reads one or two API routes and
// gives the data (for --json) and a text rendering (for people).
import { execFile } from 'node:child_process';
import type { SbcdClient } from './client.js';
import { CliError, refused } from './errors.js';
import { keyValues, table } from './table.js';

export interface Output {
  data: unknown;
  text: string;
}

type Obj = Record<string, unknown>;

interface CallRow {
  id: string;
  state: string;
  startedAt: string;
  caller: string;
  callee: string;
  target?: { kind?: string; name?: string };
  media?: Array<{ codec?: string; mos?: { a?: number; b?: number } | null }>;
}

interface TrunkRow {
  name: string;
  kind: string;
  side: string;
  transport: string;
  region: string;
  endpoint_set: string;
  endpoints: Array<{ host: string; port: number }>;
  enabled: boolean;
}

interface HealthRow {
  trunk: string;
  endpoint: string;
  state: string;
  rttMs: number | null;
}

const fmtSecs = (s: number): string => {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${d ? `${d}d ` : ''}${h}h ${m}m`;
};
const mib = (b: number): string => `${Math.round(b / 1048576)} MiB`;

async function showCalls(c: SbcdClient): Promise<Output> {
  const r = await c.get<{ count: number; calls: CallRow[] }>('/calls');
  const rows = r.calls.map((x) => {
    const mos = (x.media ?? []).flatMap((m) => [m.mos?.a, m.mos?.b]).filter((v): v is number => typeof v === 'number');
    return [
      x.id,
      x.state,
      x.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      x.caller,
      x.callee,
      x.target ? `${x.target.kind}:${x.target.name}` : '-',
      (x.media ?? []).map((m) => m.codec).filter(Boolean).join(',') || '-',
      mos.length ? Math.min(...mos).toFixed(1) : '-',
    ];
  });
  const text = rows.length === 0 ? 'no calls in progress' : `${table(['ID', 'STATE', 'STARTED', 'FROM', 'TO', 'TARGET', 'CODEC', 'MOS'], rows)}\n${r.count} call(s)`;
  return { data: r, text };
}

async function showTrunks(c: SbcdClient): Promise<Output> {
  const trunks = (await c.get<{ trunks: TrunkRow[] }>('/config/running')).trunks;
  let health: HealthRow[] = [];
  try {
    health = await c.get<HealthRow[]>('/trunks/health');
  } catch (err) {
    if (!(err instanceof CliError) || err.code !== 'ERR_NOT_IMPLEMENTED') throw err;
  }
  const rows = trunks.map((t) => {
    const h = health.filter((x) => x.trunk === t.name);
    const eps = t.endpoint_set ? `set ${t.endpoint_set}` : t.endpoints.map((e) => `${e.host}:${e.port}`).join(' ');
    const state = h.length ? h.map((x) => `${x.state}${x.rttMs !== null ? ` ${Math.round(x.rttMs)}ms` : ''}`).join(', ') : 'not checked';
    return [t.name, t.kind, t.transport, t.region || '-', eps || '-', t.enabled ? 'yes' : 'no', state];
  });
  const text = rows.length === 0 ? 'no trunks' : table(['NAME', 'KIND', 'TRANSPORT', 'REGION', 'ENDPOINTS', 'ENABLED', 'HEALTH'], rows);
  return { data: { trunks, health }, text };
}

async function showRoutes(c: SbcdClient): Promise<Output> {
  const routes = (await c.get<{ routes: Obj[] }>('/config/running')).routes;
  const target = (to: Obj): string => {
    if (typeof to.trunk === 'string') return `trunk ${to.trunk}`;
    if (typeof to.pbx === 'string') return `pbx ${to.pbx}`;
    if (Array.isArray(to.pbxs)) return `pbxs ${(to.pbxs as Obj[]).map((p) => String(p.pbx)).join(' > ')}`;
    return '-';
  };
  const rows = routes
    .slice()
    .sort((a, b) => Number(a.priority) - Number(b.priority))
    .map((r) => {
      const m = (r.match ?? {}) as Obj;
      return [String(r.name), String(r.priority), String(r.from_side), String(m.ruri_user || '*'), String(m.from_trunk || '*'), target((r.to ?? {}) as Obj), r.enabled ? 'yes' : 'no'];
    });
  const text = rows.length === 0 ? 'no routes' : table(['NAME', 'PRIO', 'FROM', 'RURI USER', 'FROM TRUNK', 'TO', 'ENABLED'], rows);
  return { data: routes, text };
}

async function showBans(c: SbcdClient): Promise<Output> {
  const r = await c.get<{ enabled: boolean; bans: Array<{ ip: string; reason: string; detail: string; since: string; expiresInS: number }> }>('/bans');
  if (!r.enabled) return { data: r, text: 'the firewall is off (firewall.enabled false): nothing is banned' };
  const text =
    r.bans.length === 0 ? 'no bans' : table(['SOURCE', 'REASON', 'SINCE', 'EXPIRES IN', 'DETAIL'], r.bans.map((b) => [b.ip, b.reason, b.since, `${b.expiresInS} s`, b.detail]));
  return { data: r, text };
}

interface SystemRow {
  hostname: string;
  uptimeS: number;
  process: { pid: number; uptimeS: number; rssBytes: number; node: string };
  cpu: { cores: number; loadPct: number; loadAvg: number[] };
  memory: { totalBytes: number; usedBytes: number; availableBytes: number };
  disks: Array<{ mount: string; sizeBytes: number; usePct: number }>;
  interfaces: Array<{ name: string; up: boolean; addresses: string[] }>;
  temperatures: { mainC: number | null; maxC: number | null } | null;
  calls: number | null;
}

async function showSystem(c: SbcdClient): Promise<Output> {
  const s = await c.get<SystemRow>('/system');
  const status = await c.get<{ changes: number; running: { id: number; at: string; user: string }; pendingConfirm: { confirmBy?: string } | null }>('/config/status');
  const text = [
    keyValues([
      ['host', s.hostname],
      ['uptime', fmtSecs(s.uptimeS)],
      ['sbcd', `pid ${s.process.pid}, up ${fmtSecs(s.process.uptimeS)}, ${mib(s.process.rssBytes)} resident, node ${s.process.node}`],
      ['cpu', `${s.cpu.cores} cores, ${s.cpu.loadPct}% busy, load ${s.cpu.loadAvg.map((x) => x.toFixed(2)).join(' ')}`],
      ['memory', `${mib(s.memory.usedBytes)} used of ${mib(s.memory.totalBytes)} (${mib(s.memory.availableBytes)} available)`],
      ['temperature', s.temperatures?.mainC !== null && s.temperatures?.mainC !== undefined ? `${s.temperatures.mainC} °C` : 'no sensor'],
      ['calls', s.calls],
      ['config', `commit ${status.running.id} by ${status.running.user} at ${status.running.at}; ${status.changes} uncommitted change(s)${status.pendingConfirm ? `; waiting for confirm until ${status.pendingConfirm.confirmBy}` : ''}`],
    ]),
    '',
    table(['DISK', 'SIZE', 'USED'], s.disks.map((d) => [d.mount, mib(d.sizeBytes), `${d.usePct}%`])),
    '',
    table(['INTERFACE', 'UP', 'ADDRESSES'], s.interfaces.map((i) => [i.name, i.up ? 'yes' : 'no', i.addresses.join(' ')])),
  ].join('\n');
  return { data: { ...s, config: status }, text };
}

// `show log`: the audit trail (logins, edits, commits); `show log sbcd`:
// sbcd's own log from the journal (the appliance runs it under systemd).
async function showLog(c: SbcdClient, args: string[]): Promise<Output> {
  if (args[0] === 'sbcd') {
    const n = args[1] && /^\d+$/.test(args[1]) ? Math.min(Number(args[1]), 10000) : 50;
    const text = await new Promise<string>((resolve, reject) => {
      execFile('journalctl', ['-u', 'sbcd', '-n', String(n), '--no-pager', '-o', 'short-iso'], { timeout: 10_000, maxBuffer: 16 << 20 }, (err, out, errText) => {
        if (err) reject(refused(`no journal to read (${(errText || err.message).trim().split('\n')[0]}): sbcd logs to its standard output`));
        else resolve(out.trimEnd());
      });
    });
    return { data: text.split('\n'), text };
  }
  const n = args[0] && /^\d+$/.test(args[0]) ? Math.min(Number(args[0]), 10000) : 50;
  if (args[0] !== undefined && !/^\d+$/.test(args[0])) throw refused(`show log [N] | show log sbcd [N]: "${args[0]}" is neither`);
  const entries = await c.get<Array<{ at: string; user: string; source: string; action: string; detail: string }>>(`/audit?limit=${n}`);
  const text = entries.length === 0 ? 'nothing logged' : table(['TIME', 'USER', 'SOURCE', 'ACTION', 'DETAIL'], entries.map((e) => [e.at, e.user, e.source, e.action, e.detail.split('\n')[0]!.slice(0, 80)]));
  return { data: entries, text };
}

export const SHOW_TOPICS: Record<string, string> = {
  calls: 'calls in progress with codec and MOS',
  trunks: 'trunks with their endpoints and OPTIONS health',
  routes: 'routing rules by priority',
  bans: 'sources the firewall bans now',
  system: 'host, CPU, memory, disks, interfaces, config status',
  log: 'the audit trail [N]; "show log sbcd [N]": sbcd’s journal',
  configuration: 'the running config (YAML, secrets masked) [path]',
  history: 'commits, newest first',
};

export async function showOperational(c: SbcdClient, topic: string | undefined, args: string[]): Promise<Output> {
  switch (topic) {
    case 'calls':
      return showCalls(c);
    case 'trunks':
      return showTrunks(c);
    case 'routes':
      return showRoutes(c);
    case 'bans':
      return showBans(c);
    case 'system':
      return showSystem(c);
    case 'log':
      return showLog(c, args);
    default:
      throw refused(`show what? ${Object.keys(SHOW_TOPICS).join(', ')}`);
  }
}
