// A CANCEL that arrives right behind its INVITE, before the far side has
// answered anything: the SBC answers the caller (200 for the CANCEL, 487
// for the INVITE) at once. Its own INVITE should then not leave at all; if
// it already left (call control decided before it heard of the CANCEL) it
// must be ended as soon as the far side lets it (RFC 3261 9.1: no CANCEL
// before a provisional): CANCEL on its first 1xx, or ACK + BYE if it
// answers 200 straight away. Either way no leg is left ringing and no call
// slot is held.
// The INVITE and CANCEL go back to back from one raw socket (SIPp takes a
// loop turn per message), right behind a burst of OPTIONS that keeps call
// control busy, so the SBC hands both to call control in one batch: the
// case of a loaded SBC meeting an impatient caller.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { header, select, startSbcd, startSipp, type Sbcd } from '../harness/index.js';
import { stopAndAssertIdle } from './flow-helpers.js';

interface Got {
  text: string;
  startLine: string;
  at: number;
}

function bindUdp(ip: string, port: number, into: Got[]): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.on('message', (buf) => {
      const text = buf.toString('latin1');
      into.push({ text, startLine: text.split('\r\n')[0] ?? '', at: Date.now() });
    });
    s.once('error', reject);
    s.bind({ address: ip, port, exclusive: true }, () => resolve(s));
  });
}

function request(method: 'INVITE' | 'CANCEL' | 'ACK' | 'OPTIONS', o: { ruri: string; local: string; branch: string; callId: string; tag: string; toTag?: string }): string {
  const sdp = method === 'INVITE' ? 'v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n' : '';
  return [
    `${method} ${o.ruri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${o.local};branch=${o.branch}`,
    `From: <sip:caller@${o.local}>;tag=${o.tag}`,
    `To: <${o.ruri}>${o.toTag ? `;tag=${o.toTag}` : ''}`,
    `Call-ID: ${o.callId}`,
    `CSeq: 1 ${method}`,
    ...(method === 'INVITE' ? [`Contact: <sip:caller@${o.local}>`, 'Content-Type: application/sdp'] : []),
    'Max-Forwards: 70',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    sdp,
  ].join('\r\n');
}

const send = (s: Socket, text: string, ip: string, port: number): Promise<void> =>
  new Promise((resolve, reject) => s.send(text, port, ip, (err) => (err ? reject(err) : resolve())));

describe('caller CANCEL right behind its INVITE', { timeout: 60_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd();
  });
  after(async () => {
    await sbc?.stop();
  });

  for (const far of ['flow-uas-cancel-on-100', 'flow-uas-200-at-once'] as const) {
    const expect = far === 'flow-uas-cancel-on-100' ? 'not called, or CANCELed on its 100' : 'not called, or ACKed and BYEd after its 200';
    test(`caller gets 200 (CANCEL) and 487 at once; the far side (${far}) is ${expect}`, async (t) => {
      const calls = 3;
      const uas = await startSipp({ scenario: far, ip: sbc.vonage.ip, port: sbc.vonage.port, calls, timeoutMs: 15_000 });
      const callerGot: Got[] = [];
      const caller = await bindUdp(sbc.pbx.ip, sbc.pbx.port, callerGot);
      try {
        const local = `${sbc.pbx.ip}:${sbc.pbx.port}`;
        const ruri = `sip:14155550100@${sbc.lan.ip}:${sbc.lan.udp}`;
        for (let i = 0; i < calls; i++) {
          const o = { ruri, local, branch: `z9hG4bK-${randomBytes(6).toString('hex')}`, callId: `cf-${i}-${randomBytes(6).toString('hex')}`, tag: randomBytes(4).toString('hex') };
          const burst = Array.from({ length: 30 }, (_, j) =>
            send(caller, request('OPTIONS', { ...o, branch: `${o.branch}-o${j}`, callId: `${o.callId}-o${j}` }), sbc.lan.ip, sbc.lan.udp),
          );
          // Back to back, no await in between.
          await Promise.all([...burst, send(caller, request('INVITE', o), sbc.lan.ip, sbc.lan.udp), send(caller, request('CANCEL', o), sbc.lan.ip, sbc.lan.udp)]);
          const mine = (): Got[] => callerGot.filter((g) => g.text.includes(o.callId));
          const deadline = Date.now() + 2_000;
          while (Date.now() < deadline && !mine().some((g) => g.startLine.startsWith('SIP/2.0 487'))) {
            await new Promise((r) => setTimeout(r, 10));
          }
          const cseq = (g: Got): string => /\r\nCSeq:\s*([^\r]+)/.exec(g.text)?.[1] ?? '';
          const finals = mine().filter((g) => cseq(g) === '1 INVITE' && !g.startLine.startsWith('SIP/2.0 1'));
          assert.deepEqual(finals.map((g) => g.startLine), ['SIP/2.0 487 Request Terminated'], `call ${i}: caller finals\n${mine().map((g) => g.text).join('\n')}`);
          assert.ok(mine().some((g) => g.startLine.startsWith('SIP/2.0 200') && cseq(g) === '1 CANCEL'), `call ${i}: CANCEL answered 200`);
          const toTag = /\r\nTo:[^\r]*;tag=([^;\r>]+)/.exec(finals[0]!.text)?.[1];
          await send(caller, request('ACK', { ...o, toTag }), sbc.lan.ip, sbc.lan.udp);
        }
        // Let any b leg finish, then look at what the far side saw.
        await new Promise((r) => setTimeout(r, 800));
        const r = await uas.stop();
        const ctx = `far side ${far}\n${r.errors}\n${r.messagesLog.slice(-4000)}`;
        const reached = new Set(select(r.messages, { direction: 'received', method: 'INVITE' }).map((m) => header(m, 'call-id'))).size;
        t.diagnostic(`${reached} of ${calls} canceled calls reached the far side`);
        assert.equal(r.stats.failed, 0, ctx);
        assert.equal(r.stats.successful, reached, `every b leg that was started was also ended\n${ctx}`);
        const farCancels = select(r.messages, { direction: 'received', method: 'CANCEL' }).length;
        if (far === 'flow-uas-cancel-on-100') {
          assert.equal(farCancels, reached, `each b leg CANCELed as soon as it answered 100\n${ctx}`);
          assert.equal(select(r.messages, { direction: 'received', method: 'ACK' }).length, reached, 'each 487 ACKed');
        } else {
          assert.equal(farCancels, 0, 'no CANCEL for an INVITE that got no 1xx');
          assert.equal(select(r.messages, { direction: 'received', method: 'BYE' }).length, reached, 'each answered b leg hung up');
        }
      } finally {
        caller.close();
        await uas.stop();
      }
    });
  }

  test('no call left behind', async () => {
    await stopAndAssertIdle(sbc);
  });
});
