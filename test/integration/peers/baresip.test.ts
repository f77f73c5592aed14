// A real SIP phone (baresip 1.0) on the PBX side calls through the SBC, over
// UDP and over TLS (the SBC's self-signed certificate; baresip 1.0 with
// Debian's libre does not verify a server certificate, so no setting is
// needed), to a SIPp callee on the Vonage side that answers 200. Asserted on
// both ends: baresip reports the call established and then closed; the
// callee received the INVITE from the SBC's WAN address, answered 200, got
// the ACK and then the BYE, and saw nothing of the PBX side's addressing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  ADDR, describeSipp, freePort, header, ipPattern, repoRoot, select, startSbcd, startSipp, type Sbcd,
} from '../harness/index.js';
import { Baresip } from './baresip.js';

// The XML stays in the source tree (dist/ only holds the compiled test).
const scenario = join(repoRoot, 'test', 'integration', 'peers', 'uas-answer-loopback.xml');

let sbc: Sbcd;
let phoneSipPort: number;

function tcpFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host: ip, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** baresip listens for SIP on UDP+TCP at its port and for TLS at port + 1. */
async function phonePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const p = await freePort(ADDR.pbx);
    if (p < 65535 && (await tcpFree(ADDR.pbx, p + 1))) return p;
  }
  throw new Error('no port p with p+1 free on ' + ADDR.pbx);
}

before(async () => {
  phoneSipPort = await phonePort();
  sbc = await startSbcd({
    tls: true,
    config: {
      pbxs: [
        { name: 'pbx', side: 'lan', host: ADDR.pbx, port: phoneSipPort, transport: 'udp', enabled: true },
        // baresip's TLS connections leave from the primary loopback address
        // (libre does not bind outgoing TCP to sip_listen's address).
        { name: 'pbx-tls', side: 'lan', host: '127.0.0.1', port: phoneSipPort + 1, transport: 'tls', enabled: true },
      ],
    },
  });
});

after(async () => {
  if (sbc) await sbc.stop();
});

async function callThrough(transport: 'udp' | 'tls'): Promise<void> {
  const rtpPort = await freePort(ADDR.vonage);
  const uas = await startSipp({
    scenario,
    ip: sbc.vonage.ip,
    port: sbc.vonage.port,
    calls: 1,
    keys: { rtp_port: rtpPort },
    timeoutMs: 30_000,
    name: `baresip-${transport}-uas`,
  });
  const phone = await Baresip.start({ ip: ADDR.pbx, sipPort: phoneSipPort, ctrlPort: await freePort(ADDR.pbx), timeoutMs: 40_000 });
  try {
    const port = transport === 'udp' ? sbc.lan.udp : sbc.lan.tls;
    const target = `sip:14155550100@${sbc.lan.ip}:${port};transport=${transport}`;
    phone.command('dial', target);

    const established = await phone.waitFor((e) => e.type === 'CALL_ESTABLISHED', 10_000);
    assert.ok(established, `no CALL_ESTABLISHED at baresip for ${target}\n${phone.describe()}\n${sbc.stdout().slice(-3000)}`);
    // Talk for a moment (ausine → PCMU flows), then the phone hangs up.
    await new Promise((r) => setTimeout(r, 1000));
    phone.command('hangup');
    const closed = await phone.waitFor((e) => e.type === 'CALL_CLOSED', 5000);
    assert.ok(closed, `no CALL_CLOSED at baresip\n${phone.describe()}`);

    const far = await uas.done;
    const msgs = far.messages;
    const got = (method: string): number => select(msgs, { direction: 'received', method }).length;
    assert.equal(far.code, 0, `SIPp callee did not complete the call\n${describeSipp(far)}`);
    assert.ok(got('INVITE') >= 1, `callee got no INVITE\n${describeSipp(far)}`);
    assert.ok(select(msgs, { direction: 'sent', status: 200, cseq: 'INVITE' }).length >= 1, 'callee sent no 200 to the INVITE');
    assert.ok(got('ACK') >= 1, `callee got no ACK for its 200\n${describeSipp(far)}`);
    assert.ok(got('BYE') >= 1, `callee got no BYE after baresip hung up\n${describeSipp(far)}`);
    assert.ok(select(msgs, { direction: 'sent', status: 200, cseq: 'BYE' }).length >= 1, 'callee did not answer the BYE');

    // The B2BUA's INVITE: from its WAN side, with no trace of the LAN side.
    const invite = select(msgs, { direction: 'received', method: 'INVITE' })[0]!;
    assert.match(header(invite, 'via') ?? '', ipPattern(sbc.wan.ip), 'top Via of the INVITE is not the SBC WAN address');
    const sipHeaders = invite.raw.split(/\r?\n\r?\n/)[0] ?? '';
    assert.doesNotMatch(sipHeaders, ipPattern(ADDR.pbx), 'PBX address leaked into the headers on the trunk side');
    assert.doesNotMatch(sipHeaders, ipPattern(sbc.lan.ip), 'SBC LAN address leaked into the headers on the trunk side');
    assert.match(invite.startLine, /^INVITE sip:\+?14155550100@/, `R-URI user not carried: ${invite.startLine}`);
  } finally {
    await phone.stop();
    await uas.stop();
  }
}

describe('baresip (PBX-side phone) through the SBC to a SIPp callee', () => {
  test('call over UDP: established, ACKed, torn down by BYE', async () => {
    await callThrough('udp');
  });
  test('call over TLS to the SBC (self-signed certificate): established, ACKed, torn down by BYE', async () => {
    await callThrough('tls');
  });
});
