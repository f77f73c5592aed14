// Self-test of the stand-in's TLS policies (V-OUT-9: current = TLS 1.2 only,
// legacy = TLS >= 1.0) with openssl s_client, and of its digest variants
// (V-OUT-2: 401, algorithm=SHA-256, nonce reuse with nc, stale=true) with a
// few lines of digest client, since SIPp 3.6 does neither TLS nor SHA-256.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  createTopology, describeSipp, header, netnsSkipReason, NETNS_ADDR, startSipp, type SippHandle, type Topology, type UdpPeer,
} from '../harness/index.js';
import { digestCredentials, parseChallenge, requestText } from './digest-uac.js';
import { parseSipText } from './events.js';
import { tlsProbe } from './probes.js';
import { startVonageStandin, TEST_CREDENTIALS, VONAGE_ADDR, type VonageStandin } from './standin.js';

const skip = netnsSkipReason();
const EDGE = { ip: VONAGE_ADDR.edge1, port: 5061 };
const CALLEE = '14155550100';
const CALLER = '447700900001';

describe('vonage stand-in: TLS 1.2 only, 401 + SHA-256 digest with nonce counts', { skip, timeout: 50_000 }, () => {
  let topo: Topology;
  let standin: VonageStandin;
  let client: UdpPeer;
  let uas: SippHandle;

  before(async () => {
    topo = await createTopology();
    standin = await startVonageStandin(topo, { endpoints: 1, dns: false, challenge: 401, algorithm: 'SHA-256', nonceExpireS: 3 });
    client = await topo.udpPeer(topo.ns.sbc, NETNS_ADDR.sbcWan, 7000);
    // The callee refuses every call it gets: enough to show the INVITE got through.
    uas = await startSipp({ netns: topo.ns.vonage, scenario: 'uas-486', ip: VONAGE_ADDR.callee, port: 5060, calls: 2, timeoutMs: 40_000 });
  });
  after(async () => {
    await uas?.stop();
    await client?.close();
    await standin?.stop();
    await topo?.destroy();
  });

  test('TLS 1.2 is accepted; TLS 1.0, 1.1 and 1.3 are refused (V-OUT-9, current documents)', async () => {
    const ok = await tlsProbe(topo.ns.sbc, EDGE, '1.2');
    assert.ok(ok.ok, ok.output);
    assert.equal(ok.protocol, 'TLSv1.2');
    for (const v of ['1', '1.1', '1.3'] as const) {
      const r = await tlsProbe(topo.ns.sbc, EDGE, v);
      assert.equal(r.ok, false, `TLS ${v} must be refused:\n${r.output}`);
    }
  });

  test('a SIP request over TLS is logged with its transport and TLS version', async () => {
    const callId = `tls-${randomBytes(4).toString('hex')}`;
    const options = requestText({
      method: 'OPTIONS', uri: `sip:${EDGE.ip}:5061;transport=tls`, local: { ip: NETNS_ADDR.sbcWan, port: 5061 },
      fromUser: 'healthcheck', toUser: 'ping', host: EDGE.ip, callId, cseq: 1,
    }).replace('SIP/2.0/UDP', 'SIP/2.0/TLS');
    const r = await tlsProbe(topo.ns.sbc, EDGE, '1.2', options);
    assert.ok(r.ok, r.output);
    const ev = await standin.waitFor((e) => e.event === 'request' && e.callId === callId, 5000);
    assert.equal(ev.fields.proto, 'tls');
    assert.equal(ev.fields.tls, 'TLSv1.2');
  });

  // One request from the client, the first final response to it (by Call-ID and CSeq).
  async function exchange(text: string, callId: string, cseq: number): Promise<ReturnType<typeof parseSipText>> {
    const from = client.received.length;
    await client.send({ ip: VONAGE_ADDR.edge1, port: 5060 }, [Buffer.from(text)]);
    const isFinal = (d: { data: Buffer }): boolean => {
      const m = parseSipText(d.data.toString());
      return !!m && (m.status ?? 0) >= 200 && header(m, 'Call-ID') === callId && header(m, 'CSeq') === `${cseq} INVITE`;
    };
    const got = await client.waitFor((rx) => rx.slice(from).some(isFinal), 5000);
    assert.ok(got, `no final response to CSeq ${cseq} of ${callId}: ${client.describe()}`);
    return parseSipText(client.received.slice(from).find(isFinal)!.data.toString());
  }

  function invite(callId: string, cseq: number, credentials?: string): string {
    return requestText({
      method: 'INVITE', uri: `sip:${CALLEE}@${VONAGE_ADDR.edge1}`, local: { ip: NETNS_ADDR.sbcWan, port: 7000 },
      fromUser: CALLER, toUser: CALLEE, host: VONAGE_ADDR.edge1, callId, cseq,
      ...(credentials ? { extraHeaders: [`Authorization: ${credentials}`] } : {}),
    });
  }

  test('401 with algorithm=SHA-256; a SHA-256 answer gets through, an MD5 answer does not; the nonce is reused with nc and expires with stale=true (V-OUT-2)', async () => {
    const uri = `sip:${CALLEE}@${VONAGE_ADDR.edge1}`;
    const call1 = `sha-${randomBytes(4).toString('hex')}`;
    const challenge = await exchange(invite(call1, 1), call1, 1);
    assert.equal(challenge?.status, 401);
    const www = header(challenge!, 'WWW-Authenticate') ?? '';
    const ch = parseChallenge(www);
    assert.equal(ch.algorithm, 'SHA-256', www);
    assert.equal(ch.realm, 'vonage.test');
    assert.equal(ch.qop, 'auth');
    const creds = (nc: number, algorithm: 'MD5' | 'SHA-256' = 'SHA-256'): string =>
      digestCredentials({
        algorithm, username: TEST_CREDENTIALS.key, password: TEST_CREDENTIALS.secret, realm: ch.realm!, nonce: ch.nonce!,
        method: 'INVITE', uri, qop: 'auth', nc,
      });

    // MD5 where SHA-256 was asked: wrong credentials, challenged again.
    const md5 = await exchange(invite(call1, 2, creds(1, 'MD5')), call1, 2);
    assert.equal(md5?.status, 401);
    // SHA-256: through to the callee (who refuses with 486).
    const ok = await exchange(invite(call1, 3, creds(2)), call1, 3);
    assert.equal(ok?.status, 486, 'relayed to the callee');
    // (The stand-in logs a decision after sending its response: wait for the line.)
    await standin.waitFor((e) => e.event === 'auth-ok' && e.callId === call1);
    assert.equal(standin.events().filter((e) => e.event === 'auth-ok' && e.callId === call1).length, 1);

    // A new call reusing the nonce with a higher nc: no challenge.
    const call2 = `sha-${randomBytes(4).toString('hex')}`;
    const reuse = await exchange(invite(call2, 1, creds(3)), call2, 1);
    assert.equal(reuse?.status, 486, 'nonce reuse with a higher nc is accepted');
    await standin.waitFor((e) => e.event === 'auth-ok' && e.callId === call2);
    assert.equal(standin.challenges({ callId: call2 }).length, 0);

    // The same nc again: a replay. Kamailio calls it a stale nonce: challenged with stale=true.
    const call3 = `sha-${randomBytes(4).toString('hex')}`;
    const replay = await exchange(invite(call3, 1, creds(3)), call3, 1);
    assert.equal(replay?.status, 401);
    await standin.waitFor((e) => e.event === 'challenge' && e.callId === call3);
    assert.equal(parseChallenge(header(replay!, 'WWW-Authenticate') ?? '').stale?.toLowerCase(), 'true');
    assert.deepEqual(standin.challenges({ callId: call3 }).map((e) => [e.fields.reason, e.fields.stale]), [['stale-nonce', '1']]);

    // After nonce_expire (3 s; Kamailio counts whole seconds, so wait one more): stale=true again.
    await new Promise((r) => setTimeout(r, 4500));
    const call4 = `sha-${randomBytes(4).toString('hex')}`;
    const expired = await exchange(invite(call4, 1, creds(4)), call4, 1);
    assert.equal(expired?.status, 401);
    await standin.waitFor((e) => e.event === 'challenge' && e.callId === call4);
    assert.equal(parseChallenge(header(expired!, 'WWW-Authenticate') ?? '').stale?.toLowerCase(), 'true');
    assert.deepEqual(standin.challenges({ callId: call4 }).map((e) => [e.fields.reason, e.fields.stale]), [['stale-nonce', '1']]);

    const far = await uas.done;
    assert.equal(far.code, 0, describeSipp(far));
  });
});

describe('vonage stand-in: legacy TLS policy', { skip, timeout: 30_000 }, () => {
  let topo: Topology;
  let standin: VonageStandin;
  before(async () => {
    topo = await createTopology();
    standin = await startVonageStandin(topo, { endpoints: 1, dns: false, tls: 'legacy' });
  });
  after(async () => {
    await standin?.stop();
    await topo?.destroy();
  });

  test('TLS 1.0, 1.1 and 1.2 are all accepted (V-OUT-9, legacy documents)', async () => {
    for (const v of ['1', '1.1', '1.2'] as const) {
      const r = await tlsProbe(topo.ns.sbc, EDGE, v);
      assert.ok(r.ok, `TLS ${v}:\n${r.output}`);
      assert.equal(r.protocol, v === '1' ? 'TLSv1' : `TLSv${v}`);
    }
  });
});
