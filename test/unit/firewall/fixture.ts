// A config with the namespace addressing of the integration tests: LAN
// 192.0.2.1, WAN 198.51.100.1 + 2001:db8:100::1, Vonage 198.51.100.10, PBX 192.0.2.20.
import { defaultConfig } from '../../../src/config/default-config.js';
import type { ConfigDocument, FirewallTrunkConfig } from '../../../src/config/document.js';
import { validateDocument } from '../../../src/config/validate.js';

export function firewallDoc(trunk: Partial<FirewallTrunkConfig> = {}, edit: (d: ConfigDocument) => void = () => {}): ConfigDocument {
  const d = defaultConfig();
  d.sides.lan!.addresses = ['192.0.2.1'];
  d.sides.wan!.addresses = ['198.51.100.1', '2001:db8:100::1'];
  Object.assign(d.sides.wan!, { udp: 5060, tcp: 5060, tls: 5061 });
  d.trunks[0]!.endpoints = [{ host: '198.51.100.10', port: 5060 }];
  d.pbxs[0]!.host = '192.0.2.20';
  d.firewall.enabled = true;
  d.firewall.trunks = {
    vonage: { signalling_lists: ['vonage-signalling-later'], media_policy: 'open-range', media_lists: [], ...trunk },
  };
  edit(d);
  return validateDocument(d);
}
