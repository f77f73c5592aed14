// Defaults that depend on another field, which JSON Schema cannot express.
// They are filled in before the schema runs (the schema then fills the
// rest), and only where the field is absent: a value written in the
// document always wins.
//
// - trunks[].endpoints[].port: 5061 when the trunk's transport is tls, else
//   5060 (Vonage: UDP/TCP 5060, TLS 5061, V-OUT-9).
// - trunks[].media.srtp: sdes when the trunk's transport is tls, else off.
//   The transport itself defaults to tls, so a new trunk gets SIP over TLS
//   and SRTP (V-OUT-9, V-OUT-10: the keys in a=crypto are only safe inside
//   TLS).
// - trunks[].media.codecs: for kind vonage, the list Vonage takes
//   (data/vonage/codecs/vonage.json, V-OUT-6, V-OUT-7).
import { vonageCodecList } from '../trunks/codec-lists.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// The schema default of trunks[].transport (schema/trunk.ts).
const DEFAULT_TRUNK_TRANSPORT = 'tls';

export function fillDependentDefaults(doc: unknown): void {
  if (!isObj(doc) || !Array.isArray(doc.trunks)) return;
  for (const t of doc.trunks) {
    if (!isObj(t)) continue;
    const transport = t.transport === undefined ? DEFAULT_TRUNK_TRANSPORT : t.transport;
    if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls') continue; // the schema reports it
    const tls = transport === 'tls';
    if (Array.isArray(t.endpoints)) {
      for (const e of t.endpoints) if (isObj(e) && e.port === undefined) e.port = tls ? 5061 : 5060;
    }
    if (t.media === undefined) t.media = {};
    if (isObj(t.media) && t.media.srtp === undefined) t.media.srtp = tls ? 'sdes' : 'off';
    if (t.kind === 'vonage' && isObj(t.media) && t.media.codecs === undefined) t.media.codecs = [...vonageCodecList().codecs];
  }
}
