// Session timers (RFC 4028, V-OUT-11): reading and writing Session-Expires,
// Min-SE, Supported/Require: timer, and the negotiation of one transaction.
// Pure functions; the timers themselves are session-timer-leg.ts.
//
// Roles in RFC 4028 are per transaction: "uac" is whoever sent the request
// (initial INVITE or a refresh), "uas" whoever answers it. A call leg keeps
// the refresher as 'us' or 'peer', so it survives refreshes sent in either
// direction; these functions translate between the two.
import { type Headers, parseParams, splitCommaList } from '../sip/index.js';

/** RFC 4028 §4: the smallest session interval anyone may ask for. */
export const RFC_MIN_SE_S = 90;

export type RefresherParam = 'uac' | 'uas';
/** Who refreshes a leg: the SBC or the peer at the other end of that leg. */
export type Refresher = 'us' | 'peer';

export interface SessionTimerSettings {
  enabled: boolean;
  /** The interval we ask for, and the largest we accept as UAS. */
  expiresS: number;
  /** The smallest interval we accept (our Min-SE). */
  minSeS: number;
}

export interface SessionExpires {
  interval: number;
  refresher?: RefresherParam;
}

/** "1800;refresher=uac" → {interval, refresher}; null when absent or malformed. */
export function parseSessionExpires(value: string | undefined): SessionExpires | null {
  if (value === undefined) return null;
  const semi = value.indexOf(';');
  const delta = (semi < 0 ? value : value.slice(0, semi)).trim();
  if (!/^[0-9]{1,10}$/.test(delta)) return null;
  const interval = Number(delta);
  if (interval === 0) return null;
  const params = semi < 0 ? {} : parseParams(value.slice(semi));
  const r = params['refresher']?.toLowerCase();
  return r === 'uac' || r === 'uas' ? { interval, refresher: r } : { interval };
}

/** "90" (params allowed and ignored) → 90; null when absent or malformed. */
export function parseMinSe(value: string | undefined): number | null {
  if (value === undefined) return null;
  const delta = value.split(';', 1)[0]!.trim();
  return /^[0-9]{1,10}$/.test(delta) ? Number(delta) : null;
}

/** True when any `name` header line lists `tag` (Supported: 100rel, timer). */
export function hasOptionTag(headers: Headers, name: 'supported' | 'require', tag: string): boolean {
  for (const line of headers.getAll(name)) {
    for (const t of splitCommaList(line)) if (t.toLowerCase() === tag) return true;
  }
  return false;
}

/** What a request says about session timers. */
export interface TimerRequest {
  supportsTimer: boolean;
  sessionExpires: SessionExpires | null;
  minSe: number | null;
}

export function timerRequestOf(headers: Headers): TimerRequest {
  return {
    supportsTimer: hasOptionTag(headers, 'supported', 'timer') || hasOptionTag(headers, 'require', 'timer'),
    sessionExpires: parseSessionExpires(headers.get('session-expires')),
    minSe: parseMinSe(headers.get('min-se')),
  };
}

export type UasDecision =
  /** 422 Session Interval Too Small, with our Min-SE. */
  | { kind: 'reject'; minSe: number }
  /** No session timer on this leg (ours are off). */
  | { kind: 'off' }
  | { kind: 'on'; interval: number; refresher: Refresher; require: boolean };

/**
 * We answer an INVITE, re-INVITE or UPDATE (RFC 4028 §9). `current` is the
 * leg's refresher when a timer already runs (a refresh): it stays unless the
 * request names another.
 */
export function negotiateAsUas(req: TimerRequest, s: SessionTimerSettings, current?: Refresher): UasDecision {
  if (!s.enabled) return { kind: 'off' };
  const ourMin = Math.max(s.minSeS, RFC_MIN_SE_S);
  const theirMin = Math.max(req.minSe ?? 0, RFC_MIN_SE_S);
  let interval: number;
  const asked = req.sessionExpires;
  if (asked) {
    if (asked.interval < ourMin) {
      // §9: a UAC that knows timers is told our minimum and retries; one that
      // does not (a proxy put Session-Expires in) cannot, so we raise it.
      if (req.supportsTimer) return { kind: 'reject', minSe: ourMin };
      interval = ourMin;
    } else {
      // We may shorten it to what we want, never below either minimum.
      interval = Math.min(asked.interval, Math.max(s.expiresS, theirMin, ourMin));
    }
  } else {
    interval = Math.max(s.expiresS, theirMin, ourMin);
  }
  // §9 Table 2: without timer support the UAC cannot refresh, so we do;
  // a refresher the UAC named is kept; otherwise the role in place stays,
  // and on a new session the one who asked for timers refreshes.
  let refresher: Refresher;
  if (!req.supportsTimer) refresher = 'us';
  else if (asked?.refresher) refresher = asked.refresher === 'uas' ? 'us' : 'peer';
  else refresher = current ?? 'peer';
  return { kind: 'on', interval, refresher, require: req.supportsTimer };
}

/** Headers of our 2xx for a decision 'on' (we are the UAS of this transaction). */
export function uasResponseHeaders(d: Extract<UasDecision, { kind: 'on' }>): Array<[string, string]> {
  const out: Array<[string, string]> = [['Session-Expires', `${d.interval};refresher=${d.refresher === 'us' ? 'uas' : 'uac'}`]];
  if (d.require) out.push(['Require', 'timer']);
  return out;
}

/** 422 to a request asking for less than our minimum. */
export function rejectHeaders(minSe: number): Array<[string, string]> {
  return [['Min-SE', String(minSe)]];
}

/**
 * Headers of a request we send (we are the UAC of this transaction): the
 * interval asked for, our minimum, and on a refresh the refresher in place
 * (RFC 4028 §7.4). The initial INVITE names none and lets the UAS choose.
 */
export function uacRequestHeaders(interval: number, minSe: number, refresher?: Refresher): Array<[string, string]> {
  const r = refresher === undefined ? '' : `;refresher=${refresher === 'us' ? 'uac' : 'uas'}`;
  return [
    ['Session-Expires', `${interval}${r}`],
    ['Min-SE', String(minSe)],
  ];
}

/**
 * The 2xx to a request we sent (RFC 4028 §7.2): the timer in force, or null
 * when the UAS put no Session-Expires in it (then there is none). A 2xx that
 * names no refresher breaks §9 ("MUST set"); we refresh ourselves then,
 * because a refresh nobody sends would end a live call.
 */
export function uacResult(headers: Headers): { interval: number; refresher: Refresher } | null {
  const se = parseSessionExpires(headers.get('session-expires'));
  if (!se) return null;
  return { interval: se.interval, refresher: se.refresher === 'uas' ? 'peer' : 'us' };
}

/**
 * When the side that does not refresh gives up on a silent peer: RFC 4028
 * §10 recommends the expiry minus min(32 s, a third of the interval).
 */
export function expiryDelayS(interval: number): number {
  return interval - Math.min(32, interval / 3);
}

/** When the refresher sends its refresh: half the interval (RFC 4028 §10). */
export function refreshDelayS(interval: number): number {
  return interval / 2;
}
