// What the live-state routes answer, read defensively: the UI shows what it
// finds and never breaks on a field it does not know. Call snapshots follow
// src/calls/call.ts (CallSnapshot) and media stats src/media (StreamStats,
// LegStats).
import { isObject } from '../schema/json-schema.js';

export type Rec = Record<string, unknown>;

export function rec(v: unknown): Rec {
  return isObject(v) ? (v as Rec) : {};
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

export function first(r: Rec, ...keys: string[]): unknown {
  for (const k of keys) if (r[k] !== undefined && r[k] !== null) return r[k];
  return undefined;
}

export function timeOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v > 1e12 ? v : v * 1000;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

export function listIn(body: unknown, ...keys: string[]): Rec[] {
  if (Array.isArray(body)) return body.map(rec);
  const r = rec(body);
  for (const k of [...keys, 'items']) if (Array.isArray(r[k])) return (r[k] as unknown[]).map(rec);
  return [];
}

export interface LegView {
  rxPackets?: number;
  txPackets?: number;
  lost?: number;
  expected?: number;
  lossPct?: number;
  jitterMs?: number;
  rttMs?: number;
  mos?: number;
  peer: string;
  latched: boolean;
}

export interface StreamView {
  index: number;
  codec: string;
  a?: LegView;
  b?: LegView;
}

export interface CallView {
  id: string;
  state: string;
  startedAt?: number;
  caller: string;
  callee: string;
  target: string;
  streams: StreamView[];
}

function leg(v: unknown, mos: unknown): LegView | undefined {
  if (!isObject(v)) return undefined;
  const r = v as Rec;
  const lost = num(r.lost);
  const expected = num(r.expected);
  const peer = rec(r.peer);
  return {
    rxPackets: num(r.rxPackets),
    txPackets: num(r.txPackets),
    lost,
    expected,
    lossPct: lost !== undefined && expected ? Math.round((Math.max(0, lost) / expected) * 1000) / 10 : undefined,
    jitterMs: num(r.jitterMs),
    rttMs: num(r.rttMs),
    // No packet received: nothing to estimate (the engine's figure would be the ideal one).
    mos: num(r.rxPackets) === 0 ? undefined : num(mos),
    peer: peer.ip ? `${str(peer.ip)}:${str(peer.port)}` : '',
    latched: r.latched === true,
  };
}

export function callView(v: unknown): CallView {
  const r = rec(v);
  const target = rec(r.target);
  return {
    id: str(first(r, 'id', 'callId')),
    state: str(r.state),
    startedAt: timeOf(first(r, 'startedAt', 'started_at', 'start')),
    caller: str(first(r, 'caller', 'from')),
    callee: str(first(r, 'callee', 'to')),
    target: target.name ? `${str(target.kind)} ${str(target.name)}` : str(r.target),
    streams: (Array.isArray(r.media) ? r.media : []).map((m, i) => {
      const s = rec(m);
      const mos = rec(s.mos);
      return { index: num(s.index) ?? i, codec: str(s.codec), a: leg(s.a, mos.a), b: leg(s.b, mos.b) };
    }),
  };
}

/** The lower of the two legs' MOS over all streams: what the call sounds like at its worst. */
export function callMos(c: CallView): number | undefined {
  const all = c.streams.flatMap((s) => [s.a?.mos, s.b?.mos]).filter((x): x is number => x !== undefined);
  return all.length ? Math.min(...all) : undefined;
}

/** A `calls` event that carries the list (src/api/routes/events.ts) is used as it is. */
export function callsFromEvent(payload: unknown): unknown {
  return Array.isArray(rec(payload).calls) ? payload : undefined;
}

export function callsIn(body: unknown): CallView[] {
  return listIn(body, 'calls').map(callView);
}

export function callCount(body: unknown): number | undefined {
  const r = rec(body);
  return num(first(r, 'count', 'total')) ?? (Array.isArray(body) ? body.length : Array.isArray(r.calls) ? r.calls.length : undefined);
}

export interface CdrView {
  id: string;
  startedAt?: number;
  endedAt?: number;
  durationS?: number;
  caller: string;
  callee: string;
  result: string;
  status?: number;
  from: string;
  to: string;
  mos?: number;
  raw: Rec;
}

export function cdrView(r: Rec): CdrView {
  const started = timeOf(first(r, 'startedAt', 'started_at', 'start', 'at'));
  const ended = timeOf(first(r, 'endedAt', 'ended_at', 'end'));
  const dur = num(first(r, 'durationS', 'duration_s', 'duration'));
  const answered = timeOf(first(r, 'answeredAt', 'answered_at'));
  const mosA = num(first(r, 'mosA', 'mos_a'));
  const mosB = num(first(r, 'mosB', 'mos_b'));
  const mosBoth = [mosA, mosB].filter((x): x is number => x !== undefined);
  return {
    id: str(first(r, 'id', 'callId', 'call_id')),
    startedAt: started,
    endedAt: ended,
    // Talk time: from the answer (a call never answered lasted 0 s).
    durationS: dur ?? (ended && answered ? Math.round((ended - answered) / 1000) : ended && r.answeredAt === null ? 0 : undefined),
    caller: str(first(r, 'caller', 'from_user', 'from')),
    callee: str(first(r, 'callee', 'to_user', 'to', 'number')),
    result: str(first(r, 'result', 'outcome')),
    status: num(first(r, 'status', 'sipStatus', 'sip_status', 'code')),
    from: [str(first(r, 'fromSide', 'from_side')), str(first(r, 'sourceIp', 'source_ip'))].filter(Boolean).join(' '),
    to: r.targetName !== undefined ? `${str(r.targetKind)} ${str(r.targetName)}` : str(first(r, 'target', 'to_peer')),
    mos: num(first(r, 'mos', 'mosMin', 'mos_min')) ?? (mosBoth.length ? Math.min(...mosBoth) : undefined),
    raw: r,
  };
}

export interface HealthView {
  name: string;
  status: 'up' | 'down' | 'unknown';
  detail: string;
}

export interface SummaryBucket {
  start: number;
  calls: number;
  avgMos?: number;
}

/** GET /cdrs/summary: calls and MOS per time bucket. */
export function summaryIn(body: unknown): SummaryBucket[] {
  return listIn(body, 'buckets').flatMap((b) => {
    const start = timeOf(b.start);
    return start === undefined ? [] : [{ start, calls: num(b.calls) ?? 0, avgMos: num(b.avgMos) }];
  });
}

/**
 * Trunk status at a glance: the trunks of the running config, each up when an
 * endpoint answers, down when none does, unknown when not checked (health
 * rows are per endpoint: {trunk, endpoint, state, rttMs, lastError}).
 */
export function trunkStatus(trunkNames: string[], healthBody: unknown): HealthView[] {
  const rows = healthIn(healthBody);
  const names = [...new Set([...trunkNames, ...rows.map((r) => r.name)])];
  return names.map((name) => {
    const mine = rows.filter((r) => r.name === name);
    const up = mine.filter((r) => r.status === 'up').length;
    const down = mine.filter((r) => r.status === 'down').length;
    const status = up ? 'up' : down ? 'down' : 'unknown';
    const detail = mine.length
      ? mine.map((r) => r.detail).filter(Boolean).join('; ')
      : '';
    return { name, status, detail };
  });
}

export function healthIn(body: unknown): HealthView[] {
  const list = Array.isArray(body) || Array.isArray(rec(body).trunks) || Array.isArray(rec(body).items)
    ? listIn(body, 'trunks')
    : Object.entries(rec(rec(body).trunks ?? body)).map(([name, v]): Rec => ({ name, ...rec(v) }));
  return list.map((r: Rec) => {
    const s = str(first(r, 'status', 'state', 'health')).toLowerCase();
    const up = r.up === true || r.healthy === true || ['up', 'ok', 'reachable', 'healthy', 'registered'].includes(s);
    const down = r.up === false || r.healthy === false || ['down', 'unreachable', 'failed', 'error', 'unhealthy'].includes(s);
    const parts = [str(r.endpoint), str(first(r, 'reason', 'detail', 'message', 'lastError')), r.lastResponse !== undefined ? `last: ${str(r.lastResponse)}` : '', r.rttMs !== undefined ? `${str(r.rttMs)} ms` : '']
      .filter(Boolean)
      .join(', ');
    return { name: str(first(r, 'name', 'trunk', 'id')), status: up ? 'up' : down ? 'down' : 'unknown', detail: parts || s };
  });
}

export interface BanView {
  ip: string;
  reason: string;
  detail: string;
  expiresAt?: number;
  raw: Rec;
}

export function bansIn(body: unknown): BanView[] {
  return listIn(body, 'bans').map((r) => ({
    ip: str(first(r, 'ip', 'address', 'source')),
    reason: str(first(r, 'reason', 'why', 'cause')),
    detail: str(r.detail),
    expiresAt: timeOf(first(r, 'expiresAt', 'expires_at', 'until')) ?? (num(first(r, 'expiresInS', 'expires_in_s', 'timeout_s')) !== undefined ? Date.now() + num(first(r, 'expiresInS', 'expires_in_s', 'timeout_s'))! * 1000 : undefined),
    raw: r,
  }));
}
