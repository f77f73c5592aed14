// The health of one trunk endpoint as OPTIONS health checks see it (V-OUT-8):
// a small state machine with hysteresis, and the smoothed round-trip time
// that picks the closest endpoints (V-OUT-3, src/trunks/selection.ts).
//
// What a probe's outcome counts as:
//  - success: any final response that is not 5xx — 2xx, but also 3xx, 4xx
//    (404, 405, a 401/407 challenge) and 6xx: the endpoint parsed our request
//    and answered it, so it is there to take calls;
//  - failure: no answer in time, a transport error (the engine's local
//    408/503), or any 5xx received (503 above all: the endpoint says it is
//    out of service or overloaded; 500/504 say it cannot serve either).
// An endpoint is marked down after `downAfter` consecutive failures and up
// again after `upAfter` consecutive successes; before its first verdict it
// is 'unknown' and takes calls like an 'up' one.
export type HealthState = 'unknown' | 'up' | 'down';

export interface HealthThresholds {
  /** Consecutive failures that mark an endpoint down. */
  downAfter: number;
  /** Consecutive successes that bring a down endpoint back up. */
  upAfter: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = { downAfter: 3, upAfter: 2 };

// Smoothing of the round-trip time: srtt += (sample - srtt) * RTT_GAIN. A
// quarter (RFC 6298 uses an eighth) follows a route change within a few
// probes while one late answer moves the estimate by a quarter only.
export const RTT_GAIN = 0.25;

export interface StateChange {
  from: HealthState;
  to: HealthState;
  /** Why: the failure that tipped it, or "answering again". */
  reason: string;
}

export class EndpointHealth {
  state: HealthState = 'unknown';
  /** Smoothed OPTIONS round-trip time, ms; undefined until measured. */
  rttMs: number | undefined;
  /** When the state last changed (Date.now()); 0 = never. */
  lastChange = 0;
  /** The last failure's reason ("" = none yet). */
  lastError = '';
  private failures = 0;
  private successes = 0;

  constructor(private readonly thresholds: HealthThresholds = DEFAULT_THRESHOLDS) {
    if (!(thresholds.downAfter >= 1 && thresholds.upAfter >= 1)) throw new RangeError('health thresholds must be >= 1');
  }

  /**
   * An answer that counts as up. `rttSampleMs` is the round trip when it
   * can be trusted (undefined when the request may have been retransmitted).
   */
  success(now: number, rttSampleMs?: number): StateChange | undefined {
    if (rttSampleMs !== undefined && Number.isFinite(rttSampleMs) && rttSampleMs >= 0) {
      this.rttMs = this.rttMs === undefined ? rttSampleMs : this.rttMs + (rttSampleMs - this.rttMs) * RTT_GAIN;
    }
    this.failures = 0;
    this.successes += 1;
    // From unknown one answer is enough; from down it takes upAfter in a row.
    if (this.state === 'unknown' || (this.state === 'down' && this.successes >= this.thresholds.upAfter)) {
      return this.change('up', now, 'answering again');
    }
    return undefined;
  }

  /** A probe that failed, with why (e.g. "timeout", "503 Service Unavailable"). */
  failure(now: number, reason: string): StateChange | undefined {
    this.lastError = reason;
    this.successes = 0;
    this.failures += 1;
    if (this.state !== 'down' && this.failures >= this.thresholds.downAfter) return this.change('down', now, reason);
    return undefined;
  }

  private change(to: HealthState, now: number, reason: string): StateChange {
    const from = this.state;
    this.state = to;
    this.lastChange = now;
    return { from, to, reason };
  }
}

/** What a response to a health probe means (see the rules at the top). */
export function probeVerdict(res: { status: number; reason: string; local: boolean; info: string }): { ok: true } | { ok: false; reason: string } {
  if (res.local) {
    const why = res.status === 408 ? 'timeout' : `transport error${res.info ? `: ${res.info}` : ''}`;
    return { ok: false, reason: why };
  }
  if (res.status >= 500 && res.status < 600) return { ok: false, reason: `${res.status} ${res.reason}`.trim() };
  return { ok: true };
}
