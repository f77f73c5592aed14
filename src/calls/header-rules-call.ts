// The header rules of one call: each leg faces a trunk or a PBX (or a peer
// the config does not know), and what the call sends on that leg goes
// through that peer's rules (header-rules.ts). Toward a Vonage trunk the
// result is also checked for X-Nexmo* headers, which Vonage carries but does
// not deliver to the application (V-OUT-12): one warning per call names them.
import type { HeaderRule } from '../config/document.js';
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
