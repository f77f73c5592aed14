// Small additions to the shared harness for the call-flow tests: a call
// whose two SIPp ends may use different transports (the harness's
// callThrough is UDP only), a back-to-back pair without the SBC, and
// checks on what the daemon still holds once the SIPp runs are over.
import assert from 'node:assert/strict';
import {
  ADDR,
  describeSipp,
  freePort,
  header,
  param,
  runSipp,
  startSipp,
  type Sbcd,
  type SipMessage,
  type SippResult,
} from '../harness/index.js';

export type Leg = 'udp' | 'tcp';

export interface Flow {
  /** Who calls: the PBX stand-in into the LAN side, or the Vonage stand-in into the WAN side. */
  direction: 'pbx-to-vonage' | 'vonage-to-pbx';
  uac: string;
  uas?: string;
  /** Transport between the caller and the SBC (default udp). */
  uacTransport?: Leg;
  /** Transport between the SBC and the callee (default udp; must match the config's peer transport). */
  uasTransport?: Leg;
  calls?: number;
  rate?: number;
  limit?: number;
  service?: string;
  uacExtra?: string[];
  uasExtra?: string[];
  /** Bound on the caller's run (default 10 s: every flow here takes well under 2 s). */
  timeoutMs?: number;
  /** How long the callee may take to finish after the caller did (default 3 s). */
  uasGraceMs?: number;
}

/** A scenario name or path as a scratch-file label. */
function label(scenario: string): string {
  return (scenario.split('/').pop() ?? scenario).replace(/\.xml$/, '').replace(/[^a-z0-9-]/gi, '_');
}

/** Where a caller sends: "ip:port", IPv6 in brackets (SIPp's remote-host argument). */
function sideOf(sbc: Sbcd, side: 'lan' | 'wan', t: Leg): string {
  const s = side === 'lan' ? sbc.lan : sbc.wan;
  const port = t === 'tcp' ? s.tcp : s.udp;
  return s.ip.includes(':') ? `[${s.ip}]:${port}` : `${s.ip}:${port}`;
}

/** Runs the caller to completion with the callee listening; both results (the callee's null when none). */
export async function flow(sbc: Sbcd, f: Flow): Promise<{ uac: SippResult; uas: SippResult | null }> {
  const out = f.direction === 'pbx-to-vonage';
  const caller = out ? sbc.pbx : sbc.vonage;
  const callee = out ? sbc.vonage : sbc.pbx;
  const sbcIn = sideOf(sbc, out ? 'lan' : 'wan', f.uacTransport ?? 'udp');
  const timeoutMs = f.timeoutMs ?? 10_000;
  const calls = f.calls ?? 1;
  const uas = f.uas
    ? await startSipp({
        scenario: f.uas, ip: callee.ip, port: callee.port, calls, transport: f.uasTransport ?? 'udp',
        extra: f.uasExtra, timeoutMs: timeoutMs + 5_000, name: `${label(f.uas)}-${f.direction}`,
      })
    : null;
  let uac: SippResult;
  try {
    uac = await runSipp({
      scenario: f.uac, ip: caller.ip, port: caller.port, remote: sbcIn, calls, transport: f.uacTransport ?? 'udp',
      rate: f.rate, limit: f.limit, service: f.service ?? '14155550100',
      extra: f.uacExtra, timeoutMs, name: `${label(f.uac)}-${f.direction}`,
    });
  } catch (err) {
    await uas?.stop();
    throw err;
  }
  if (!uas) return { uac, uas: null };
  const grace = new Promise<null>((r) => setTimeout(() => r(null), f.uasGraceMs ?? 3_000).unref());
  const finished = await Promise.race([uas.done, grace]);
  return { uac, uas: finished ?? (await uas.stop()) };
}

/** Two scenarios against each other with no SBC in between (127.0.0.10 calls 127.0.0.20). */
export async function pair(
  uacScenario: string,
  uasScenario: string,
  o: { uacExtra?: string[]; uasExtra?: string[]; calls?: number } = {},
): Promise<{ uac: SippResult; uas: SippResult }> {
  const uasPort = await freePort(ADDR.vonage);
  const uacPort = await freePort(ADDR.pbx);
  const calls = o.calls ?? 1;
  const uas = await startSipp({ scenario: uasScenario, ip: ADDR.vonage, port: uasPort, calls, extra: o.uasExtra, timeoutMs: 10_000 });
  const uac = await runSipp({
    scenario: uacScenario, ip: ADDR.pbx, port: uacPort, remote: { ip: ADDR.vonage, port: uasPort },
    calls, extra: o.uacExtra, timeoutMs: 8_000,
  });
  const grace = new Promise<null>((r) => setTimeout(() => r(null), 3_000).unref());
  const far = (await Promise.race([uas.done, grace])) ?? (await uas.stop());
  return { uac, uas: far };
}

/** SIPp exited 0 with `n` successful calls and none failed. */
export function passed(r: SippResult | null, n: number, who: string): asserts r is SippResult {
  assert.ok(r, `${who}: no result (nobody was listening?)`);
  const ctx = `${who}\n${describeSipp(r)}`;
  assert.equal(r.code, 0, ctx);
  assert.equal(r.stats.failed, 0, ctx);
  assert.equal(r.stats.successful, n, ctx);
}

export function topBranch(m: SipMessage): string {
  const b = param(header(m, 'via') ?? '', 'branch');
  assert.ok(b, `no Via branch in:\n${m.raw}`);
  return b;
}

/** "1 INVITE" -> [1, "INVITE"]. */
export function cseqOf(m: SipMessage): [number, string] {
  const [n, method] = (header(m, 'cseq') ?? '').trim().split(/\s+/);
  return [Number(n), method ?? ''];
}

export function hasOptionTag(value: string | undefined, tag: string): boolean {
  return (value ?? '').split(',').some((t) => t.trim().toLowerCase() === tag);
}

/** The message text with every line's ending normalised, for "arrives unchanged" comparisons. */
export function bodyText(m: SipMessage): string {
  return m.body.replace(/\r\n/g, '\n').trim();
}

/** Log lines of the daemon whose msg is exactly `msg`. */
export function logCount(sbc: Sbcd, msg: string): number {
  return sbc.logs().filter((l) => l.msg === msg).length;
}

/**
 * Stops the daemon and checks it had no call left: the 'sbcd stopping' line
 * reports the calls in progress at SIGTERM, and with none the daemon never
 * logs 'waiting for calls in progress'. Also fails on any 'call step failed'
 * (an exception inside call control).
 */
export async function stopAndAssertIdle(sbc: Sbcd): Promise<void> {
  const exit = await sbc.stop();
  const stopping = sbc.logs().find((l) => l.msg === 'sbcd stopping');
  const ctx = `exit ${JSON.stringify(exit)}\n--- stdout tail:\n${sbc.stdout().slice(-3000)}\n--- stderr tail:\n${sbc.stderr().slice(-2000)}`;
  assert.ok(stopping, `no 'sbcd stopping' line\n${ctx}`);
  assert.equal(stopping.calls, 0, `calls still in progress at SIGTERM\n${ctx}`);
  assert.equal(logCount(sbc, 'waiting for calls in progress'), 0, ctx);
  assert.equal(logCount(sbc, 'call step failed'), 0, `call control threw\n${ctx}`);
  assert.equal(exit.code, 0, ctx);
}
