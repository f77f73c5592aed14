// Where each registering PBX can be reached: its contacts with their expiry,
// in memory (a restart asks the PBXs to register again, as any registrar
// does). Expired bindings are dropped when read; the clock is injected so
// tests do not wait.
import type { ContactAsked } from './contacts.js';
import { MAX_CONTACTS } from './contacts.js';

export interface Binding {
  uri: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
  side: string;
  // Where the REGISTER came from (the admin sees it; a mismatch with the
  // contact hints at NAT).
  source: { ip: string; port: number; transport: string };
  expiresAt: number; // ms, clock time
  updatedAt: number;
}

export interface RegisteredFrom {
  side: string;
  ip: string;
  port: number;
  transport: string;
}

function transportOf(asked: string, arrived: string): Binding['transport'] {
  const t = asked || arrived.toLowerCase();
  return t === 'tcp' || t === 'tls' ? t : 'udp';
}

export class BindingTable {
  private readonly byPbx = new Map<string, Map<string, Binding>>();

  constructor(private readonly clock: () => number = Date.now) {}

  // Applies a REGISTER's contacts (expires 0 = remove that one); returns the
  // PBX's bindings after it.
  update(pbx: string, contacts: readonly ContactAsked[], from: RegisteredFrom): Binding[] {
    const now = this.clock();
    const table = this.live(pbx);
    for (const c of contacts) {
      if (c.expiresS === 0) {
        table.delete(c.uri);
        continue;
      }
      table.set(c.uri, {
        uri: c.uri,
        host: c.host,
        port: c.port || (transportOf(c.transport, from.transport) === 'tls' ? 5061 : 5060),
        transport: transportOf(c.transport, from.transport),
        side: from.side,
        source: { ip: from.ip, port: from.port, transport: from.transport },
        expiresAt: now + c.expiresS * 1000,
        updatedAt: now,
      });
    }
    // Bounded: the oldest go first.
    while (table.size > MAX_CONTACTS) table.delete(table.keys().next().value!);
    if (table.size === 0) this.byPbx.delete(pbx);
    else this.byPbx.set(pbx, table);
    return [...table.values()];
  }

  removeAll(pbx: string): void {
    this.byPbx.delete(pbx);
  }

  // Unexpired bindings, most recently refreshed first.
  of(pbx: string): Binding[] {
    const table = this.live(pbx);
    if (table.size === 0) this.byPbx.delete(pbx);
    return [...table.values()].sort((a, b) => b.updatedAt - a.updatedAt);
  }

  // The PBX whose binding was registered from `ip` on `side` (calls from a
  // registered PBX carry no configured host to match).
  pbxFrom(side: string, ip: string): string | undefined {
    for (const pbx of [...this.byPbx.keys()]) {
      if (this.of(pbx).some((b) => b.side === side && (b.source.ip === ip || b.host === ip))) return pbx;
    }
    return undefined;
  }

  // Keeps only the PBXs in `names` (a commit removed or changed the others).
  retain(names: ReadonlySet<string>): void {
    for (const pbx of [...this.byPbx.keys()]) if (!names.has(pbx)) this.byPbx.delete(pbx);
  }

  secondsLeft(b: Binding): number {
    return Math.max(0, Math.ceil((b.expiresAt - this.clock()) / 1000));
  }

  private live(pbx: string): Map<string, Binding> {
    const now = this.clock();
    const table = this.byPbx.get(pbx) ?? new Map<string, Binding>();
    for (const [uri, b] of table) if (b.expiresAt <= now) table.delete(uri);
    return table;
  }
}
