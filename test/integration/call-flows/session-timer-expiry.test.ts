// Session timers in real time through the real sbcd (RFC 4028, V-OUT-11),
// with the smallest interval the RFC allows (Session-Expires 90, Min-SE 90),
// so the whole file takes about 65 s: two calls side by side. The bounds
// allow late timers on a loaded machine (up to 4 s), never an early one.
//
// 1. A dead PBX: it asked to refresh (refresher=uac) and never does. The
//    SBC gives up at 90 - min(32, 90/3) = 60 s after its 200 and sends BYE
//    on both legs: a dead peer does not keep a call (and its ports) open.
// 2. The SBC refreshes both legs itself at 45 s, each leg on its own: the
//    PBX (no timer support, UPDATE allowed) gets an UPDATE without SDP; the
//    far side (refresher=uac, no UPDATE in Allow) gets a re-INVITE carrying
//    the SDP the SBC sent it before, byte for byte. Nothing crosses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADDR,
  defaultTestConfig,
  freePort,
  header,
  runSipp,
  select,
  startSbcd,
  startSipp,
  type Sbcd,
  type SipMessage,
  type SippResult,
} from '../harness/index.js';
import { passed, stopAndAssertIdle } from './flow-helpers.js';

/** When SIPp logged each message of its -trace_msg file (ms since the epoch, SIPp's clock). */
function messageTimes(log: string): number[] {
  const out: number[] = [];
  for (const m of log.matchAll(/^-{5,}\s+(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d+)/gm)) out.push(Date.parse(`${m[1]}T${m[2]!.slice(0, 12)}`));
  return out;
}

function timeOf(r: SippResult, msg: SipMessage): number {
  const t = messageTimes(r.messagesLog)[r.messages.indexOf(msg)];
  assert.ok(t !== undefined, 'message time');
  return t;
}

function first(msgs: SipMessage[], what: string, r: SippResult): SipMessage {
  assert.ok(msgs.length > 0, `${what}: none\n${r.messagesLog}`);
  return msgs[0]!;
}

describe('session timers in real time (V-OUT-11, Session-Expires 90)', { timeout: 150_000 }, () => {
  let sbc: Sbcd;
  let dead: { uac: SippResult; uas: SippResult };
  let refreshed: { uac: SippResult; uas: SippResult };

  before(async () => {
    const config = await defaultTestConfig();
    const secondFar = await freePort(ADDR.vonage);
    config.sip = { ...config.sip, session_timer: { enabled: true, expires_s: 90, min_se_s: 90 } };
    config.system = { name: 'edgesbc-test', log_level: 'debug' };
    config.trunks.push({ ...config.trunks[0]!, name: 'vonage2', endpoints: [{ host: ADDR.vonage, port: secondFar }] });
    // Callee numbers starting with 2 go to the second far side.
    config.routes.unshift({ name: 'to-vonage2', from_side: 'lan', match: { ruri_user: '^2' }, to: { trunk: 'vonage2' }, priority: 50, enabled: true });
    sbc = await startSbcd({ fullConfig: config });

    const sbcLan = { ip: sbc.lan.ip, port: sbc.lan.udp };
    const far1 = await startSipp({ scenario: 'uas-basic', ip: ADDR.vonage, port: sbc.vonage.port, calls: 1, timeoutMs: 100_000, name: 'st-dead-far' });
    const far2 = await startSipp({ scenario: 'st-uas-refreshed', ip: ADDR.vonage, port: secondFar, calls: 1, timeoutMs: 100_000, name: 'st-refreshed-far' });
    const [uac1, uac2] = await Promise.all([
      runSipp({ scenario: 'st-uac-dead', ip: ADDR.pbx, port: sbc.pbx.port, remote: sbcLan, calls: 1, service: '14155550100', timeoutMs: 95_000, name: 'st-dead-pbx' }),
      runSipp({ scenario: 'st-uac-refreshed', ip: ADDR.pbx, port: await freePort(ADDR.pbx), remote: sbcLan, calls: 1, service: '24155550100', timeoutMs: 95_000, name: 'st-refreshed-pbx' }),
    ]);
    const grace = (h: { done: Promise<SippResult>; stop(): Promise<SippResult> }) =>
      Promise.race([h.done, new Promise<null>((r) => setTimeout(() => r(null), 5_000).unref())]).then((x) => x ?? h.stop());
    dead = { uac: uac1, uas: await grace(far1) };
    refreshed = { uac: uac2, uas: await grace(far2) };
  });
  after(async () => {
    await sbc?.stop();
  });

  test('V-OUT-11: a PBX that never refreshes: BYE on both legs at 60 s (90 - min(32, 90/3))', () => {
    passed(dead.uac, 1, 'dead PBX');
    passed(dead.uas, 1, 'far side');
    const { uac, uas } = dead;
    const ok = first(select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' }), '200', uac);
    assert.equal(header(ok, 'session-expires'), '90;refresher=uac');
    const byeAtPbx = first(select(uac.messages, { direction: 'received', method: 'BYE' }), 'BYE at the PBX', uac);
    const byeAtFar = first(select(uas.messages, { direction: 'received', method: 'BYE' }), 'BYE at the far side', uas);
    const waited = timeOf(uac, byeAtPbx) - timeOf(uac, ok);
    assert.ok(waited >= 59_500 && waited <= 64_000, `BYE ${waited} ms after the 200 (expected 60 s)`);
    assert.ok(byeAtFar, 'the far leg was hung up too');
    const expired = sbc.logs().filter((l) => l.msg === 'session timer expired');
    assert.equal(expired.length, 1, JSON.stringify(expired));
    assert.equal(expired[0]!.leg, 'a');
    assert.equal(expired[0]!.interval, 90);
    assert.equal(expired[0]!.refresher, 'peer');
  });

  test('V-OUT-11: the SBC refreshes each leg at 45 s on its own: UPDATE to the PBX, re-INVITE with the same SDP to the far side', () => {
    passed(refreshed.uac, 1, 'PBX');
    passed(refreshed.uas, 1, 'far side');
    const { uac, uas } = refreshed;
    // Leg a: the PBX does not do timers, allows UPDATE.
    const ok = first(select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' }), '200', uac);
    assert.equal(header(ok, 'session-expires'), '90;refresher=uas');
    const update = first(select(uac.messages, { direction: 'received', method: 'UPDATE' }), 'UPDATE at the PBX', uac);
    assert.equal(header(update, 'session-expires'), '90;refresher=uac', 'in this transaction the SBC is the UAC and the refresher');
    assert.equal(update.body.trim(), '', 'a refresh UPDATE carries no SDP');
    const atA = timeOf(uac, update) - timeOf(uac, ok);
    assert.ok(atA >= 44_500 && atA <= 49_000, `UPDATE ${atA} ms after the 200 (expected 45 s)`);
    // Leg b: refresher=uac from the far side, no UPDATE in its Allow.
    const invites = select(uas.messages, { direction: 'received', method: 'INVITE' });
    assert.equal(invites.length, 2, uas.messagesLog);
    const [initial, refresh] = invites as [SipMessage, SipMessage];
    assert.equal(header(refresh, 'session-expires'), '90;refresher=uac');
    assert.equal(header(refresh, 'min-se'), '90');
    assert.equal(refresh.body, initial.body, 'the re-INVITE carries the SDP sent before, o= version and all');
    const farOk = first(select(uas.messages, { direction: 'sent', status: 200, cseq: 'INVITE' }), '200 at the far side', uas);
    const atB = timeOf(uas, refresh) - timeOf(uas, farOk);
    assert.ok(atB >= 44_500 && atB <= 49_000, `re-INVITE ${atB} ms after the 200 (expected 45 s)`);
    // Nothing crossed: the PBX got one UPDATE (ours), the far side no UPDATE.
    assert.equal(select(uac.messages, { direction: 'received', method: 'INVITE' }).length, 0);
    assert.equal(select(uas.messages, { direction: 'received', method: 'UPDATE' }).length, 0);
    assert.equal(sbc.logs().filter((l) => l.msg === 'session refreshed').length, 2);
  });

  test('no call left behind', async () => {
    await stopAndAssertIdle(sbc);
  });
});
