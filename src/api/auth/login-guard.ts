// Brute-force protection for logins: a rate limit per source address
// (attempts per minute, whatever their outcome) and a timed lockout per
// account name after N failures in a row. Names that do not exist are
// counted and locked the same way, so a lockout tells nobody whether an
// account exists. State is in memory and bounded.
export interface LoginLimits {
  ratePerMin: number;
  maxFailures: number;
  lockoutMs: number;
}

interface Failures {
  count: number;
  lockedUntil: number;
}

const WINDOW_MS = 60_000;
const MAX_TRACKED = 10_000;

export class LoginGuard {
  private readonly attempts = new Map<string, number[]>();
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly limits: () => LoginLimits,
    private readonly clock: () => number = Date.now,
  ) {}

  // Counts an attempt from `source`; seconds to wait when over the limit, else 0.
  takeAttempt(source: string): number {
    const now = this.clock();
    const list = (this.attempts.get(source) ?? []).filter((t) => now - t < WINDOW_MS);
    if (list.length >= this.limits().ratePerMin) {
      this.attempts.set(source, list);
      return Math.max(1, Math.ceil((list[0]! + WINDOW_MS - now) / 1000));
    }
    list.push(now);
    this.attempts.set(source, list);
    if (this.attempts.size > MAX_TRACKED) this.prune(now);
    return 0;
  }

  // Seconds the account stays locked; 0 = not locked.
  lockedFor(name: string): number {
    const f = this.failures.get(name);
    const now = this.clock();
    if (!f || f.lockedUntil <= now) return 0;
    return Math.ceil((f.lockedUntil - now) / 1000);
  }

  // A failed login for `name`: returns seconds locked when this failure locked it.
  failed(name: string): number {
    const now = this.clock();
    const f = this.failures.get(name) ?? { count: 0, lockedUntil: 0 };
    if (f.lockedUntil !== 0 && f.lockedUntil <= now) {
      f.count = 0; // the lockout ran out: a fresh series
      f.lockedUntil = 0;
    }
    f.count++;
    const { maxFailures, lockoutMs } = this.limits();
    if (f.count >= maxFailures) {
      f.lockedUntil = now + lockoutMs;
      f.count = 0;
    }
    this.failures.set(name, f);
    if (this.failures.size > MAX_TRACKED) this.prune(now);
    return f.lockedUntil > now ? Math.ceil(lockoutMs / 1000) : 0;
  }

  succeeded(name: string): void {
    this.failures.delete(name);
  }

  private prune(now: number): void {
    for (const [k, list] of this.attempts) if (list.every((t) => now - t >= WINDOW_MS)) this.attempts.delete(k);
    for (const [k, f] of this.failures) if (f.lockedUntil <= now && f.count === 0) this.failures.delete(k);
    // Still too many (a spray of names): forget the oldest half of the unlocked ones.
    if (this.failures.size > MAX_TRACKED) {
      let drop = this.failures.size - MAX_TRACKED / 2;
      for (const [k, f] of this.failures) {
        if (drop <= 0) break;
        if (f.lockedUntil <= now) {
          this.failures.delete(k);
          drop--;
        }
      }
    }
  }
}
