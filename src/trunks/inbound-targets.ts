// A route's ordered PBX list (`to.pbxs`, V-IN-1..3) as one route target:
// each enabled PBX becomes a hop carrying its own side, transport and
// timeout_ms. The call tries them in order (call.ts): the next one after a
// 5xx, a transport failure, or no response at all within timeout_ms.
//
// "Response" means any response to the INVITE, a 100 Trying included: the
// spec's words are "no response within" the timeout (seed 001/003), a
// provisional ends the client's wait for the next hop (RFC 3261 §17.1.1.2,
// Timer B), and the Vonage stand-in's Kamailio does the same (fr_timer
// stops on any provisional, then fr_inv_timer runs). After a provisional the
// call waits for the final as any call does (call.ts RING_TIMEOUT_MS).
// A PBX given up on is CANCELed only once it has sent a provisional
// (RFC 3261 §9.1, held by the engine); its INVITE is retransmitted until
// Timer B ends it, and a late 200 from it is ACKed and BYEd.
import type { PbxConfig, PbxTarget } from '../config/document.js';
import type { RouteTarget, Side, Transport } from '../calls/router.js';

export const DEFAULT_PBX_TIMEOUT_MS = 5000; // V-IN-3

/**
 * null when no PBX of the list is usable (all missing or disabled): the
 * route then answers 480 like any route whose target is disabled.
 */
export function inboundTarget(list: PbxTarget[], pbxs: Map<string, PbxConfig>): RouteTarget | null {
  const hops: RouteTarget['hops'] = [];
  for (const entry of list) {
    const p = pbxs.get(entry.pbx);
    // A registering PBX has no host: src/registrar/targets.ts puts its contact in.
    if (!p || p.enabled === false || (p.host === '' && p.registration?.mode !== 'register')) continue;
    hops.push({
      host: p.host,
      port: p.port,
      pbx: {
        name: p.name,
        side: p.side as Side,
        transport: p.transport as Transport,
        timeoutMs: entry.timeout_ms ?? DEFAULT_PBX_TIMEOUT_MS,
      },
    });
  }
  const first = hops[0]?.pbx;
  if (!first) return null;
  return { kind: 'pbx', name: first.name, side: first.side, transport: first.transport, hops, fromDomain: '' };
}

/**
 * Whether a final response from one PBX of the list moves the call to the
 * next (V-IN-2): the whole 5xx class and local failures (transport error,
 * transaction timeout) do; 4xx and 6xx go back to the caller (a 6xx is a
 * global failure, RFC 3261 §21.6: no other destination will do better).
 */
export function failsOver(status: number, local: boolean): boolean {
  return local || (status >= 500 && status < 600);
}
