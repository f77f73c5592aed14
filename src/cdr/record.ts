// One call detail record: what happened to a call, built from the call's
// outcome (src/calls/call.ts) and the media statistics taken as it ended
// (the same per-stream data as the "call media stats" log line).
import type { EndedCall } from '../calls/call-controller.js';

export const CALL_RESULTS = ['answered', 'busy', 'no-answer', 'canceled', 'rejected', 'failed'] as const;
export type CallResult = (typeof CALL_RESULTS)[number];

export interface LegSummary {
  rxPackets: number;
  txPackets: number;
  expected: number;
  lost: number;
  lossPct: number; // of expected, one decimal
  jitterMs: number;
  rttMs: number | null;
  mos: number | null;
  peer: string | null; // "ip:port" the leg last sent to
  latched: boolean;
  srtpAuthFailures: number;
}

export interface StreamSummary {
  index: number;
  codec: string;
  a: LegSummary | null; // the caller's leg
  b: LegSummary | null; // the callee's leg
}

export interface CallRecord {
  callId: string;
  startedAt: number; // ms since the epoch
  answeredAt: number | null;
  endedAt: number;
  caller: string;
  callee: string;
  fromSide: string;
  sourceIp: string;
  route: string;
  targetKind: 'trunk' | 'pbx';
  targetName: string;
  result: CallResult;
  status: number; // final SIP status the caller got; 0 = none
  reason: string; // why it ended
  mos: number | null; // the worst leg's MOS estimate
  media: StreamSummary[];
}

// What the status the caller got says about the call.
export function resultOf(status: number): CallResult {
  if (status >= 200 && status < 300) return 'answered';
  if (status === 486 || status === 600) return 'busy';
  if (status === 408 || status === 480) return 'no-answer';
  if (status === 487) return 'canceled';
  if (status >= 400 && status < 500) return 'rejected';
  if (status >= 600) return 'rejected';
  return 'failed';
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function legOf(v: unknown, mos: unknown): LegSummary | null {
  if (!isObj(v)) return null;
  const expected = num(v.expected);
  const lost = Math.max(0, num(v.lost));
  const peer = isObj(v.peer) && typeof v.peer.ip === 'string' ? `${v.peer.ip}:${num(v.peer.port)}` : null;
  return {
    rxPackets: num(v.rxPackets),
    txPackets: num(v.txPackets),
    expected,
    lost,
    lossPct: expected > 0 ? Math.round((lost / expected) * 1000) / 10 : 0,
    jitterMs: Math.round(num(v.jitterMs) * 10) / 10,
    rttMs: typeof v.rttMs === 'number' ? Math.round(v.rttMs * 10) / 10 : null,
    mos: typeof mos === 'number' ? mos : null,
    peer,
    latched: v.latched === true,
    srtpAuthFailures: num(v.srtpAuthFailures),
  };
}

// Media stats as CallMedia.stats() gives them (AnchoredMedia's StreamStats);
// anything else is skipped rather than trusted.
export function mediaSummary(streams: unknown[]): StreamSummary[] {
  const out: StreamSummary[] = [];
  for (const s of streams) {
    if (!isObj(s)) continue;
    const mos = isObj(s.mos) ? s.mos : {};
    out.push({
      index: num(s.index),
      codec: typeof s.codec === 'string' ? s.codec : '',
      a: legOf(s.a, mos.a),
      b: legOf(s.b, mos.b),
    });
  }
  return out;
}

// The worst MOS of any leg that carried packets (a leg that received
// nothing has no quality to speak of).
function worstMos(media: StreamSummary[]): number | null {
  let worst: number | null = null;
  for (const s of media) {
    for (const leg of [s.a, s.b]) {
      if (!leg || leg.mos === null || leg.rxPackets === 0) continue;
      worst = worst === null ? leg.mos : Math.min(worst, leg.mos);
    }
  }
  return worst;
}

export function recordOf(call: EndedCall, streams: unknown[]): CallRecord {
  const media = mediaSummary(streams);
  return {
    callId: call.id,
    startedAt: call.startedAt,
    answeredAt: call.answeredAt,
    endedAt: call.endedAt,
    caller: call.caller,
    callee: call.callee,
    fromSide: call.fromSide,
    sourceIp: call.sourceIp,
    route: call.route,
    targetKind: call.target.kind,
    targetName: call.target.name,
    result: resultOf(call.status),
    status: call.status,
    reason: call.reason || (call.status ? `status ${call.status}` : 'ended'),
    mos: worstMos(media),
    media,
  };
}
