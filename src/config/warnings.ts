// What a valid config may still get wrong: reported to the admin (sbcd logs
// them at start and at every commit), never a reason to refuse the config.
import type { ConfigDocument } from './document.js';
import type { ConfigProblem } from './errors.js';
import { parseCidr, type Cidr } from '../firewall/cidr.js';
import { vonageTrunkWarnings } from '../trunks/vonage-warnings.js';

function contains(block: Cidr, addr: Cidr): boolean {
  if (block.family !== addr.family) return false;
  const bits = block.family === 4 ? 32 : 128;
  const shift = BigInt(bits - block.len);
  return addr.addr >> shift === block.addr >> shift;
}

export function configWarnings(doc: ConfigDocument): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  doc.trunks.forEach((t, i) => {
    // V-OUT-10: Vonage takes SRTP on any transport but recommends TLS, or
    // the SDES keys (a=crypto) cross the internet in clear. Allowed, because
    // the customer may have no TLS path; said, because it defeats SRTP.
    if (t.media.srtp === 'sdes' && t.transport !== 'tls') {
      out.push({
        path: `/trunks/${i}/media/srtp`,
        message: `SRTP over ${t.transport}: the keys (a=crypto) travel in clear; Vonage recommends SIP over TLS with SRTP (V-OUT-10)`,
      });
    }
    out.push(...vonageTrunkWarnings(t, i));
  });
  // V-PS-3: a domain with an IP ACL refuses calls from addresses outside it.
  doc.sip_domains.forEach((d, i) => {
    if (d.auth !== 'acl') return;
    const acl = d.acl.map(parseCidr).filter((c): c is Cidr => typeof c !== 'string');
    for (const t of doc.trunks.filter((x) => x.sip_domain === d.name)) {
      const side = doc.sides[t.side];
      if (!side) continue;
      const addrs = side.advertised_address ? [side.advertised_address] : side.addresses;
      for (const a of addrs) {
        const c = parseCidr(a);
        if (typeof c !== 'string' && !acl.some((b) => contains(b, c))) {
          out.push({
            path: `/sip_domains/${i}/acl`,
            message: `trunk "${t.name}" sends from ${a}, which the ACL does not hold: Vonage will refuse its calls to "${d.name}" (V-PS-3)`,
          });
        }
      }
    }
  });
  return out;
}
