// Session timers of one B2BUA call (RFC 4028, V-OUT-11): a LegSessionTimer
// per leg, negotiated with that leg's peer only (we are UAS on leg a, UAC on
// leg b), and the refreshes: the ones we send when we are a leg's refresher,
// and the ones a peer sends, answered on their own leg when they change
// nothing (session-timer-sdp.ts). The call keeps the SIP plumbing; it calls
// in here at a handful of points and gives back a small CallPort.
import type { Logger } from '../log.js';
import type { FinalResult, Headers, HeaderList, ServerTransaction, SipRequest } from '../sip/index.js';
import type { LegName } from './leg.js';
import { type Refresher, type SessionTimerSettings, type UasDecision, rejectHeaders, timerRequestOf } from './session-timer.js';
import { LegSessionTimer } from './session-timer-leg.js';
import type { SdpLedger } from './session-timer-sdp.js';

export const SESSION_TIMERS_OFF: SessionTimerSettings = { enabled: false, expiresS: 1800, minSeS: 90 };

/** Settings per leg: a trunk's own session_timer applies on the leg toward it (V-OUT-11). */
export type CallTimerSettings = SessionTimerSettings | Record<LegName, SessionTimerSettings>;

function perLeg(s: CallTimerSettings): Record<LegName, SessionTimerSettings> {
  return 'a' in s && 'b' in s ? s : { a: s, b: s };
}

/** What the session timers need of their call. */
export interface CallPort {
  readonly id: string;
  readonly log: Logger;
  /** The SDP each leg agreed on. */
  readonly sdp: SdpLedger;
  /** The call is up (both legs confirmed), not ending. */
  established(): boolean;
  /** Sends an in-dialog request on `leg` (header rules applied by the call). */
  request(leg: LegName, method: string, headers: HeaderList, body: string): Promise<FinalResult> | undefined;
  /** ACK for the 2xx of our re-INVITE on `leg`. */
  ack(leg: LegName): void;
  /** Runs `fn` in the call's serial order (after anything in progress). */
  step(fn: () => Promise<void> | void): void;
  /** Ends the call: BYE on both legs. */
  hangup(reason: string): void;
  /** Headers of a response on `leg` after that peer's header rules. */
  toward(leg: LegName, headers: HeaderList): HeaderList;
}

const TIMER_METHODS = new Set(['INVITE', 'UPDATE']);

function allowsUpdate(headers: Headers): boolean {
  return headers.getAll('allow').some((v) => v.split(',').some((m) => m.trim().toUpperCase() === 'UPDATE'));
}

export class CallSessionTimers {
  readonly #port: CallPort;
  readonly #settings: Record<LegName, SessionTimerSettings>;
  readonly #legs: Record<LegName, LegSessionTimer>;
  // The peer listed UPDATE in Allow (its INVITE on a, its 2xx on b): our
  // refreshes are UPDATEs without a body then, else re-INVITEs (§7.4 / §9).
  readonly #update: Record<LegName, boolean> = { a: false, b: false };
  // Our answer to leg a's INVITE, decided when it arrived, applied with the 2xx.
  #inviteDecision: UasDecision = { kind: 'off' };
  // We offered the last agreed SDP in the 2xx of a body-less refresh INVITE:
  // its ACK carries the peer's answer.
  readonly #offeredInRefresh: Record<LegName, boolean> = { a: false, b: false };

  constructor(port: CallPort, settings: CallTimerSettings) {
    this.#port = port;
    this.#settings = perLeg(settings);
    const handlers = (leg: LegName) => ({
      refresh: () => port.step(() => this.#sendRefresh(leg)),
      expired: (interval: number, refresher: Refresher) => this.#expired(leg, interval, refresher),
    });
    this.#legs = { a: new LegSessionTimer(this.#settings.a, handlers('a')), b: new LegSessionTimer(this.#settings.b, handlers('b')) };
  }

  leg(leg: LegName): LegSessionTimer {
    return this.#legs[leg];
  }

  /** Option tags of our INVITE and in-dialog requests on `leg` (100rel is always ours to offer). */
  supported(leg: LegName): string {
    return this.#settings[leg].enabled ? '100rel, timer' : '100rel';
  }

  // ---- the INVITE of leg a (we are UAS) -------------------------------------

  /** Leg a's INVITE arrived: the 422 to send, or undefined to go on. */
  onInvite(req: SipRequest): { status: 422; reason: string; headers: HeaderList } | undefined {
    this.#update.a = allowsUpdate(req.headers);
    const d = this.#legs.a.decide(timerRequestOf(req.headers));
    if (d.kind === 'reject') {
      this.#port.log.info({ call: this.#port.id, leg: 'a', minSe: d.minSe, asked: req.headers.get('session-expires') }, 'session interval too small: 422');
      return { status: 422, reason: 'Session Interval Too Small', headers: rejectHeaders(d.minSe) };
    }
    this.#inviteDecision = d;
    return undefined;
  }

  /** Headers of our 2xx to leg a's INVITE. */
  inviteAnswerHeaders(): HeaderList {
    return this.#legs.a.responseHeaders(this.#inviteDecision);
  }

  /** That 2xx went out: leg a's timer runs. */
  onInviteAnswered(): void {
    this.#legs.a.onUasAnswered(this.#inviteDecision);
  }

  // ---- the INVITE of leg b (we are UAC) ---------------------------------------

  /** Supported, Session-Expires and Min-SE of the INVITE we send on leg b. */
  inviteHeaders(): HeaderList {
    return [['Supported', this.supported('b')], ...this.#legs.b.inviteHeaders()];
  }

  /** A 422 to it: true = send the INVITE again (inviteHeaders() now asks for more). */
  retryAfter422(res: { status: number; headers: Headers }): boolean {
    if (res.status !== 422 || !this.#legs.b.on422(res.headers)) return false;
    this.#port.log.info({ call: this.#port.id, leg: 'b', minSe: res.headers.get('min-se') }, 'session interval too small: INVITE sent again');
    return true;
  }

  /** Its 2xx: leg b's timer as the peer answered. */
  onInviteAccepted(headers: Headers): void {
    this.#update.b = allowsUpdate(headers);
    this.#legs.b.onUacAnswered(headers);
  }

  // ---- in-dialog INVITE / UPDATE ----------------------------------------------

  /**
   * A re-INVITE or UPDATE from the peer of `leg`. Answered here (true) when
   * it is a refresh that changes nothing (no SDP, or the SDP that peer
   * already agreed to) or asks for less than our Min-SE (422); otherwise the
   * call relays it (false) and reports with relayHeaders()/onRelayed().
   */
  answerLocally(leg: LegName, st: ServerTransaction): boolean {
    const req = st.request;
    if (!TIMER_METHODS.has(req.method) || !this.#port.established()) return false;
    if (st.final) return true; // canceled while it waited for its turn: the engine answered 487
    const d = this.#legs[leg].decide(timerRequestOf(req.headers));
    if (d.kind === 'reject') {
      st.respond(422, { reason: 'Session Interval Too Small', headers: this.#port.toward(leg, rejectHeaders(d.minSe)) });
      return true;
    }
    const sdp = this.#port.sdp;
    const ours = sdp.lastSent(leg);
    // A body-less re-INVITE asks for our offer: the SDP we last sent. Without
    // one (a call with no SDP) it is not ours to make up: it crosses.
    const pure = req.body === '' ? req.method === 'UPDATE' || ours !== '' : ours !== '' && sdp.isUnchanged(leg, req.body);
    if (!pure) return false;
    const body = req.method === 'INVITE' || req.body !== '' ? ours : '';
    const headers: HeaderList = [...this.#legs[leg].responseHeaders(d)];
    if (body) headers.push(['Content-Type', 'application/sdp']);
    st.respond(200, { headers: this.#port.toward(leg, headers), body });
    this.#legs[leg].onUasAnswered(d);
    if (req.method === 'INVITE' && req.body === '') this.#offeredInRefresh[leg] = true;
    this.#port.log.debug({ call: this.#port.id, leg, method: req.method, interval: this.#legs[leg].interval }, 'session refresh answered on its leg');
    return true;
  }

  /** The ACK of a re-INVITE on `leg`; tells when it answered our refresh offer with a change. */
  onAck(leg: LegName, ack: SipRequest): void {
    if (!this.#offeredInRefresh[leg]) return;
    this.#offeredInRefresh[leg] = false;
    if (ack.body && !this.#port.sdp.isUnchanged(leg, ack.body)) {
      this.#port.log.warn({ call: this.#port.id, leg }, 'answer to a refresh offer changes the session: not applied (send a re-INVITE with the change)');
    }
  }

  /** Session timer headers of a re-INVITE/UPDATE the call relays onto `leg` (a refresh of that leg too). */
  relayHeaders(leg: LegName, method: string): HeaderList {
    if (!TIMER_METHODS.has(method) || !this.#settings[leg].enabled) return [];
    return [['Supported', this.supported(leg)], ...this.#legs[leg].refreshHeaders()];
  }

  /**
   * A relayed re-INVITE/UPDATE is done: `from`'s peer sent it, `to`'s peer
   * answered `response`. A 2xx refreshed both legs; the headers to add to
   * the response on `from` are returned.
   */
  onRelayed(from: LegName, to: LegName, req: SipRequest, response: { status: number; headers: Headers }): HeaderList {
    if (!TIMER_METHODS.has(req.method) || response.status < 200 || response.status >= 300) return [];
    this.#legs[to].onUacAnswered(response.headers); // a no-op on a leg without timers
    if (!this.#settings[from].enabled) return [];
    const d = this.#legs[from].decide(timerRequestOf(req.headers));
    if (d.kind === 'reject') return []; // cannot be: answerLocally() refused it first
    this.#legs[from].onUasAnswered(d);
    return this.#legs[from].responseHeaders(d);
  }

  close(): void {
    this.#legs.a.close();
    this.#legs.b.close();
  }

  // ---- our refreshes and the expiry -------------------------------------------

  async #sendRefresh(leg: LegName): Promise<void> {
    const port = this.#port;
    const timer = this.#legs[leg];
    if (!port.established() || timer.refresher !== 'us') return;
    // RFC 4028 §10 recommends UPDATE: no offer/answer, nothing for the media.
    // Without it, a re-INVITE with the SDP we last sent, unchanged.
    let body = port.sdp.lastSent(leg);
    const method = this.#update[leg] || body === '' ? 'UPDATE' : 'INVITE';
    if (method === 'UPDATE') body = '';
    const headers: HeaderList = [['Supported', this.supported(leg)], ...timer.refreshHeaders()];
    if (body) headers.push(['Content-Type', 'application/sdp']);
    const pending = port.request(leg, method, headers, body);
    if (!pending) return;
    const { response } = await pending;
    const ok = response.status >= 200 && response.status < 300;
    if (method === 'INVITE' && ok) {
      port.ack(leg);
      if (response.body && !port.sdp.isUnchanged(leg, response.body)) {
        port.log.warn({ call: port.id, leg }, 'answer to our refresh changes the session: not applied');
      }
    }
    const outcome = timer.onRefreshResponse(response.status, response.headers, response.local);
    const info = { call: port.id, leg, method, status: response.status, interval: timer.interval, refresher: timer.refresher };
    if (outcome === 'refreshed') port.log.debug(info, 'session refreshed');
    else if (outcome === 'retry-422') port.step(() => this.#sendRefresh(leg));
    else if (outcome === 'retry-later') port.log.warn(info, 'session refresh failed: trying again before the expiry');
    else {
      port.log.warn(info, 'session refresh failed: ending the call');
      port.hangup('session refresh failed');
    }
  }

  #expired(leg: LegName, interval: number, refresher: Refresher): void {
    if (!this.#port.established()) return;
    this.#port.log.warn({ call: this.#port.id, leg, interval, refresher }, 'session timer expired');
    this.#port.hangup('session timer expired');
  }
}
