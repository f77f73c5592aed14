// Inbound by DID to an ordered PBX list (V-IN-1..3), through the real
// daemon on loopback: the caller stands for Vonage on the WAN side, two
// PBXs listen on 127.0.0.10. The first PBX: 503 → the second takes the call;
// silent → the second after timeout_ms; 486 → no failover, 486 back.
//
// Each test has its own DID and its own two PBX ports: the SBC keeps
// retransmitting an INVITE to a PBX that never answered (no CANCEL before a
// provisional, RFC 3261 §9.1) for 64·T1 after the call moved on, and those
// datagrams must not reach the next test's PBXs. Every socket a test opens
// is closed, and every timer it starts cleared, before the test ends.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
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

const TIMEOUT_MS = 2000; // the smallest timeout_ms allowed (V-IN-3)
const CASES = ['503', 'silent', '486', 'both-silent', 'trying'] as const;
type Case = (typeof CASES)[number];

interface Pair {
  did: string;
  portA: number;
  portB: number;
}

async function bindUdp(port: number): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, ADDR.pbx, () => resolve());
  });
  return s;
}

function closeUdp(s: Socket): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()));
}

describe('inbound DID to an ordered PBX list through sbcd', { timeout: 120_000 }, () => {
  let sbc: Sbcd;
  const pairs = new Map<Case, Pair>();

  before(async () => {
    const doc = await defaultTestConfig();
    const pbx = (name: string, port: number) => ({ name, side: 'lan', host: ADDR.pbx, port, transport: 'udp', enabled: true });
    for (const [i, c] of CASES.entries()) {
      const pair = { did: `1415555012${i}`, portA: await freePort(ADDR.pbx), portB: await freePort(ADDR.pbx) };
      pairs.set(c, pair);
      doc.pbxs.push(pbx(`pbx-a-${c}`, pair.portA), pbx(`pbx-b-${c}`, pair.portB));
      doc.routes.unshift({
        name: `did-${c}`,
        from_side: 'wan',
        match: { ruri_user: `^${pair.did}$` },
        to: { pbxs: [{ pbx: `pbx-a-${c}`, timeout_ms: TIMEOUT_MS }, { pbx: `pbx-b-${c}`, timeout_ms: TIMEOUT_MS }] },
        priority: 10,
        enabled: true,
      } as (typeof doc.routes)[number]);
    }
    sbc = await startSbcd({ fullConfig: doc });
  });
  after(async () => {
    await sbc?.stop();
  });

  const caller = (scenario: string, did: string) =>
    runSipp({ scenario, ip: ADDR.vonage, port: 0, remote: { ip: sbc.wan.ip, port: sbc.wan.udp }, service: did, calls: 1, timeoutMs: 20_000, name: `${scenario}-${did}` });

  test('first PBX answers 503: the second gets the call and answers it (V-IN-2)', async () => {
    const { did, portA, portB } = pairs.get('503')!;
    const a = await startSipp({ scenario: 'uas-503', ip: ADDR.pbx, port: portA, calls: 1, timeoutMs: 25_000, name: 'pbx-a-503' });
    const b = await startSipp({ scenario: 'uas-basic', ip: ADDR.pbx, port: portB, calls: 1, timeoutMs: 25_000, name: 'pbx-b-basic' });
    const uac = await caller('uac-basic', did);
    assert.equal(uac.code, 0, describeSipp(uac));
    const [ra, rb] = [await a.done, await b.done];
    assertAllPassed(ra, 1, 'pbx-a (503, got its ACK)');
    assertAllPassed(rb, 1, 'pbx-b (answered)');
    assert.equal(select(ra.messages, { direction: 'received', method: 'INVITE' }).length >= 1, true);
    assert.equal(select(rb.messages, { direction: 'received', method: 'INVITE' }).length >= 1, true);
  });

  test(`first PBX silent: the second gets the call ${TIMEOUT_MS} ms after the first INVITE (V-IN-3)`, async (t) => {
    const { did, portA, portB } = pairs.get('silent')!;
    // A PBX that takes datagrams and never answers (not even 100 Trying).
    const silent = await bindUdp(portA);
    const seenAt: number[] = [];
    const methods = new Set<string>();
    silent.on('message', (m) => {
      const method = m.toString('latin1').split(' ', 1)[0]!;
      methods.add(method);
      if (method === 'INVITE') seenAt.push(Date.now());
    });
    try {
      const b = await startSipp({ scenario: 'uas-basic', ip: ADDR.pbx, port: portB, calls: 1, timeoutMs: 25_000, name: 'pbx-b-after-silent' });
      const uac = await caller('uac-basic', did);
      assert.equal(uac.code, 0, describeSipp(uac));
      assertAllPassed(await b.done, 1, 'pbx-b (answered)');
      assert.ok(seenAt.length >= 1, 'the silent PBX got the INVITE first');
      const next = await sbc.waitForLog((l) => l.msg === 'no response within timeout: next PBX' && Number(l.time) >= seenAt[0]!, 5000);
      const waited = Number(next.time) - seenAt[0]!;
      t.diagnostic(`next PBX tried ${waited} ms after the first INVITE reached the silent one`);
      // Never early; late by at most what a loaded machine adds to a timer
      // and a log line (two test files run at once on two cores in CI).
      assert.ok(waited >= TIMEOUT_MS - 50 && waited <= TIMEOUT_MS + 800, `next PBX after ${waited} ms, want ${TIMEOUT_MS} (-50/+800)`);
      // No provisional response, so no CANCEL may be sent (RFC 3261 §9.1).
      assert.deepEqual([...methods], ['INVITE']);
    } finally {
      await closeUdp(silent);
    }
  });

  test('first PBX answers 486: no failover, the caller gets 486 and the second PBX nothing (V-IN-2)', async () => {
    const { did, portA, portB } = pairs.get('486')!;
    const a = await startSipp({ scenario: 'uas-486', ip: ADDR.pbx, port: portA, calls: 1, timeoutMs: 25_000, name: 'pbx-a-486' });
    const b = await bindUdp(portB);
    let toB = 0;
    b.on('message', () => (toB += 1));
    try {
      const uac = await caller('uac-expect-reject', did);
      assertAllPassed(uac, 1, 'caller');
      const finals = select(uac.messages, { direction: 'received', cseq: 'INVITE' }).map((m) => m.status ?? 0).filter((s) => s >= 200);
      assert.deepEqual([...new Set(finals)], [486]);
      assertAllPassed(await a.done, 1, 'pbx-a (486, got its ACK)');
      // A failover would have sent the INVITE on before any final reached the caller.
      assert.equal(toB, 0, 'nothing reached the second PBX');
    } finally {
      await closeUdp(b);
    }
  });

  test('both PBXs silent: 408 to the caller after the last timeout_ms', async () => {
    const { did, portA, portB } = pairs.get('both-silent')!;
    const socks = [await bindUdp(portA), await bindUdp(portB)];
    const firstAt = [0, 0];
    socks.forEach((s, i) => s.on('message', () => (firstAt[i] ||= Date.now())));
    try {
      const uac = await caller('uac-expect-reject', did);
      const done = Date.now();
      assertAllPassed(uac, 1, 'caller');
      const finals = select(uac.messages, { direction: 'received', cseq: 'INVITE' }).map((m) => m.status ?? 0).filter((s) => s >= 200);
      assert.deepEqual([...new Set(finals)], [408]);
      assert.ok(firstAt[0]! > 0 && firstAt[1]! > 0, 'both PBXs got the INVITE');
      const gap = firstAt[1]! - firstAt[0]!;
      const took = done - firstAt[0]!;
      // Timed from the first INVITE at the first PBX (not from SIPp's start,
      // which a loaded machine delays): never early, late by a loaded timer
      // plus SIPp's exit at most.
      assert.ok(gap >= TIMEOUT_MS - 50 && gap <= TIMEOUT_MS + 800, `second PBX after ${gap} ms, want ${TIMEOUT_MS}`);
      assert.ok(took >= 2 * TIMEOUT_MS - 100 && took < 2 * TIMEOUT_MS + 3000, `408 after ${took} ms, want about ${2 * TIMEOUT_MS}`);
    } finally {
      await Promise.all(socks.map(closeUdp));
    }
  });

  test('a 100 Trying counts as the response: a PBX that sends 100, then 486 after more than timeout_ms, is not failed over', async () => {
    // RFC 3261 §17.1.1.2: any provisional response ends the INVITE's wait for
    // the next hop (Timer B); the stand-in's Kamailio does the same (fr_timer).
    const { did, portA, portB } = pairs.get('trying')!;
    const slow = await bindUdp(portA);
    const toB = await bindUdp(portB);
    let atB = 0;
    toB.on('message', () => (atB += 1));
    const answered = new Set<string>();
    let late: NodeJS.Timeout | undefined;
    slow.on('message', (m, rinfo) => {
      const text = m.toString('latin1');
      if (!text.startsWith('INVITE ')) return;
      // One answer per INVITE transaction: a retransmission gets nothing new.
      const branch = /^via:.*branch=([^;\s,]+)/im.exec(text)?.[1] ?? '';
      if (answered.has(branch)) return;
      answered.add(branch);
      const head = text.split('\r\n\r\n', 1)[0]!.split('\r\n');
      const keep = head.filter((l) => /^(via|from|to|call-id|cseq)\s*:/i.test(l));
      const respond = (status: string, toTag: boolean) =>
        slow.send(
          `SIP/2.0 ${status}\r\n${keep.map((l) => (toTag && /^to\s*:/i.test(l) ? `${l};tag=slow1` : l)).join('\r\n')}\r\nContent-Length: 0\r\n\r\n`,
          rinfo.port,
          rinfo.address,
        );
      respond('100 Trying', false);
      late = setTimeout(() => respond('486 Busy Here', true), TIMEOUT_MS + 1500);
    });
    const moves = () => sbc.logs().filter((l) => l.msg === 'no response within timeout: next PBX' || l.msg === 'failing over to next hop').length;
    const before = moves();
    try {
      const uac = await caller('uac-expect-reject', did);
      assertAllPassed(uac, 1, 'caller');
      const finals = select(uac.messages, { direction: 'received', cseq: 'INVITE' }).map((m) => m.status ?? 0).filter((s) => s >= 200);
      assert.deepEqual([...new Set(finals)], [486]);
      assert.equal(moves() - before, 0, 'no failover to the second PBX');
      assert.equal(atB, 0, 'nothing reached the second PBX');
      assert.equal(answered.size, 1, 'one INVITE transaction reached the slow PBX');
    } finally {
      clearTimeout(late);
      await Promise.all([closeUdp(slow), closeUdp(toB)]);
    }
  });
});
