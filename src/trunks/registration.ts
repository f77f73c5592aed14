// REGISTER of the SBC at a trunk (optional per trunk: `register.enabled`).
// The SBC registers its WAN Contact under the trunk's API key with digest
// (the key and secret, as for INVITEs, V-OUT-2), keeps the binding alive
// and says how it stands in trunk health (one row per registering trunk,
// beside the OPTIONS rows of ./health-monitor.ts).
//
// - Expires asked for: `register.interval_s`. The registrar may grant less
//   (RFC 3261 §10.3 step 7): the granted time is the `expires` parameter of
//   our Contact in the 200, else its Expires header, else what we asked.
//   A 423 Interval Too Brief is re-sent once with its Min-Expires.
// - Refresh before expiry: at half the granted time for short ones, and 60 s
//   before it runs out for longer ones (refreshDelayMs).
// - A failure (timeout, transport error, 5xx, 403, a challenge we give up
//   on) marks the registration failed and tries again after an exponential
//   backoff with jitter (backoffMs: 2^n × retry_min, capped at retry_max,
//   between half and all of that, so many SBCs restarted together do not
//   hit the registrar in step), each time on the trunk's next hop.
// - Each REGISTER is a new Call-ID: the engine keeps a transaction's
//   Call-ID for re-sends only briefly (64·T1), and a registrar replaces a
//   binding whose Call-ID changed (§10.3 step 7), so nothing is lost.
// - The secret is never logged; the log names the trunk, key and registrar.
import type { ConfigDocument, TrunkConfig } from '../config/document.js';
import type { Logger } from '../log.js';
import { parseNameAddr, splitCommaList, type FinalResult, type RequestSpec, type SipResponse } from '../sip/index.js';
import { isChallenge } from './call-digest.js';
import { DigestClient, type HeaderPair } from './digest-session.js';
import { type TrunkHop, trunkHops } from './trunk-endpoints.js';

export type RegistrationState = 'registering' | 'registered' | 'failed';

/** What the registrations need of the SIP engine (SipEngine has it; `id` is what a re-send names as `retryOf`). */
export interface RegisterEngine {
  request(spec: RequestSpec): { final: Promise<FinalResult>; id?: number };
}

export interface RegistrationTiming {
  /** First retry after a failure, ms (doubles per failure). */
  retryMinMs: number;
  /** Longest wait between retries, ms. */
  retryMaxMs: number;
}

export const DEFAULT_TIMING: RegistrationTiming = { retryMinMs: 2000, retryMaxMs: 300_000 };

export interface TrunkRegistrationsOptions {
  engine: RegisterEngine;
  log: Logger;
  timing?: RegistrationTiming;
  now?: () => number;
  /** 0 ≤ x < 1 (default Math.random): the jitter of retries. */
  random?: () => number;
  hopsOf?: (trunk: TrunkConfig) => TrunkHop[];
}

/** A trunk's registration as trunk health shows it (same shape as an OPTIONS row). */
export interface TrunkRegistrationRow {
  trunk: string;
  /** "REGISTER sip:KEY@DOMAIN". */
  endpoint: string;
  state: RegistrationState;
  rttMs: null;
  lastChange: number | null;
  /** The last failure, or while registered "expires in N s at HOST". */
  lastError: string;
}

/** When to refresh a binding granted for `grantedS` seconds, ms from now. */
export function refreshDelayMs(grantedS: number): number {
  const s = grantedS <= 120 ? grantedS / 2 : grantedS - 60;
  return Math.max(500, Math.round(s * 1000));
}

/** Wait before retry number `failures` (1 = the first), ms. */
export function backoffMs(failures: number, t: RegistrationTiming, random: () => number): number {
  const ceiling = Math.min(t.retryMaxMs, t.retryMinMs * 2 ** Math.min(Math.max(failures - 1, 0), 20));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/**
 * The expiry the registrar granted our Contact (RFC 3261 §10.2.4): its
 * `expires` parameter, else the Expires header, else what we asked for.
 * Our Contact is the one whose user is ours (the engine writes
 * `<sip:KEY@address:port;transport=…>`).
 */
export function grantedExpiresS(res: Pick<SipResponse, 'headers'>, ourUser: string, askedS: number): number {
  for (const value of res.headers.getAll('contact')) {
    for (const one of splitCommaList(value)) {
      const na = parseNameAddr(one);
      if (!na || !na.uri.toLowerCase().startsWith(`sip:${ourUser.toLowerCase()}@`)) continue;
      const e = na.params.expires;
      if (e !== undefined && /^\d+$/.test(e)) return Number(e);
    }
  }
  const header = res.headers.get('expires');
  if (header !== undefined && /^\s*\d+\s*$/.test(header)) return Number(header);
  return askedS;
}

interface Settings {
  trunk: string;
  side: string;
  transport: TrunkConfig['transport'];
  hops: TrunkHop[];
  fromDomain: string;
  key: string;
  secret: string;
  intervalS: number;
}

function settingsOf(t: TrunkConfig, hops: TrunkHop[]): Settings {
  return {
    trunk: t.name,
    side: t.side,
    transport: t.transport,
    hops,
    fromDomain: t.from_domain,
    key: t.api_key,
    secret: t.api_secret,
    intervalS: t.register.interval_s,
  };
}

function hostForUri(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The REGISTER for one attempt to `hop` (RFC 3261 §10.2: Request-URI = the registrar's domain, To = From = the AOR). */
export function registerRequest(s: Pick<Settings, 'side' | 'transport' | 'fromDomain' | 'key'>, hop: TrunkHop, expiresS: number, credentials: HeaderPair[]): RequestSpec {
  const domain = hostForUri(s.fromDomain || hop.host);
  const transportParam = s.transport === 'udp' ? '' : `;transport=${s.transport}`;
  const aor = `sip:${s.key}@${domain}`;
  return {
    method: 'REGISTER',
    uri: `sip:${domain}${transportParam}`,
    side: s.side,
    transport: s.transport,
    nextHop: hop.port ? `${hostForUri(hop.host)}:${hop.port}` : hop.host,
    from: { uri: aor },
    to: { uri: aor },
    contactUser: s.key,
    maxForwards: 70,
    headers: [['Expires', String(expiresS)], ...credentials],
  };
}

class Registration {
  state: RegistrationState = 'registering';
  lastChange: number | null = null;
  lastError = '';
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  private hopIndex = 0;
  private readonly digest: DigestClient;

  constructor(
    readonly settings: Settings,
    private readonly o: Required<TrunkRegistrationsOptions> & { timing: RegistrationTiming },
  ) {
    this.digest = new DigestClient({ username: settings.key, password: settings.secret }, o.now);
  }

  get aor(): string {
    const hop = this.settings.hops[0];
    return `sip:${this.settings.key}@${hostForUri(this.settings.fromDomain || (hop?.host ?? ''))}`;
  }

  start(): void {
    void this.attempt();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.attempt(), ms);
    this.timer.unref();
  }

  private get logFields(): Record<string, unknown> {
    return { trunk: this.settings.trunk, user: this.settings.key };
  }

  // One REGISTER and its re-sends (a challenge, a 423): ends registered or failed.
  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const hops = this.settings.hops;
    if (hops.length === 0) {
      this.fail('the trunk has no endpoint to register at', undefined);
      return;
    }
    const hop = hops[this.hopIndex % hops.length]!;
    const registrar = hop.port ? `${hop.host}:${hop.port}` : hop.host;
    let expiresS = this.settings.intervalS;
    let spec = registerRequest(this.settings, hop, expiresS, []);
    const chain = this.digest.chain({ method: 'REGISTER', uri: spec.uri }, { preemptive: true });
    spec = registerRequest(this.settings, hop, expiresS, chain.headers);
    let retryOf: number | undefined;
    let briefRetried = false;
    for (let sends = 0; sends < 6; sends++) {
      let result: FinalResult;
      try {
        const txn = this.o.engine.request(spec);
        // A re-send (challenge, 423) continues this registration: same Call-ID, CSeq + 1.
        retryOf = txn.id;
        result = await txn.final;
      } catch (err) {
        this.fail(`not sent: ${(err as Error).message}`, registrar);
        return;
      }
      if (this.stopped) return;
      const res = result.response;
      if (res.status >= 200 && res.status < 300) {
        this.registered(grantedExpiresS(res, this.settings.key, expiresS), registrar);
        return;
      }
      if (isChallenge(res.status) && !res.local) {
        const out = chain.onChallenge(res.status, (name) => res.headers.getAll(name));
        if (!out.retry) {
          this.fail(`digest: ${out.reason}`, registrar);
          return;
        }
        spec = { ...registerRequest(this.settings, hop, expiresS, out.headers), ...(retryOf !== undefined ? { retryOf } : {}) };
        continue;
      }
      if (res.status === 423 && !briefRetried) {
        const min = Number(res.headers.get('min-expires'));
        if (Number.isInteger(min) && min > expiresS && min <= 86_400) {
          briefRetried = true;
          expiresS = min;
          spec = { ...registerRequest(this.settings, hop, expiresS, chain.headers), ...(retryOf !== undefined ? { retryOf } : {}) };
          continue;
        }
      }
      const why = res.local ? (res.status === 408 ? 'timeout' : `transport error${res.info ? `: ${res.info}` : ''}`) : `${res.status} ${res.reason}`.trim();
      this.fail(why, registrar);
      return;
    }
    this.fail('too many re-sends of one REGISTER', registrar);
  }

  private registered(grantedS: number, registrar: string): void {
    if (grantedS <= 0) {
      this.fail('the registrar granted no time (expires=0)', registrar);
      return;
    }
    const wasRegistered = this.state === 'registered';
    this.failures = 0;
    this.state = 'registered';
    if (!wasRegistered) this.lastChange = this.o.now();
    this.lastError = '';
    const refreshMs = refreshDelayMs(grantedS);
    this.o.log.info({ ...this.logFields, registrar, expiresS: grantedS, refreshInS: Math.round(refreshMs / 100) / 10 }, wasRegistered ? 'trunk registration refreshed' : 'trunk registered');
    this.schedule(refreshMs);
  }

  private fail(reason: string, registrar: string | undefined): void {
    this.failures += 1;
    this.hopIndex += 1;
    if (this.state !== 'failed') this.lastChange = this.o.now();
    this.state = 'failed';
    this.lastError = reason;
    const retryMs = backoffMs(this.failures, this.o.timing, this.o.random);
    this.o.log.warn({ ...this.logFields, registrar, reason, failures: this.failures, retryInS: Math.round(retryMs / 100) / 10 }, 'trunk registration failed');
    this.schedule(retryMs);
  }
}

/** The registrations of every trunk with `register.enabled`, kept in step with the running config. */
export class TrunkRegistrations {
  private readonly o: Required<TrunkRegistrationsOptions> & { timing: RegistrationTiming };
  private byTrunk = new Map<string, Registration>();
  private closed = false;

  constructor(o: TrunkRegistrationsOptions) {
    this.o = {
      engine: o.engine,
      log: o.log,
      timing: o.timing ?? DEFAULT_TIMING,
      now: o.now ?? Date.now,
      random: o.random ?? Math.random,
      hopsOf: o.hopsOf ?? ((t) => trunkHops(t)),
    };
  }

  /** Starts, keeps or restarts registrations to match the config (a changed trunk registers anew). */
  apply(doc: ConfigDocument): void {
    if (this.closed) return;
    const next = new Map<string, Registration>();
    for (const t of doc.trunks) {
      if (t.enabled === false || t.register?.enabled !== true || t.api_key === '') continue;
      const settings = settingsOf(t, this.o.hopsOf(t));
      const old = this.byTrunk.get(t.name);
      if (old && JSON.stringify(old.settings) === JSON.stringify(settings)) {
        next.set(t.name, old);
        continue;
      }
      old?.stop();
      const reg = new Registration(settings, this.o);
      next.set(t.name, reg);
      reg.start();
    }
    for (const [name, reg] of this.byTrunk) if (!next.has(name)) reg.stop();
    this.byTrunk = next;
  }

  /** One row per registering trunk, in config order. */
  rows(): TrunkRegistrationRow[] {
    return [...this.byTrunk.values()].map((r) => ({
      trunk: r.settings.trunk,
      endpoint: `REGISTER ${r.aor}`,
      state: r.state,
      rttMs: null,
      lastChange: r.lastChange,
      lastError: r.lastError,
    }));
  }

  /** Stops every registration (sbcd shutdown). Bindings expire at the registrar on their own. */
  close(): void {
    this.closed = true;
    for (const r of this.byTrunk.values()) r.stop();
    this.byTrunk.clear();
  }
}
