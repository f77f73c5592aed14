// Sides that name an `interface` (issue 7 item 5): their SIP listeners and
// media use that interface's first global IPv4 address, read through
// rtnetlink at start and again whenever the kernel reports a change (100 ms
// debounce, as the firewall does). The config document is rewritten with
// the resolved address so listenersOf/mediaSidesOf stay the one place that
// turns a document into listeners and media sides.
import type { ConfigDocument } from '../config/document.js';
import { readInterfaces, watchNetChanges, type NetInterface, type NetWatch } from '../firewall/interfaces.js';

// The interface's first global IPv4 address (not 127/8, not 169.254/16), or
// undefined when it has none or does not exist.
export function interfaceAddress(interfaces: readonly NetInterface[], name: string): string | undefined {
  const i = interfaces.find((x) => x.name === name);
  return i?.addresses.find((a) => a.family === 4 && !a.address.startsWith('127.') && !a.address.startsWith('169.254.'))
    ?.address;
}

// `doc` with every interface-bound side's addresses replaced by the
// interface's current address; while the interface has none, the side's
// configured `addresses` stay (so there is always somewhere to bind).
// The media address follows.
export function resolveSideInterfaces(doc: ConfigDocument, interfaces: readonly NetInterface[]): ConfigDocument {
  let changed = false;
  const sides: ConfigDocument['sides'] = {};
  for (const [name, side] of Object.entries(doc.sides)) {
    if (!side.interface) {
      sides[name] = side;
      continue;
    }
    const ip = interfaceAddress(interfaces, side.interface);
    if (!ip) {
      sides[name] = side;
      continue;
    }
    changed = true;
    sides[name] = { ...side, addresses: [ip], media: { ...side.media, address: ip } };
  }
  return changed ? { ...doc, sides } : doc;
}

export function hasSideInterfaces(doc: ConfigDocument): boolean {
  return Object.values(doc.sides).some((s) => !!s.interface);
}

// Calls `onChange` (debounced 100 ms) after any link or address change.
// undefined when rtnetlink cannot be watched.
export function watchSideInterfaces(onChange: () => void): NetWatch | undefined {
  let timer: NodeJS.Timeout | undefined;
  try {
    const w = watchNetChanges(() => {
      clearTimeout(timer);
      timer = setTimeout(onChange, 100);
      timer.unref();
    });
    return {
      close() {
        clearTimeout(timer);
        w.close();
      },
    };
  } catch {
    return undefined;
  }
}

export { readInterfaces };
