// The numbers of a call leaving toward a trunk (V-OUT-4, V-OUT-5): the
// caller ID by the trunk's policy, and on a Vonage trunk both numbers in
// E.164 without "+". A callee that cannot be written so is refused 484
// Address Incomplete (RFC 3261 §21.4.22: the Request-URI is not in a form
// we can route); a caller ID that cannot is refused 403, because a 484
// asks the PBX for more digits of the callee, which would not help.
import type { TrunkConfig } from '../config/document.js';
import { parseNameAddr, parseUri } from '../sip/index.js';
import { normaliseNumber } from './numbers.js';

export interface OutboundNumbers {
  ruriUser: string;
  fromUser: string;
}

export type OutboundDecision =
  | ({ ok: true } & OutboundNumbers)
  | { ok: false; status: 484 | 403; reason: string; why: string };

/** The user part of a P-Asserted-Identity value, if it has one. */
function paiUser(pai: string | undefined): string | undefined {
  if (!pai) return undefined;
  const first = pai.split(/,(?=\s*(?:"[^"]*"\s*)?<)/)[0] ?? pai;
  const na = parseNameAddr(first.trim());
  const uri = na ? parseUri(na.uri) : null;
  if (uri?.user) return uri.user;
  const tel = /<?tel:([^;>]+)/i.exec(first);
  return tel?.[1];
}

export function outboundNumbers(
  trunk: Pick<TrunkConfig, 'kind' | 'country' | 'caller_id'>,
  ruriUser: string,
  fromUser: string,
  pai: string | undefined,
): OutboundDecision {
  const callerId =
    trunk.caller_id.mode === 'fixed' ? trunk.caller_id.number : trunk.caller_id.mode === 'pai' ? (paiUser(pai) ?? fromUser) : fromUser;
  if (trunk.kind !== 'vonage') return { ok: true, ruriUser, fromUser: callerId };
  const callee = normaliseNumber(ruriUser, trunk.country);
  if (!callee.ok) {
    return { ok: false, status: 484, reason: 'Address Incomplete', why: `callee not E.164 (V-OUT-4): ${callee.reason}` };
  }
  const caller = normaliseNumber(callerId, trunk.country);
  if (!caller.ok) {
    return { ok: false, status: 403, reason: 'Caller ID Not E.164', why: `caller ID not E.164 (V-OUT-5): ${caller.reason}` };
  }
  return { ok: true, ruriUser: callee.e164, fromUser: caller.e164 };
}

/** A Warning header value (RFC 3261 §20.43, code 399) carrying `why`. */
export function warningValue(host: string, why: string): string {
  return `399 ${host} "${why.replace(/["\\]/g, "'")}"`;
}
