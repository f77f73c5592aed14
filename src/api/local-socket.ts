// The admin API on a local Unix socket, for the console CLI (`sbc`): the
// same fastify instance as HTTPS (same routes, guard, roles, CSRF, audit),
// reached through `<data dir>/sbcd.sock` (mode 0660: root and the socket's
// group only). Who is calling is proved by the file system, not by a
// password: the client creates a file in a directory only root and the
// socket's group can write (sticky), holding a secret sbcd just gave it;
// the kernel sets the file's owner, so its uid is the caller's uid (Node
// cannot read SO_PEERCRED without native code; docs/decisions/cli-local-auth.md).
// That OS user gets a session as the EdgeSBC account of the same name
// (root: `admin`), and everything after is the HTTPS API's own rules.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { userSchema } from '../config/schema/index.js';
import type { Logger } from '../log.js';
import { FIRST_BOOT_USER, forgetFirstBootPassword } from './auth/first-boot.js';
import { CSRF_HEADER, SESSION_COOKIE } from './auth/guard.js';
import { sameToken, type Session } from './auth/sessions.js';
import type { ApiContext } from './context.js';
import { ApiError } from './errors.js';
import { API_PREFIX, type ApiServer } from './server.js';

export const SOCKET_NAME = 'sbcd.sock';
export const PROOF_DIR_NAME = 'cli-auth';
const CHALLENGE_TTL_MS = 10_000;
const MAX_CHALLENGES = 256;

export interface LocalSocket {
  readonly path: string;
  close(): Promise<void>;
}

export interface LocalSocketOptions {
  dataDir: string;
  log: Logger;
  // Default <dataDir>/sbcd.sock.
  path?: string;
  // A group (name or gid) given the socket and the proof directory; default
  // EDGESBC_SOCKET_GROUP, else sbcd's own group.
  group?: string;
  // Where OS users are looked up (tests).
  passwdFile?: string;
}

interface Challenge {
  secret: string;
  expires: number;
}

const whoAmI = (s: Session, role: string, mustChangePassword: boolean) => ({
  user: { name: s.user, role },
  mustChangePassword,
  csrfToken: s.csrfToken,
});

// A group's id from its name (or a number as is), from /etc/group.
function groupIdOf(name: string, groupFile = '/etc/group'): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  try {
    for (const line of readFileSync(groupFile, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f[2] !== undefined) return Number(f[2]);
    }
  } catch {
    // unreadable: unknown group
  }
  return undefined;
}

// The OS user name of a uid (from /etc/passwd; the appliance has no NSS beyond files).
export function userNameOf(uid: number, passwdFile = '/etc/passwd'): string | undefined {
  try {
    for (const line of readFileSync(passwdFile, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 3 && Number(f[2]) === uid && f[0]) return f[0];
    }
  } catch {
    // unreadable: unknown user
  }
  return undefined;
}

// The owner of the proof file if it is a plain file holding `secret`; the
// file is removed whatever the outcome. O_NOFOLLOW + fstat: no symlink, no
// FIFO to block on, no hard link to somebody else's file.
function proofOwner(file: string, secret: string): number | string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    // A symlink (ELOOP) is removed too, never followed.
    rmSync(file, { force: true });
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no proof file: the client must create it before asking' : 'the proof is not a plain file of its own';
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.nlink !== 1 || st.size > 512) return 'the proof is not a plain file of its own';
    const buf = Buffer.alloc(512);
    const n = readSync(fd, buf, 0, buf.length, 0);
    if (!sameToken(buf.subarray(0, n).toString('utf8').trim(), secret)) return 'the proof does not hold the secret';
    return st.uid;
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
}

function localRoutes(ctx: ApiContext, o: { proofDir: string; isLocal: (req: FastifyRequest) => boolean; passwdFile: string; dataDir: string }) {
  const challenges = new Map<string, Challenge>();
  // Sessions opened by proof: only they may set their password without the current one.
  const localSessions = new Set<string>();
  const onlyLocal = (req: FastifyRequest): void => {
    if (!o.isLocal(req)) {
      throw new ApiError(404, 'ERR_NO_SUCH_ROUTE', `no ${req.method} ${req.url.split('?')[0]}: see GET ${API_PREFIX}/openapi.json`);
    }
  };
  // Before the body is even parsed: over HTTPS these routes do not exist.
  const local = async (req: FastifyRequest): Promise<void> => onlyLocal(req);
  const setCookie = (reply: FastifyReply, s: Session): void => {
    void reply.setCookie(SESSION_COOKIE, s.id, { httpOnly: true, secure: true, sameSite: 'strict', path: '/' });
  };
  const openSession = (user: string, source: string): Session => {
    for (const id of localSessions) if (!ctx.sessions.isLive(id)) localSessions.delete(id);
    const s = ctx.sessions.create(user, source);
    localSessions.add(s.id);
    return s;
  };

  return async (app: FastifyInstance): Promise<void> => {
    app.post('/auth/local/challenge', {
      config: { public: true },
      schema: { hide: true },
      onRequest: local,
    }, async () => {
      const now = ctx.clock();
      for (const [id, c] of challenges) if (c.expires < now) challenges.delete(id);
      if (challenges.size >= MAX_CHALLENGES) throw new ApiError(429, 'ERR_RATE_LIMITED', 'too many local logins in progress: try again in a few seconds', undefined, 10);
      const id = randomBytes(18).toString('base64url');
      const secret = randomBytes(32).toString('base64url');
      challenges.set(id, { secret, expires: now + CHALLENGE_TTL_MS });
      return { id, secret, dir: o.proofDir };
    });

    app.post<{ Body: { id: string } }>('/auth/local', {
      config: { public: true },
      schema: {
        hide: true,
        body: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{24}$' } } },
      },
      onRequest: local,
    }, async (req, reply) => {
      const { id } = req.body;
      const c = challenges.get(id);
      challenges.delete(id);
      if (!c || c.expires < ctx.clock()) throw new ApiError(401, 'ERR_NOT_AUTHENTICATED', 'unknown or expired local login: start again');
      const owner = proofOwner(join(o.proofDir, id), c.secret);
      if (typeof owner === 'string') throw new ApiError(401, 'ERR_NOT_AUTHENTICATED', `local login refused: ${owner}`);
      const osUser = userNameOf(owner, o.passwdFile) ?? `uid ${owner}`;
      const source = `cli:${osUser}`;
      const name = osUser === 'root' && !ctx.store.user('root') ? FIRST_BOOT_USER : osUser;
      const account = ctx.store.user(name);
      if (!account) {
        ctx.store.audit({ user: osUser, source, action: 'login.refused', detail: 'no EdgeSBC account of that name' });
        throw new ApiError(403, 'ERR_FORBIDDEN', `no EdgeSBC account named "${name}" for the local user ${osUser}: an admin creates it (web UI, Users)`);
      }
      const session = openSession(account.name, source);
      ctx.store.audit({ user: account.name, source, action: 'login', detail: `local user ${osUser}` });
      setCookie(reply, session);
      return whoAmI(session, account.role, account.must_change_password);
    });

    // The console's own password change (the first-boot wizard): the caller
    // proved the OS account already, so the current password is not asked.
    app.post<{ Body: { next: string } }>('/auth/local/password', {
      config: { public: true },
      schema: {
        hide: true,
        body: { type: 'object', additionalProperties: false, required: ['next'], properties: { next: userSchema.properties.password } },
      },
      onRequest: local,
    }, async (req, reply) => {
      const session = ctx.sessions.get(req.cookies[SESSION_COOKIE]);
      if (!session || !localSessions.has(session.id)) {
        throw new ApiError(401, 'ERR_NOT_AUTHENTICATED', 'only a session opened on the local socket may do this');
      }
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameToken(sent, session.csrfToken)) throw new ApiError(403, 'ERR_CSRF', `missing or wrong ${CSRF_HEADER} header`);
      const account = ctx.store.user(session.user);
      if (!account) throw new ApiError(401, 'ERR_NOT_AUTHENTICATED', 'this account no longer exists');
      await ctx.store.setPassword(account.name, req.body.next, { user: account.name, source: session.source });
      if (account.name === FIRST_BOOT_USER) forgetFirstBootPassword(o.dataDir);
      ctx.sessions.deleteUser(account.name);
      const fresh = openSession(account.name, session.source);
      setCookie(reply, fresh);
      return whoAmI(fresh, account.role, false);
    });
  };
}

// Registers the local routes (before the app is ready) and listens on the socket.
export async function startLocalSocket(server: ApiServer, opts: LocalSocketOptions): Promise<LocalSocket> {
  const path = opts.path ?? join(opts.dataDir, SOCKET_NAME);
  const proofDir = join(dirname(path), PROOF_DIR_NAME);
  const groupName = opts.group ?? process.env.EDGESBC_SOCKET_GROUP;
  const gid = groupName ? groupIdOf(groupName) : undefined;
  if (groupName && gid === undefined) opts.log.warn({ group: groupName }, 'local socket: no such group; the socket keeps sbcd’s own group');

  const localSockets = new WeakSet<Socket>();
  await server.app.register(
    localRoutes(server.ctx, {
      proofDir,
      passwdFile: opts.passwdFile ?? '/etc/passwd',
      dataDir: opts.dataDir,
      isLocal: (req) => localSockets.has(req.raw.socket),
    }),
    { prefix: API_PREFIX },
  );
  await server.app.ready();

  // Sticky and not listable: members create their proof files, nobody
  // touches or lists another's.
  mkdirSync(proofDir, { recursive: true, mode: 0o1730 });
  chmodSync(proofDir, 0o1730);
  rmSync(path, { force: true }); // a socket left by a killed sbcd
  const http: Server = createServer(server.app.routing);
  http.headersTimeout = 20_000;
  http.requestTimeout = 60_000;
  http.on('connection', (sock: Socket) => {
    localSockets.add(sock);
    // fastify's req.ip (audit sources, login limits) reads remoteAddress,
    // which a Unix socket has not: name it.
    Object.defineProperty(sock, 'remoteAddress', { value: 'local', configurable: true });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    // Nobody but sbcd's user may connect before the mode is set (the bind
    // happens inside listen(), so the umask is back at once).
    const umask = process.umask(0o177);
    try {
      http.listen(path, () => {
        http.off('error', reject);
        resolve();
      });
    } finally {
      process.umask(umask);
    }
  });
  chmodSync(path, 0o660);
  if (gid !== undefined) {
    try {
      chownSync(path, process.getuid?.() ?? 0, gid);
      chownSync(proofDir, process.getuid?.() ?? 0, gid);
    } catch (err) {
      // Without CAP_CHOWN only a group sbcd is in will do.
      opts.log.warn({ err, group: groupName }, 'local socket: cannot give it that group; only sbcd’s own user can use the CLI');
    }
  }
  opts.log.info({ path }, 'local socket listening (sbc CLI)');
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => {
          if (lstatExists(path)) rmSync(path, { force: true });
          resolve();
        });
        http.closeAllConnections();
      }),
  };
}

function lstatExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

