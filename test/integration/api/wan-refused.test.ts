// The admin port from each side, in network namespaces (the firewall
// issue's topology): from the LAN (the PBX's network) the API answers over
// HTTPS; from the WAN (Vonage's network, an attacker's) nothing is there.
// The API listens only on the LAN side's address, but Linux takes a packet
// for any of its addresses on any interface, so a WAN peer that routes the
// LAN address through the box would reach it: the firewall drops that (the
// appliance runs with it on), and so does api.allowed_networks in the API
// itself when the firewall is off.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NETNS_ADDR, createTopology, deepMerge, netnsSkipReason, startSbcd, type ConfigDoc, type Sbcd, type Topology } from '../harness/index.js';

const skip = netnsSkipReason();
const SIP_PORT = 5060;
const API_PORT = 8443;

type Guard = 'firewall' | 'allowed_networks';

function config(guard: Guard): ConfigDoc {
  return deepMerge<ConfigDoc>(
    {
      version: 1,
      system: { name: 'edgesbc-api', log_level: 'info' },
      sip: { shutdown_grace_s: 1 },
      sides: {
        lan: { addresses: [NETNS_ADDR.sbcLan], udp: SIP_PORT, tcp: SIP_PORT, tls: 0 },
        wan: { addresses: [NETNS_ADDR.sbcWan], udp: SIP_PORT, tcp: SIP_PORT, tls: 0 },
      },
      trunks: [{ name: 'vonage', side: 'wan', transport: 'udp', endpoints: [{ host: NETNS_ADDR.vonage, port: SIP_PORT }], enabled: true }],
      pbxs: [{ name: 'pbx', side: 'lan', host: NETNS_ADDR.pbx, port: SIP_PORT, transport: 'udp', enabled: true }],
      routes: [
        { name: 'pbx-to-vonage', from_side: 'lan', to: { trunk: 'vonage' } },
        { name: 'vonage-to-pbx', from_side: 'wan', to: { pbx: 'pbx' } },
      ],
    },
    {
      api: { port: API_PORT, allowed_networks: guard === 'allowed_networks' ? ['192.0.2.0/24'] : [] },
      firewall:
        guard === 'firewall'
          ? { enabled: true, wan_interfaces: ['wan'], trunks: { vonage: { signalling_lists: [], media_policy: 'open-range', media_lists: [] } } }
          : { enabled: false },
    },
  );
}

// curl inside a namespace: the HTTP status, or "no answer" with curl's exit code.
async function curlStatus(topo: Topology, ns: string, url: string): Promise<string> {
  try {
    const out = await topo.run(ns, 'curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '3', url], 8000);
    return out.trim() === '000' ? 'no answer' : out.trim();
  } catch {
    return 'no answer';
  }
}

for (const guard of ['firewall', 'allowed_networks'] as const) {
  describe(`admin port by side (${guard === 'firewall' ? 'firewall on' : 'firewall off, api.allowed_networks = the LAN'})`, { skip, timeout: 90_000 }, () => {
    let topo: Topology;
    let sbc: Sbcd;
    before(async () => {
      topo = await createTopology({ prefix: 'esbc-api' });
      sbc = await startSbcd({ netns: topo.ns.sbc, fullConfig: config(guard) });
    });
    after(async () => {
      await sbc?.stop();
      await topo?.destroy();
    });

    test('the LAN reaches it over HTTPS; the WAN side does not, on any SBC address', async () => {
      const listening = sbc.logs().find((l) => l.msg === 'admin API listening');
      assert.deepEqual(listening?.listen, [`https://${NETNS_ADDR.sbcLan}:${API_PORT}/`]);
      assert.equal(await curlStatus(topo, topo.ns.pbx, `https://${NETNS_ADDR.sbcLan}:${API_PORT}/api/v1/auth/me`), '401', 'LAN: the API answers (not logged in)');
      assert.equal(await curlStatus(topo, topo.ns.pbx, `http://${NETNS_ADDR.sbcLan}:${API_PORT}/api/v1/auth/me`), 'no answer', 'LAN: no plain HTTP');
      for (const ns of [topo.ns.vonage, topo.ns.attacker]) {
        assert.equal(await curlStatus(topo, ns, `https://${NETNS_ADDR.sbcWan}:${API_PORT}/api/v1/auth/me`), 'no answer', `${ns}: WAN address`);
        assert.equal(await curlStatus(topo, ns, `https://${NETNS_ADDR.sbcLan}:${API_PORT}/api/v1/auth/me`), 'no answer', `${ns}: LAN address from the WAN`);
      }
    });
  });
}
