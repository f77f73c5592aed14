// The session timer of one call leg (RFC 4028, V-OUT-11). Each leg has its
// own: the interval and refresher negotiated with the peer of that leg, a
// refresh timer when we refresh, and an expiry timer either way. The call
// owns the SIP side (sending the refresh, hanging up); this owns the clock.
import type { Headers, HeaderList } from '../sip/index.js';
import {
  type Refresher,
  type SessionTimerSettings,
  type TimerRequest,
  type UasDecision,
  RFC_MIN_SE_S,
  expiryDelayS,
  hasOptionTag,
  negotiateAsUas,
  parseMinSe,
  refreshDelayS,
  uacRequestHeaders,
  uacResult,
  uasResponseHeaders,
} from './session-timer.js';

export interface LegTimerHandlers {
  /** We refresh this leg and it is time (re-INVITE or UPDATE). */
  refresh(): void;
  /** No refresh by the deadline: the call ends (BYE on both legs). */
  expired(interval: number, refresher: Refresher): void;
}

/** What happened to a refresh we sent. */
export type RefreshOutcome = 'refreshed' | 'retry-422' | 'retry-later' | 'fatal';

// A refresh that failed for a reason that may pass (491 glare, a 5xx) is
// tried again halfway to the expiry, a bounded number of times.
const MAX_REFRESH_RETRIES = 3;
const MIN_RETRY_DELAY_MS = 2_000;

export class LegSessionTimer {
  #settings: SessionTimerSettings;
  #handlers: LegTimerHandlers;
  #interval = 0;
  #refresher: Refresher | null = null;
  #refreshTimer: NodeJS.Timeout | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  #expiresAt = 0;
  // The largest Min-SE a 422 from the peer gave us: asked for from then on.
  #peerMinSe = 0;
  #retried422 = false;
  #refreshRetries = 0;
  #stopped = false;
  // Whether the peer knows RFC 4028 (undefined until it said something).
  #peerSupports: boolean | undefined;

  constructor(settings: SessionTimerSettings, handlers: LegTimerHandlers) {
    this.#settings = settings;
    this.#handlers = handlers;
  }

  /** We offer the extension on this leg (Supported: timer). */
  get enabled(): boolean {
    return this.#settings.enabled;
  }

  /** The interval in force (0 = no session timer on this leg). */
  get interval(): number {
    return this.#interval;
  }

  get refresher(): Refresher | null {
    return this.#refresher;
  }

  // ---- we are the UAC of the transaction ----------------------------------

  /** Session-Expires and Min-SE for the INVITE we originate on this leg. */
  inviteHeaders(): HeaderList {
    if (!this.enabled) return [];
    const minSe = this.#ourMinSe();
    return uacRequestHeaders(Math.max(this.#settings.expiresS, minSe), minSe);
  }

  /** Session-Expires (with the refresher in place) and Min-SE for a refresh we send. */
  refreshHeaders(): HeaderList {
    if (!this.enabled || this.#interval === 0) return [];
    return uacRequestHeaders(Math.max(this.#interval, this.#peerMinSe), this.#ourMinSe(), this.#refresher ?? 'us');
  }

  /**
   * A 422 to our INVITE: true when it is worth sending again with the
   * larger interval it asks for (once per leg: a peer that keeps refusing
   * gets the 422's caller-facing answer instead of a loop).
   */
  on422(headers: Headers): boolean {
    const minSe = parseMinSe(headers.get('min-se'));
    const asked = Math.max(this.#settings.expiresS, this.#ourMinSe());
    if (!this.enabled || this.#retried422 || minSe === null || minSe <= asked) {
      return false;
    }
    this.#retried422 = true;
    this.#peerMinSe = minSe;
    return true;
  }

  /**
   * The 2xx to our INVITE or refresh: the timer the peer agreed to, or none
   * (RFC 4028 §7.2). A peer without the extension, which we refresh because
   * it cannot, answers our refreshes without Session-Expires: the timer
   * carries on as it was (those refreshes are all it takes part in).
   */
  onUacAnswered(headers: Headers): void {
    if (!this.enabled) return;
    const r = uacResult(headers);
    if (r) {
      this.#peerSupports = true;
      this.#start(r.interval, r.refresher);
    } else if (this.#peerSupports === false && this.#refresher === 'us' && this.#interval > 0) {
      this.#start(this.#interval, 'us');
    } else {
      if (this.#peerSupports === undefined) this.#peerSupports = hasOptionTag(headers, 'supported', 'timer') || hasOptionTag(headers, 'require', 'timer');
      this.stop();
    }
  }

  /** The final response to a refresh we sent: what to do next. */
  onRefreshResponse(status: number, headers: Headers, local: boolean): RefreshOutcome {
    if (this.#stopped) return 'fatal';
    if (status >= 200 && status < 300) {
      this.#refreshRetries = 0;
      this.onUacAnswered(headers);
      return 'refreshed';
    }
    // RFC 3261 §12.2.1.2: the dialog is gone, or the peer does not answer.
    if (status === 481 || status === 408 || local) return 'fatal';
    if (status === 422) {
      const minSe = parseMinSe(headers.get('min-se'));
      if (minSe !== null && minSe > this.#interval && minSe > this.#peerMinSe) {
        this.#peerMinSe = minSe;
        return 'retry-422';
      }
    }
    this.#retryLater();
    return 'retry-later';
  }

  // ---- we are the UAS of the transaction ----------------------------------

  /** Our decision on an INVITE, re-INVITE or UPDATE from the peer of this leg. */
  decide(req: TimerRequest): UasDecision {
    this.#peerSupports = req.supportsTimer;
    return negotiateAsUas(req, this.#settings, this.#refresher ?? undefined);
  }

  /** Headers of our 2xx for that decision (none when off). */
  responseHeaders(d: UasDecision): HeaderList {
    return d.kind === 'on' ? uasResponseHeaders(d) : [];
  }

  /** Our 2xx carrying that decision went out: the timer runs from now. */
  onUasAnswered(d: UasDecision): void {
    if (d.kind === 'on') this.#start(d.interval, d.refresher);
    else if (d.kind === 'off') this.stop();
  }

  stop(): void {
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#expiryTimer);
    this.#refreshTimer = undefined;
    this.#expiryTimer = undefined;
    this.#interval = 0;
    this.#refresher = null;
  }

  /** The call is over: nothing fires any more. */
  close(): void {
    this.#stopped = true;
    this.stop();
  }

  // ---- internals ----------------------------------------------------------

  #ourMinSe(): number {
    return Math.max(this.#settings.minSeS, RFC_MIN_SE_S, this.#peerMinSe);
  }

  #start(interval: number, refresher: Refresher): void {
    if (this.#stopped) return;
    this.stop();
    this.#interval = interval;
    this.#refresher = refresher;
    const expiryMs = expiryDelayS(interval) * 1000;
    this.#expiresAt = Date.now() + expiryMs;
    this.#expiryTimer = setTimeout(() => this.#expire(), expiryMs);
    this.#expiryTimer.unref();
    if (refresher === 'us') this.#scheduleRefresh(refreshDelayS(interval) * 1000);
  }

  #scheduleRefresh(ms: number): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      if (!this.#stopped) this.#handlers.refresh();
    }, ms);
    this.#refreshTimer.unref();
  }

  #retryLater(): void {
    const left = this.#expiresAt - Date.now();
    if (this.#refresher !== 'us' || this.#refreshRetries >= MAX_REFRESH_RETRIES || left < 2 * MIN_RETRY_DELAY_MS) return;
    this.#refreshRetries++;
    this.#scheduleRefresh(Math.max(MIN_RETRY_DELAY_MS, left / 2));
  }

  #expire(): void {
    this.#expiryTimer = undefined;
    if (this.#stopped) return;
    const interval = this.#interval;
    const refresher = this.#refresher ?? 'peer';
    this.stop();
    this.#handlers.expired(interval, refresher);
  }
}
