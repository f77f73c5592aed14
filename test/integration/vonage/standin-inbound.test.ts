// Self-test of the stand-in calling toward the SBC (V-IN-*), with SIPp on
// both ends and no SBC: a caller inside the Vonage network sends through an
// edge, so the far side sees the call arrive from 198.51.100.10; with a
// dashboard forward list the edge tries the URIs in order and fails over on
// 5xx and on a timeout of the given length.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createTopology, describeSipp, header, headerValues, netnsSkipReason, NETNS_ADDR, runSipp, select, startSipp, type Topology,
} from '../harness/index.js';
import { parseForwardList } from './forward-list.js';
import { startVonageStandin, VONAGE_ADDR, type VonageStandin } from './standin.js';

const skip = netnsSkipReason();
const DID = '15550001';

describe('forward list (the dashboard field, V-IN-1, V-IN-3, V-IN-4, V-IN-5)', () => {
  test('comma-separated URIs in order; timeout default 5000, bounded 2000-20000; tls default port 5061; sips legacy; media=srtp read, not sent', () => {
    const list = parseForwardList(
      'sip:1234@sbc.example.test;timeout=2000, sip:1234@sbc.example.test:5062;transport=tls;media=srtp ,sips:1234@192.0.2.1,sip:1234@192.0.2.1;transport=tls',
    );
    assert.deepEqual(list, [
      { uri: 'sip:1234@sbc.example.test', timeoutMs: 2000, tls: false, srtp: false },
      { uri: 'sip:1234@sbc.example.test:5062;transport=tls', timeoutMs: 5000, tls: true, srtp: true },
      { uri: 'sips:1234@192.0.2.1:5061', timeoutMs: 5000, tls: true, srtp: false },
      { uri: 'sip:1234@192.0.2.1:5061;transport=tls', timeoutMs: 5000, tls: true, srtp: false },
    ]);
    assert.throws(() => parseForwardList('sip:1@a.test;timeout=1999'), /2000-20000/);
    assert.throws(() => parseForwardList('sip:1@a.test;timeout=20001'), /2000-20000/);
    assert.throws(() => parseForwardList('sip:1@a.test,,sip:2@b.test'), /empty entry/);
    assert.throws(() => parseForwardList('tel:+15550001'), /not a sip/);
  });
});

describe('vonage stand-in: inbound calls toward the SBC (SIPp, no SBC)', { skip, timeout: 50_000 }, () => {
  let topo: Topology;
  let standin: VonageStandin;
  before(async () => {
    topo = await createTopology();
    standin = await startVonageStandin(topo, { endpoints: 1, dns: false, tls: 'off' });
  });
  after(async () => {
    await standin?.stop();
    await topo?.destroy();
  });

  test('a call from the inside caller arrives from the edge, record-routed, and BYE flows (V-IN-6: from Vonage\'s address)', async () => {
    const sbc = await startSipp({ netns: topo.ns.sbc, scenario: 'uas-basic', ip: NETNS_ADDR.sbcWan, port: 5070, calls: 1, timeoutMs: 15_000 });
    const caller = await runSipp({
      netns: topo.ns.vonage, scenario: 'uac-basic', ip: VONAGE_ADDR.caller, port: 5060,
      remote: { ip: NETNS_ADDR.sbcWan, port: 5070 }, service: DID, calls: 1, timeoutMs: 15_000,
      extra: standin.inboundViaArgs(),
    });
    const far = await sbc.done;
    assert.equal(caller.code, 0, describeSipp(caller));
    assert.equal(far.code, 0, describeSipp(far));
    const invite = select(far.messages, { direction: 'received', method: 'INVITE' })[0]!;
    assert.match(invite.startLine, new RegExp(`^INVITE sip:${DID}@198\\.51\\.100\\.1:5070 `));
    assert.match(headerValues(invite, 'Via')[0] ?? '', /^SIP\/2\.0\/UDP 198\.51\.100\.10(:5060)?;/);
    assert.match(header(invite, 'Record-Route') ?? '', /198\.51\.100\.10/);
    const bye = select(far.messages, { direction: 'received', method: 'BYE' })[0];
    assert.ok(bye, describeSipp(far));
    assert.match(headerValues(bye, 'Via')[0] ?? '', /^SIP\/2\.0\/UDP 198\.51\.100\.10(:5060)?;/, 'BYE comes through the edge too');
    assert.equal(standin.challenges({ callId: header(invite, 'Call-ID') }).length, 0, 'no digest toward the customer');
  });

  test('forward list: 503 from the first URI → the second answers (V-IN-1, V-IN-2)', async () => {
    const first = await startSipp({ netns: topo.ns.sbc, scenario: 'uas-503', ip: NETNS_ADDR.sbcWan, port: 5071, calls: 1, timeoutMs: 15_000 });
    const second = await startSipp({ netns: topo.ns.sbc, scenario: 'uas-basic', ip: NETNS_ADDR.sbcWan, port: 5072, calls: 1, timeoutMs: 15_000 });
    await standin.setInboundTargets(`sip:${DID}@${NETNS_ADDR.sbcWan}:5071;timeout=3000,sip:${DID}@${NETNS_ADDR.sbcWan}:5072`);
    const caller = await runSipp({
      netns: topo.ns.vonage, scenario: 'uac-basic', ip: VONAGE_ADDR.caller, port: 5061,
      remote: { ip: VONAGE_ADDR.edge1, port: 5060 }, service: DID, calls: 1, timeoutMs: 15_000,
    });
    const [a, b] = [await first.done, await second.done];
    assert.equal(caller.code, 0, describeSipp(caller));
    assert.equal(a.code, 0, describeSipp(a));
    assert.equal(b.code, 0, describeSipp(b));
    const callId = header(select(b.messages, { direction: 'received', method: 'INVITE' })[0]!, 'Call-ID');
    const steps = standin.events().filter((e) => e.callId === callId && e.event.startsWith('inbound-'));
    assert.deepEqual(steps.map((e) => [e.event, e.fields.index ?? e.fields.why]), [
      ['inbound-try', '0'], ['inbound-failover', '503'], ['inbound-try', '1'],
    ]);
    assert.equal(steps[0]!.fields.uri, `sip:${DID}@${NETNS_ADDR.sbcWan}:5071`, 'timeout is for Vonage, not in the Request-URI');
  });

  test('forward list: no response from the first URI → the second after its ;timeout (V-IN-3)', async () => {
    const mute = await topo.udpPeer(topo.ns.sbc, NETNS_ADDR.sbcWan, 5073);
    const second = await startSipp({ netns: topo.ns.sbc, scenario: 'uas-basic', ip: NETNS_ADDR.sbcWan, port: 5074, calls: 1, timeoutMs: 15_000 });
    await standin.setInboundTargets(`sip:${DID}@${NETNS_ADDR.sbcWan}:5073;timeout=2000,sip:${DID}@${NETNS_ADDR.sbcWan}:5074`);
    const caller = await runSipp({
      netns: topo.ns.vonage, scenario: 'uac-basic', ip: VONAGE_ADDR.caller, port: 5062,
      remote: { ip: VONAGE_ADDR.edge1, port: 5060 }, service: DID, calls: 1, timeoutMs: 15_000,
    });
    const b = await second.done;
    await mute.close();
    assert.equal(caller.code, 0, describeSipp(caller));
    assert.equal(b.code, 0, describeSipp(b));
    assert.ok(mute.received.length >= 1, 'the first target got the INVITE (and its retransmissions)');
    const callId = header(select(b.messages, { direction: 'received', method: 'INVITE' })[0]!, 'Call-ID');
    const tries = standin.events().filter((e) => e.callId === callId && e.event === 'inbound-try');
    const failover = standin.events().find((e) => e.callId === callId && e.event === 'inbound-failover');
    assert.equal(tries.length, 2);
    assert.equal(failover?.fields.why, 'timeout');
    const waited = tries[1]!.at - tries[0]!.at;
    assert.ok(waited >= 1900 && waited <= 2700, `failover after ${waited} ms, expected about 2000`);
  });
});
