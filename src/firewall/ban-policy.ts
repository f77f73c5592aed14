// Decides, from what the SIP side sees, whether a source gets banned: a
// scanner's User-Agent, a request on a WAN side from none of the trunks'
// sources, repeated digest failures. Pure (clock injected); the Firewall
// turns a decision into a kernel set element. Allow-listed sources are
// never banned. Floods are handled in the kernel (ruleset.ts flood meter).
import type { FirewallBanConfig } from '../config/document.js';
import { contains, parseCidr, type Cidr } from './cidr.js';

export type BanReason = 'scanner-user-agent' | 'unknown-source' | 'auth-failures' | 'flood' | 'manual';

export interface BanDecision {
  reason: BanReason;
  detail: string;
}

export interface RequestSeen {
  ip: string;
  side: string;
  method: string;
  userAgent: string;
}

export interface BanPolicyInput {
  bans: FirewallBanConfig;
  wanSides: readonly string[];
  // Every WAN trunk's signalling sources (lists + resolved endpoints).
  trunkSources: readonly Cidr[];
}

// Bounds the failure book-keeping against a spray of distinct sources.
const MAX_TRACKED_SOURCES = 10_000;

export class BanPolicy {
  private readonly allow: Cidr[];
  private readonly agents: string[];
  private readonly wan: Set<string>;
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly input: BanPolicyInput,
    private readonly clock: () => number = Date.now,
  ) {
    this.allow = input.bans.allow_list.map((s) => parseCidr(s)).filter((c): c is Cidr => typeof c !== 'string');
    this.agents = input.bans.scanner_user_agents.map((a) => a.toLowerCase());
    this.wan = new Set(input.wanSides);
  }

  isAllowListed(ip: string): boolean {
    const c = parseCidr(ip);
    return typeof c !== 'string' && this.allow.some((a) => contains(a, c));
  }

  private isTrunkSource(ip: string): boolean {
    const c = parseCidr(ip);
    return typeof c !== 'string' && this.input.trunkSources.some((s) => contains(s, c));
  }

  // An out-of-dialog request arrived; undefined = let it through.
  onRequest(req: RequestSeen): BanDecision | undefined {
    if (this.isAllowListed(req.ip)) return undefined;
    const ua = req.userAgent.toLowerCase();
    const agent = ua === '' ? undefined : this.agents.find((a) => ua.includes(a));
    if (agent !== undefined) {
      return { reason: 'scanner-user-agent', detail: `${req.method} with User-Agent "${req.userAgent.slice(0, 80)}" (matches "${agent}")` };
    }
    if (this.input.bans.unknown_sources && this.wan.has(req.side) && !this.isTrunkSource(req.ip)) {
      return { reason: 'unknown-source', detail: `${req.method} on side ${req.side} from none of the trunks' sources` };
    }
    return undefined;
  }

  // Digest authentication failed for a request from `ip` (issue 5 calls this).
  onAuthFailure(ip: string): BanDecision | undefined {
    const { auth_failures: threshold, auth_window_s: windowS } = this.input.bans;
    if (threshold === 0 || this.isAllowListed(ip)) return undefined;
    const now = this.clock();
    const since = now - windowS * 1000;
    const times = (this.failures.get(ip) ?? []).filter((t) => t > since);
    times.push(now);
    if (times.length >= threshold) {
      this.failures.delete(ip);
      return { reason: 'auth-failures', detail: `${times.length} digest failures within ${windowS} s` };
    }
    if (!this.failures.has(ip) && this.failures.size >= MAX_TRACKED_SOURCES) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(ip, times);
    return undefined;
  }
}
