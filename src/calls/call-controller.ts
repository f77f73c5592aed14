// Admits, routes and tracks calls. Out-of-dialog requests arrive here from
// the engine; INVITEs become Calls, OPTIONS are answered locally (they are
// health checks of the SBC itself, V-OUT-8), other methods are refused.
import { randomBytes } from 'node:crypto';

import type { ConfigDocument } from '../config/document.js';
import type { Logger } from '../log.js';
import { type MediaFactory, passthroughMediaFactory } from '../media/call-media.js';
import { legPolicy, peerBySource, type PeerRef } from '../media/media-config.js';
import { type Registrar, callerAllowed, registeredTarget } from '../registrar/index.js';
import { type ServerTransaction, type SipEngine, parseNameAddr, parseUri } from '../sip/index.js';
import { TrunkRegistry } from '../trunks/registry.js';
import { outboundNumbers, warningValue } from '../trunks/outbound.js';
import { Call, type CallOutcome, type CallSnapshot } from './call.js';
import { legPeerOf } from './header-rules-call.js';
import type { SessionTimerSettings } from './session-timer.js';
import { trunkSessionTimer } from '../trunks/session-timer-override.js';
import { type Hop, type RouteTarget, Router, type Side } from './router.js';

export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, PRACK';
const KNOWN_UNSUPPORTED = new Set(['REGISTER', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'MESSAGE', 'REFER', 'INFO', 'UPDATE']);

// Call ids (logs, media): unique within the process and across restarts,
// without the cost of a random UUID per call.
const CALL_ID_PREFIX = randomBytes(6).toString('hex');
let callSeq = 0;

// Asked before an out-of-dialog request is handled (the firewall's dynamic
// bans, src/firewall/): false = refuse it with 403, the source is banned.
export type RequestGuard = (req: { ip: string; side: string; method: string; userAgent: string }) => boolean;

// Orders a trunk's hops for a new call: endpoint health and closeness
// (V-OUT-3, V-OUT-8; src/trunks/selection.ts). Without it, config order.
export interface HopOrder {
  order(trunk: string, hops: readonly Hop[]): Hop[];
}

// A call that has ended, with where it came from (call records, src/cdr/).
export interface EndedCall extends CallOutcome {
  route: string;
  fromSide: string;
  sourceIp: string;
}

// Told when a call starts and when it has ended (the admin API's live view
// and call records). A watcher that throws is logged, never breaks a call.
export interface CallWatcher {
  started?(id: string): void;
  ended?(call: EndedCall): void;
}

interface Limits {
  maxCallsInProgress: number;
  retryAfterS: number;
}

export class CallController {
  private readonly calls = new Set<Call>();
  private readonly origins = new WeakMap<Call, { route: string; fromSide: string; sourceIp: string }>();
  private readonly watchers = new Set<CallWatcher>();
  // Trunk state that outlives a config commit (digest nonces, src/trunks/).
  private readonly trunks = new TrunkRegistry();
  private router: Router;
  private limits: Limits;
  private doc: ConfigDocument;
  private sessionTimer: SessionTimerSettings;
  private draining = false;
  private drained: (() => void) | undefined;

  constructor(
    private readonly engine: SipEngine,
    doc: ConfigDocument,
    private readonly log: Logger,
    private readonly media: MediaFactory = passthroughMediaFactory,
    private readonly guard: RequestGuard = () => true,
    private readonly hopOrder?: HopOrder,
    // PBXs that register to the SBC (src/registrar/): REGISTER handling and
    // where their calls go.
    private readonly registrar?: Registrar,
  ) {
    this.trunks.apply(doc);
    this.router = new Router(doc, this.trunks);
    this.limits = limitsOf(doc);
    this.doc = doc;
    this.sessionTimer = sessionTimerOf(doc);
    engine.on('request', (st: ServerTransaction) => this.onRequest(st));
  }

  // A new running config: new calls use it, calls in progress keep going.
  applyConfig(doc: ConfigDocument): void {
    this.trunks.apply(doc);
    this.registrar?.applyConfig(doc);
    this.router = new Router(doc, this.trunks);
    this.limits = limitsOf(doc);
    this.doc = doc;
    this.sessionTimer = sessionTimerOf(doc);
  }

  get callsInProgress(): number {
    return this.calls.size;
  }

  watch(watcher: CallWatcher): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  // Every call in progress with its per-leg media statistics.
  snapshot(): Promise<CallSnapshot[]> {
    return Promise.all([...this.calls].map((c) => c.snapshot()));
  }

  // SIGTERM: refuse new calls, let calls in progress finish for up to
  // graceMs, then hang up whatever is left.
  async shutdown(graceMs: number): Promise<void> {
    this.draining = true;
    if (this.calls.size > 0) {
      this.log.info({ calls: this.calls.size, graceMs }, 'waiting for calls in progress');
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        setTimeout(resolve, graceMs).unref();
      });
    }
    for (const call of [...this.calls]) call.hangup('shutdown');
  }

  private onRequest(st: ServerTransaction): void {
    const method = st.request.method;
    const req = st.request;
    if (!this.guard({ ip: req.source.ip, side: req.side, method, userAgent: req.headers.get('user-agent') ?? '' })) {
      st.respond(403, { reason: 'Forbidden' });
      return;
    }
    if (method === 'INVITE') return this.onInvite(st);
    if (method === 'REGISTER' && this.registrar?.active) return this.registrar.onRegister(st);
    if (method === 'OPTIONS') {
      st.respond(200, {
        headers: [
          ['Allow', ALLOW],
          ['Accept', 'application/sdp'],
          ['Supported', this.sessionTimer.enabled ? '100rel, timer' : '100rel'],
        ],
      });
      return;
    }
    st.respond(KNOWN_UNSUPPORTED.has(method) ? 405 : 501, { headers: [['Allow', ALLOW]] });
  }

  private onInvite(st: ServerTransaction): void {
    const req = st.request;
    if (this.draining) return this.busy(st, 'shutting down');
    if (req.looped) {
      st.respond(482, { reason: 'Loop Detected' });
      return;
    }
    const maxForwards = req.maxForwards ?? 70;
    if (maxForwards <= 0) {
      st.respond(483, { reason: 'Too Many Hops' });
      return;
    }
    if (this.calls.size >= this.limits.maxCallsInProgress) return this.busy(st, 'call limit reached');

    const ruri = parseUri(req.uri);
    const source = this.sourceOf(req.side, req.source.ip);
    const decision = this.router.route(req.side as Side, ruri?.user ?? '', source?.kind === 'trunk' ? source.name : '');
    if (!decision.ok) {
      st.respond(decision.status, { reason: decision.reason });
      return;
    }
    const routed = this.registrar ? registeredTarget(decision.target, this.registrar) : decision.target;
    if (!routed) {
      this.log.info({ route: decision.route, pbx: decision.target.name }, 'call refused: PBX not registered');
      st.respond(480, { reason: 'Temporarily Unavailable (PBX not registered)' });
      return;
    }
    const from = parseNameAddr(req.headers.get('from') ?? '');
    const fromUser = (from && parseUri(from.uri)?.user) || 'anonymous';
    if (!this.callerAllowedFrom(st, source, routed, fromUser)) return;
    const numbers = this.numbersToward(st, routed, ruri?.user ?? '', fromUser);
    if (!numbers) return;
    const id = `${CALL_ID_PREFIX}-${(++callSeq).toString(36)}`;
    const target = this.ordered(routed);
    const media = this.media.create(id, {
      a: legPolicy(this.doc, req.side, source),
      b: legPolicy(this.doc, target.side, { kind: target.kind, name: target.name }),
      onTimeout: () => call.hangup('media timeout'),
    });
    const call: Call = new Call(
      id,
      {
        engine: this.engine,
        log: this.log,
        media,
        onEnded: (c) => this.onEnded(c),
        finalStats: this.watchers.size > 0,
        legs: {
          peers: { a: legPeerOf(this.doc, source), b: legPeerOf(this.doc, { kind: target.kind, name: target.name }) },
          sessionTimer: { a: this.timersToward(source), b: this.timersToward({ kind: target.kind, name: target.name }) },
        },
      },
      st,
      target,
      { ruriUser: numbers.ruriUser, from: { user: numbers.fromUser, display: from?.display ?? '' }, maxForwards: maxForwards - 1 },
    );
    this.calls.add(call);
    this.origins.set(call, { route: decision.route, fromSide: req.side, sourceIp: req.source.ip });
    this.tell((w) => w.started?.(id));
    this.log.debug({ call: id, route: decision.route, side: req.side }, 'call routed');
    call.start();
  }

  // The configured peer a request came from, or the registered PBX.
  /** Session timers on the leg toward `peer`: a trunk's own session_timer over sip.session_timer. */
  private timersToward(peer: PeerRef | null): SessionTimerSettings {
    if (peer?.kind !== 'trunk') return this.sessionTimer;
    return trunkSessionTimer(this.sessionTimer, this.doc.trunks.find((t) => t.name === peer.name)?.session_timer);
  }

  private sourceOf(side: string, ip: string): PeerRef | null {
    const peer = peerBySource(this.doc, side, ip);
    if (peer) return peer;
    const pbx = this.registrar?.pbxFrom(side, ip);
    return pbx ? { kind: 'pbx', name: pbx } : null;
  }

  // A PBX's allowed_numbers toward trunks: the From user and, when sent,
  // the P-Asserted-Identity user must both be allowed; else 403.
  private callerAllowedFrom(st: ServerTransaction, source: PeerRef | null, target: RouteTarget, fromUser: string): boolean {
    if (source?.kind !== 'pbx' || target.kind !== 'trunk') return true;
    const pbx = this.doc.pbxs.find((p) => p.name === source.name);
    if (!pbx) return true;
    const pai = parseNameAddr(st.request.headers.get('p-asserted-identity') ?? '');
    const callers = [fromUser, ...(pai ? [parseUri(pai.uri)?.user ?? ''] : [])];
    const refused = callers.find((c) => !callerAllowed(pbx, c));
    if (refused === undefined) return true;
    this.log.warn({ pbx: pbx.name, caller: refused.slice(0, 32) }, 'call refused: caller number not in the PBX\'s allowed_numbers');
    const host = parseUri(st.request.uri)?.host || 'edgesbc.invalid';
    st.respond(403, {
      reason: 'Forbidden (Caller Number Not Allowed)',
      headers: [['Warning', warningValue(host, `caller ${refused.slice(0, 32)} is not in allowed_numbers of PBX ${pbx.name}`)]],
    });
    return false;
  }

  private ordered(t: RouteTarget): RouteTarget {
    if (t.kind !== 'trunk' || !this.hopOrder || t.hops.length < 2) return t;
    return { ...t, hops: this.hopOrder.order(t.name, t.hops) };
  }

  private tell(fn: (w: CallWatcher) => void): void {
    for (const w of this.watchers) {
      try {
        fn(w);
      } catch (err) {
        this.log.error({ err }, 'call watcher failed');
      }
    }
  }

  // The callee and caller ID as the target wants them (V-OUT-4/5,
  // src/trunks/outbound.ts); undefined when the call was refused here.
  private numbersToward(st: ServerTransaction, target: RouteTarget, ruriUser: string, fromUser: string): { ruriUser: string; fromUser: string } | undefined {
    const trunk = target.trunk?.config;
    if (!trunk) return { ruriUser, fromUser };
    const n = outboundNumbers(trunk, ruriUser, fromUser, st.request.headers.get('p-asserted-identity'));
    if (n.ok) return n;
    this.log.info({ trunk: trunk.name, status: n.status, why: n.why }, 'call refused: number');
    const host = parseUri(st.request.uri)?.host || 'edgesbc.invalid';
    st.respond(n.status, { reason: n.reason, headers: [['Warning', warningValue(host, n.why)]] });
    return undefined;
  }

  private busy(st: ServerTransaction, why: string): void {
    this.log.warn({ why, calls: this.calls.size }, 'refusing call with 503');
    st.respond(503, { reason: 'Service Unavailable', headers: [['Retry-After', String(this.limits.retryAfterS)]] });
  }

  private onEnded(call: Call): void {
    this.calls.delete(call);
    const origin = this.origins.get(call) ?? { route: '', fromSide: '', sourceIp: '' };
    this.tell((w) => w.ended?.({ ...call.outcome(), ...origin }));
    if (this.draining && this.calls.size === 0) this.drained?.();
  }
}

function limitsOf(doc: ConfigDocument): Limits {
  return {
    maxCallsInProgress: doc.sip.max_calls_in_progress,
    retryAfterS: doc.sip.retry_after_s,
  };
}

function sessionTimerOf(doc: ConfigDocument): SessionTimerSettings {
  const st = doc.sip.session_timer;
  return { enabled: st.enabled, expiresS: st.expires_s, minSeS: st.min_se_s };
}
