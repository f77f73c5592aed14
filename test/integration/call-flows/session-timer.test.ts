// Session timers through the real sbcd (RFC 4028, V-OUT-11): each leg
// negotiates its own with its own peer, 422 both ways, a refresh from the
// PBX answered on its own leg (it does not cross: the legs' timers are
// independent and a refresh changes nothing the other peer needs to know),
// a re-INVITE that changes the session crossing with each leg's own
// Session-Expires. The timer expiry and the SBC's own refreshes take
// real minutes of RFC 4028 time: session-timer-expiry.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { callThrough, header, headerValues, select, startSbcd, type Sbcd, type SipMessage } from '../harness/index.js';
import { cseqOf, hasOptionTag, passed, stopAndAssertIdle } from './flow-helpers.js';

function only(msgs: SipMessage[], what: string, log: string): SipMessage {
  assert.equal(msgs.length, 1, `${what}: ${msgs.length} found\n${log}`);
  return msgs[0]!;
}

describe('session timers through sbcd (V-OUT-11)', { timeout: 120_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd({ config: { system: { log_level: 'debug' } } });
  });
  after(async () => {
    await sbc?.stop();
  });

  test('V-OUT-11: each leg negotiates its own Session-Expires; the PBX refreshes (re-INVITE, UPDATE) are answered on its leg and do not cross', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'st-uac-refresh', uas: 'st-uas-timer' });
    passed(uac, 1, 'PBX');
    passed(uas, 1, 'Vonage stand-in');

    // Leg b: our INVITE offers timers and asks our interval; the far side
    // chose 900 s with the SBC as refresher.
    const farInvite = only(select(uas.messages, { direction: 'received', method: 'INVITE' }), 'INVITE at the far side', uas.messagesLog);
    assert.ok(hasOptionTag(header(farInvite, 'supported'), 'timer'), `Supported: timer\n${farInvite.raw}`);
    assert.ok(hasOptionTag(header(farInvite, 'supported'), '100rel'), `Supported: 100rel\n${farInvite.raw}`);
    assert.equal(header(farInvite, 'session-expires'), '1800', 'no refresher named: the UAS chooses');
    assert.equal(header(farInvite, 'min-se'), '90');

    // Leg a: the PBX asked 1800 without naming a refresher: it refreshes
    // itself; the far side's 900 did not cross.
    const ok = select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' });
    assert.equal(ok.length >= 2, true, uac.messagesLog);
    assert.equal(header(ok[0]!, 'session-expires'), '1800;refresher=uac');
    assert.ok(hasOptionTag(header(ok[0]!, 'require'), 'timer'), `Require: timer\n${ok[0]!.raw}`);

    // The re-INVITE refresh (same SDP): 200 with the SDP the PBX got before,
    // byte for byte (o= version unchanged), and the timer headers again.
    const refreshOk = ok.find((m) => cseqOf(m)[0] === 2)!;
    assert.ok(refreshOk, uac.messagesLog);
    assert.equal(refreshOk.body, ok[0]!.body, 'the answer to the refresh is the SDP the SBC last sent on that leg');
    assert.equal(header(refreshOk, 'session-expires'), '1800;refresher=uac');
    assert.ok(hasOptionTag(header(refreshOk, 'require'), 'timer'));
    const updateOk = only(select(uac.messages, { direction: 'received', status: 200, cseq: 'UPDATE' }), '200 to the UPDATE', uac.messagesLog);
    assert.equal(header(updateOk, 'session-expires'), '1800;refresher=uac');
    assert.equal(updateOk.body.trim(), '', 'an UPDATE without offer gets no SDP');

    // Nothing crossed: the far side saw INVITE, ACK, BYE and nothing else.
    const farRequests = uas.messages.filter((m) => m.direction === 'received' && m.method).map((m) => m.method);
    assert.deepEqual(farRequests, ['INVITE', 'ACK', 'BYE'], uas.messagesLog);
    const answered = sbc.logs().filter((l) => l.msg === 'session refresh answered on its leg');
    assert.deepEqual(answered.map((l) => [l.leg, l.method]), [['a', 'INVITE'], ['a', 'UPDATE']]);
  });

  test('V-OUT-11: a 422 from the far side: the INVITE goes again in the same call with its Min-SE', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-basic', uas: 'st-uas-422' });
    passed(uac, 1, 'PBX');
    passed(uas, 1, 'Vonage stand-in');
    const invites = select(uas.messages, { direction: 'received', method: 'INVITE' });
    assert.equal(invites.length, 2, uas.messagesLog);
    assert.equal(header(invites[0]!, 'session-expires'), '1800');
    assert.equal(header(invites[1]!, 'session-expires'), '3600');
    assert.equal(header(invites[1]!, 'min-se'), '3600');
    assert.equal(header(invites[1]!, 'call-id'), header(invites[0]!, 'call-id'), 'same call');
    assert.deepEqual(cseqOf(invites[1]!), [cseqOf(invites[0]!)[0] + 1, 'INVITE']);
    assert.equal(select(uac.messages, { direction: 'received', status: 422 }).length, 0, 'the 422 stays on its leg');
    // The PBX sent no timer support: the SBC refreshes that leg (refresher=uas), without Require.
    const ok = select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' })[0]!;
    assert.equal(header(ok, 'session-expires'), '1800;refresher=uas');
    assert.equal(headerValues(ok, 'require').length, 0, ok.raw);
  });

  test('V-OUT-11: an INVITE asking less than our Min-SE gets 422 with Min-SE: 90, the retry with 90 goes through', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'st-uac-422', uas: 'uas-basic' });
    passed(uac, 1, 'PBX');
    passed(uas, 1, 'Vonage stand-in');
    const r422 = only(select(uac.messages, { direction: 'received', status: 422 }), '422', uac.messagesLog);
    assert.equal(header(r422, 'min-se'), '90');
    assert.equal(select(uas.messages, { direction: 'received', method: 'INVITE' }).length, 1, 'only the accepted INVITE left the SBC');
    const ok = select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' })[0]!;
    assert.equal(header(ok, 'session-expires'), '90;refresher=uac');
  });

  test('V-OUT-11: a re-INVITE that changes the session crosses; each leg carries its own Session-Expires', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'uac-reinvite', uas: 'uas-reinvite', uacExtra: ['-d', '200'] });
    passed(uac, 1, 'PBX');
    passed(uas, 1, 'Vonage stand-in');
    const farInvites = select(uas.messages, { direction: 'received', method: 'INVITE' });
    assert.equal(farInvites.length, 2, 'the hold re-INVITE crossed');
    const reinvite = farInvites[1]!;
    assert.match(reinvite.body, /a=sendonly/);
    // The far side does not do timers (no Session-Expires in its 200): no
    // timer on leg b, but our re-INVITE still offers them.
    assert.ok(hasOptionTag(header(reinvite, 'supported'), 'timer'), reinvite.raw);
    // Leg a: the PBX has no timer support either: we refresh it, and the
    // answer to its re-INVITE says so again.
    const okToPbx = select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' });
    assert.equal(header(okToPbx[1]!, 'session-expires'), '1800;refresher=uas', okToPbx[1]!.raw);
  });

  test('no call left behind', async () => {
    await stopAndAssertIdle(sbc);
  });
});

describe('session timers switched off (sip.session_timer.enabled: false)', { timeout: 60_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd({ config: { sip: { session_timer: { enabled: false } } } });
  });
  after(async () => {
    await sbc?.stop();
  });

  test('V-OUT-11: no Supported: timer, no Session-Expires on either leg; a PBX refresh is still answered on its leg', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'st-uac-refresh', uas: 'uas-basic' });
    passed(uac, 1, 'PBX');
    passed(uas, 1, 'Vonage stand-in');
    const farInvite = select(uas.messages, { direction: 'received', method: 'INVITE' })[0]!;
    assert.equal(hasOptionTag(header(farInvite, 'supported'), 'timer'), false, farInvite.raw);
    assert.equal(header(farInvite, 'session-expires'), undefined);
    for (const m of select(uac.messages, { direction: 'received', status: 200 })) assert.equal(header(m, 'session-expires'), undefined, m.raw);
    assert.deepEqual(uas.messages.filter((m) => m.direction === 'received' && m.method).map((m) => m.method), ['INVITE', 'ACK', 'BYE']);
    await stopAndAssertIdle(sbc);
  });
});
