// V-PS-4: Vonage calls the SBC from a Voice API NCCO `connect` action (an
// endpoint of type sip) with custom SIP headers. The Vonage side is the
// stand-in: an INVITE shaped as the seeds describe it (the NCCO's SIP URI as
// Request-URI, its `from` number as caller, the custom headers as X- headers)
// reaches the SBC through the edge at 198.51.100.10 (record-routed Kamailio)
// and the real sbcd routes it to the PBX (192.0.2.20). What the PBX received
// is read from its SIPp trace: the X- headers crossed by the header policy
// with their values intact, a header that is not an X- header stayed on the
// Vonage leg, and the PBX's own header_rules applied on top (one X- header
// removed, one added).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  createTopology, header, headerValues, NETNS_ADDR, netnsSkipReason, repoRoot, runSipp, select, startSbcd, startSipp,
  type ConfigDoc, type Sbcd, type Topology,
} from '../harness/index.js';
import { startVonageStandin, VONAGE_ADDR, type VonageStandin } from '../vonage/standin.js';

const skip = netnsSkipReason();
const DID = '14155550100';
const NCCO_CALL = join(repoRoot, 'test', 'integration', 'trunks', 'scenarios', 'vonage-uac-ncco-headers.xml');

describe('V-PS-4: a call from an NCCO connect action with custom SIP headers reaches the PBX per header policy', { skip, timeout: 60_000 }, () => {
  let topo: Topology;
  let vonage: VonageStandin;
  let sbc: Sbcd;

  before(async () => {
    topo = await createTopology();
    vonage = await startVonageStandin(topo, { endpoints: 1, dns: false, tls: 'off' });
    sbc = await startSbcd({
      netns: topo.ns.sbc,
      fullConfig: {
        version: 1,
        system: { name: 'edgesbc-ncco', log_level: 'info' },
        sip: { shutdown_grace_s: 1 },
        sides: {
          lan: { addresses: [NETNS_ADDR.sbcLan], udp: 5060, tcp: 5060, tls: 0 },
          wan: { addresses: [NETNS_ADDR.sbcWan], udp: 5060, tcp: 5060, tls: 0 },
        },
        trunks: [{ name: 'vonage', side: 'wan', transport: 'udp', endpoints: [{ host: VONAGE_ADDR.edge1, port: 5060 }] }],
        pbxs: [
          {
            name: 'pbx', side: 'lan', host: NETNS_ADDR.pbx, port: 5060, transport: 'udp',
            header_rules: [
              { action: 'remove', name: 'X-Account' },
              { action: 'add', name: 'X-Came-From', value: 'vonage-ncco' },
            ],
          },
        ],
        routes: [
          { name: 'out', from_side: 'lan', to: { trunk: 'vonage' } },
          { name: 'in', from_side: 'wan', match: { ruri_user: `^${DID}$` }, to: { pbx: 'pbx' } },
        ],
        firewall: { enabled: false },
      } as unknown as ConfigDoc,
    });
  });
  after(async () => {
    await sbc?.stop();
    await vonage?.stop();
    await topo?.destroy();
  });

  test('X-UserId, X-location, X-occupation arrive at the PBX unchanged; Organization does not; PBX header rules remove X-Account and add X-Came-From', async () => {
    const since = Date.now();
    const pbx = await startSipp({ netns: topo.ns.pbx, scenario: 'uas-bye', ip: NETNS_ADDR.pbx, port: 5060, calls: 1, timeoutMs: 20_000, name: 'pbx-ncco' });
    const caller = await runSipp({
      netns: topo.ns.vonage, scenario: NCCO_CALL, ip: VONAGE_ADDR.caller, port: 5060,
      remote: { ip: NETNS_ADDR.sbcWan, port: 5060 }, service: DID, calls: 1, timeoutMs: 20_000,
      extra: vonage.inboundViaArgs(), name: 'vonage-ncco',
    });
    const atPbx = await pbx.done;
    assert.equal(caller.code, 0, 'the Vonage side\'s call completed (200, ACK, BYE from the PBX)');
    assert.equal(atPbx.code, 0, 'the PBX answered and hung up');

    // The INVITE went through the edge (what Vonage sends), not straight to the SBC.
    const atEdge = vonage.requests({ method: 'INVITE', since: since - 1000 });
    assert.equal(atEdge.length, 1);
    assert.equal(header(atEdge[0]!.message!, 'X-UserId'), 'ABC123');

    const invite = select(atPbx.messages, { direction: 'received', method: 'INVITE' })[0];
    assert.ok(invite, 'the PBX got the INVITE');
    assert.match(invite.startLine, new RegExp(`^INVITE sip:${DID}@${NETNS_ADDR.pbx.replace(/\./g, '\\.')}`));
    assert.equal(header(invite, 'X-UserId'), 'ABC123');
    assert.equal(header(invite, 'X-location'), 'New York City');
    assert.equal(header(invite, 'X-occupation'), 'developer');
    assert.equal(header(invite, 'Organization'), undefined, 'not an X- header: stays on the Vonage leg');
    assert.deepEqual(headerValues(invite, 'X-Account'), [], 'removed by the PBX\'s header rule');
    assert.deepEqual(headerValues(invite, 'X-Came-From'), ['vonage-ncco'], 'added by the PBX\'s header rule');
    // Topology hiding still holds: nothing of Vonage's addresses in the PBX's INVITE headers.
    const head = invite.headers.map((h) => `${h.name}: ${h.value}`).join('\n');
    assert.ok(!head.includes(VONAGE_ADDR.edge1) && !head.includes(VONAGE_ADDR.caller), head);
  });
});
