// One call, two transports: each leg runs on its own peer's transport.
// PBX over TCP -> SBC -> Vonage over UDP; PBX over UDP -> SBC -> trunk over
// TCP (V-OUT-9: Vonage takes UDP and TCP on 5060); and a LAN side on IPv6
// (::1) in front of an IPv4 UDP WAN side.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTestConfig, freePort, header, select, startSbcd, type Sbcd, type SippResult } from '../harness/index.js';
import { flow, passed, stopAndAssertIdle } from './flow-helpers.js';

function transportsOf(r: SippResult): Set<string> {
  return new Set(r.messages.map((m) => m.transport));
}

function viaTransport(r: SippResult, method: string): string | undefined {
  const m = select(r.messages, { direction: 'received', method })[0];
  return m && /^SIP\/2\.0\/(\w+)/.exec(header(m, 'via') ?? '')?.[1];
}

describe('mixed transports through sbcd', { timeout: 120_000 }, () => {
  let sbc: Sbcd | undefined;
  after(async () => {
    await sbc?.stop();
  });

  test('PBX over TCP, Vonage over UDP: the call and both hang-ups work, each leg on its own transport', async () => {
    sbc = await startSbcd();
    const a = await flow(sbc, { direction: 'pbx-to-vonage', uac: 'uac-basic', uas: 'uas-basic', uacTransport: 'tcp' });
    passed(a.uac, 1, 'caller (TCP)');
    passed(a.uas, 1, 'callee (UDP)');
    assert.deepEqual([...transportsOf(a.uac)], ['TCP']);
    assert.deepEqual([...transportsOf(a.uas)], ['UDP']);
    assert.equal(viaTransport(a.uas, 'INVITE'), 'UDP');
    const ok = select(a.uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' })[0]!;
    assert.match(header(ok, 'contact') ?? '', /transport=tcp/i, 'the SBC\'s Contact toward the PBX says TCP');

    // The callee hangs up: the SBC must reach the PBX over TCP.
    const b = await flow(sbc, { direction: 'pbx-to-vonage', uac: 'uac-expect-bye', uas: 'uas-bye', uacTransport: 'tcp', uasExtra: ['-d', '200'] });
    passed(b.uac, 1, 'caller (TCP)');
    passed(b.uas, 1, 'callee (UDP)');
    assert.equal(viaTransport(b.uac, 'BYE'), 'TCP', 'BYE to the PBX over TCP');
    assert.deepEqual([...transportsOf(b.uac)], ['TCP']);

    // In-dialog requests both ways with the caller on TCP: UPDATE, INFO
    // (one from each side), OPTIONS.
    const c = await flow(sbc, { direction: 'pbx-to-vonage', uac: 'flow-uac-update-info', uas: 'flow-uas-update-info', uacTransport: 'tcp' });
    passed(c.uac, 1, 'caller (TCP)');
    passed(c.uas, 1, 'callee (UDP)');
    assert.equal(viaTransport(c.uac, 'INFO'), 'TCP', 'the callee\'s INFO reached the PBX over TCP');
    await stopAndAssertIdle(sbc);
  });

  test('PBX over UDP, trunk over TCP (trunk transport tcp): INVITE, ACK, BYE to Vonage over TCP', async () => {
    await sbc?.stop();
    // The trunk's transport is part of the config.
    const cfg = await defaultTestConfig();
    cfg.trunks[0]!.transport = 'tcp';
    sbc = await startSbcd({ fullConfig: cfg });
    const a = await flow(sbc, { direction: 'pbx-to-vonage', uac: 'uac-basic', uas: 'uas-basic', uasTransport: 'tcp' });
    passed(a.uac, 1, 'caller (UDP)');
    passed(a.uas, 1, 'callee (TCP)');
    assert.deepEqual([...transportsOf(a.uac)], ['UDP']);
    assert.deepEqual([...transportsOf(a.uas)], ['TCP']);
    assert.equal(viaTransport(a.uas, 'INVITE'), 'TCP');
    assert.equal(viaTransport(a.uas, 'ACK'), 'TCP');
    assert.equal(viaTransport(a.uas, 'BYE'), 'TCP');
    const invite = select(a.uas.messages, { direction: 'received', method: 'INVITE' })[0]!;
    assert.match(invite.startLine, /;transport=tcp/i, 'R-URI says TCP');
    assert.match(header(invite, 'contact') ?? '', /transport=tcp/i);

    // The far side hangs up over TCP; Vonage calls in over TCP too.
    const b = await flow(sbc, { direction: 'pbx-to-vonage', uac: 'uac-expect-bye', uas: 'uas-bye', uasTransport: 'tcp', uasExtra: ['-d', '200'] });
    passed(b.uac, 1, 'caller (UDP)');
    passed(b.uas, 1, 'callee (TCP)');
    assert.equal(select(b.uac.messages, { direction: 'received', method: 'BYE' }).length, 1);
    const c = await flow(sbc, { direction: 'vonage-to-pbx', uac: 'uac-basic', uas: 'uas-basic', uacTransport: 'tcp' });
    passed(c.uac, 1, 'Vonage calling in (TCP)');
    passed(c.uas, 1, 'PBX (UDP)');

    // 100rel on the TCP leg: the SBC's PRACK goes over TCP as well.
    const d = await flow(sbc, { direction: 'pbx-to-vonage', uac: 'flow-uac-100rel', uas: 'flow-uas-100rel', uasTransport: 'tcp' });
    passed(d.uac, 1, 'caller (UDP)');
    passed(d.uas, 1, 'callee (TCP)');
    assert.equal(viaTransport(d.uas, 'PRACK'), 'TCP');
    await stopAndAssertIdle(sbc);
  });

  test('LAN side on IPv6 (::1), WAN side IPv4 UDP: both directions', async () => {
    await sbc?.stop();
    const lanPort = await freePort('::1');
    sbc = await startSbcd({
      config: {
        sides: { lan: { addresses: ['::1'], udp: lanPort, tcp: lanPort } },
        pbxs: [{ name: 'pbx', side: 'lan', host: '::1', port: await freePort('::1'), transport: 'udp', enabled: true }],
      },
    });
    const out = await flow(sbc, { direction: 'pbx-to-vonage', uac: 'uac-basic', uas: 'uas-basic' });
    passed(out.uac, 1, 'PBX on ::1');
    passed(out.uas, 1, 'Vonage on 127.0.0.20');
    const farInvite = select(out.uas.messages, { direction: 'received', method: 'INVITE' })[0]!;
    assert.doesNotMatch(farInvite.raw, /::1|\[::/, 'nothing IPv6 of the LAN leg shows on the WAN leg');
    const ok = select(out.uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' })[0]!;
    assert.match(header(ok, 'contact') ?? '', /\[::1\]/, 'the SBC\'s Contact on the LAN side is its IPv6 address, bracketed');

    const back = await flow(sbc, { direction: 'vonage-to-pbx', uac: 'uac-basic', uas: 'uas-basic' });
    passed(back.uac, 1, 'Vonage on 127.0.0.20');
    passed(back.uas, 1, 'PBX on ::1');
    const pbxInvite = select(back.uas.messages, { direction: 'received', method: 'INVITE' })[0]!;
    assert.match(pbxInvite.startLine, /@\[::1\]:\d+/, 'R-URI toward the PBX with a bracketed IPv6 host');
    assert.match(header(pbxInvite, 'via') ?? '', /\[::1\]:\d+/, 'Via from the IPv6 listener');
    await stopAndAssertIdle(sbc);
  });
});
