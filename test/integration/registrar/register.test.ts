// PBX registration in network namespaces (issue 5 item 1, issue 7): the PBX
// at 192.0.2.20 registers on the LAN side with digest and gets the call for
// it at its registered contact (480 before it registers); an attacker at
// 203.0.113.66 guessing the password on the WAN side (sipsak) is banned
// after firewall.bans.auth_failures failures, its packets dropped by the
// kernel; a PBX call with a caller number outside its allowed_numbers gets 403.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { NETNS_ADDR, createTopology, netnsSkipReason, startSbcd, type Sbcd, type Topology, type UdpPeer } from '../harness/index.js';
import { SIP_PORT, bannedInKernel, fwConfig, options } from '../firewall/helpers.js';
import { authorize, headerValues, invite, register, respondTo, statusOf } from './sip-text.js';

const skip = netnsSkipReason();
const LAN = { ip: NETNS_ADDR.sbcLan, port: SIP_PORT };
const WAN = { ip: NETNS_ADDR.sbcWan, port: SIP_PORT };
const USER = 'pbx1';
const PASSWORD = 'right-pass-7';
const FAILURES = 3;
const API_CHILD = fileURLToPath(new URL('./api-bans-child.js', import.meta.url));

// Sends `packet` and resolves with the text of the next datagram whose
// status is final (≥ 200) or that is a request, or null after timeoutMs.
async function exchange(peer: UdpPeer, to: { ip: string; port: number }, packet: Buffer, timeoutMs = 3000): Promise<string | null> {
  const n = peer.received.length;
  await peer.send(to, [packet]);
  const final = (r: { data: Buffer }[]) => r.slice(n).find((d) => statusOf(d.data.toString()) >= 200 || statusOf(d.data.toString()) === 0);
  if (!(await peer.waitFor((r) => final(r) !== undefined, timeoutMs))) return null;
  return final(peer.received)!.data.toString();
}

describe('PBX registration, digest failures banned, allowed_numbers', { skip, timeout: 90_000 }, () => {
  let topo: Topology;
  let sbc: Sbcd;
  let pbx: UdpPeer;
  let vonage: UdpPeer;

  before(async () => {
    topo = await createTopology({ prefix: 'esbc-reg' });
    sbc = await startSbcd({
      netns: topo.ns.sbc,
      fullConfig: fwConfig({
        pbxs: [
          {
            name: 'pbx', side: 'lan', host: '', port: SIP_PORT, transport: 'udp', enabled: true,
            registration: { mode: 'register', username: USER, password: PASSWORD },
            allowed_numbers: ['4420*'],
          },
        ],
        firewall: {
          // SIP open to all on WAN (a PBX account is what is attacked; the bans do the work).
          address_lists: { anywhere: { source: 'test: SIP open to all', entries: ['0.0.0.0/0', '::/0'] } },
          trunks: { vonage: { signalling_lists: ['anywhere'] } },
          bans: { timeout_s: 60, unknown_sources: false, auth_failures: FAILURES, auth_window_s: 60 },
        },
      }),
    });
    pbx = await topo.udpPeer(topo.ns.pbx, NETNS_ADDR.pbx, 5070);
    vonage = await topo.udpPeer(topo.ns.vonage, NETNS_ADDR.vonage, SIP_PORT);
  });
  after(async () => {
    await sbc?.stop();
    await topo?.destroy();
  });

  test('a call for the PBX before it registers: 480', async () => {
    const { packet } = invite({ ip: NETNS_ADDR.vonage, port: SIP_PORT }, WAN, '4420100', '15551230000');
    const answer = await exchange(vonage, WAN, packet);
    assert.equal(answer && statusOf(answer), 480, String(answer));
  });

  test('the PBX registers (401 challenge, SHA-256 digest, 200 with its contact); the call reaches its contact', async () => {
    const callId = `reg-${process.pid}@${NETNS_ADDR.pbx}`;
    const from = { ip: NETNS_ADDR.pbx, port: 5070 };
    const challenge = await exchange(pbx, LAN, register(from, LAN, USER, { cseq: 1, callId }));
    assert.equal(challenge && statusOf(challenge), 401, String(challenge));
    const offered = headerValues(challenge!, 'WWW-Authenticate');
    assert.match(offered[0]!, /algorithm=MD5/);
    assert.match(offered[1]!, /algorithm=SHA-256/);
    const auth = authorize(challenge!, USER, PASSWORD, `sip:${LAN.ip}`);
    const ok = await exchange(pbx, LAN, register(from, LAN, USER, { cseq: 2, callId, authorization: auth }));
    assert.equal(ok && statusOf(ok), 200, String(ok));
    assert.deepEqual(headerValues(ok!, 'Contact'), [`<sip:${USER}@${NETNS_ADDR.pbx}:5070>;expires=600`]);
    await sbc.waitForLog((l) => l.msg === 'PBX registered' && l.pbx === 'pbx', 2000);

    const { packet } = invite({ ip: NETNS_ADDR.vonage, port: SIP_PORT }, WAN, '4420100', '15551230000');
    const n = pbx.received.length;
    await vonage.send(WAN, [packet]);
    assert.ok(await pbx.waitFor((r) => r.slice(n).some((d) => d.data.toString().startsWith('INVITE ')), 3000), pbx.describe());
    const inv = pbx.received.slice(n).find((d) => d.data.toString().startsWith('INVITE '))!;
    assert.match(inv.data.toString(), new RegExp(`^INVITE sip:4420100@${NETNS_ADDR.pbx.replace(/\./g, '\\.')}:5070 SIP/2\\.0`));
    await pbx.send({ ip: inv.ip, port: inv.port }, [respondTo(inv.data.toString(), 486, 'Busy Here')]);
    assert.ok(await vonage.waitFor((r) => r.some((d) => statusOf(d.data.toString()) === 486), 3000), 'the caller got the PBX\'s 486');
  });

  test('a caller number outside allowed_numbers: 403 with the reason; an allowed one goes to the trunk', async () => {
    const from = { ip: NETNS_ADDR.pbx, port: 5070 };
    const refused = await exchange(pbx, LAN, invite(from, LAN, '14155550100', '15559990000').packet);
    assert.equal(refused && statusOf(refused), 403, String(refused));
    assert.match(refused!, /^SIP\/2\.0 403 Forbidden \(Caller Number Not Allowed\)/);
    assert.match(headerValues(refused!, 'Warning')[0] ?? '', /15559990000 is not in allowed_numbers of PBX pbx/);

    const n = vonage.received.length;
    await pbx.send(LAN, [invite(from, LAN, '14155550100', '4420777').packet]);
    assert.ok(await vonage.waitFor((r) => r.slice(n).some((d) => d.data.toString().startsWith('INVITE sip:14155550100@')), 3000), vonage.describe());
    const inv = vonage.received.slice(n).find((d) => d.data.toString().startsWith('INVITE '))!;
    await vonage.send({ ip: inv.ip, port: inv.port }, [respondTo(inv.data.toString(), 486, 'Busy Here')]);
  });

  test(`${FAILURES} wrong passwords from 203.0.113.66 (sipsak): banned with the reason, its packets dropped`, async () => {
    const started = Date.now();
    const codes: string[] = [];
    for (let i = 0; i < FAILURES; i++) {
      // sipsak: REGISTER, the 401, then the answer with the wrong password (403).
      const out = await topo
        .run(topo.ns.attacker, 'sipsak', ['-vv', '-U', '-s', `sip:${USER}@${WAN.ip}:${WAN.port}`, '-u', USER, '-a', 'guess-' + i, '-l', String(5090 + i), '-x', '600', '-C', `sip:${USER}@${NETNS_ADDR.attacker}:${5090 + i}`], 8000)
        .catch((e: Error) => e.message);
      codes.push(out.slice(-400));
    }
    const banned = await sbc.waitForLog((l) => l.msg === 'source banned' && l.ip === NETNS_ADDR.attacker, 3000).catch(() => null);
    assert.ok(banned, `not banned; sipsak said:\n${codes.join('\n---\n')}\nsbcd: ${JSON.stringify(sbc.logs().filter((l) => l.mod === 'registrar'))}`);
    assert.equal(banned.reason, 'auth-failures');
    assert.match(String(banned.detail), new RegExp(`${FAILURES} digest failures within 60 s`));
    const refusedLogs = sbc.logs().filter((l) => l.msg === 'registration refused: digest verification failed' && l.ip === NETNS_ADDR.attacker);
    assert.equal(refusedLogs.length, FAILURES);
    assert.deepEqual(await bannedInKernel(topo), [NETNS_ADDR.attacker]);
    // The admin's ban list (GET /api/v1/bans from the LAN) shows it with its reason.
    const listed = JSON.parse(
      await topo.run(topo.ns.pbx, process.execPath, [API_CHILD, NETNS_ADDR.sbcLan, '8443', join(sbc.dataDir, 'admin-password'), join(sbc.dataDir, 'tls', 'self-signed.crt')]),
    ) as { enabled: boolean; bans: { ip: string; reason: string; detail: string; expiresInS: number }[] };
    assert.equal(listed.enabled, true);
    assert.deepEqual(listed.bans.map((b) => [b.ip, b.reason, b.detail]), [[NETNS_ADDR.attacker, 'auth-failures', `${FAILURES} digest failures within 60 s`]]);
    assert.ok(listed.bans[0]!.expiresInS > 50 && listed.bans[0]!.expiresInS <= 60, JSON.stringify(listed));
    // Dropped by the kernel now: not even an OPTIONS is answered.
    const attacker = await topo.udpPeer(topo.ns.attacker, NETNS_ADDR.attacker, 5099);
    await attacker.send(WAN, [options({ ip: attacker.ip, port: attacker.port }, WAN)]);
    assert.equal(await attacker.waitFor((r) => r.length > 0, 1500), false, 'the banned attacker got an answer');
    // The right password from the PBX still works.
    const callId = `reg2-${process.pid}@${NETNS_ADDR.pbx}`;
    const from = { ip: NETNS_ADDR.pbx, port: 5070 };
    const ch = await exchange(pbx, LAN, register(from, LAN, USER, { cseq: 1, callId }));
    const ok = await exchange(pbx, LAN, register(from, LAN, USER, { cseq: 2, callId, authorization: authorize(ch!, USER, PASSWORD, `sip:${LAN.ip}`, 'MD5') }));
    assert.equal(ok && statusOf(ok), 200, String(ok));
    console.log(`# ${FAILURES} wrong passwords -> banned ${Number(banned.time) - started} ms after the first sipsak started`);
  });
});
