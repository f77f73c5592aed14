// Self-test of the Vonage stand-in, driven with SIPp directly (no SBC): it
// challenges, accepts the test key/secret, refuses numbers that are not
// E.164 without "+", answers OPTIONS until told not to, can be stopped per
// endpoint, and its dnsmasq answers the RFC 3263 records.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  createTopology, describeSipp, header, netnsSkipReason, NETNS_ADDR, repoRoot, runSipp, select, startSipp,
  type SippArgs, type SippResult, type Topology,
} from '../harness/index.js';
import { dnsLookup } from './probes.js';
import { startVonageStandin, TEST_CREDENTIALS, VONAGE_ADDR, VONAGE_HOSTS, type VonageStandin } from './standin.js';

const skip = netnsSkipReason();
const scenario = (name: string): string => join(repoRoot, 'test', 'integration', 'vonage', 'scenarios', `${name}.xml`);
const CALLER = '447700900001';
const CALLEE = '14155550100';

describe('vonage stand-in (SIPp, no SBC)', { skip, timeout: 55_000 }, () => {
  let topo: Topology;
  let standin: VonageStandin;
  let sippPort = 6000;

  before(async () => {
    topo = await createTopology();
    standin = await startVonageStandin(topo);
  });
  after(async () => {
    await standin?.stop();
    await topo?.destroy();
  });

  // A UAC where the SBC's WAN side would be.
  function uac(over: Partial<SippArgs> & { scenario: string }): Promise<SippResult> {
    return runSipp({
      netns: topo.ns.sbc,
      ip: NETNS_ADDR.sbcWan,
      port: sippPort++,
      remote: { ip: VONAGE_ADDR.edge1, port: 5060 },
      calls: 1,
      service: CALLEE,
      keys: { from: CALLER },
      timeoutMs: 15_000,
      ...over,
    });
  }
  const auth = ['-au', TEST_CREDENTIALS.key, '-ap', TEST_CREDENTIALS.secret];

  test('an INVITE without credentials gets 407 with a digest challenge for the realm (V-OUT-2)', async () => {
    const r = await uac({ scenario: scenario('uac-no-credentials') });
    assert.equal(r.code, 0, describeSipp(r));
    const challenge = select(r.messages, { direction: 'received', status: 407 })[0];
    assert.ok(challenge, describeSipp(r));
    const pa = header(challenge, 'Proxy-Authenticate') ?? '';
    assert.match(pa, /^Digest /);
    assert.match(pa, /realm="vonage\.test"/);
    assert.match(pa, /nonce="[^"]+"/);
    assert.match(pa, /qop="auth"/);
    const callId = header(challenge, 'Call-ID');
    // The stand-in logs a decision just after sending its response: wait for the line.
    await standin.waitFor((e) => e.event === 'challenge' && e.callId === callId);
    const ch = standin.challenges({ callId });
    assert.equal(ch.length, 1);
    assert.equal(ch[0]!.fields.reason, 'no-credentials');
    assert.equal(ch[0]!.fields.code, '407');
  });

  test('with -au key -ap secret the call reaches the callee and BYE flows through the record-route (V-OUT-2)', async () => {
    const uas = await startSipp({ netns: topo.ns.vonage, scenario: 'uas-basic', ip: VONAGE_ADDR.callee, port: 5060, calls: 1, timeoutMs: 15_000 });
    const r = await uac({ scenario: scenario('uac-auth'), extra: auth });
    const far = await uas.done;
    assert.equal(r.code, 0, describeSipp(r));
    assert.equal(far.code, 0, describeSipp(far));
    const invite = select(far.messages, { direction: 'received', method: 'INVITE' })[0];
    assert.ok(invite, describeSipp(far));
    assert.match(invite.startLine, new RegExp(`^INVITE sip:${CALLEE}@`));
    assert.equal(header(invite, 'X-UserId'), 'standin-selftest');
    assert.equal(header(invite, 'Proxy-Authorization'), undefined, 'credentials are consumed at the edge');
    assert.match(header(invite, 'Record-Route') ?? '', /198\.51\.100\.10/);
    assert.equal(select(far.messages, { direction: 'received', method: 'BYE' }).length, 1);

    const callId = header(invite, 'Call-ID');
    await standin.waitFor((e) => e.event === 'auth-ok' && e.callId === callId);
    assert.equal(standin.challenges({ callId }).length, 1, 'one challenge, then accepted');
    assert.equal(standin.events().filter((e) => e.event === 'auth-ok' && e.callId === callId).length, 1);
    const seen = standin.requests({ callId, method: 'INVITE' });
    assert.equal(seen.length, 2);
    assert.equal(seen[0]!.fields.src, `${NETNS_ADDR.sbcWan}:${sippPort - 1}`);
    assert.match(header(seen[1]!.message!, 'Proxy-Authorization') ?? '', new RegExp(`username="${TEST_CREDENTIALS.key}"`));
    assert.ok(!seen[1]!.fields.msg!.includes(TEST_CREDENTIALS.secret), 'the secret itself never travels');
  });

  test('over TCP too; the request log says which transport carried it', async () => {
    const uas = await startSipp({ netns: topo.ns.vonage, scenario: 'uas-basic', ip: VONAGE_ADDR.callee, port: 5060, calls: 1, timeoutMs: 15_000 });
    const r = await uac({ scenario: scenario('uac-auth'), extra: auth, transport: 'tcp' });
    const far = await uas.done;
    assert.equal(r.code, 0, describeSipp(r));
    assert.equal(far.code, 0, describeSipp(far));
    const callId = header(select(far.messages, { direction: 'received', method: 'INVITE' })[0]!, 'Call-ID');
    const inv = standin.requests({ callId, method: 'INVITE' });
    assert.deepEqual(inv.map((e) => e.fields.proto), ['tcp', 'tcp']);
  });

  test('a wrong secret is challenged again, and the stand-in counts it (no silent acceptance)', async () => {
    const r = await uac({ scenario: scenario('uac-auth'), extra: ['-au', TEST_CREDENTIALS.key, '-ap', 'not-the-secret'] });
    assert.equal(r.code, 0, describeSipp(r));
    const finals = select(r.messages, { direction: 'received' }).filter((m) => (m.status ?? 0) >= 200);
    assert.deepEqual(finals.map((m) => m.status), [407, 407]);
    const callId = header(finals[0]!, 'Call-ID');
    await standin.waitFor((e) => e.event === 'challenge' && e.callId === callId && e.fields.reason === 'wrong-password');
    assert.deepEqual(standin.challenges({ callId }).map((e) => e.fields.reason), ['no-credentials', 'wrong-password']);
  });

  const refusals: Array<[string, string, string, number, string]> = [
    ['"+" before the callee', `+${CALLEE}`, CALLER, 484, 'ruri-not-e164'],
    ['a national callee', '02079460000', CALLER, 484, 'ruri-not-e164'],
    ['a 00-prefixed callee', `00${CALLEE}`, CALLER, 484, 'ruri-not-e164'],
    ['a 011-prefixed callee', `011${CALLEE}`, CALLER, 484, 'ruri-not-e164'],
    ['a too short callee', '1234567', CALLER, 484, 'ruri-not-e164'],
    ['"+" before the caller ID', CALLEE, `+${CALLER}`, 403, 'from-not-e164'],
    ['a national caller ID', CALLEE, '07700900001', 403, 'from-not-e164'],
  ];
  for (const [what, callee, caller, code, why] of refusals) {
    test(`${what} is refused with ${code} after authentication (V-OUT-4/5)`, async () => {
      const r = await uac({ scenario: scenario('uac-auth'), extra: auth, service: callee, keys: { from: caller } });
      assert.equal(r.code, 0, describeSipp(r));
      const finals = select(r.messages, { direction: 'received' }).filter((m) => (m.status ?? 0) >= 200);
      assert.deepEqual(finals.map((m) => m.status), [407, code], describeSipp(r));
      assert.match(header(finals[1]!, 'Warning') ?? '', /E\.164 without \+/);
      const callId = header(finals[1]!, 'Call-ID');
      await standin.waitFor((e) => e.event === 'replied' && e.callId === callId);
      assert.deepEqual(standin.replies({ callId }).map((e) => e.fields.why), [why]);
    });
  }

  test('OPTIONS get 200 on both edges; an edge told to stop answering stays silent, the other keeps answering (V-OUT-8)', async () => {
    for (const ip of [VONAGE_ADDR.edge1, VONAGE_ADDR.edge2]) {
      const r = await uac({ scenario: scenario('uac-options'), remote: { ip, port: 5060 } });
      assert.equal(r.code, 0, describeSipp(r));
    }
    await standin.edge1.answerOptions(false);
    try {
      const silent = await uac({ scenario: scenario('uac-options') });
      assert.notEqual(silent.code, 0, describeSipp(silent));
      assert.equal(select(silent.messages, { direction: 'received' }).length, 0, describeSipp(silent));
      await standin.waitFor((e) => e.event === 'dropped' && e.fields.why === 'options-off');
      const other = await uac({ scenario: scenario('uac-options'), remote: { ip: VONAGE_ADDR.edge2, port: 5060 } });
      assert.equal(other.code, 0, describeSipp(other));
    } finally {
      await standin.edge1.answerOptions(true);
    }
    const back = await uac({ scenario: scenario('uac-options') });
    assert.equal(back.code, 0, describeSipp(back));
  });

  test('modes: reject503 answers new INVITEs 503; a stopped edge is gone (ICMP) and comes back on start()', async () => {
    await standin.edge2!.setMode('reject503');
    const r = await uac({ scenario: scenario('uac-auth'), extra: auth, remote: { ip: VONAGE_ADDR.edge2, port: 5060 } });
    await standin.edge2!.setMode('normal');
    const finals = select(r.messages, { direction: 'received' }).filter((m) => (m.status ?? 0) >= 200);
    assert.deepEqual(finals.map((m) => m.status), [503], describeSipp(r));

    await standin.edge2!.stop();
    assert.equal(standin.edge2!.running, false);
    const t0 = Date.now();
    const down = await uac({ scenario: scenario('uac-options'), remote: { ip: VONAGE_ADDR.edge2, port: 5060 } });
    assert.notEqual(down.code, 0, describeSipp(down));
    const up = await uac({ scenario: scenario('uac-options') });
    assert.equal(up.code, 0, `edge1 unaffected by edge2 stopping\n${describeSipp(up)}`);
    assert.ok(Date.now() - t0 < 8000);
    await standin.edge2!.start();
    const again = await uac({ scenario: scenario('uac-options'), remote: { ip: VONAGE_ADDR.edge2, port: 5060 } });
    assert.equal(again.code, 0, describeSipp(again));
  });

  test('dnsmasq: NAPTR → SRV → A for the test domain, priorities and weights as published (V-OUT-1, V-OUT-3)', async () => {
    const dns = standin.dns!;
    const ns = topo.ns.sbc;
    const naptr = await dnsLookup(ns, dns.ip, 'NAPTR', VONAGE_HOSTS.failover);
    assert.ok(naptr.ok, JSON.stringify(naptr));
    const records = (naptr.answer as Array<{ order: number; service: string; replacement: string; flags: string }>)
      .sort((a, b) => a.order - b.order)
      .map((r) => [r.order, r.flags.toLowerCase(), r.service, r.replacement]);
    assert.deepEqual(records, [
      [10, 's', 'SIPS+D2T', '_sips._tcp.sip-us.vonage.test'],
      [20, 's', 'SIP+D2T', '_sip._tcp.sip-us.vonage.test'],
      [30, 's', 'SIP+D2U', '_sip._udp.sip-us.vonage.test'],
    ]);

    const srv = await dnsLookup(ns, dns.ip, 'SRV', '_sip._udp.sip-us.vonage.test');
    assert.ok(srv.ok, JSON.stringify(srv));
    const byPrio = (srv.answer as Array<{ name: string; port: number; priority: number; weight: number }>)
      .sort((a, b) => a.priority - b.priority)
      .map((r) => [r.priority, r.weight, r.port, r.name]);
    assert.deepEqual(byPrio, [[10, 100, 5060, VONAGE_HOSTS.edge1], [20, 100, 5060, VONAGE_HOSTS.edge2]]);

    const tls = await dnsLookup(ns, dns.ip, 'SRV', '_sips._tcp.sip-lb.vonage.test');
    assert.ok(tls.ok, JSON.stringify(tls));
    const lb = (tls.answer as Array<{ name: string; port: number; priority: number; weight: number }>)
      .sort((a, b) => b.weight - a.weight)
      .map((r) => [r.priority, r.weight, r.port, r.name]);
    assert.deepEqual(lb, [[10, 70, 5061, VONAGE_HOSTS.edge1], [10, 30, 5061, VONAGE_HOSTS.edge2]]);

    for (const [host, ip] of [[VONAGE_HOSTS.edge1, VONAGE_ADDR.edge1], [VONAGE_HOSTS.edge2, VONAGE_ADDR.edge2], [VONAGE_HOSTS.aOnly, VONAGE_ADDR.edge1]] as const) {
      const a = await dnsLookup(ns, dns.ip, 'A', host);
      assert.ok(a.ok, JSON.stringify(a));
      assert.deepEqual((a.answer as Array<{ address: string; ttl: number }>).map((x) => [x.address, x.ttl]), [[ip, 30]]);
    }
    const none = await dnsLookup(ns, dns.ip, 'SRV', '_sip._udp.sip-a.vonage.test');
    assert.equal(none.ok, false);
    const nx = await dnsLookup(ns, dns.ip, 'A', 'nothing-here.vonage.test');
    assert.deepEqual(nx.ok ? 'answered' : nx.code, 'ENOTFOUND');
    assert.ok(dns.queries.some((q) => q.type === 'NAPTR' && q.name === VONAGE_HOSTS.failover && q.from === NETNS_ADDR.sbcWan));

    // The namespace's system resolver, once pointed at the stand-in.
    assert.equal((await dnsLookup(ns, '-', 'A', VONAGE_HOSTS.edge2)).ok, false, 'not before useDnsIn');
    standin.useDnsIn(ns);
    const viaResolvConf = await dnsLookup(ns, '-', 'A', VONAGE_HOSTS.edge2);
    assert.ok(viaResolvConf.ok, JSON.stringify(viaResolvConf));
    assert.deepEqual((viaResolvConf.answer as Array<{ address: string }>).map((x) => x.address), [VONAGE_ADDR.edge2]);
  });
});
