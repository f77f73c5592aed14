// The SIP API against real peers: a real SipEngine (native addon) on
// 127.0.0.1, driven by SIPp and by plain UDP sockets. Every assertion is on
// what crossed the wire or on what the API reported for it.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { SipEngine, SipError, type Dialog, type ServerTransaction } from '../../../src/sip/index.js';
import { describeSipp, freePort, header, runSipp, select, startSipp } from '../harness/index.js';
import { IP, settle, withTimeout } from './util.js';

let engine: SipEngine;
let port: number;

before(async () => {
  port = await freePort(IP);
  engine = await SipEngine.start({
    listeners: [{ side: 'lan', proto: 'udp', ip: IP, port }],
    userAgent: 'EdgeSBC-test',
  });
});

after(async () => {
  await engine.close();
});

function nextRequest(e: { once(ev: 'request', fn: (t: ServerTransaction) => void): unknown }, ms = 5000): Promise<ServerTransaction> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no request within ' + ms + ' ms')), ms);
    e.once('request', (t) => {
      clearTimeout(timer);
      resolve(t);
    });
  });
}

async function udpClient(): Promise<{ sock: Socket; port: number; next(ms?: number): Promise<string> }> {
  const sock = createSocket('udp4');
  sock.bind(0, IP);
  await once(sock, 'listening');
  const queue: string[] = [];
  const waiters: Array<(s: string) => void> = [];
  sock.on('message', (m) => {
    const s = m.toString('utf8');
    const w = waiters.shift();
    if (w) w(s);
    else queue.push(s);
  });
  return {
    sock,
    port: sock.address().port,
    next: (ms = 3000) => {
      const q = queue.shift();
      if (q !== undefined) return Promise.resolve(q);
      return withTimeout(new Promise<string>((r) => waiters.push(r)), ms, 'udp response');
    },
  };
}

function headerOf(msg: string, name: string): string | undefined {
  const re = new RegExp(`^${name}\\s*:\\s*(.*)$`, 'im');
  return re.exec(msg.split('\r\n\r\n')[0] ?? '')?.[1]?.trim();
}

test('OPTIONS reaches the application and its answer goes back on the wire', async () => {
  const c = await udpClient();
  try {
    const branch = 'z9hG4bK-opt-' + Date.now();
    const req = [
      `OPTIONS sip:probe@${IP}:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${IP}:${c.port};branch=${branch};rport`,
      `Max-Forwards: 69`,
      `f: "Prober" <sip:prober@${IP}>;tag=abc123`,
      `To: <sip:probe@${IP}>`,
      `i: opt-1@test`,
      `CSeq: 42 OPTIONS`,
      `X-Probe: yes`,
      `Content-Length: 0`,
      '',
      '',
    ].join('\r\n');
    const got = nextRequest(engine);
    c.sock.send(req, port, IP);
    const st = await got;
    const r = st.request;
    assert.equal(r.method, 'OPTIONS');
    assert.equal(r.uri, `sip:probe@${IP}:${port}`);
    assert.equal(r.side, 'lan');
    assert.equal(r.transport, 'udp');
    assert.equal(r.listener, `lan-udp-${IP}-${port}`);
    assert.deepEqual(r.source, { ip: IP, port: c.port });
    assert.equal(r.looped, false);
    assert.equal(r.callId, 'opt-1@test');
    assert.equal(r.from?.display, 'Prober');
    assert.equal(r.from?.tag, 'abc123');
    assert.equal(r.to?.tag, '');
    assert.deepEqual(r.cseq, { seq: 42, method: 'OPTIONS' });
    assert.equal(r.maxForwards, 69);
    assert.equal(r.headers.get('x-probe'), 'yes');
    assert.equal(st.dialog, undefined);
    assert.equal(engine.stats().js.serverTxns, 1);

    assert.throws(() => st.respond(200, { headers: [['X-Bad', 'a\r\nVia: injected']] }), TypeError);
    assert.equal(st.final, false, 'a refused respond() leaves the transaction open');
    const dialog = st.respond(200, { headers: [['Allow', 'INVITE, ACK, BYE, CANCEL, OPTIONS'], ['X-Answer', 'ok']] });
    assert.equal(dialog, undefined);
    assert.equal(st.final, true);
    assert.equal(st.state, 'completed');
    assert.throws(() => st.respond(200), (e: unknown) => e instanceof SipError && e.code === 'ERR_TXN_FINAL');

    const res = await c.next();
    assert.match(res, /^SIP\/2\.0 200 /);
    assert.match(headerOf(res, 'Via') ?? '', new RegExp(`branch=${branch}`));
    assert.equal(headerOf(res, '(?:Call-ID|i)'), 'opt-1@test');
    assert.match(headerOf(res, '(?:To|t)') ?? '', /;tag=\S+/);
    assert.match(headerOf(res, '(?:CSeq)') ?? '', /^42 OPTIONS$/);
    assert.equal(headerOf(res, 'X-Answer'), 'ok');
    assert.match(headerOf(res, 'Allow') ?? '', /OPTIONS/);
    assert.equal(engine.stats().js.serverTxns, 0);
  } finally {
    c.sock.close();
  }
});

test('without a request listener the engine answers 503 itself', async () => {
  const e2port = await freePort(IP);
  const e2 = await SipEngine.start({ listeners: [{ side: 'wan', proto: 'udp', ip: IP, port: e2port }] });
  const c = await udpClient();
  try {
    c.sock.send(
      [
        `OPTIONS sip:x@${IP}:${e2port} SIP/2.0`,
        `Via: SIP/2.0/UDP ${IP}:${c.port};branch=z9hG4bK-nolistener;rport`,
        'Max-Forwards: 70',
        `From: <sip:a@${IP}>;tag=1`,
        `To: <sip:x@${IP}>`,
        'Call-ID: nolistener@test',
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
      e2port,
      IP,
    );
    assert.match(await c.next(), /^SIP\/2\.0 503 /);
    assert.equal(e2.stats().js.serverTxns, 0);
  } finally {
    c.sock.close();
    await e2.close();
  }
});

test('INVITE from SIPp: 180 and 200 make one UAS dialog, ACK and BYE arrive on it, then it is destroyed', async () => {
  const sippPort = await freePort(IP);
  const calls: Array<{ st: ServerTransaction; early?: Dialog; confirmed?: Dialog }> = [];
  const acks: string[] = [];
  const byes: string[] = [];
  const destroyed: string[] = [];
  const dialogGone = new Promise<void>((resolve) => {
    engine.once('request', (st) => {
      const call: { st: ServerTransaction; early?: Dialog; confirmed?: Dialog } = { st };
      calls.push(call);
      assert.equal(st.method, 'INVITE');
      assert.match(st.request.body, /m=audio/);
      assert.throws(() => st.respond(180, { headers: [['Bad Name', 'x']] }), TypeError);
      assert.equal(engine.stats().js.dialogs, 0, 'a refused 180 registers no dialog');
      call.early = st.respond(180);
      call.confirmed = st.respond(200, {
        headers: [['Content-Type', 'application/sdp']],
        body: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40002 RTP/AVP 0\r\n',
      });
      const d = call.confirmed!;
      d.on('ack', (ack) => acks.push(ack.method));
      d.on('request', (t) => {
        byes.push(t.method);
        t.respond(200);
      });
      d.on('destroy', (reason) => {
        destroyed.push(reason);
        resolve();
      });
    });
  });
  const r = await runSipp({
    scenario: 'uac',
    ip: IP,
    port: sippPort,
    remote: { ip: IP, port },
    calls: 1,
    extra: ['-d', '200'],
    timeoutMs: 20_000,
  });
  assert.equal(r.code, 0, describeSipp(r));
  assert.equal(r.stats.successful, 1, describeSipp(r));
  await withTimeout(dialogGone, 5000, 'dialog destroy');

  assert.equal(calls.length, 1);
  const call = calls[0]!;
  assert.ok(call.early, '180 returned the early dialog');
  assert.equal(call.early, call.confirmed, '200 returned the same dialog');
  assert.equal(call.confirmed!.role, 'uas');
  assert.equal(call.confirmed!.side, 'lan');
  assert.equal(call.confirmed!.state, 'terminated');
  assert.deepEqual(acks, ['ACK']);
  assert.deepEqual(byes, ['BYE']);
  assert.deepEqual(destroyed, ['bye']);

  // What SIPp received: 180 and 200 with the same To tag, our SDP in the 200.
  const got = select(r.messages, { direction: 'received' });
  const ringing = got.find((m) => m.status === 180);
  const ok = got.find((m) => m.status === 200 && /INVITE/.test(header(m, 'cseq') ?? ''));
  assert.ok(ringing && ok, describeSipp(r));
  const tag = (m: typeof ok) => /;tag=([^;\s]+)/.exec(header(m!, 'to') ?? '')?.[1];
  assert.ok(tag(ok));
  assert.equal(tag(ringing), tag(ok));
  assert.match(ok!.body, /m=audio 40002 RTP\/AVP 0/);
  assert.match(header(ok!, 'contact') ?? '', new RegExp(`${IP.replace(/\./g, '\\.')}:${port}`));

  assert.deepEqual(await settle(engine), { serverTxns: 0, clientTxns: 0, dialogs: 0 });
});

test('CANCEL from SIPp: the transaction reports it, its early dialog ends, later answers throw', async () => {
  const sippPort = await freePort(IP);
  let txn: ServerTransaction | undefined;
  let early: Dialog | undefined;
  const destroyed: string[] = [];
  const canceled = new Promise<void>((resolve) => {
    engine.once('request', (st) => {
      txn = st;
      early = st.respond(180);
      early?.on('destroy', (r) => destroyed.push(r));
      st.once('cancel', () => resolve());
    });
  });
  const r = await runSipp({
    scenario: 'uac-cancel',
    ip: IP,
    port: sippPort,
    remote: { ip: IP, port },
    calls: 1,
    extra: ['-d', '100'],
    timeoutMs: 20_000,
  });
  assert.equal(r.code, 0, describeSipp(r));
  await withTimeout(canceled, 5000, 'cancel event');
  assert.ok(txn && early);
  assert.equal(txn.canceled, true);
  assert.equal(txn.final, true);
  assert.equal(early.state, 'terminated');
  assert.deepEqual(destroyed, ['canceled']);
  assert.throws(() => txn!.respond(200), (e: unknown) => e instanceof SipError && e.code === 'ERR_TXN_FINAL');
  const got = select(r.messages, { direction: 'received' });
  assert.ok(got.some((m) => m.status === 487), describeSipp(r));
  assert.deepEqual(await settle(engine), { serverTxns: 0, clientTxns: 0, dialogs: 0 });
});

test('UAC INVITE to a SIPp uas: provisional, final 200 with a dialog, ack(), BYE through the dialog', async () => {
  const uasPort = await freePort(IP);
  const uas = await startSipp({ scenario: 'uas', ip: IP, port: uasPort, calls: 1, timeoutMs: 20_000 });
  try {
    const txn = engine.request({
      method: 'INVITE',
      uri: `sip:callee@${IP}:${uasPort}`,
      side: 'lan',
      from: { uri: `sip:caller@${IP}`, display: 'Caller Name' },
      to: { uri: `sip:callee@${IP}` },
      contactUser: 'caller',
      headers: [
        ['Content-Type', 'application/sdp'],
        ['X-Leg', 'b'],
        ['Via', 'SIP/2.0/UDP 10.9.9.9;branch=z9hG4bKinjected'], // dropped by the engine
      ],
      body: 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40004 RTP/AVP 0\r\n',
    });
    assert.equal(typeof txn.id, 'number');
    assert.equal(engine.stats().js.clientTxns, 1);
    const provisional: number[] = [];
    let early: Dialog | undefined;
    txn.on('provisional', (res, d) => {
      provisional.push(res.status);
      if (d) early = d;
    });
    const { response, dialog } = await withTimeout(txn.final, 10_000, 'INVITE final');
    assert.equal(response.status, 200);
    assert.equal(response.method, 'INVITE');
    assert.equal(response.local, false);
    assert.ok(dialog, 'a 2xx to INVITE carries the dialog');
    assert.equal(dialog.role, 'uac');
    assert.equal(dialog.state, 'confirmed');
    assert.equal(dialog.side, 'lan');
    assert.ok(provisional.includes(180), `provisional: ${provisional.join(',')}`);
    assert.equal(early, dialog, 'the 180 and the 200 carry the same tag: one dialog object');
    dialog.ack();
    const destroyed: string[] = [];
    dialog.on('destroy', (r) => destroyed.push(r));
    const bye = dialog.request('BYE');
    const byeFinal = await withTimeout(bye.final, 10_000, 'BYE final');
    assert.equal(byeFinal.response.status, 200);
    assert.equal(byeFinal.response.method, 'BYE');

    const far = await uas.done;
    assert.equal(far.code, 0, describeSipp(far));
    assert.equal(far.stats.successful, 1, describeSipp(far));
    const inv = select(far.messages, { direction: 'received', method: 'INVITE' })[0];
    assert.ok(inv, describeSipp(far));
    assert.match(inv.startLine, new RegExp(`^INVITE sip:callee@${IP.replace(/\./g, '\\.')}:${uasPort} SIP/2.0`));
    assert.match(header(inv, 'from') ?? '', /"Caller Name" <sip:caller@127\.0\.0\.1>;tag=/);
    assert.equal(header(inv, 'x-leg'), 'b');
    assert.doesNotMatch(inv.raw, /10\.9\.9\.9|z9hG4bKinjected/);
    assert.match(inv.body, /m=audio 40004/);
    assert.equal(select(far.messages, { direction: 'received', method: 'ACK' }).length, 1);
    assert.equal(select(far.messages, { direction: 'received', method: 'BYE' }).length, 1);

    assert.deepEqual(await settle(engine), { serverTxns: 0, clientTxns: 0, dialogs: 0 });
    assert.equal(dialog.state, 'terminated');
    assert.deepEqual(destroyed, ['bye']);
  } finally {
    await uas.stop();
  }
});

test('a request nobody answers resolves final with a local response', async () => {
  const silent = createSocket('udp4');
  silent.bind(0, IP);
  await once(silent, 'listening');
  const ePort = await freePort(IP);
  const fast = await SipEngine.start({
    listeners: [{ side: 'wan', proto: 'udp', ip: IP, port: ePort }],
    t1Ms: 10,
    t2Ms: 40,
  });
  try {
    const txn = fast.request({
      method: 'OPTIONS',
      uri: `sip:nobody@${IP}:${silent.address().port}`,
      side: 'wan',
      from: { uri: `sip:sbc@${IP}` },
      to: { uri: `sip:nobody@${IP}` },
    });
    const { response, dialog } = await withTimeout(txn.final, 5000, 'local timeout');
    assert.equal(response.local, true);
    assert.equal(response.status, 408);
    assert.equal(dialog, undefined);
    assert.equal(fast.stats().js.clientTxns, 0);
  } finally {
    silent.close();
    await fast.close();
  }
});

test('close() resolves pending transactions with a local 503 and is idempotent', async () => {
  const silent = createSocket('udp4');
  silent.bind(0, IP);
  await once(silent, 'listening');
  const ePort = await freePort(IP);
  const e = await SipEngine.start({ listeners: [{ side: 'wan', proto: 'udp', ip: IP, port: ePort }] });
  const txn = e.request({
    method: 'INVITE',
    uri: `sip:nobody@${IP}:${silent.address().port}`,
    side: 'wan',
    from: { uri: `sip:sbc@${IP}` },
    to: { uri: `sip:nobody@${IP}` },
  });
  await e.close();
  await e.close();
  const { response } = await txn.final;
  assert.equal(response.status, 503);
  assert.equal(response.local, true);
  assert.equal(e.closed, true);
  assert.throws(
    () => e.request({ method: 'OPTIONS', uri: 'sip:a@127.0.0.1', side: 'wan', from: { uri: 'sip:b@127.0.0.1' }, to: { uri: 'sip:a@127.0.0.1' } }),
    (err: unknown) => err instanceof SipError && err.code === 'ERR_SIP_STOPPED',
  );
  silent.close();
});

test('start() on a port in use fails with ERR_SIP_LISTEN', async () => {
  const taken = createSocket('udp4');
  taken.bind(0, IP);
  await once(taken, 'listening');
  const busy = taken.address().port;
  try {
    await assert.rejects(
      SipEngine.start({ listeners: [{ side: 'lan', proto: 'udp', ip: IP, port: busy }] }),
      (err: unknown) => {
        assert.ok(err instanceof SipError, String(err));
        assert.equal(err.code, 'ERR_SIP_LISTEN');
        assert.match(err.message, new RegExp(String(busy)));
        return true;
      },
    );
  } finally {
    taken.close();
  }
});

test('bad arguments throw TypeError ERR_INVALID_ARG and never abort', async () => {
  const isArgErr = (e: unknown): boolean => e instanceof TypeError && (e as TypeError & { code?: string }).code === 'ERR_INVALID_ARG';
  await assert.rejects(SipEngine.start({ listeners: [] }), isArgErr);
  await assert.rejects(SipEngine.start({ listeners: [{ side: 'lan', proto: 'sctp' as 'udp', ip: IP, port: 5060 }] }), isArgErr);
  await assert.rejects(SipEngine.start({ listeners: [{ side: 'lan', proto: 'udp', ip: 'not-an-ip', port: 5060 }] }), isArgErr);
  await assert.rejects(SipEngine.start({ listeners: [{ side: 'lan', proto: 'udp', ip: IP, port: 70000 }] }), isArgErr);
  const spec = { method: 'OPTIONS', uri: `sip:a@${IP}:1`, side: 'lan', from: { uri: `sip:b@${IP}` }, to: { uri: `sip:a@${IP}` } };
  assert.throws(() => engine.request({ ...spec, method: 'BAD METHOD' }), isArgErr);
  assert.throws(() => engine.request({ ...spec, method: 'ACK' }), isArgErr);
  assert.throws(() => engine.request({ ...spec, uri: 'sip:a@b\r\nX-Injected: 1' }), isArgErr);
  assert.throws(() => engine.request({ ...spec, headers: [['X-Bad', 'a\r\nVia: x']] }), isArgErr);
  assert.throws(() => engine.request({ ...spec, headers: [['Bad Name', 'x']] }), isArgErr);
  assert.throws(() => engine.request({ ...spec, maxForwards: -1 }), isArgErr);
  assert.throws(() => engine.request({ ...spec, from: undefined as unknown as { uri: string } }), isArgErr);
  assert.deepEqual(engine.stats().js.clientTxns, 0, 'nothing registered for refused requests');
});

test('re-INVITE we send on a UAS dialog: 200 from the caller, ack() reaches it, then its BYE', async () => {
  const sippPort = await freePort(IP);
  const steps: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    engine.once('request', (st) => {
      const d = st.respond(200, {
        headers: [['Content-Type', 'application/sdp']],
        body: 'v=0\r\no=- 5 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40008 RTP/AVP 0\r\n',
      });
      if (!d) return reject(new Error('no dialog'));
      d.once('ack', () => {
        steps.push('ack');
        const re = d.request('INVITE', {
          headers: [['Content-Type', 'application/sdp']],
          body: 'v=0\r\no=- 5 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40008 RTP/AVP 0\r\na=sendonly\r\n',
        });
        re.final.then(({ response, dialog }) => {
          steps.push(`reinvite ${response.status}`);
          assert.equal(dialog, d);
          d.ack();
        }, reject);
      });
      d.on('request', (t) => {
        steps.push(t.method);
        t.respond(200);
      });
      d.on('destroy', (reason) => {
        steps.push(`destroy ${reason}`);
        resolve();
      });
    });
  });
  const r = await runSipp({
    scenario: 'uac-expect-reinvite',
    ip: IP,
    port: sippPort,
    remote: { ip: IP, port },
    calls: 1,
    timeoutMs: 12_000,
  });
  assert.equal(r.code, 0, `${steps.join(', ')}\n${describeSipp(r)}`);
  await withTimeout(done, 3000, 'dialog end');
  assert.deepEqual(steps, ['ack', 'reinvite 200', 'BYE', 'destroy bye']);
  const acks = select(r.messages, { direction: 'received', method: 'ACK' });
  assert.equal(acks.length, 1, describeSipp(r));
  assert.match(header(acks[0]!, 'cseq') ?? '', /^1 ACK$/);
  assert.deepEqual(await settle(engine), { serverTxns: 0, clientTxns: 0, dialogs: 0 });
});

test('close() with calls up: every dialog reads terminated before any destroy handler runs', async () => {
  const ePort = await freePort(IP);
  const e = await SipEngine.start({ listeners: [{ side: 'lan', proto: 'udp', ip: IP, port: ePort }] });
  const dialogs: Dialog[] = [];
  const seen: string[] = [];
  const twoUp = new Promise<void>((resolve) => {
    e.on('request', (st) => {
      const d = st.respond(200, { headers: [['Content-Type', 'application/sdp']], body: 'v=0\r\no=- 9 9 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n' });
      if (!d) return;
      dialogs.push(d);
      d.on('ack', () => {
        if (dialogs.every((x) => x.state === 'confirmed') && dialogs.length === 2) resolve();
      });
      d.on('destroy', (reason) => {
        // What a B2BUA does: hang up the other leg unless it is already gone.
        const other = dialogs.find((x) => x !== d)!;
        seen.push(`${reason} other=${other.state}`);
        if (other.state !== 'terminated') other.request('BYE');
      });
    });
  });
  const sipp = await startSipp({
    scenario: 'uac',
    ip: IP,
    port: await freePort(IP),
    remote: { ip: IP, port: ePort },
    calls: 2,
    limit: 2,
    extra: ['-d', '20000'],
    timeoutMs: 15_000,
  });
  try {
    await withTimeout(twoUp, 5000, 'two calls up');
    await e.close();
    assert.deepEqual(seen, ['closed other=terminated', 'closed other=terminated']);
    assert.deepEqual(e.stats().js, { serverTxns: 0, clientTxns: 0, dialogs: 0 });
  } finally {
    await sipp.stop();
    await e.close();
  }
});
