// Login sessions, in memory: a restart logs everybody out, which is what an
// appliance admin expects. A session ends after `idleMs` without a request,
// and after MAX_AGE_MS whatever happens; each has its own CSRF token.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  id: string;
  user: string;
  csrfToken: string;
  source: string;
  createdAt: number;
  lastSeen: number;
}

const MAX_AGE_MS = 12 * 3600_000;
const MAX_SESSIONS = 1000;

function token(): string {
  return randomBytes(32).toString('base64url');
}

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly idleMs: () => number,
    private readonly clock: () => number = Date.now,
  ) {}

  create(user: string, source: string): Session {
    this.sweep();
    if (this.sessions.size >= MAX_SESSIONS) {
      // The least recently used goes: a flood of logins cannot grow memory.
      let oldest: Session | undefined;
      for (const s of this.sessions.values()) if (!oldest || s.lastSeen < oldest.lastSeen) oldest = s;
      if (oldest) this.sessions.delete(oldest.id);
    }
    const now = this.clock();
    const s: Session = { id: token(), user, csrfToken: token(), source, createdAt: now, lastSeen: now };
    this.sessions.set(s.id, s);
    return s;
  }

  // The live session with this id (and marks it used), or undefined.
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const now = this.clock();
    if (this.expired(s, now)) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastSeen = now;
    return s;
  }

  // Whether the session is still live, without counting as use (an open
  // event stream must not keep an idle session alive).
  isLive(id: string): boolean {
    const s = this.sessions.get(id);
    if (!s) return false;
    if (this.expired(s, this.clock())) {
      this.sessions.delete(id);
      return false;
    }
    return true;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  // Ends every session of `user` but `keep` (password changed, user deleted).
  deleteUser(user: string, keep?: string): number {
    let n = 0;
    for (const [id, s] of this.sessions) {
      if (s.user === user && id !== keep) {
        this.sessions.delete(id);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.sessions.size;
  }

  sweep(): void {
    const now = this.clock();
    for (const [id, s] of this.sessions) if (this.expired(s, now)) this.sessions.delete(id);
  }

  private expired(s: Session, now: number): boolean {
    return now - s.lastSeen > this.idleMs() || now - s.createdAt > MAX_AGE_MS;
  }
}
