// The Request-URI host of calls to a trunk that names a Vonage Programmable
// SIP domain (V-PS-1): sip:NUMBER@NAME.sip-REGION.nexmo.com. The INVITE
// still goes to the trunk's endpoint (its next hop); only the Request-URI
// (and To) name the domain, which is how Vonage finds the application. A
// domain always has its region (V-PS-2: refused at config time otherwise).
import type { ConfigDocument, TrunkConfig } from '../config/document.js';

/** "NAME.sip-REGION.nexmo.com" for the trunk's sip_domain, or "" when it names none (or an unknown one). */
export function sipDomainHost(trunk: Pick<TrunkConfig, 'sip_domain'>, domains: ConfigDocument['sip_domains'] | undefined): string {
  if (!trunk.sip_domain) return '';
  const d = (domains ?? []).find((x) => x.name === trunk.sip_domain);
  if (!d || !d.region) return '';
  return `${d.name}.sip-${d.region}.nexmo.com`.toLowerCase();
}
