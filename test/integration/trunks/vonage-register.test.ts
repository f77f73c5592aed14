// REGISTER toward the trunk (optional per trunk, `register.enabled`) end to
// end: the real sbcd in the SBC namespace registers at the Vonage stand-in,
// whose Kamailio edges run a real registrar (usrloc + registrar modules,
// test/integration/vonage/kamailio/vonage-edge.cfg) behind the same digest
// as INVITEs (401, API key / secret). The registrar grants at most 4 s, so
// the refresh (at half the grant) is seen within seconds. Then edge1 stops:
// the refresh fails (no answer within 64·T1 over UDP), sbcd logs the
// failure and re-registers after its backoff at the trunk's next endpoint,
// edge2. What the registrar received, challenged and saved is read from the
// stand-in's event log; the digest response is recomputed with the
// stand-in's own test client, not with the SBC's code.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { header, netnsSkipReason, NETNS_ADDR } from '../harness/index.js';
import { digestCredentials, parseChallenge } from '../vonage/digest-uac.js';
import type { StandinEvent } from '../vonage/events.js';
import { TEST_CREDENTIALS, VONAGE_ADDR } from '../vonage/standin.js';
import { logsOf, sbcConfig, startRig, stopRig, type Rig } from './health-rig.js';

const skip = netnsSkipReason();
const GRANTED_S = 4;
// T1 100 ms: a REGISTER to a stopped edge over UDP times out after 64·T1 = 6.4 s.
const T1_MS = 100;
const TIMER_F_MS = 64 * T1_MS;
const KEY = TEST_CREDENTIALS.key;
const SECRET: string = TEST_CREDENTIALS.secret;

describe('REGISTER toward the trunk: digest, refresh before expiry, re-register on failure', { skip, timeout: 60_000 }, () => {
  let r: Rig | undefined;
  before(async () => {
    const config = sbcConfig({
      endpoints: [
        { host: VONAGE_ADDR.edge1, port: 5060 },
        { host: VONAGE_ADDR.edge2, port: 5060 },
      ],
      register: { enabled: true, interval_s: 60 },
    }, { timers: { t1_ms: T1_MS, t2_ms: 1000, t4_ms: 1000 } });
    r = await startRig({ endpoints: 2, dns: false, challenge: 401, registerMaxExpiresS: GRANTED_S }, config);
  });
  after(() => stopRig(r));

  const registered = (edge: string, since: number) =>
    r!.standin.events().filter((e) => e.event === 'registered' && e.edge === edge && e.at >= since);

  test('registers with the trunk key/secret (401 answered once), the registrar saves the SBC\'s WAN Contact', async () => {
    const rig = r!;
    const ok = await rig.sbc.waitForLog((l) => l.msg === 'trunk registered', 10_000);
    assert.equal(ok.trunk, 'vonage');
    assert.equal(ok.registrar, `${VONAGE_ADDR.edge1}:5060`);
    assert.equal(ok.expiresS, GRANTED_S, 'the expiry the registrar granted, not the 60 s asked for');
    await rig.standin.waitFor((e) => e.event === 'registered' && e.edge === 'edge1', 5000, 'edge1 saved a binding');

    const regs = rig.standin.requests({ method: 'REGISTER', edge: 'edge1' });
    assert.ok(regs.length >= 2, `REGISTERs at edge1: ${regs.length}`);
    const [first, second] = regs as [StandinEvent, StandinEvent];
    assert.equal(header(first.message!, 'Authorization'), undefined, 'the first REGISTER has no credentials');
    assert.match(first.message!.startLine, new RegExp(`^REGISTER sip:${VONAGE_ADDR.edge1.replace(/\./g, '\\.')} SIP/2\\.0$`));
    assert.equal(header(first.message!, 'Expires'), '60');
    assert.match(header(first.message!, 'To') ?? '', new RegExp(`<sip:${KEY}@${VONAGE_ADDR.edge1.replace(/\./g, '\\.')}>`));
    const challenges = rig.standin.challenges({ method: 'REGISTER', callId: first.callId! });
    assert.equal(challenges.length, 1, 'one 401');
    assert.equal(second.callId, first.callId, 'the re-send is the same registration (Call-ID)');

    // The digest on the wire, recomputed from the challenge the edge sent.
    const chText = header(rig.standin.events().find((e) => e.event === 'request' && e.callId === first.callId && e.message?.startLine.startsWith('REGISTER') && header(e.message, 'Authorization') !== undefined)!.message!, 'Authorization')!;
    const p = parseChallenge(chText);
    assert.equal(p.username, KEY);
    assert.equal(p.qop, 'auth');
    const expected = digestCredentials({
      username: KEY, password: SECRET, realm: p.realm!, nonce: p.nonce!, method: 'REGISTER', uri: p.uri!,
      qop: 'auth', nc: parseInt(p.nc!, 16), cnonce: p.cnonce!, algorithm: 'MD5',
    });
    assert.equal(parseChallenge(expected).response, p.response, 'the response is right for the secret');
    for (const e of rig.standin.requests({ method: 'REGISTER' })) assert.ok(!e.fields.msg!.includes(SECRET), 'the secret never travels');

    const saved = registered('edge1', 0)[0]!;
    assert.match(saved.fields.contact ?? '', new RegExp(`^<sip:${KEY}@${NETNS_ADDR.sbcWan.replace(/\./g, '\\.')}:5060;transport=udp>`));
    assert.equal(logsOf(rig.sbc, 'trunk registration failed').length, 0);
    assert.ok(!JSON.stringify(rig.sbc.logs()).includes(SECRET), 'the secret is not in the SBC log');
  });

  test(`refreshes before the ${GRANTED_S} s grant runs out, reusing the nonce (no new challenge)`, async () => {
    const rig = r!;
    const ok = logsOf(rig.sbc, 'trunk registered')[0]!;
    const refreshed = await rig.sbc.waitForLog((l) => l.msg === 'trunk registration refreshed', GRANTED_S * 1000 + 5000);
    const after = Number(refreshed.time) - Number(ok.time);
    assert.ok(after < GRANTED_S * 1000, `refreshed ${after} ms after registering, before the ${GRANTED_S} s expiry`);
    assert.ok(after >= (GRANTED_S * 1000) / 2 - 100, `not before half the grant (${after} ms)`);
    const refresh = rig.standin.requests({ method: 'REGISTER', edge: 'edge1', since: Number(ok.time) + 500 })[0]!;
    const creds = parseChallenge(header(refresh.message!, 'Authorization') ?? '');
    assert.equal(creds.nc, '00000002', 'the remembered nonce, next count');
    assert.equal(rig.standin.challenges({ method: 'REGISTER', callId: refresh.callId! }).length, 0, 'not challenged');
  });

  test('edge1 gone: the refresh fails (logged with the reason), sbcd re-registers after its backoff at edge2', async () => {
    const rig = r!;
    await rig.standin.edge1.stop();
    try {
      const since = Date.now();
      const failed = await rig.sbc.waitForLog((l) => l.msg === 'trunk registration failed' && Number(l.time) >= since, GRANTED_S * 1000 + TIMER_F_MS + 5000);
      assert.equal(failed.registrar, `${VONAGE_ADDR.edge1}:5060`);
      assert.match(String(failed.reason), /transport error|timeout/);
      const retryMs = Number(failed.retryInS) * 1000;
      assert.ok(retryMs >= 1000 && retryMs <= 2000, `first retry after ${retryMs} ms (backoff 2 s with jitter)`);
      const again = await rig.sbc.waitForLog((l) => l.msg === 'trunk registered' && Number(l.time) > Number(failed.time), retryMs + 8000);
      assert.equal(again.registrar, `${VONAGE_ADDR.edge2}:5060`);
      assert.ok(Number(again.time) - Number(failed.time) >= retryMs - 50, 'not before the backoff');
      await rig.standin.waitFor((e) => e.event === 'registered' && e.edge === 'edge2' && e.at >= since, 5000, 'edge2 saved a binding');
    } finally {
      await rig.standin.edge1.start();
    }
  });
});
