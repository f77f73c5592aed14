// What the admin API works on: the config store and the live parts of the
// daemon, each optional so tests (and a box with a part switched off) can
// leave it out — a route whose part is missing answers 501/503 saying so.
// Type augmentations: request.cookies / reply.setCookie, and schema.tags / summary.
import type {} from '@fastify/cookie';
import type {} from '@fastify/swagger';
import type { FastifyRequest } from 'fastify';
import type { CallSnapshot } from '../calls/call.js';
import type { CallWatcher } from '../calls/call-controller.js';
import type { CdrStore } from '../cdr/store.js';
import type { UserRole } from '../config/document.js';
import type { ConfigStore } from '../config/store.js';
import type { BanInfo } from '../firewall/firewall.js';
import type { Logger } from '../log.js';
import type { LoginGuard } from './auth/login-guard.js';
import type { Session, SessionStore } from './auth/sessions.js';
import type { ApiEvents } from './events.js';
import type { SystemInfo } from './system-info.js';

export interface CallsSource {
  readonly callsInProgress: number;
  snapshot(): Promise<CallSnapshot[]>;
  watch(watcher: CallWatcher): () => void;
}

export interface BansSource {
  readonly enabled: boolean;
  listBans(): BanInfo[];
  unban(ip: string): boolean;
  clearBans(): number;
}

// One row per checked trunk endpoint (src/trunks/health-monitor.ts).
export interface TrunkHealthRow {
  trunk: string;
  endpoint: string;
  state: string;
  rttMs: number | null;
  lastChange: number | null;
  lastError: string;
}

export interface TrunkHealthSource {
  trunkHealth(): TrunkHealthRow[];
}

export interface ApiDeps {
  store: ConfigStore;
  log: Logger;
  calls?: CallsSource;
  firewall?: BansSource;
  trunkHealth?: TrunkHealthSource;
  cdrs?: CdrStore;
  system?: () => Promise<SystemInfo>;
  // Where the first-boot password file lives (deleted once that password is changed).
  dataDir?: string;
  clock?: () => number;
}

export interface ApiContext extends ApiDeps {
  clock: () => number;
  sessions: SessionStore;
  loginGuard: LoginGuard;
  events: ApiEvents;
}

export type Role = UserRole;

export const ROLE_RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

// Who is asking (set by the auth hook on every route but login).
export interface Caller {
  session: Session;
  user: string;
  role: Role;
  mustChangePassword: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    // The least role the route needs (default admin).
    role?: Role;
    // No session needed (login).
    public?: boolean;
    // Allowed while the password must be changed (the auth routes).
    duringPasswordChange?: boolean;
    // Config object routes: the JSON Pointer of the object edited ("/trunks/3",
    // "/system"), so a problem carries the document path and the path inside the object.
    docPath?: (req: FastifyRequest) => string;
  }
  interface FastifyRequest {
    caller?: Caller;
  }
}
