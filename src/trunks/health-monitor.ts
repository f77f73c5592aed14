// OPTIONS health checks of trunk endpoints (V-OUT-8). Every endpoint of an
// enabled trunk with `options_ping_s > 0` gets an out-of-dialog OPTIONS at
// that interval; the outcome drives its EndpointHealth (./health.ts: down
// after N failures, up after M successes, smoothed round-trip time), state
// changes are logged ("trunk endpoint down" / "trunk endpoint up"), and
// selection (./selection.ts) reads the result for every new call.
//
// One probe at a time per endpoint: when the next tick finds the previous
// OPTIONS still unanswered, that interval counts as a failure ("no answer")
// and no second request is sent. The engine keeps retransmitting the first
// one until its own timer F (64*T1), so a silent endpoint costs one
// transaction, never a pile of them, and an answer to a retransmission still
// counts as "up" (without an RTT sample: Karn's rule, the round trip of a
// retransmitted request is ambiguous).
//
// State is kept across config commits for endpoints whose trunk, host,
// port, transport and side did not change.
//
// Trunk health also says how each trunk's REGISTER stands (./registration.ts,
// for trunks with `register.enabled`): the monitor runs those registrations
// beside its probes and lists them as rows of their own ("REGISTER sip:…"),
// so the admin API and UI show them with no change of their own.
import type { ConfigDocument, TrunkConfig } from '../config/document.js';
import type { Logger } from '../log.js';
import type { FinalResult, RequestSpec } from '../sip/index.js';
import { DEFAULT_THRESHOLDS, EndpointHealth, type HealthState, type HealthThresholds, probeVerdict, type StateChange } from './health.js';
import type { HopHealth } from './selection.js';
import { type RegistrationState, type RegistrationTiming, TrunkRegistrations } from './registration.js';
import { type TrunkHop, trunkHops } from './trunk-endpoints.js';

/** What the monitor needs of the SIP engine (SipEngine has it). */
export interface ProbeEngine {
  request(spec: RequestSpec): { final: Promise<FinalResult> };
}

export interface HealthMonitorOptions {
  engine: ProbeEngine;
  log: Logger;
  thresholds?: HealthThresholds;
  /** Wall clock for lastChange (default Date.now). */
  now?: () => number;
  /** Monotonic clock for round trips, ms (default performance.now). */
  monotonic?: () => number;
  /** Delay before an endpoint's first probe, ms (default: random below min(interval, 1 s), so probes spread). */
  firstDelayMs?: (intervalMs: number) => number;
  /** Trunk hops from config (default trunkHops: manual endpoints or the endpoint set). */
  hopsOf?: (trunk: TrunkConfig) => TrunkHop[];
  /** Retry timing of trunk registrations (default registration.ts DEFAULT_TIMING). */
  registerTiming?: RegistrationTiming;
}

/** One row per checked endpoint, for the admin UI. */
export interface TrunkEndpointHealth {
  trunk: string;
  /** "host:port", or the host alone for an RFC 3263 (SRV) name; "REGISTER sip:KEY@DOMAIN" for a registration. */
  endpoint: string;
  state: HealthState | RegistrationState;
  /** Smoothed OPTIONS round trip, ms (0.1 ms resolution); null before the first measurement. */
  rttMs: number | null;
  /** When the state last changed (ms since the epoch); null = never. */
  lastChange: number | null;
  /** The last failure ("timeout", "503 Service Unavailable", "transport error: …"); "" = none. */
  lastError: string;
}

interface ProbeSettings {
  trunk: string;
  side: string;
  transport: TrunkConfig['transport'];
  hop: TrunkHop;
  fromHost: string;
  intervalMs: number;
  t1Ms: number;
}

function hostForUri(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function endpointName(hop: { host: string; port: number }): string {
  return hop.port ? `${hostForUri(hop.host)}:${hop.port}` : hop.host;
}

/** The identity of an endpoint's health: what, if changed, makes old measurements meaningless. */
function healthKey(s: Pick<ProbeSettings, 'trunk' | 'side' | 'transport' | 'hop'>): string {
  return `${s.trunk}\n${s.side}\n${s.transport}\n${s.hop.host.toLowerCase()}\n${s.hop.port}`;
}

function lookupKey(trunk: string, host: string, port: number): string {
  return `${trunk}\n${host.toLowerCase()}\n${port}`;
}

/** The OPTIONS sent to an endpoint (no user part: it asks the server itself). */
export function probeRequest(s: Pick<ProbeSettings, 'side' | 'transport' | 'hop' | 'fromHost'>): RequestSpec {
  const hostPort = endpointName(s.hop);
  const transportParam = s.transport === 'udp' ? '' : `;transport=${s.transport}`;
  return {
    method: 'OPTIONS',
    uri: `sip:${hostPort}${transportParam}`,
    side: s.side,
    transport: s.transport,
    nextHop: hostPort,
    from: { uri: `sip:edgesbc@${hostForUri(s.fromHost)}` },
    to: { uri: `sip:${hostPort}` },
    maxForwards: 70,
    headers: [['Accept', 'application/sdp']],
  };
}

class EndpointProbe {
  readonly health: EndpointHealth;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  // The OPTIONS in flight: when it left, and whether its interval already counted as a failure.
  private inFlight: { sentAt: number; counted: boolean } | undefined;

  constructor(
    public settings: ProbeSettings,
    private readonly m: MonitorSettings,
  ) {
    this.health = new EndpointHealth(m.thresholds);
  }

  start(): void {
    this.schedule(Math.max(0, this.m.firstDelayMs(this.settings.intervalMs)));
  }

  /** A new interval: takes effect from the next tick. */
  reschedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.schedule(this.settings.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  private tick(): void {
    if (this.stopped) return;
    this.schedule(this.settings.intervalMs);
    if (this.inFlight) {
      // Each interval without an answer is one failure; the answer (or the
      // engine's timeout) of that request no longer counts as one.
      this.inFlight.counted = true;
      this.record(this.health.failure(this.m.now(), `no answer within ${this.settings.intervalMs / 1000} s`));
      return;
    }
    let final: Promise<FinalResult>;
    try {
      final = this.m.engine.request(probeRequest(this.settings)).final;
    } catch (err) {
      // The engine is closed (shutdown) or refused the request outright.
      this.record(this.health.failure(this.m.now(), `not sent: ${(err as Error).message}`));
      return;
    }
    const flight = { sentAt: this.m.monotonic(), counted: false };
    this.inFlight = flight;
    final.then(
      ({ response }) => this.onFinal(flight, response),
      (err: unknown) => this.onFinal(flight, { status: 503, reason: '', local: true, info: String(err) }),
    );
  }

  private onFinal(flight: { sentAt: number; counted: boolean }, res: { status: number; reason: string; local: boolean; info: string; transport?: string }): void {
    if (this.inFlight === flight) this.inFlight = undefined;
    if (this.stopped) return;
    const elapsed = this.m.monotonic() - flight.sentAt;
    const verdict = probeVerdict(res);
    if (verdict.ok) {
      // Over UDP an answer later than T1 may answer a retransmission.
      const reliable = this.settings.transport !== 'udp';
      const sample = !flight.counted && (reliable || elapsed < this.settings.t1Ms) ? elapsed : undefined;
      this.record(this.health.success(this.m.now(), sample));
    } else if (!flight.counted) {
      this.record(this.health.failure(this.m.now(), verdict.reason));
    }
  }

  private record(change: StateChange | undefined): void {
    if (!change) return;
    const { trunk, hop } = this.settings;
    const fields = { trunk, host: hop.host, port: hop.port, from: change.from };
    if (change.to === 'down') this.m.log.warn({ ...fields, reason: change.reason }, 'trunk endpoint down');
    else this.m.log.info({ ...fields, rttMs: roundRtt(this.health.rttMs) }, 'trunk endpoint up');
  }
}

function roundRtt(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.round(ms * 10) / 10;
}

type MonitorSettings = Required<Omit<HealthMonitorOptions, 'thresholds' | 'registerTiming'>> & { thresholds: HealthThresholds };

export class TrunkHealthMonitor {
  private readonly opts: MonitorSettings;
  private readonly registrations: TrunkRegistrations;
  // In config order (trunks, then each trunk's hops).
  private probes = new Map<string, EndpointProbe>();
  private byEndpoint = new Map<string, EndpointProbe>();
  private closed = false;

  constructor(o: HealthMonitorOptions) {
    this.opts = {
      engine: o.engine,
      log: o.log,
      thresholds: o.thresholds ?? DEFAULT_THRESHOLDS,
      now: o.now ?? Date.now,
      monotonic: o.monotonic ?? (() => performance.now()),
      firstDelayMs: o.firstDelayMs ?? ((interval) => Math.random() * Math.min(interval, 1000)),
      hopsOf: o.hopsOf ?? ((t) => trunkHops(t)),
    };
    this.registrations = new TrunkRegistrations({
      engine: o.engine,
      log: o.log,
      now: this.opts.now,
      hopsOf: this.opts.hopsOf,
      ...(o.registerTiming ? { timing: o.registerTiming } : {}),
    });
  }

  /** Starts, keeps or stops probes to match the running config. */
  apply(doc: ConfigDocument): void {
    if (this.closed) return;
    this.registrations.apply(doc);
    const next = new Map<string, EndpointProbe>();
    for (const trunk of doc.trunks) {
      if (trunk.enabled === false || !(trunk.options_ping_s > 0)) continue;
      for (const hop of this.opts.hopsOf(trunk)) {
        const settings: ProbeSettings = {
          trunk: trunk.name,
          side: trunk.side,
          transport: trunk.transport,
          hop,
          fromHost: trunk.from_domain || hop.host,
          intervalMs: trunk.options_ping_s * 1000,
          t1Ms: doc.sip.timers.t1_ms,
        };
        const key = healthKey(settings);
        if (next.has(key)) continue; // the same endpoint listed twice: one probe
        const old = this.probes.get(key);
        if (old) {
          const intervalChanged = old.settings.intervalMs !== settings.intervalMs;
          old.settings = settings;
          if (intervalChanged) old.reschedule();
          next.set(key, old);
        } else {
          const probe = new EndpointProbe(settings, this.opts);
          probe.start();
          next.set(key, probe);
        }
      }
    }
    for (const [key, probe] of this.probes) if (!next.has(key)) probe.stop();
    this.probes = next;
    this.byEndpoint = new Map([...next.values()].map((p) => [lookupKey(p.settings.trunk, p.settings.hop.host, p.settings.hop.port), p]));
  }

  /** The health of one of a trunk's hops (undefined = not checked). */
  healthOf(trunk: string, host: string, port: number): HopHealth | undefined {
    const p = this.byEndpoint.get(lookupKey(trunk, host, port));
    return p ? { state: p.health.state, rttMs: p.health.rttMs } : undefined;
  }

  /** Every checked endpoint in config order, then every trunk registration (for the admin UI). */
  trunkHealth(): TrunkEndpointHealth[] {
    return [...this.probeRows(), ...this.registrations.rows()];
  }

  private probeRows(): TrunkEndpointHealth[] {
    return [...this.probes.values()].map((p) => ({
      trunk: p.settings.trunk,
      endpoint: endpointName(p.settings.hop),
      state: p.health.state,
      rttMs: roundRtt(p.health.rttMs),
      lastChange: p.health.lastChange || null,
      lastError: p.health.lastError,
    }));
  }

  /** Stops every probe (sbcd shutdown); answers still in flight are ignored. */
  close(): void {
    this.closed = true;
    this.registrations.close();
    for (const p of this.probes.values()) p.stop();
    this.probes.clear();
    this.byEndpoint.clear();
  }
}
