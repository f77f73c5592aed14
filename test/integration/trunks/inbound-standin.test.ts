// Inbound by DID to an ordered PBX list (V-IN-1..3) with the Vonage
// stand-in: the call reaches the SBC from the edge at 198.51.100.10
// (record-routed Kamailio), the PBXs are at 192.0.2.20 on two ports.
// First PBX 503 → second; first silent → second after timeout_ms; 486 → back.
// The answering PBX hangs up (uas-bye): a BYE from the caller would go via
// the edge with no Route, because the SBC's 200 does not carry the edge's
// Record-Route back (seen here; RFC 3261 §12.1.1 wants it copied), and the
// edge refuses an in-dialog request it cannot loose-route (404).
//
// Each test has its own DID and its own two PBX ports: the SBC keeps
// retransmitting an INVITE to a PBX that never answered (no CANCEL before a
// provisional, RFC 3261 §9.1) for 64·T1 after the call moved on, and those
// must not reach the next test's PBXs (a SIPp taking a stale INVITE as its
// one call failed the 486 test under load).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  assertAllPassed,
  createTopology,
  describeSipp,
  NETNS_ADDR,
  netnsSkipReason,
  runSipp,
  select,
  startSbcd,
  startSipp,
  type ConfigDoc,
  type Sbcd,
  type Topology,
} from '../harness/index.js';
import { startVonageStandin, VONAGE_ADDR, type VonageStandin } from '../vonage/standin.js';

const skip = netnsSkipReason();
const TIMEOUT_MS = 2000;
const CASES = { '503': 0, silent: 1, '486': 2 } as const;
type Case = keyof typeof CASES;
const didOf = (c: Case) => `1415555013${CASES[c]}`;
const portA = (c: Case) => 5070 + 2 * CASES[c];
const portB = (c: Case) => 5071 + 2 * CASES[c];

describe('inbound DID from the Vonage stand-in to an ordered PBX list', { skip, timeout: 120_000 }, () => {
  let topo: Topology;
  let vonage: VonageStandin;
  let sbc: Sbcd;

  before(async () => {
    topo = await createTopology();
    vonage = await startVonageStandin(topo, { endpoints: 1, dns: false, tls: 'off' });
    const pbx = (name: string, port: number) => ({ name, side: 'lan', host: NETNS_ADDR.pbx, port, transport: 'udp', enabled: true });
    sbc = await startSbcd({
      netns: topo.ns.sbc,
      fullConfig: {
        version: 1,
        system: { name: 'edgesbc-inbound', log_level: 'info' },
        sip: { shutdown_grace_s: 1 },
        sides: {
          lan: { addresses: [NETNS_ADDR.sbcLan], advertised_address: '', udp: 5060, tcp: 5060, tls: 0 },
          wan: { addresses: [NETNS_ADDR.sbcWan], advertised_address: '', udp: 5060, tcp: 5060, tls: 0 },
        },
        trunks: [{ name: 'vonage', side: 'wan', transport: 'udp', enabled: true, endpoints: [{ host: VONAGE_ADDR.edge1, port: 5060 }] }],
        pbxs: (Object.keys(CASES) as Case[]).flatMap((c) => [pbx(`pbx-a-${c}`, portA(c)), pbx(`pbx-b-${c}`, portB(c))]),
        routes: [
          { name: 'out', from_side: 'lan', to: { trunk: 'vonage' } },
          ...(Object.keys(CASES) as Case[]).map((c) => ({
            name: `did-list-${c}`,
            from_side: 'wan',
            match: { ruri_user: `^${didOf(c)}$` },
            to: { pbxs: [{ pbx: `pbx-a-${c}`, timeout_ms: TIMEOUT_MS }, { pbx: `pbx-b-${c}`, timeout_ms: TIMEOUT_MS }] },
          })),
        ],
        firewall: { enabled: false },
      } as unknown as ConfigDoc,
    });
  });
  after(async () => {
    await sbc?.stop();
    await vonage?.stop();
    await topo?.destroy();
  });

  const call = (scenario: string, c: Case) =>
    runSipp({
      netns: topo.ns.vonage, scenario, ip: VONAGE_ADDR.caller, port: 5060,
      remote: { ip: NETNS_ADDR.sbcWan, port: 5060 }, service: didOf(c), calls: 1, timeoutMs: 20_000,
      extra: vonage.inboundViaArgs(), name: `${scenario}-standin`,
    });
  const pbxSipp = (scenario: string, port: number) =>
    startSipp({ netns: topo.ns.pbx, scenario, ip: NETNS_ADDR.pbx, port, calls: 1, timeoutMs: 25_000, name: `${scenario}-${port}` });

  test('503 from the first PBX: the second answers (the call sent through the edge at 198.51.100.10)', async () => {
    const a = await pbxSipp('uas-503', portA('503'));
    const b = await pbxSipp('uas-bye', portB('503'));
    const uac = await call('uac-expect-bye', '503');
    assert.equal(uac.code, 0, describeSipp(uac));
    assertAllPassed(await a.done, 1, 'pbx-a (503)');
    assertAllPassed(await b.done, 1, 'pbx-b (answered)');
    const seen = sbc.logs().find((l) => l.msg === 'failing over to next hop');
    assert.ok(seen, 'the SBC logged the failover');
  });

  test(`silent first PBX: the second is tried ${TIMEOUT_MS} ms after the first INVITE`, async (t) => {
    const silent = await topo.udpPeer(topo.ns.pbx, NETNS_ADDR.pbx, portA('silent'));
    try {
      const b = await pbxSipp('uas-bye', portB('silent'));
      const uac = await call('uac-expect-bye', 'silent');
      assert.equal(uac.code, 0, describeSipp(uac));
      assertAllPassed(await b.done, 1, 'pbx-b (answered)');
      const invites = silent.received.filter((d) => d.data.toString('latin1').startsWith('INVITE '));
      assert.ok(invites.length >= 1, 'the silent PBX got the INVITE');
      const next = await sbc.waitForLog((l) => l.msg === 'no response within timeout: next PBX', 5000);
      const waited = Number(next.time) - invites[0]!.at;
      t.diagnostic(`next PBX tried ${waited} ms after the first INVITE reached the silent one`);
      // The peer's receive time comes through a child process's stdout (it
      // can only be late, making `waited` look shorter): -400 ms; a loaded
      // machine delays the timer and the log line: +800 ms.
      assert.ok(waited >= TIMEOUT_MS - 400 && waited <= TIMEOUT_MS + 800, `next PBX after ${waited} ms, want ${TIMEOUT_MS} (-400/+800)`);
      assert.ok(silent.received.every((d) => d.data.toString('latin1').startsWith('INVITE ')), 'only INVITEs (no CANCEL without a provisional)');
    } finally {
      await silent.close();
    }
  });

  test('486 from the first PBX: 486 back to Vonage, nothing to the second', async () => {
    const a = await pbxSipp('uas-486', portA('486'));
    const b = await topo.udpPeer(topo.ns.pbx, NETNS_ADDR.pbx, portB('486'));
    try {
      const uac = await call('uac-expect-reject', '486');
      assertAllPassed(uac, 1, 'caller');
      const finals = select(uac.messages, { direction: 'received', cseq: 'INVITE' }).map((m) => m.status ?? 0).filter((s) => s >= 200);
      assert.deepEqual([...new Set(finals)], [486]);
      assertAllPassed(await a.done, 1, 'pbx-a (486)');
      // A failover would have sent the INVITE on before any final reached the caller.
      assert.equal(b.received.length, 0, 'nothing reached the second PBX');
    } finally {
      await b.close();
    }
  });
});
