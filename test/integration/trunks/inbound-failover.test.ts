// Inbound by DID to an ordered PBX list (V-IN-1..3), through the real
// daemon on loopback: the caller stands for Vonage on the WAN side, two
// PBXs listen on 127.0.0.10. The first PBX: 503 → the second takes the call;
// silent → the second after timeout_ms; 486 → no failover, 486 back.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';

import {
  ADDR,
  assertAllPassed,
  defaultTestConfig,
  describeSipp,
  freePort,
  runSipp,
  select,
  startSbcd,
  startSipp,
  type Sbcd,
} from '../harness/index.js';

const DID = '14155550123';
const TIMEOUT_MS = 2000; // the smallest timeout_ms allowed (V-IN-3)

describe('inbound DID to an ordered PBX list through sbcd', { timeout: 120_000 }, () => {
  let sbc: Sbcd;
  let portA = 0;
  let portB = 0;

  before(async () => {
    const doc = await defaultTestConfig();
    portA = await freePort(ADDR.pbx);
    portB = await freePort(ADDR.pbx);
    const pbx = (name: string, port: number) => ({ name, side: 'lan', host: ADDR.pbx, port, transport: 'udp', enabled: true });
    doc.pbxs.push(pbx('pbx-a', portA), pbx('pbx-b', portB));
    doc.routes.unshift({
      name: 'did-list',
      from_side: 'wan',
      match: { ruri_user: `^${DID}$` },
      to: { pbxs: [{ pbx: 'pbx-a', timeout_ms: TIMEOUT_MS }, { pbx: 'pbx-b', timeout_ms: TIMEOUT_MS }] },
      priority: 10,
      enabled: true,
    } as (typeof doc.routes)[number]);
    sbc = await startSbcd({ fullConfig: doc });
  });
  after(async () => {
    await sbc?.stop();
  });

  const caller = (scenario: string) =>
    runSipp({ scenario, ip: ADDR.vonage, port: 0, remote: { ip: sbc.wan.ip, port: sbc.wan.udp }, service: DID, calls: 1, timeoutMs: 20_000, name: `${scenario}-did` });

  test('first PBX answers 503: the second gets the call and answers it (V-IN-2)', async () => {
    const a = await startSipp({ scenario: 'uas-503', ip: ADDR.pbx, port: portA, calls: 1, timeoutMs: 25_000, name: 'pbx-a-503' });
    const b = await startSipp({ scenario: 'uas-basic', ip: ADDR.pbx, port: portB, calls: 1, timeoutMs: 25_000, name: 'pbx-b-basic' });
    const uac = await caller('uac-basic');
    assert.equal(uac.code, 0, describeSipp(uac));
    const [ra, rb] = [await a.done, await b.done];
    assertAllPassed(ra, 1, 'pbx-a (503, got its ACK)');
    assertAllPassed(rb, 1, 'pbx-b (answered)');
    assert.equal(select(ra.messages, { direction: 'received', method: 'INVITE' }).length >= 1, true);
    assert.equal(select(rb.messages, { direction: 'received', method: 'INVITE' }).length >= 1, true);
  });

  test(`first PBX silent: the second gets the call ${TIMEOUT_MS} ms after the first INVITE (V-IN-3)`, async (t) => {
    // A PBX that takes datagrams and never answers (not even 100 Trying).
    const silent = createSocket('udp4');
    const seenAt: number[] = [];
    const methods = new Set<string>();
    silent.on('message', (m) => {
      const method = m.toString('latin1').split(' ', 1)[0]!;
      methods.add(method);
      if (method === 'INVITE') seenAt.push(Date.now());
    });
    await new Promise<void>((r) => silent.bind(portA, ADDR.pbx, () => r()));
    try {
      const b = await startSipp({ scenario: 'uas-basic', ip: ADDR.pbx, port: portB, calls: 1, timeoutMs: 25_000, name: 'pbx-b-after-silent' });
      const uac = await caller('uac-basic');
      assert.equal(uac.code, 0, describeSipp(uac));
      assertAllPassed(await b.done, 1, 'pbx-b (answered)');
      assert.ok(seenAt.length >= 1, 'the silent PBX got the INVITE first');
      const next = await sbc.waitForLog((l) => l.msg === 'no response within timeout: next PBX', 1000);
      const waited = Number(next.time) - seenAt[0]!;
      t.diagnostic(`next PBX tried ${waited} ms after the first INVITE reached the silent one`);
      // Timer precision, loopback and log latency: ±300 ms.
      assert.ok(Math.abs(waited - TIMEOUT_MS) <= 300, `next PBX after ${waited} ms, want ${TIMEOUT_MS} ± 300`);
      // No provisional response, so no CANCEL may be sent (RFC 3261 §9.1).
      assert.deepEqual([...methods], ['INVITE']);
    } finally {
      silent.close();
    }
  });

  test('first PBX answers 486: no failover, the caller gets 486 and the second PBX nothing (V-IN-2)', async () => {
    const a = await startSipp({ scenario: 'uas-486', ip: ADDR.pbx, port: portA, calls: 1, timeoutMs: 25_000, name: 'pbx-a-486' });
    const b = createSocket('udp4');
    let toB = 0;
    b.on('message', () => (toB += 1));
    await new Promise<void>((r) => b.bind(portB, ADDR.pbx, () => r()));
    try {
      const uac = await caller('uac-expect-reject');
      assertAllPassed(uac, 1, 'caller');
      const finals = select(uac.messages, { direction: 'received', cseq: 'INVITE' }).map((m) => m.status ?? 0).filter((s) => s >= 200);
      assert.deepEqual([...new Set(finals)], [486]);
      assertAllPassed(await a.done, 1, 'pbx-a (486, got its ACK)');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(toB, 0, 'nothing reached the second PBX');
    } finally {
      b.close();
    }
  });

  test('both PBXs silent: 408 to the caller after the last timeout_ms', async () => {
    const socks = [createSocket('udp4'), createSocket('udp4')];
    const seen = [0, 0];
    socks.forEach((s, i) => s.on('message', () => (seen[i]! += 1)));
    await Promise.all(socks.map((s, i) => new Promise<void>((r) => s.bind(i === 0 ? portA : portB, ADDR.pbx, () => r()))));
    try {
      const started = Date.now();
      const uac = await caller('uac-expect-reject');
      const took = Date.now() - started;
      assertAllPassed(uac, 1, 'caller');
      const finals = select(uac.messages, { direction: 'received', cseq: 'INVITE' }).map((m) => m.status ?? 0).filter((s) => s >= 200);
      assert.deepEqual([...new Set(finals)], [408]);
      assert.ok(seen[0]! >= 1 && seen[1]! >= 1, 'both PBXs got the INVITE');
      assert.ok(took >= 2 * TIMEOUT_MS - 100 && took < 2 * TIMEOUT_MS + 1500, `408 after ${took} ms, want about ${2 * TIMEOUT_MS}`);
    } finally {
      for (const s of socks) s.close();
    }
  });

  test('a 100 Trying counts as the response: a PBX that sends 100, then 486 after more than timeout_ms, is not failed over', async (t) => {
    // RFC 3261 §17.1.1.2: any provisional response ends the INVITE's wait for
    // the next hop (Timer B); the stand-in's Kamailio does the same (fr_timer).
    const slow = createSocket('udp4');
    const toB = createSocket('udp4');
    let atB = 0;
    toB.on('message', () => (atB += 1));
    slow.on('message', (m, rinfo) => {
      const text = m.toString('latin1');
      if (!text.startsWith('INVITE ')) return;
      const head = text.split('\r\n\r\n', 1)[0]!.split('\r\n');
      const keep = head.filter((l) => /^(via|from|to|call-id|cseq)\s*:/i.test(l));
      const respond = (status: string, toTag: boolean) =>
        slow.send(
          `SIP/2.0 ${status}\r\n${keep.map((l) => (toTag && /^to\s*:/i.test(l) ? `${l};tag=slow1` : l)).join('\r\n')}\r\nContent-Length: 0\r\n\r\n`,
          rinfo.port,
          rinfo.address,
        );
      respond('100 Trying', false);
      setTimeout(() => respond('486 Busy Here', true), TIMEOUT_MS + 1500).unref();
    });
    await new Promise<void>((r) => slow.bind(portA, ADDR.pbx, () => r()));
    await new Promise<void>((r) => toB.bind(portB, ADDR.pbx, () => r()));
    // The SBC's INVITEs to the PBXs given up on in the test before are still
    // retransmitted (no CANCEL before a provisional, RFC 3261 §9.1): count
    // the SBC's own failover decisions instead of datagrams at the second PBX.
    const moves = () => sbc.logs().filter((l) => l.msg === 'no response within timeout: next PBX' || l.msg === 'failing over to next hop').length;
    const before = moves();
    try {
      const uac = await caller('uac-expect-reject');
      assertAllPassed(uac, 1, 'caller');
      const finals = select(uac.messages, { direction: 'received', cseq: 'INVITE' }).map((m) => m.status ?? 0).filter((s) => s >= 200);
      assert.deepEqual([...new Set(finals)], [486]);
      assert.equal(moves() - before, 0, 'no failover to the second PBX');
      t.diagnostic(`datagrams at the second PBX (retransmissions from earlier tests): ${atB}`);
    } finally {
      slow.close();
      toB.close();
    }
  });
});
