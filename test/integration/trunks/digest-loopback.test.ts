// V-OUT-2 on loopback, checked by SIPp's own digest code (verifyauth): a
// trunk that challenges the INVITE and, later, the BYE with 401. The SBC
// answers each once, in the same call (CSeq + 1), repeats the INVITE's
// credentials on the 2xx ACK, and the PBX never sees a challenge.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADDR, assertAllPassed, freePort, header, repoRoot, runSipp, select, startSbcd, startSipp, type Sbcd } from '../harness/index.js';

const scenario = (name: string): string => join(repoRoot, 'test', 'integration', 'trunks', 'scenarios', `${name}.xml`);

describe('V-OUT-2 digest toward a trunk that challenges INVITE and BYE (SIPp verifyauth)', { timeout: 60_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    // A generic trunk with credentials: digest, no number rewriting.
    const trunk = {
      name: 'vonage', side: 'wan', transport: 'udp', endpoints: [{ host: ADDR.vonage, port: await freePort(ADDR.vonage) }],
      api_key: 'trunkkey', api_secret: 'Tr0nkSecret',
    };
    // A second trunk, routed nowhere, offering SRTP over UDP: accepted, with a warning (V-OUT-10).
    const srtpOverUdp = { name: 'srtp-udp', side: 'wan', transport: 'udp', endpoints: [{ host: '192.0.2.99', port: 5060 }], media: { srtp: 'sdes' } };
    sbc = await startSbcd({ config: { system: { log_level: 'debug' }, trunks: [trunk, srtpOverUdp] } });
  });
  after(async () => {
    await sbc?.stop();
  });

  test('V-OUT-2: INVITE 401 and BYE 401 answered once each; ACK carries the credentials; the PBX sees 200s only', async () => {
    const far = await startSipp({
      scenario: scenario('uas-challenge-invite-bye'), ip: sbc.vonage.ip, port: sbc.vonage.port, calls: 1, timeoutMs: 20_000, name: 'trunk-challenging',
    });
    const uac = await runSipp({
      scenario: 'uac-basic', ip: sbc.pbx.ip, port: sbc.pbx.port, remote: { ip: sbc.lan.ip, port: sbc.lan.udp },
      service: '14155550100', calls: 1, timeoutMs: 15_000, name: 'pbx',
    });
    const uas = await far.done;
    assertAllPassed(uac, 1, 'PBX');
    assertAllPassed(uas, 1, 'trunk');
    assert.deepEqual(select(uac.messages, { direction: 'received' }).filter((m) => (m.status ?? 0) >= 400), [], 'no challenge reaches the PBX');
    const invites = select(uas!.messages, { direction: 'received', method: 'INVITE' });
    assert.equal(invites.length, 2);
    assert.equal(header(invites[1]!, 'Call-ID'), header(invites[0]!, 'Call-ID'));
    const byes = select(uas!.messages, { direction: 'received', method: 'BYE' });
    assert.equal(byes.length, 2, 'the BYE and its one re-send');
    const [c1, c2] = byes.map((m) => Number((header(m, 'CSeq') ?? '').split(' ')[0]));
    assert.equal(c2, c1! + 1, 'the re-sent BYE is a new transaction in the dialog');
    assert.match(header(byes[1]!, 'Authorization') ?? '', /uri="sip:callee@127\.0\.0\.20:\d+;transport=udp"/i, 'digest-uri = the remote target');
    assert.equal(select(uas!.messages, { direction: 'sent', status: 403 }).length, 0, 'SIPp accepted both answers');
    const logs = sbc.stdout() + sbc.stderr();
    assert.ok(!logs.includes('Tr0nkSecret'));
  });

  test('V-OUT-3 V-OUT-10: sbcd loads the endpoint sets at start and logs the SRTP-without-TLS warning', async () => {
    const sets = await sbc.waitForLog((l) => l.msg === 'endpoint sets loaded');
    assert.deepEqual(sets.endpointSets, ['nexmo-later', 'nexmo-legacy', 'vonage-current']);
    const w = await sbc.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('config warning: SRTP over udp'));
    assert.equal(w.path, '/trunks/1/media/srtp');
  });
});
