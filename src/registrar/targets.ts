// A route's PBX target with each registering PBX's hop pointed at its
// registered contact (registrar.ts): hops of PBXs that are not registered
// are left out; null when nothing is left (the call gets 480).
import type { RouteTarget } from '../calls/router.js';
import type { Registrar } from './registrar.js';

export function registeredTarget(target: RouteTarget, registrar: Registrar): RouteTarget | null {
  if (target.kind !== 'pbx') return target;
  let transport = target.transport;
  const hops: RouteTarget['hops'] = [];
  for (const hop of target.hops) {
    const name = hop.pbx?.name ?? target.name;
    if (!registrar.isRegistering(name)) {
      if (hop.host !== '') hops.push(hop);
      continue;
    }
    const b = registrar.contactOf(name);
    if (!b) continue;
    if (hops.length === 0) transport = b.transport;
    hops.push({ ...hop, host: b.host, port: b.port, ...(hop.pbx ? { pbx: { ...hop.pbx, transport: b.transport } } : {}) });
  }
  const first = hops[0];
  if (!first) return null;
  return { ...target, name: first.pbx?.name ?? target.name, transport: first.pbx?.transport ?? transport, hops };
}
