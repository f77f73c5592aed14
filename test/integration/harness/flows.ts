// A call through the SBC between two SIPp instances: the caller binds the
// address the config gives its own peer (so the SBC sees it coming from the
// configured PBX or trunk), the callee binds the other peer's address.
import assert from 'node:assert/strict';
import type { Sbcd } from './sbcd.js';
import { describeSipp, runSipp, startSipp, type SippResult } from './sipp.js';
import { headerValues, param, ipPattern, type SipMessage } from './sip-log.js';

export type Direction = 'pbx-to-vonage' | 'vonage-to-pbx';

export interface CallFlow {
  direction: Direction;
  /** Caller scenario (a name under test/scenarios). */
  uac: string;
  /** Callee scenario; omit to have nobody listening on the far side. */
  uas?: string;
  calls?: number;
  rate?: number;
  limit?: number;
  /** R-URI user; an E.164 number by default, as a PBX would dial. */
  service?: string;
  uacExtra?: string[];
  uasExtra?: string[];
  uacKeys?: Record<string, string | number>;
  uasKeys?: Record<string, string | number>;
  /** Transport of the caller's leg (default udp; the config's peer must say the same). */
  uacTransport?: 'udp' | 'tcp';
  /** Transport the callee listens on (default udp). */
  uasTransport?: 'udp' | 'tcp';
  /** Bound on the whole flow (default 15 s). */
  timeoutMs?: number;
  /** How long the callee may take to finish after the caller did (default 5 s). */
  uasGraceMs?: number;
}

export interface Ends {
  caller: { ip: string; port: number };
  callee: { ip: string; port: number };
  /** Where the caller sends: the SBC side facing it. */
  sbcIn: { ip: string; port: number };
  /** The SBC side facing the callee. */
  sbcOut: { ip: string; port: number };
}

export function ends(sbc: Sbcd, direction: Direction): Ends {
  return direction === 'pbx-to-vonage'
    ? { caller: sbc.pbx, callee: sbc.vonage, sbcIn: { ip: sbc.lan.ip, port: sbc.lan.udp }, sbcOut: { ip: sbc.wan.ip, port: sbc.wan.udp } }
    : { caller: sbc.vonage, callee: sbc.pbx, sbcIn: { ip: sbc.wan.ip, port: sbc.wan.udp }, sbcOut: { ip: sbc.lan.ip, port: sbc.lan.udp } };
}

/** Runs the caller to completion with the callee listening; both results. */
export async function callThrough(sbc: Sbcd, f: CallFlow): Promise<{ uac: SippResult; uas: SippResult | null }> {
  const e = ends(sbc, f.direction);
  const sbcSide = f.direction === 'pbx-to-vonage' ? sbc.lan : sbc.wan;
  const sbcIn = f.uacTransport === 'tcp' ? { ip: sbcSide.ip, port: sbcSide.tcp } : e.sbcIn;
  const timeoutMs = f.timeoutMs ?? 15_000;
  const calls = f.calls ?? 1;
  const uas = f.uas
    ? await startSipp({
        scenario: f.uas, ip: e.callee.ip, port: e.callee.port, calls,
        keys: f.uasKeys, extra: f.uasExtra, timeoutMs: timeoutMs + 5_000, name: `${f.uas}-${f.direction}`,
        transport: f.uasTransport ?? 'udp',
      })
    : null;
  let uac: SippResult;
  try {
    uac = await runSipp({
      scenario: f.uac, ip: e.caller.ip, port: e.caller.port, remote: sbcIn, calls, transport: f.uacTransport ?? 'udp',
      rate: f.rate, limit: f.limit, service: f.service ?? '14155550100',
      keys: f.uacKeys, extra: f.uacExtra, timeoutMs, name: `${f.uac}-${f.direction}`,
    });
  } catch (err) {
    await uas?.stop();
    throw err;
  }
  if (!uas) return { uac, uas: null };
  const grace = new Promise<null>((r) => setTimeout(() => r(null), f.uasGraceMs ?? 5_000).unref());
  const finished = await Promise.race([uas.done, grace]);
  return { uac, uas: finished ?? (await uas.stop()) };
}

/** SIPp exited 0 with `n` successful and no failed call. */
export function assertAllPassed(r: SippResult | null, n: number, who = 'SIPp'): asserts r is SippResult {
  assert.ok(r, `${who}: no result`);
  const ctx = `${who}\n${describeSipp(r)}`;
  assert.equal(r.code, 0, ctx);
  assert.equal(r.stats.failed, 0, ctx);
  assert.equal(r.stats.successful, n, ctx);
}

/** Identifiers one side used that must never show up on the other side. */
export interface Identity {
  callIds: string[];
  branches: string[];
  tags: string[];
}

/**
 * A leg's identifiers: every Call-ID on it (whoever chose it, a leg's Call-ID
 * must not show up on the other leg), and the Via branches and tags the
 * stand-in itself generated (From tag of its requests, To tag of its responses).
 */
export function identityOf(r: Pick<SippResult, 'messages'>): Identity {
  const callIds = new Set<string>();
  const branches = new Set<string>();
  const tags = new Set<string>();
  for (const m of r.messages) {
    for (const c of headerValues(m, 'call-id')) callIds.add(c.trim());
    if (m.direction !== 'sent') continue;
    if (m.method) {
      const via = headerValues(m, 'via')[0];
      const b = via && param(via, 'branch');
      if (b) branches.add(b);
      // The sender's own tag is in From, for a caller and for a callee's BYE alike.
      const fromTag = param(headerValues(m, 'from')[0] ?? '', 'tag');
      if (fromTag) tags.add(fromTag);
    } else {
      const toTag = param(headerValues(m, 'to')[0] ?? '', 'tag');
      if (toTag) tags.add(toTag);
    }
  }
  return { callIds: [...callIds], branches: [...branches], tags: [...tags] };
}

/** Fails if any of the `received` messages contains one of the addresses, ports or identifiers. */
export function assertNothingLeaks(
  received: SipMessage[],
  what: { ips?: string[]; ports?: number[]; ids?: Identity },
  label: string,
): void {
  assert.ok(received.length > 0, `${label}: nothing received, nothing to check`);
  for (const m of received) {
    const where = `${label}: in received "${m.startLine}"\n${m.raw}`;
    for (const ip of what.ips ?? []) assert.doesNotMatch(m.raw, ipPattern(ip), `${where}\nleaks address ${ip}`);
    for (const port of what.ports ?? []) {
      assert.doesNotMatch(m.raw, new RegExp(`(?<![0-9])${port}(?![0-9])`), `${where}\nleaks port ${port}`);
    }
    for (const id of [...(what.ids?.callIds ?? []), ...(what.ids?.branches ?? []), ...(what.ids?.tags ?? [])]) {
      assert.ok(!m.raw.includes(id), `${where}\nleaks identifier ${id}`);
    }
  }
}


/**
 * The stand-in was up the whole time (stopped by us, exit 0, no error) and
 * received nothing: a dead listener would pass a bare "no messages" check.
 */
export function assertReceivedNothing(r: SippResult | null, label: string): void {
  assert.ok(r, `${label}: no listener was started`);
  const ctx = `${label}\n${describeSipp(r)}\n${r.messagesLog}`;
  assert.equal(r.code, 0, ctx);
  assert.equal(r.timedOut, false, ctx);
  assert.equal(r.messages.length, 0, ctx);
  assert.equal(r.stats.created, 0, ctx);
}
