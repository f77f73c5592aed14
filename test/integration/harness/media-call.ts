// The daemon with media anchoring configured for a test, calls whose SIP
// runs in SIPp while the test watches the live traces and moves RTP itself,
// and the per-call media statistics sbcd logs when a call ends.
import assert from 'node:assert/strict';
import { defaultTestConfig, SbcdStartError, startSbcd, type ConfigDoc, type LogLine, type Sbcd } from './sbcd.js';
import { describeSipp, startSipp, type SippHandle, type SippResult } from './sipp.js';
import { ends, type Direction, type Ends } from './flows.js';
import { SippTrace } from './media-trace.js';

export interface PeerMedia {
  srtp?: 'off' | 'sdes';
  latching?: 'off' | 'until-signalled' | 'same-ip';
  codecs?: string[];
}

export interface MediaSbcdOptions {
  timeoutS?: number;
  holdTimeoutS?: number;
  trunk?: PeerMedia;
  pbx?: PeerMedia;
  /** Replaces the first pbx's SIP port (a phone that listens where it likes). */
  pbxPort?: number;
}

export interface PortRange {
  min: number;
  max: number;
}

export interface MediaSbcd {
  sbc: Sbcd;
  /** The media port range of each side. */
  ranges: { lan: PortRange; wan: PortRange };
}

// Media ports below the kernel's ephemeral range (32768+), where freePort
// finds SIP ports; a random block per daemon so two test files running side
// by side rarely meet (and the engine skips a port somebody else holds).
function mediaRanges(): { lan: PortRange; wan: PortRange } {
  const base = 20_000 + 400 * Math.floor(Math.random() * 30);
  return { lan: { min: base, max: base + 199 }, wan: { min: base + 200, max: base + 399 } };
}

export async function startMediaSbcd(o: MediaSbcdOptions = {}): Promise<MediaSbcd> {
  for (let attempt = 0; ; attempt++) {
    const ranges = mediaRanges();
    const config: ConfigDoc = await defaultTestConfig({ tls: false });
    config.media = { workers: 1, timeout_s: o.timeoutS ?? 0, hold_timeout_s: o.holdTimeoutS ?? 0 };
    (config.sides.lan as unknown as Record<string, unknown>).media = { address: '', advertised_address: '', port_min: ranges.lan.min, port_max: ranges.lan.max };
    (config.sides.wan as unknown as Record<string, unknown>).media = { address: '', advertised_address: '', port_min: ranges.wan.min, port_max: ranges.wan.max };
    if (o.trunk) config.trunks[0]!.media = { srtp: 'off', latching: 'same-ip', codecs: [], ...o.trunk };
    if (o.pbx) config.pbxs[0]!.media = { srtp: 'off', latching: 'until-signalled', codecs: [], ...o.pbx };
    if (o.pbxPort !== undefined) config.pbxs[0]!.port = o.pbxPort;
    try {
      return { sbc: await startSbcd({ fullConfig: config }), ranges };
    } catch (err) {
      const text = err instanceof SbcdStartError ? `${err.stdoutText}\n${err.stderrText}` : '';
      if (attempt > 0 || !/EADDRINUSE|address already in use/i.test(text)) throw err;
    }
  }
}

/** The SBC side facing the caller and the callee, with its media range. */
export function mediaSides(m: MediaSbcd, direction: Direction): { towardCaller: { ip: string; range: PortRange }; towardCallee: { ip: string; range: PortRange } } {
  const lan = { ip: m.sbc.lan.ip, range: m.ranges.lan };
  const wan = { ip: m.sbc.wan.ip, range: m.ranges.wan };
  return direction === 'pbx-to-vonage' ? { towardCaller: lan, towardCallee: wan } : { towardCaller: wan, towardCallee: lan };
}

export interface MediaCallOptions {
  direction: Direction;
  uac: string;
  uas: string;
  uacKeys?: Record<string, string | number>;
  uasKeys?: Record<string, string | number>;
  /** Bound on each SIPp (default 30 s). */
  timeoutMs?: number;
  service?: string;
}

export interface MediaCall {
  ends: Ends;
  uac: SippHandle;
  uas: SippHandle;
  caller: SippTrace;
  callee: SippTrace;
  /** Both SIPps' results once they exit (each bounded by its timeout). */
  finish(): Promise<{ uac: SippResult; uas: SippResult }>;
  /** Stops whatever still runs (for finally blocks). */
  stop(): Promise<void>;
}

/** Starts the callee, then the caller, from the configured peers' addresses; returns at once. */
export async function startMediaCall(sbc: Sbcd, o: MediaCallOptions): Promise<MediaCall> {
  const e = ends(sbc, o.direction);
  const timeoutMs = o.timeoutMs ?? 30_000;
  const uas = await startSipp({
    scenario: o.uas, ip: e.callee.ip, port: e.callee.port, calls: 1, keys: o.uasKeys, timeoutMs: timeoutMs + 2_000,
    name: `${o.uas}-${o.direction}`,
  });
  let uac: SippHandle;
  try {
    uac = await startSipp({
      scenario: o.uac, ip: e.caller.ip, port: e.caller.port, remote: e.sbcIn, calls: 1, keys: o.uacKeys, timeoutMs,
      service: o.service ?? '14155550100', name: `${o.uac}-${o.direction}`,
    });
  } catch (err) {
    await uas.stop();
    throw err;
  }
  return {
    ends: e,
    uac,
    uas,
    caller: new SippTrace(uac, `caller (${o.uac}, ${o.direction})`),
    callee: new SippTrace(uas, `callee (${o.uas}, ${o.direction})`),
    finish: async () => ({ uac: await uac.done, uas: await uas.done }),
    stop: async () => {
      await Promise.all([uac.stop(), uas.stop()]);
    },
  };
}

/** SIPp finished its one call successfully. */
export function assertSippPassed(r: SippResult, who: string): void {
  const ctx = `${who}\n${describeSipp(r)}`;
  assert.equal(r.code, 0, ctx);
  assert.equal(r.stats.failed, 0, ctx);
  assert.equal(r.stats.successful, 1, ctx);
}

// ---- what sbcd logs about media ------------------------------------------

/** LegStats as MEDIA-API.md defines them (logged as JSON). */
export interface LoggedLegStats {
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
  rtcpRx: number;
  rtcpTx: number;
  expected: number;
  lost: number;
  jitterMs: number;
  rttMs: number | null;
  srtpAuthFailures: number;
  srtpReplays: number;
  droppedSource: number;
  droppedOther: number;
  ssrc: number;
  peer: { ip: string; port: number } | null;
  latched: boolean;
  idleMs: number;
}

export interface LoggedStream {
  index: number;
  /** The caller's leg. */
  a: LoggedLegStats;
  /** The callee's leg. */
  b: LoggedLegStats;
}

/** Where the log stands now: pass it to nextLog to see only what comes after. */
export function logMark(sbc: Sbcd): number {
  return sbc.logs().length;
}

/** The first log line after `mark` matching `pred`, waiting at most `ms`. */
export async function nextLog(sbc: Sbcd, mark: number, pred: (l: LogLine) => boolean, ms: number, what: string): Promise<LogLine> {
  const deadline = Date.now() + ms;
  for (;;) {
    const hit = sbc.logs().slice(mark).find(pred);
    if (hit) return hit;
    if (Date.now() > deadline) {
      const tail = sbc.logs().slice(mark).map((l) => JSON.stringify(l)).join('\n').slice(-4000);
      throw new Error(`sbcd: ${what} not logged within ${ms} ms; log since the mark:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The `call media stats` line of the next call that ends after `mark`. */
export async function callMediaStats(sbc: Sbcd, mark: number, ms = 5_000): Promise<LoggedStream[]> {
  const line = await nextLog(sbc, mark, (l) => l.msg === 'call media stats', ms, '"call media stats"');
  const streams = line.streams;
  assert.ok(Array.isArray(streams) && streams.length > 0, `"call media stats" without streams: ${JSON.stringify(line)}`);
  return streams as LoggedStream[];
}
