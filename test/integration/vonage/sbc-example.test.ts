// The worked example of README.md: sbcd in the SBC namespace with its trunk
// pointing at the stand-in's edge1, a PBX SIPp at 192.0.2.20 placing a call.
// It asserts only what holds before and after the SBC learns digest
// (issue 5): the INVITE reaches Vonage from the SBC's WAN address with the
// dialled E.164 callee, its first attempt carries no credentials, and the
// stand-in challenges it with 407. The end-to-end tests of the trunk features
// build on this with their own assertions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createTopology, describeSipp, header, netnsSkipReason, NETNS_ADDR, runSipp, startSbcd, startSipp,
  type ConfigDoc, type Sbcd, type Topology,
} from '../harness/index.js';
import { startVonageStandin, VONAGE_ADDR, type VonageStandin } from './standin.js';

const skip = netnsSkipReason();
const CALLEE = '14155550100';

export function exampleConfig(): ConfigDoc {
  return {
    version: 1,
    system: { name: 'edgesbc-vonage', log_level: 'info' },
    sip: { shutdown_grace_s: 1 },
    sides: {
      lan: { addresses: [NETNS_ADDR.sbcLan], udp: 5060, tcp: 5060, tls: 0 },
      wan: { addresses: [NETNS_ADDR.sbcWan], udp: 5060, tcp: 5060, tls: 0 },
    },
    trunks: [{ name: 'vonage', side: 'wan', transport: 'udp', endpoints: [{ host: VONAGE_ADDR.edge1, port: 5060 }], enabled: true }],
    pbxs: [{ name: 'pbx', side: 'lan', host: NETNS_ADDR.pbx, port: 5060, transport: 'udp', enabled: true }],
    routes: [
      { name: 'pbx-to-vonage', from_side: 'lan', to: { trunk: 'vonage' } },
      { name: 'vonage-to-pbx', from_side: 'wan', to: { pbx: 'pbx' } },
    ],
    firewall: { enabled: false },
  };
}

describe('worked example: sbcd between a PBX SIPp and the Vonage stand-in', { skip, timeout: 40_000 }, () => {
  let topo: Topology;
  let standin: VonageStandin;
  let sbc: Sbcd;
  before(async () => {
    topo = await createTopology();
    standin = await startVonageStandin(topo, { endpoints: 1, dns: false });
    sbc = await startSbcd({ netns: topo.ns.sbc, fullConfig: exampleConfig() });
  });
  after(async () => {
    await sbc?.stop();
    await standin?.stop();
    await topo?.destroy();
  });

  test('the PBX call reaches Vonage from the SBC WAN address and is challenged with 407', async () => {
    const callee = await startSipp({ netns: topo.ns.vonage, scenario: 'uas-basic', ip: VONAGE_ADDR.callee, port: 5060, calls: 1, timeoutMs: 15_000 });
    const pbx = await runSipp({
      netns: topo.ns.pbx, scenario: 'uac-basic', ip: NETNS_ADDR.pbx, port: 5060,
      remote: { ip: NETNS_ADDR.sbcLan, port: 5060 }, service: CALLEE, calls: 1, timeoutMs: 10_000,
    });
    await callee.stop();
    const first = await standin.waitFor((e) => e.event === 'request' && e.method === 'INVITE', 5000, `an INVITE at the stand-in\n${describeSipp(pbx)}`);
    assert.equal(first.fields.src?.split(':')[0], NETNS_ADDR.sbcWan, 'from the SBC WAN address');
    assert.match(first.message!.startLine, new RegExp(`^INVITE sip:${CALLEE}@${VONAGE_ADDR.edge1.replace(/\./g, '\\.')}`));
    assert.equal(header(first.message!, 'Proxy-Authorization'), undefined, 'no credentials before a challenge');
    const ch = await standin.waitFor((e) => e.event === 'challenge' && e.callId === first.callId);
    assert.equal(ch.fields.code, '407');
    assert.equal(ch.fields.reason, 'no-credentials');
  });
});
