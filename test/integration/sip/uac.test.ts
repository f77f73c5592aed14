// ClientTransaction and UAC dialogs against SIPp far ends: CANCEL of our
// INVITE, rejection, a digest retry with retryOf, and a bounded run of calls
// after which nothing is left in the engine's maps (JS or native).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SipEngine, type Dialog, type RequestSpec } from '../../../src/sip/index.js';
import { describeSipp, freePort, header, runSipp, select, startSipp } from '../harness/index.js';
import { IP, settle, withTimeout } from './util.js';

let engine: SipEngine;
let port: number;

before(async () => {
  port = await freePort(IP);
  engine = await SipEngine.start({ listeners: [{ side: 'wan', proto: 'udp', ip: IP, port }] });
});

after(async () => {
  await engine.close();
});

function invite(farPort: number, extra: Partial<RequestSpec> = {}): RequestSpec {
  return {
    method: 'INVITE',
    uri: `sip:callee@${IP}:${farPort}`,
    side: 'wan',
    from: { uri: `sip:447700900000@${IP}` },
    to: { uri: `sip:callee@${IP}` },
    contactUser: '447700900000',
    headers: [['Content-Type', 'application/sdp']],
    body: 'v=0\r\no=- 3 3 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40006 RTP/AVP 0\r\n',
    ...extra,
  };
}

test('cancel() after 180: final 487, the early dialog ends as rejected', async () => {
  const farPort = await freePort(IP);
  const far = await startSipp({ scenario: 'uas-ringing-forever', ip: IP, port: farPort, calls: 1, timeoutMs: 20_000 });
  try {
    const txn = engine.request(invite(farPort));
    const early = await withTimeout(
      new Promise<Dialog | undefined>((resolve) => txn.on('provisional', (res, d) => res.status === 180 && resolve(d))),
      5000,
      '180',
    );
    assert.ok(early, '180 with a To tag gives an early dialog');
    assert.equal(early.state, 'early');
    assert.equal(early.role, 'uac');
    assert.equal(txn.state, 'proceeding');
    const ends: string[] = [];
    early.on('destroy', (r) => ends.push(r));
    txn.cancel();
    txn.cancel(); // repeated: no second CANCEL
    const { response, dialog } = await withTimeout(txn.final, 5000, 'INVITE final');
    assert.equal(response.status, 487);
    assert.equal(dialog, undefined);
    assert.equal(early.state, 'terminated');
    assert.deepEqual(ends, ['rejected']);
    const r = await far.done;
    assert.equal(r.code, 0, describeSipp(r));
    assert.equal(select(r.messages, { direction: 'received', method: 'CANCEL' }).length, 1, describeSipp(r));
    assert.equal(select(r.messages, { direction: 'received', method: 'ACK' }).length, 1, describeSipp(r));
    assert.deepEqual(await settle(engine), { serverTxns: 0, clientTxns: 0, dialogs: 0 });
  } finally {
    await far.stop();
  }
});

test('a 486 resolves final without a dialog', async () => {
  const farPort = await freePort(IP);
  const far = await startSipp({ scenario: 'uas-486', ip: IP, port: farPort, calls: 1, timeoutMs: 20_000 });
  try {
    const txn = engine.request(invite(farPort));
    const { response, dialog } = await withTimeout(txn.final, 5000, 'INVITE final');
    assert.equal(response.status, 486);
    assert.equal(response.local, false);
    assert.equal(dialog, undefined);
    assert.equal(txn.state, 'completed');
    const r = await far.done;
    assert.equal(r.code, 0, describeSipp(r));
    assert.deepEqual(await settle(engine), { serverTxns: 0, clientTxns: 0, dialogs: 0 });
  } finally {
    await far.stop();
  }
});

test('retryOf re-sends a challenged INVITE in the same call with CSeq+1 and our Authorization', async () => {
  const farPort = await freePort(IP);
  const far = await startSipp({ scenario: 'sip-api/uas-challenge.xml', ip: IP, port: farPort, calls: 1, timeoutMs: 20_000 });
  try {
    const first = engine.request(invite(farPort));
    const r1 = await withTimeout(first.final, 5000, 'first final');
    assert.equal(r1.response.status, 401);
    assert.match(r1.response.get('www-authenticate') ?? '', /realm="edgesbc\.test"/);
    const auth = `Digest username="apikey", realm="edgesbc.test", nonce="n0nce-1", uri="sip:callee@${IP}:${farPort}", response="00000000000000000000000000000000", algorithm=MD5`;
    const second = engine.request(invite(farPort, { retryOf: first, headers: [['Content-Type', 'application/sdp'], ['Authorization', auth]] }));
    const r2 = await withTimeout(second.final, 5000, 'retry final');
    assert.equal(r2.response.status, 200);
    assert.ok(r2.dialog);
    r2.dialog.ack();
    const bye = await withTimeout(r2.dialog.request('BYE').final, 5000, 'BYE final');
    assert.equal(bye.response.status, 200);

    const r = await far.done;
    assert.equal(r.code, 0, describeSipp(r));
    assert.equal(r.stats.successful, 1, describeSipp(r));
    const invites = select(r.messages, { direction: 'received', method: 'INVITE' });
    assert.equal(invites.length, 2, describeSipp(r));
    const [a, b] = invites as [(typeof invites)[0], (typeof invites)[0]];
    assert.equal(header(a, 'call-id'), header(b, 'call-id'));
    const fromTag = (m: typeof a) => /;tag=([^;\s]+)/.exec(header(m, 'from') ?? '')?.[1];
    assert.ok(fromTag(a));
    assert.equal(fromTag(a), fromTag(b));
    assert.match(header(a, 'cseq') ?? '', /^1 INVITE$/);
    assert.match(header(b, 'cseq') ?? '', /^2 INVITE$/);
    assert.equal(header(a, 'authorization'), undefined);
    assert.equal(header(b, 'authorization'), auth);
    assert.deepEqual(await settle(engine), { serverTxns: 0, clientTxns: 0, dialogs: 0 });
  } finally {
    await far.stop();
  }
});

test('60 calls from SIPp through the API leave nothing behind', async () => {
  const sippPort = await freePort(IP);
  let answered = 0;
  const onRequest = (st: import('../../../src/sip/index.js').ServerTransaction): void => {
    st.respond(180);
    const d = st.respond(200, { headers: [['Content-Type', 'application/sdp']], body: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n' });
    answered++;
    d?.on('request', (t) => t.respond(200));
  };
  engine.on('request', onRequest);
  try {
    const r = await runSipp({
      scenario: 'uac',
      ip: IP,
      port: sippPort,
      remote: { ip: IP, port },
      calls: 60,
      rate: 30,
      limit: 20,
      extra: ['-d', '100'],
      timeoutMs: 30_000,
    });
    assert.equal(r.code, 0, describeSipp(r));
    assert.equal(r.stats.successful, 60, describeSipp(r));
    assert.equal(answered, 60);
    assert.deepEqual(await settle(engine), { serverTxns: 0, clientTxns: 0, dialogs: 0 });
    // The engine forgets every dialog too (its transactions linger for
    // RFC 3261 timers J/H and RFC 6026 Timer L, which is their business).
    const until = Date.now() + 2000;
    while (engine.stats().dialogs !== 0 && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
    assert.equal(engine.stats().dialogs, 0);
  } finally {
    engine.off('request', onRequest);
  }
});
