// The SBC's firewall at run time: applies the table generated from the
// running config (atomically, one nftables transaction), previews what an
// apply would change, keeps the trunk endpoint addresses resolved and the
// sets updated in place, and holds the dynamic bans (kernel set with
// timeouts; each ban logged with its reason). docs/firewall.md.
import type { ConfigDocument } from '../config/document.js';
import type { Logger } from '../log.js';
import { allLists } from './address-lists.js';
import { BanPolicy, type BanDecision, type BanReason, type RequestSeen } from './ban-policy.js';
import {
  addElementsBatch,
  deleteElementsBatch,
  deleteTableBatch,
  listSetBatch,
  listTableBatch,
  replaceSetElementsBatch,
  replaceTableBatch,
  type NftBatch,
} from './batch.js';
import { normalizeIp } from './cidr.js';
import { readInterfaces, wanInterfacesOf, watchNetChanges, type NetChange, type NetInterface, type NetWatch } from './interfaces.js';
import { runNft, NftError, type NftRunner } from './nft.js';
import { resolverFor, trunkNames, type Resolver } from './trunk-names.js';
import { timedElem, type Json } from './nft-json.js';
import { diffLines, generatedLines, kernelLines, stableJson, type DiffLine } from './preview.js';
import { BANNED, FLOOD, PEERS, TABLE, generateRuleset, signallingSources, wanSides, type Ruleset } from './ruleset.js';

export { normalizeIp, type Resolver };


export interface FirewallOptions {
  log: Logger;
  nft?: NftRunner;
  // Resolves every trunk name, SRV entry names included (tests); default:
  // sip.dns_servers or the system resolver (trunk-names.ts).
  resolve?: Resolver;
  // The box's interfaces (default: rtnetlink through the addon).
  interfaces?: () => NetInterface[];
  clock?: () => number;
  // Follows interface/address changes (default: rtnetlink notifications
  // through the addon); undefined from it = not followed.
  watchInterfaces?: (onChanges: (changes: NetChange[]) => void) => NetWatch | undefined;
  // How often the kernel's banned sets are read to log bans the flood meter
  // made and bans that expired (ms; 0 = never).
  banSyncMs?: number;
}

export interface BanInfo {
  ip: string;
  reason: BanReason;
  detail: string;
  // When we saw it first (ISO), seconds left in the kernel.
  since: string;
  expiresInS: number;
}

export interface PreviewResult {
  enabled: boolean;
  // '-' lines are in the kernel only, '+' lines in the new ruleset only.
  changes: DiffLine[];
  // The kernel's dry-run verdict on the new table: 'ok' or nft's message.
  check: string;
}

interface BanRecord {
  reason: BanReason;
  detail: string;
  since: number;
}

const DYNAMIC_SETS = new Set<string>([BANNED[4], BANNED[6], PEERS[4], PEERS[6], FLOOD[4], FLOOD[6]]);
const RESOLVE_TIMEOUT_MS = 3000;
// Interface changes come in bursts (link up, then each address): wait this
// long after the last one before re-reading.
const NET_CHANGE_SETTLE_MS = 100;
// How long a signalled media peer stays in the peers set without a new offer.
export const MEDIA_PEER_TIMEOUT_S = 4 * 3600;

function isObj(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class Firewall {
  private readonly log: Logger;
  private readonly nft: NftRunner;
  private readonly resolver: Resolver | undefined;
  private readonly interfaces: () => NetInterface[];
  private readonly clock: () => number;
  private doc: ConfigDocument | undefined;
  private policy: BanPolicy | undefined;
  private resolved = new Map<string, string[]>();
  private readonly bans = new Map<string, BanRecord>();
  private chain: Promise<unknown> = Promise.resolve();
  private resolveTimer: NodeJS.Timeout | undefined;
  private readonly watchInterfaces: (onChanges: (changes: NetChange[]) => void) => NetWatch | undefined;
  private netWatch: NetWatch | undefined;
  private netTimer: NodeJS.Timeout | undefined;
  // The WAN interfaces the table in the kernel was generated with.
  private appliedWanInterfaces = '';
  private readonly syncTimer: NodeJS.Timeout | undefined;

  constructor(opts: FirewallOptions) {
    this.log = opts.log;
    this.nft = opts.nft ?? runNft;
    this.resolver = opts.resolve;
    this.interfaces = opts.interfaces ?? readInterfaces;
    this.clock = opts.clock ?? Date.now;
    this.watchInterfaces = opts.watchInterfaces ?? watchNetChanges;
    const syncMs = opts.banSyncMs ?? 1000;
    if (syncMs > 0) {
      this.syncTimer = setInterval(() => this.syncBans(), syncMs);
      this.syncTimer.unref();
    }
  }

  get enabled(): boolean {
    return this.doc?.firewall.enabled === true;
  }

  close(): void {
    this.netWatch?.close();
    this.netWatch = undefined;
    clearTimeout(this.netTimer);
    if (this.resolveTimer) clearInterval(this.resolveTimer);
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.resolveTimer = undefined;
  }

  // Applies `doc`: our table replaced in one transaction (bans and media
  // peers carried over with their remaining time), or — when only set
  // contents changed — those sets updated in place; the table deleted when
  // the firewall is disabled. Applies run one after another.
  apply(doc: ConfigDocument, why: string): Promise<void> {
    const run = this.chain.then(() => this.applyNow(doc, why));
    this.chain = run.catch(() => undefined);
    return run;
  }

  // What apply(doc) would change, checked by the kernel (dry run).
  async preview(doc: ConfigDocument): Promise<PreviewResult> {
    const before = kernelLines(this.listTable() ?? [], DYNAMIC_SETS);
    if (!doc.firewall.enabled) {
      return { enabled: false, changes: diffLines(before, []), check: 'ok' };
    }
    const rs = await this.generate(doc, await this.resolveAll(doc));
    let check = 'ok';
    try {
      this.nft(replaceTableBatch(rs), { dryRun: true, what: 'the new table (dry run)' });
    } catch (err) {
      check = err instanceof NftError ? err.nftMessage : (err as Error).message;
    }
    return { enabled: true, changes: diffLines(before, generatedLines(rs)), check };
  }

  // --- bans ------------------------------------------------------------------

  // Call control asks before it handles an out-of-dialog request: false =
  // refuse it (the source was just banned).
  admit(req: RequestSeen): boolean {
    if (!this.enabled || !this.policy) return true;
    const ip = normalizeIp(req.ip)?.text ?? req.ip;
    if (this.bans.has(ip) && this.kernelHasBan(ip)) return false;
    const decision = this.policy.onRequest({ ...req, ip });
    if (!decision) return true;
    this.ban(ip, decision);
    return false;
  }

  // Digest authentication failed (hook for issue 5's trunk/PBX auth).
  authFailed(ip: string): void {
    if (!this.enabled || !this.policy) return;
    const decision = this.policy.onAuthFailure(normalizeIp(ip)?.text ?? ip);
    if (decision) this.ban(ip, decision);
  }

  // Bans `ip` for timeoutS (default bans.timeout_s). Allow-listed addresses
  // are never banned. Returns whether a ban was added.
  ban(ip: string, decision: BanDecision, timeoutS?: number): boolean {
    const doc = this.doc;
    const addr = normalizeIp(ip);
    if (!doc?.firewall.enabled || !addr || !this.policy) return false;
    if (this.policy.isAllowListed(addr.text)) {
      this.log.warn({ ip: addr.text, reason: decision.reason }, 'not banning an allow-listed address');
      return false;
    }
    const t = timeoutS ?? doc.firewall.bans.timeout_s;
    try {
      this.nft(addElementsBatch(TABLE, BANNED[addr.family], [timedElem(addr.text, t)]), { what: `ban ${addr.text}` });
    } catch (err) {
      this.log.error({ err, ip: addr.text }, 'ban failed');
      return false;
    }
    this.bans.set(addr.text, { reason: decision.reason, detail: decision.detail, since: this.clock() });
    this.log.warn({ ip: addr.text, reason: decision.reason, detail: decision.detail, timeoutS: t }, 'source banned');
    return true;
  }

  unban(ip: string): boolean {
    const addr = normalizeIp(ip);
    if (!addr || !this.enabled) return false;
    this.bans.delete(addr.text);
    try {
      this.nft(deleteElementsBatch(TABLE, BANNED[addr.family], [addr.text]), { what: `unban ${addr.text}` });
    } catch {
      return false; // not banned
    }
    this.log.info({ ip: addr.text }, 'ban cleared by the admin');
    return true;
  }

  clearBans(): number {
    const list = this.listBans();
    for (const f of [4, 6] as const) {
      try {
        this.nft(replaceSetElementsBatch(TABLE, BANNED[f], []), { what: 'clear bans' });
      } catch (err) {
        this.log.error({ err }, 'clearing bans failed');
      }
    }
    this.bans.clear();
    if (list.length > 0) this.log.info({ count: list.length }, 'all bans cleared by the admin');
    return list.length;
  }

  // The kernel's banned sets, with the reason we recorded for each.
  listBans(): BanInfo[] {
    if (!this.enabled) return [];
    const out: BanInfo[] = [];
    for (const [ip, expires] of this.kernelBans()) {
      const rec = this.bans.get(ip);
      out.push({
        ip,
        reason: rec?.reason ?? 'flood',
        detail: rec?.detail ?? 'SIP packet rate over firewall.flood (kernel meter)',
        since: new Date(rec?.since ?? this.clock()).toISOString(),
        expiresInS: expires,
      });
    }
    return out.sort((a, b) => a.ip.localeCompare(b.ip));
  }

  // signalled-peers media policy: let `ip` send RTP to our `port` for timeoutS.
  allowMediaPeer(ip: string, port: number, timeoutS: number): void {
    const addr = normalizeIp(ip);
    if (!addr || !this.enabled || !this.hasPeersSet()) return;
    const elem = timedElem({ concat: [addr.text, port] }, timeoutS);
    this.nft(addElementsBatch(TABLE, PEERS[addr.family], [elem]), { what: `media peer ${addr.text}:${port}` });
  }

  // A peer on `side` signalled its media address for our `localPorts`
  // (media anchoring calls this, src/media/anchored-media.ts): with the
  // signalled-peers policy, exactly that source may reach those ports, for
  // MEDIA_PEER_TIMEOUT_S (each re-INVITE renews it; the flow itself stays
  // open through conntrack while packets keep coming).
  mediaPeerSignalled(side: string, ip: string, localPorts: readonly number[]): void {
    const doc = this.doc;
    const addr = normalizeIp(ip);
    if (!doc?.firewall.enabled || !addr || !this.hasPeersSet() || !wanSides(doc).includes(side)) return;
    const elems = localPorts.filter((p) => p > 0).map((port) => timedElem({ concat: [addr.text, port] }, MEDIA_PEER_TIMEOUT_S));
    if (elems.length === 0) return;
    try {
      this.nft(addElementsBatch(TABLE, PEERS[addr.family], elems), { what: `media peer ${addr.text}` });
    } catch (err) {
      this.log.error({ err, ip: addr.text }, 'media peer not added');
    }
  }

  // --- internals ---------------------------------------------------------------

  private hasPeersSet(): boolean {
    const doc = this.doc;
    return doc !== undefined && Object.values(doc.firewall.trunks).some((t) => t.media_policy === 'signalled-peers');
  }

  private async applyNow(doc: ConfigDocument, why: string): Promise<void> {
    if (this.resolveTimer) clearInterval(this.resolveTimer);
    this.resolveTimer = undefined;
    if (!doc.firewall.enabled) {
      // Only a table we left behind is removed: with the firewall off (the
      // loopback default) sbcd changes nothing in the kernel.
      if (this.listTable() !== undefined) {
        this.nft(deleteTableBatch(TABLE), { what: 'removing our table' });
        this.log.info({ why }, 'firewall disabled: our nftables table removed');
      }
      this.doc = doc;
      this.policy = undefined;
      this.bans.clear();
      this.followInterfaces(doc);
      return;
    }
    this.resolved = await this.resolveAll(doc);
    await this.applyResolved(doc, why);
    this.followInterfaces(doc);
    this.armResolveTimer(doc);
  }

  // Applies doc with the addresses resolved last (also what an interface
  // change does: no DNS on that path).
  private async applyResolved(doc: ConfigDocument, why: string, keepPolicy = false): Promise<void> {
    const wanIfaces = this.wanInterfaces(doc);
    const rs = await this.generate(doc, this.resolved, wanIfaces);
    const inPlace = this.inPlaceBatch(rs);
    if (inPlace) {
      if (inPlace.nftables.length > 0) {
        this.nft(inPlace, { what: 'set update' });
        this.log.info({ why, sets: inPlace.nftables.length }, 'firewall sets updated in place');
      } else {
        this.log.debug({ why }, 'firewall unchanged');
      }
    } else {
      this.nft(replaceTableBatch(rs, this.carriedElements()), { what: 'the new table' });
      this.log.info({ why, rules: rs.rules.length, sets: rs.sets.length }, 'firewall applied');
    }
    const previous = this.doc;
    this.doc = doc;
    this.appliedWanInterfaces = wanIfaces.join(',');
    // An interface change keeps the policy (and its digest-failure counts).
    if (keepPolicy && this.policy) return;
    this.policy = new BanPolicy({
      bans: doc.firewall.bans,
      wanSides: wanSides(doc),
      trunkSources: doc.trunks
        .filter((t) => t.enabled && wanSides(doc).includes(t.side))
        .flatMap((t) => signallingSources({ doc, lists: allLists(doc.firewall), resolved: this.resolved }, t)),
    }, this.clock);
    if (previous?.firewall.enabled !== true) this.bans.clear();
  }

  private async generate(doc: ConfigDocument, resolved: Map<string, string[]>, wanIfaces = this.wanInterfaces(doc)): Promise<Ruleset> {
    return generateRuleset({ doc, lists: allLists(doc.firewall), resolved, wanInterfaces: wanIfaces });
  }

  // WAN traffic is found by the interfaces holding the WAN addresses unless
  // firewall.wan_interfaces names them: then follow the kernel's address and
  // link changes (rtnetlink notifications) and regenerate when the set of
  // such interfaces changes. Coalesced: a burst of changes is one re-read.
  private followInterfaces(doc: ConfigDocument): void {
    const needed = doc.firewall.enabled && doc.firewall.wan_interfaces.length === 0;
    if (!needed) {
      this.netWatch?.close();
      this.netWatch = undefined;
      return;
    }
    if (this.netWatch) return;
    try {
      this.netWatch = this.watchInterfaces(() => {
        clearTimeout(this.netTimer);
        this.netTimer = setTimeout(() => this.onInterfacesChanged(), NET_CHANGE_SETTLE_MS);
        this.netTimer.unref();
      });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'interface changes not followed (rtnetlink): re-read every resolve_interval_s');
    }
  }

  private onInterfacesChanged(): void {
    const doc = this.doc;
    if (!doc?.firewall.enabled || doc.firewall.wan_interfaces.length > 0) return;
    const now = this.wanInterfaces(doc).join(',');
    if (now === this.appliedWanInterfaces) return;
    const run = this.chain.then(async () => {
      if (this.doc !== doc) return; // a commit got there first and applied
      await this.applyResolved(doc, 'interface addresses changed', true);
      this.log.info({ wanInterfaces: this.appliedWanInterfaces.split(',').filter((x) => x !== '') }, 'firewall follows the WAN interfaces');
    });
    this.chain = run.catch((err: unknown) => this.log.error({ err }, 'firewall refresh after an interface change failed'));
  }

  // Interfaces holding the WAN addresses, read through rtnetlink at each
  // apply (and each re-resolution); [] when they cannot be read.
  private wanInterfaces(doc: ConfigDocument): string[] {
    if (doc.firewall.wan_interfaces.length > 0) return [];
    let list: NetInterface[];
    try {
      list = this.interfaces();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not read the interfaces (rtnetlink): WAN matched by address only');
      return [];
    }
    return wanInterfacesOf(doc, list);
  }

  // When the kernel holds our table with the same sets, chains and rules,
  // only static set contents differ: replace those sets' elements in one
  // batch. undefined = the structure changed (full replace needed).
  private inPlaceBatch(rs: Ruleset): NftBatch | undefined {
    const listed = this.listTable();
    if (!listed) return undefined;
    const structure = (lines: string[]) => lines.map((l) => l.replace(/ elements \{.*\}$/, ''));
    const kernel = kernelLines(listed, DYNAMIC_SETS);
    const wanted = generatedLines(rs);
    if (stableJson(structure(kernel)) !== stableJson(structure(wanted))) return undefined;
    const cmds: Json[] = [];
    rs.sets.forEach((s) => {
      if (s.dynamic) return;
      const line = wanted.find((l) => l.startsWith(`set ${s.name} `));
      if (line !== undefined && kernel.includes(line)) return;
      cmds.push(...replaceSetElementsBatch(TABLE, s.name, s.elements).nftables);
    });
    return { nftables: cmds };
  }

  private listTable(): Json[] | undefined {
    try {
      return this.nft(listTableBatch(TABLE), { what: 'listing our table' });
    } catch {
      return undefined; // no table yet
    }
  }

  // Elements of a dynamic set in the kernel, with their remaining seconds.
  private listElements(set: string): [Json, number][] {
    let listed: Json[];
    try {
      listed = this.nft(listSetBatch(TABLE, set), { what: `listing ${set}` });
    } catch {
      return [];
    }
    const out: [Json, number][] = [];
    for (const item of listed) {
      if (!isObj(item) || !isObj(item.set) || !Array.isArray(item.set.elem)) continue;
      for (const e of item.set.elem) {
        if (isObj(e) && isObj(e.elem)) {
          const expires = typeof e.elem.expires === 'number' ? e.elem.expires : 0;
          out.push([e.elem.val ?? null, expires]);
        } else {
          out.push([e, 0]);
        }
      }
    }
    return out;
  }

  private kernelBans(): Map<string, number> {
    const out = new Map<string, number>();
    for (const f of [4, 6] as const) {
      for (const [val, expires] of this.listElements(BANNED[f])) if (typeof val === 'string') out.set(val, expires);
    }
    return out;
  }

  private kernelHasBan(ip: string): boolean {
    return this.kernelBans().has(ip);
  }

  private carriedElements(): Map<string, Json[]> {
    const out = new Map<string, Json[]>();
    for (const set of [BANNED[4], BANNED[6], PEERS[4], PEERS[6]]) {
      const elems = this.listElements(set)
        .filter(([, expires]) => expires > 0)
        .map(([val, expires]) => timedElem(val, expires));
      if (elems.length > 0) out.set(set, elems);
    }
    return out;
  }

  // Logs bans the kernel's flood meter added and bans that expired.
  private syncBans(): void {
    if (!this.enabled) return;
    const kernel = this.kernelBans();
    for (const ip of kernel.keys()) {
      if (this.bans.has(ip)) continue;
      const detail = 'SIP packet rate over firewall.flood (kernel meter)';
      this.bans.set(ip, { reason: 'flood', detail, since: this.clock() });
      this.log.warn({ ip, reason: 'flood', detail, timeoutS: kernel.get(ip) }, 'source banned');
    }
    for (const [ip, rec] of this.bans) {
      if (kernel.has(ip)) continue;
      this.bans.delete(ip);
      this.log.info({ ip, reason: rec.reason }, 'ban expired');
    }
  }

  private async resolveAll(doc: ConfigDocument): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    const jobs: Promise<void>[] = [];
    const dnsOf = resolverFor(doc);
    const lookup = (n: { host: string; srv: boolean }, transport: string): Promise<string[]> =>
      this.resolver ? this.resolver(n.host) : n.srv ? dnsOf.srv(n.host, transport) : dnsOf.host(n.host);
    for (const t of doc.trunks) {
      const names = trunkNames(t);
      if (names.length === 0) continue;
      jobs.push(
        (async () => {
          const addrs = new Set<string>();
          for (const name of names) {
            const host = name.host;
            try {
              const got = await Promise.race([
                lookup(name, t.transport),
                new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), RESOLVE_TIMEOUT_MS).unref()),
              ]);
              got.forEach((a) => addrs.add(a));
            } catch (err) {
              // Keep what we had: a DNS hiccup must not lock the trunk out.
              (this.resolved.get(t.name) ?? []).forEach((a) => addrs.add(a));
              this.log.warn({ trunk: t.name, host, err: (err as Error).message }, 'could not resolve trunk endpoint');
            }
          }
          out.set(t.name, [...addrs].sort());
        })(),
      );
    }
    await Promise.all(jobs);
    return out;
  }

  private armResolveTimer(doc: ConfigDocument): void {
    const s = doc.firewall.resolve_interval_s;
    // Re-read on the same schedule: endpoint names, and (when rtnetlink
    // notifications cannot be had) the interfaces holding the WAN addresses.
    const hasNames = doc.trunks.some((t) => trunkNames(t).length > 0);
    if (s === 0 || (!hasNames && (doc.firewall.wan_interfaces.length > 0 || this.netWatch !== undefined))) return;
    this.resolveTimer = setInterval(() => {
      void this.apply(doc, 'endpoint names and interfaces re-read').catch((err: unknown) =>
        this.log.error({ err }, 'firewall refresh failed'),
      );
    }, s * 1000);
    this.resolveTimer.unref();
  }
}

