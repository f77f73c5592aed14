// The session timers of one call against a fake call (CallPort): which
// in-dialog requests are answered on their own leg, and with what.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CallSessionTimers, type CallPort } from '../../../src/calls/session-timer-call.js';
import { SdpLedger } from '../../../src/calls/session-timer-sdp.js';
import type { LegName } from '../../../src/calls/leg.js';
import type { Logger } from '../../../src/log.js';
import { Headers, type FinalResult, type HeaderList, type ServerTransaction, type SipRequest } from '../../../src/sip/index.js';

const OFFER = 'v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
const ANSWER = 'v=0\r\no=- 7 1 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n';
const quiet = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;

function request(method: string, body: string, headers: Array<[string, string]>): SipRequest {
  return { method, body, headers: Headers.fromPairs(headers) } as unknown as SipRequest;
}

interface Answer {
  status: number;
  headers: HeaderList;
  body: string;
}

function txn(req: SipRequest, final = false): ServerTransaction & { answers: Answer[] } {
  const answers: Answer[] = [];
  return {
    request: req,
    final,
    answers,
    respond(status: number, o: { headers?: HeaderList; body?: string } = {}) {
      answers.push({ status, headers: o.headers ?? [], body: o.body ?? '' });
      return undefined;
    },
  } as unknown as ServerTransaction & { answers: Answer[] };
}

async function setUp(established = true) {
  const media = { offer: (_f: LegName, s: string) => `${s}a=x\r\n`, answer: (_f: LegName, s: string) => `${s}a=y\r\n`, close() {}, stats: async () => [] };
  const sdp = new SdpLedger(media);
  const toB = await sdp.offer('a', OFFER);
  const toA = await sdp.answer('b', ANSWER);
  const sent: Array<{ leg: LegName; method: string }> = [];
  const port: CallPort = {
    id: 'c1',
    log: quiet,
    sdp,
    established: () => established,
    request: (leg, method) => (sent.push({ leg, method }), Promise.resolve({ response: { status: 200, headers: Headers.fromPairs([]), body: '', local: false } } as unknown as FinalResult)),
    ack: () => {},
    step: (fn) => void fn(),
    hangup: () => {},
    toward: (_leg, h) => h,
  };
  const timers = new CallSessionTimers(port, { enabled: true, expiresS: 1800, minSeS: 90 });
  return { timers, toA, toB, sent };
}

test('V-OUT-11: a re-INVITE with the SDP already agreed is answered on its leg with the SDP we last sent there', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { timers, toA } = await setUp();
  const st = txn(request('INVITE', OFFER, [['Supported', 'timer'], ['Session-Expires', '1800;refresher=uac']]));
  assert.equal(timers.answerLocally('a', st), true);
  assert.deepEqual(st.answers, [{ status: 200, body: toA, headers: [['Session-Expires', '1800;refresher=uac'], ['Require', 'timer'], ['Content-Type', 'application/sdp']] }]);
  timers.close();
});

test('V-OUT-11: a body-less re-INVITE gets our SDP as the offer; a body-less UPDATE gets none', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { timers, toB } = await setUp();
  const inv = txn(request('INVITE', '', []));
  assert.equal(timers.answerLocally('b', inv), true);
  assert.equal(inv.answers[0]!.body, toB);
  const upd = txn(request('UPDATE', '', [['Supported', 'timer'], ['Session-Expires', '900']]));
  assert.equal(timers.answerLocally('b', upd), true);
  assert.equal(upd.answers[0]!.body, '');
  // The re-INVITE (no timer support) made us the refresher; the UPDATE names none: that role stays.
  assert.deepEqual(upd.answers[0]!.headers, [['Session-Expires', '900;refresher=uas'], ['Require', 'timer']]);
  timers.close();
});

test('V-OUT-11: a changed SDP, another method, or a call not yet up is left to the call (relayed)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { timers } = await setUp();
  assert.equal(timers.answerLocally('a', txn(request('INVITE', OFFER.replace('4000', '4002'), []))), false);
  assert.equal(timers.answerLocally('a', txn(request('INVITE', OFFER.replace('o=- 1 1', 'o=- 1 2'), []))), false);
  assert.equal(timers.answerLocally('a', txn(request('INFO', '', []))), false);
  timers.close();
  const early = await setUp(false);
  assert.equal(early.timers.answerLocally('a', txn(request('UPDATE', '', []))), false);
  early.timers.close();
});

test('V-OUT-11: an in-dialog request asking less than our Min-SE gets 422 with Min-SE, a canceled one nothing', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { timers } = await setUp();
  const st = txn(request('UPDATE', '', [['Supported', 'timer'], ['Session-Expires', '30']]));
  assert.equal(timers.answerLocally('a', st), true);
  assert.deepEqual(st.answers, [{ status: 422, body: '', headers: [['Min-SE', '90']] }]);
  const canceled = txn(request('INVITE', OFFER, []), true);
  assert.equal(timers.answerLocally('a', canceled), true);
  assert.deepEqual(canceled.answers, []);
  timers.close();
});

test('V-OUT-11: our refresh goes as UPDATE when the peer allows it, else as re-INVITE', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { timers, sent } = await setUp();
  // Leg b's 2xx: refresher=uac (we), no UPDATE in Allow.
  timers.onInviteAccepted(Headers.fromPairs([['Session-Expires', '90;refresher=uac'], ['Allow', 'INVITE, ACK, BYE']]));
  // Leg a: a UAC without timer support that allows UPDATE.
  assert.equal(timers.onInvite(request('INVITE', OFFER, [['Allow', 'INVITE, UPDATE']])), undefined);
  assert.deepEqual(timers.inviteAnswerHeaders(), [['Session-Expires', '1800;refresher=uas']]);
  timers.onInviteAnswered();
  t.mock.timers.tick(45_000);
  t.mock.timers.tick(855_000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(sent, [{ leg: 'b', method: 'INVITE' }, { leg: 'a', method: 'UPDATE' }]);
  timers.close();
});
