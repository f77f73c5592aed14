// The header rules of one call: each leg faces a trunk or a PBX (or a peer
// the config does not know), and what the call sends on that leg goes
// through that peer's rules (header-rules.ts). Toward a Vonage trunk the
// result is also checked for X-Nexmo* headers, which Vonage carries but does
// not deliver to the application (V-OUT-12): one warning per call names them.
import type { ConfigDocument, HeaderRule } from '../config/document.js';
import type { Logger } from '../log.js';
import type { HeaderList } from '../sip/index.js';
import { xNexmoHeaders } from './header-policy.js';
import { compileHeaderRules } from './header-rules.js';
import type { LegName } from './leg.js';

export interface LegPeer {
  /** The trunk or PBX this leg faces ("" = unknown peer). */
  name: string;
  kind: 'trunk' | 'pbx' | '';
  /** A trunk of kind vonage. */
  vonage: boolean;
  headerRules: readonly HeaderRule[];
}

/** The log message (its `headers` field names them). */
export const X_NEXMO_WARNING = 'X-Nexmo headers are not delivered by Vonage (V-OUT-12)';

export const UNKNOWN_PEER: LegPeer = { name: '', kind: '', vonage: false, headerRules: [] };

/** The config of the trunk or PBX `ref` names, as a leg sees it. */
export function legPeerOf(doc: ConfigDocument, ref: { kind: 'trunk' | 'pbx'; name: string } | null): LegPeer {
  if (ref?.kind === 'trunk') {
    const t = doc.trunks.find((x) => x.name === ref.name);
    if (t) return { name: t.name, kind: 'trunk', vonage: t.kind === 'vonage', headerRules: t.header_rules };
  } else if (ref?.kind === 'pbx') {
    const p = doc.pbxs.find((x) => x.name === ref.name);
    if (p) return { name: p.name, kind: 'pbx', vonage: false, headerRules: p.header_rules };
  }
  return UNKNOWN_PEER;
}

export class CallHeaderRules {
  readonly #callId: string;
  readonly #peers: Record<LegName, LegPeer>;
  readonly #log: Logger;
  readonly #apply: Record<LegName, (h: HeaderList) => HeaderList>;
  #warnedNexmo = false;

  constructor(callId: string, peers: Record<LegName, LegPeer>, log: Logger) {
    this.#callId = callId;
    this.#peers = peers;
    this.#log = log;
    this.#apply = { a: compileHeaderRules(peers.a.headerRules), b: compileHeaderRules(peers.b.headerRules) };
  }

  peer(leg: LegName): LegPeer {
    return this.#peers[leg];
  }

  /** The headers of a request or response the call sends on `leg`, after that peer's rules. */
  toward(leg: LegName, headers: HeaderList): HeaderList {
    const out = this.#apply[leg](headers);
    const peer = this.#peers[leg];
    if (peer.vonage && !this.#warnedNexmo) {
      const nexmo = xNexmoHeaders(out);
      if (nexmo.length > 0) {
        this.#warnedNexmo = true;
        this.#log.warn({ call: this.#callId, trunk: peer.name, headers: [...new Set(nexmo)] }, X_NEXMO_WARNING);
      }
    }
    return out;
  }
}
