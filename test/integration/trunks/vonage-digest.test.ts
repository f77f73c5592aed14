// V-OUT-2, V-OUT-4, V-OUT-5 end to end: a PBX SIPp (192.0.2.20) calls through
// the real sbcd to the Vonage stand-in (Kamailio at 198.51.100.10, which
// demands digest with the test key/secret and checks E.164 numbers, see
// test/integration/vonage/README.md), whose callee is a SIPp UAS. What the
// stand-in received and decided is read from its event log; the digest
// response on the wire is recomputed here with the stand-in's own test
// client (test/integration/vonage/digest-uac.ts), not with the SBC's code.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigStore } from '../../../src/config/store.js';
import {
  createTopology, describeSipp, header, netnsSkipReason, NETNS_ADDR, repoRoot, runSipp, select, startSbcd, startSipp,
  type ConfigDoc, type Sbcd, type SippResult, type Topology,
} from '../harness/index.js';
import { digestCredentials, parseChallenge } from '../vonage/digest-uac.js';
import type { StandinEvent } from '../vonage/events.js';
import { startVonageStandin, TEST_CREDENTIALS, VONAGE_ADDR, type StandinOptions, type VonageStandin } from '../vonage/standin.js';

const skip = netnsSkipReason();
const PBX_CALL = join(repoRoot, 'test', 'integration', 'trunks', 'scenarios', 'pbx-call.xml');
const SECRET: string = TEST_CREDENTIALS.secret;

function sbcConfig(secret: string): ConfigDoc {
  return {
    version: 1,
    system: { name: 'edgesbc-trunks', log_level: 'debug' },
    sip: { shutdown_grace_s: 1 },
    sides: {
      lan: { addresses: [NETNS_ADDR.sbcLan], udp: 5060, tcp: 5060, tls: 0 },
      wan: { addresses: [NETNS_ADDR.sbcWan], udp: 5060, tcp: 5060, tls: 0 },
    },
    trunks: [
      {
        name: 'vonage',
        kind: 'vonage',
        side: 'wan',
        transport: 'udp',
        endpoints: [{ host: VONAGE_ADDR.edge1, port: 5060 }],
        api_key: TEST_CREDENTIALS.key,
        api_secret: secret,
        country: 'GB',
        media: { srtp: 'off' },
      },
    ],
    pbxs: [{ name: 'pbx', side: 'lan', host: NETNS_ADDR.pbx, port: 5060, transport: 'udp' }],
    routes: [
      { name: 'pbx-to-vonage', from_side: 'lan', to: { trunk: 'vonage' } },
      { name: 'vonage-to-pbx', from_side: 'wan', to: { pbx: 'pbx' } },
    ],
    firewall: { enabled: false },
  };
}

interface Rig {
  topo: Topology;
  standin: VonageStandin;
  sbc: Sbcd;
}

async function rig(opts: StandinOptions, secret = SECRET): Promise<Rig> {
  const topo = await createTopology();
  const standin = await startVonageStandin(topo, { endpoints: 1, dns: false, ...opts });
  const sbc = await startSbcd({ netns: topo.ns.sbc, fullConfig: sbcConfig(secret) });
  return { topo, standin, sbc };
}

async function teardown(r: Rig | undefined): Promise<void> {
  await r?.sbc.stop();
  await r?.standin.stop();
  await r?.topo.destroy();
}

let sippPort = 6100;

/** One PBX call; with `answered`, a callee SIPp waits behind the stand-in. */
async function pbxCall(r: Rig, callee: string, caller: string, answered: boolean): Promise<{ pbx: SippResult; far?: SippResult }> {
  const uas = answered
    ? await startSipp({ netns: r.topo.ns.vonage, scenario: 'uas-basic', ip: VONAGE_ADDR.callee, port: 5060, calls: 1, timeoutMs: 15_000 })
    : undefined;
  const pbx = await runSipp({
    netns: r.topo.ns.pbx, scenario: PBX_CALL, ip: NETNS_ADDR.pbx, port: sippPort++,
    remote: { ip: NETNS_ADDR.sbcLan, port: 5060 }, service: callee, keys: { from: caller }, calls: 1, timeoutMs: 12_000,
  });
  const far = uas ? await uas.done : undefined;
  return far ? { pbx, far } : { pbx };
}

function finalStatus(pbx: SippResult): number | undefined {
  return select(pbx.messages, { direction: 'received' }).find((m) => (m.status ?? 0) >= 200)?.status;
}

/** The stand-in's INVITEs and challenges of the one call placed since `t0`. */
async function seenSince(s: VonageStandin, t0: number, settle: (e: StandinEvent) => boolean) {
  await s.waitFor((e) => e.at >= t0 && settle(e), 5000, 'the stand-in decision');
  const invites = s.requests({ method: 'INVITE', since: t0 });
  const callIds = [...new Set(invites.map((e) => e.callId))];
  assert.equal(callIds.length, 1, `one call at the stand-in, got ${callIds.join(', ')}`);
  return { invites, challenges: s.challenges({ callId: callIds[0], since: t0 }), callId: callIds[0]! };
}

/**
 * Recomputes the digest response of an INVITE (the stand-in's auth-ok says
 * Kamailio accepted it; this says it is the RFC computation with the secret
 * and the parameters on the wire).
 */
function assertResponseMatches(invite: StandinEvent, realm: string, algorithm: 'MD5' | 'SHA-256', hdr: string): void {
  const creds = parseChallenge(header(invite.message!, hdr) ?? '');
  assert.equal(creds.username, TEST_CREDENTIALS.key);
  assert.equal(creds.realm, realm);
  assert.equal(creds.algorithm, algorithm);
  assert.equal(creds.uri, invite.message!.startLine.split(' ')[1], 'digest-uri = Request-URI');
  assert.equal(creds.qop, 'auth');
  assert.match(creds.cnonce ?? '', /^[0-9a-f]{32}$/, 'a 128-bit cnonce');
  const expected = parseChallenge(
    digestCredentials({
      algorithm, username: TEST_CREDENTIALS.key, password: SECRET, realm, nonce: creds.nonce!,
      method: 'INVITE', uri: creds.uri!, qop: 'auth', nc: parseInt(creds.nc ?? '', 16), cnonce: creds.cnonce!,
    }),
  ).response;
  assert.equal(creds.response, expected, 'the response the SBC sent is the RFC computation with the API secret');
}

function assertSecretNowhere(r: Rig, extra: string[] = []): void {
  const logs = `${r.sbc.stdout()}\n${r.sbc.stderr()}`;
  assert.ok(logs.length > 1000, 'the daemon logged (debug)');
  assert.ok(!logs.includes(SECRET), 'the API secret is in sbcd logs');
  for (const x of extra) assert.ok(!logs.includes(x), `sbcd logs hold ${x}`);
  const store = ConfigStore.open(join(r.sbc.dataDir, 'config.db'), { confirmTimer: false });
  try {
    for (const f of ['yaml', 'json'] as const) {
      const text = store.exportText(f);
      assert.ok(!text.includes(SECRET), `the ${f} export holds the secret`);
      assert.ok(text.includes('********'));
    }
    assert.ok(!JSON.stringify(store.diff(1)).includes(SECRET));
  } finally {
    store.close();
  }
}

describe('V-OUT-2 407 MD5 (Kamailio stand-in): answered once, nonce reused with nc+1, numbers in E.164', { skip, timeout: 90_000 }, () => {
  let r: Rig;
  before(async () => {
    r = await rig({});
  });
  after(() => teardown(r));

  const responses: string[] = [];

  test('V-OUT-2 V-OUT-4 V-OUT-5: national numbers from the PBX, one 407 round, the call completes', async () => {
    const t0 = Date.now();
    const { pbx, far } = await pbxCall(r, '02079460000', '07700900001', true);
    assert.equal(pbx.code, 0, describeSipp(pbx));
    assert.equal(finalStatus(pbx), 200, describeSipp(pbx));
    const { invites, challenges, callId } = await seenSince(r.standin, t0, (e) => e.event === 'auth-ok' || e.event === 'challenge');
    await r.standin.waitFor((e) => e.event === 'auth-ok' && e.callId === callId);
    assert.equal(invites.length, 2, 'the INVITE and its one re-send');
    assert.equal(challenges.length, 1, 'exactly one challenge round');
    assert.equal(challenges[0]!.fields.code, '407');
    const [first, second] = invites as [StandinEvent, StandinEvent];
    assert.equal(header(first.message!, 'Proxy-Authorization'), undefined);
    // The re-send: a new transaction (CSeq 2, new branch) in the same call.
    assert.equal(header(second.message!, 'Call-ID'), header(first.message!, 'Call-ID'));
    assert.match(header(first.message!, 'CSeq') ?? '', /^1 INVITE$/);
    assert.match(header(second.message!, 'CSeq') ?? '', /^2 INVITE$/);
    assert.notEqual(header(second.message!, 'Via'), header(first.message!, 'Via'));
    assertResponseMatches(second, r.standin.realm, 'MD5', 'Proxy-Authorization');
    responses.push(parseChallenge(header(second.message!, 'Proxy-Authorization') ?? '').response!);
    assert.ok(!second.fields.msg!.includes(SECRET), 'the secret never travels');
    // V-OUT-4 / V-OUT-5 on the wire: E.164 without +, From host = the endpoint in use.
    assert.match(second.message!.startLine, /^INVITE sip:442079460000@198\.51\.100\.10:5060 SIP\/2\.0$/);
    assert.match(header(second.message!, 'From') ?? '', /<sip:447700900001@198\.51\.100\.10>/);
    // The callee behind Vonage got the call (V-OUT-13's X- header too).
    const got = select(far!.messages, { direction: 'received', method: 'INVITE' })[0]!;
    assert.equal(header(got, 'X-UserId'), 'ABC123');
    // The 2xx ACK repeats the INVITE's credentials (RFC 3261 §13.2.2.4).
    const ack = r.standin.requests({ method: 'ACK', callId }).find((e) => /CSeq:\s*2 ACK/i.test(e.fields.msg ?? ''));
    assert.ok(ack, 'the 2xx ACK crossed the stand-in');
    assert.equal(header(ack.message!, 'Proxy-Authorization'), header(second.message!, 'Proxy-Authorization'));
  });

  test('V-OUT-2: the next call reuses the nonce with nc=00000002: no challenge at all', async () => {
    const t0 = Date.now();
    const { pbx } = await pbxCall(r, '+442079460001', '447700900001', true);
    assert.equal(finalStatus(pbx), 200, describeSipp(pbx));
    const { invites, challenges } = await seenSince(r.standin, t0, (e) => e.event === 'auth-ok');
    assert.equal(invites.length, 1);
    assert.equal(challenges.length, 0);
    const creds = parseChallenge(header(invites[0]!.message!, 'Proxy-Authorization') ?? '');
    assert.equal(creds.nc, '00000002');
    assert.match(invites[0]!.message!.startLine, /^INVITE sip:442079460001@/);
    responses.push(creds.response!);
  });

  test('V-OUT-4: a callee that cannot be written in E.164 gets 484 from the SBC with the reason; nothing reaches Vonage', async () => {
    const t0 = Date.now();
    const { pbx } = await pbxCall(r, '0207', '07700900001', false);
    assert.equal(finalStatus(pbx), 484, describeSipp(pbx));
    const res = select(pbx.messages, { direction: 'received', status: 484 })[0]!;
    assert.match(header(res, 'Warning') ?? '', /^399 \S+ "callee not E\.164 \(V-OUT-4\): '0207' is too short for a national number of GB"$/);
    await new Promise((res2) => setTimeout(res2, 300));
    assert.equal(r.standin.requests({ method: 'INVITE', since: t0 }).length, 0);
  });

  test('V-OUT-5: a caller ID that cannot be written in E.164 gets 403 with the reason', async () => {
    const { pbx } = await pbxCall(r, '02079460000', 'reception', false);
    assert.equal(finalStatus(pbx), 403, describeSipp(pbx));
    const res = select(pbx.messages, { direction: 'received', status: 403 })[0]!;
    assert.match(res.startLine, /403 Caller ID Not E\.164/);
    assert.match(header(res, 'Warning') ?? '', /caller ID not E\.164 \(V-OUT-5\): 'reception' is not a telephone number/);
  });

  test('V-OUT-2: the secret is in no log line and no export (responses neither)', () => {
    assertSecretNowhere(r, responses);
  });
});

describe('V-OUT-2 401 SHA-256 (Kamailio stand-in)', { skip, timeout: 60_000 }, () => {
  let r: Rig;
  before(async () => {
    r = await rig({ challenge: 401, algorithm: 'SHA-256' });
  });
  after(() => teardown(r));

  test('V-OUT-2: WWW-Authenticate with algorithm=SHA-256 is answered with Authorization, SHA-256, once', async () => {
    const t0 = Date.now();
    const { pbx } = await pbxCall(r, '14155550100', '447700900001', true);
    assert.equal(finalStatus(pbx), 200, describeSipp(pbx));
    const { invites, challenges } = await seenSince(r.standin, t0, (e) => e.event === 'auth-ok');
    assert.equal(invites.length, 2);
    assert.equal(challenges.length, 1);
    assert.equal(challenges[0]!.fields.code, '401');
    const second = invites[1]!;
    assert.equal(header(second.message!, 'Proxy-Authorization'), undefined);
    assertResponseMatches(second, r.standin.realm, 'SHA-256', 'Authorization');
    assertSecretNowhere(r);
  });
});

describe('V-OUT-2 stale nonce (Kamailio stand-in, nonces expire after 2 s)', { skip, timeout: 60_000 }, () => {
  let r: Rig;
  before(async () => {
    r = await rig({ nonceExpireS: 2 });
  });
  after(() => teardown(r));

  test('V-OUT-2: a remembered nonce that expired draws stale=true and is re-sent once with the new nonce', async () => {
    const first = await pbxCall(r, '14155550100', '447700900001', true);
    assert.equal(finalStatus(first.pbx), 200, describeSipp(first.pbx));
    // Past the expiry (Kamailio counts whole seconds).
    await new Promise((res) => setTimeout(res, 3500));
    const t0 = Date.now();
    const { pbx } = await pbxCall(r, '14155550101', '447700900001', true);
    assert.equal(finalStatus(pbx), 200, describeSipp(pbx));
    const { invites, challenges } = await seenSince(r.standin, t0, (e) => e.event === 'auth-ok');
    assert.equal(invites.length, 2, 'the INVITE with the old nonce, then one re-send');
    assert.equal(challenges.length, 1);
    assert.equal(challenges[0]!.fields.stale, '1');
    const [a, b] = invites.map((e) => parseChallenge(header(e.message!, 'Proxy-Authorization') ?? ''));
    assert.equal(a!.nc, '00000002', 'the first INVITE reused the remembered nonce');
    assert.notEqual(b!.nonce, a!.nonce);
    assert.equal(b!.nc, '00000001');
  });
});

describe('V-OUT-2 wrong secret (Kamailio stand-in challenges again)', { skip, timeout: 60_000 }, () => {
  let r: Rig;
  before(async () => {
    r = await rig({}, 'NotTheSecret42');
  });
  after(() => teardown(r));

  test('V-OUT-2: a second challenge after our credentials ends the call with 403 to the PBX, no loop, the log says why', async () => {
    const t0 = Date.now();
    const { pbx } = await pbxCall(r, '14155550100', '447700900001', false);
    assert.equal(finalStatus(pbx), 403, describeSipp(pbx));
    const res = select(pbx.messages, { direction: 'received', status: 403 })[0]!;
    assert.match(header(res, 'Warning') ?? '', /trunk vonage refused our credentials/);
    await new Promise((res2) => setTimeout(res2, 1500)); // a looping client would have sent more by now
    const { invites, challenges } = await seenSince(r.standin, t0, (e) => e.event === 'challenge');
    assert.equal(invites.length, 2, 'one INVITE and one re-send, never more');
    assert.deepEqual(challenges.map((c) => c.fields.reason), ['no-credentials', 'wrong-password']);
    const line = await r.sbc.waitForLog((l) => l.msg === 'digest: giving up');
    assert.equal(line.trunk, 'vonage');
    assert.equal(line.user, TEST_CREDENTIALS.key);
    assert.match(String(line.why), /challenged again after our credentials: wrong api_key or api_secret/);
    const logs = r.sbc.stdout() + r.sbc.stderr();
    assert.ok(!logs.includes('NotTheSecret42'));
  });
});
