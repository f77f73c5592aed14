// The gate every API route but login passes: a live session (cookie), the
// CSRF token on anything that changes state, a changed default password,
// and the role the route asks for — in that order, before the body is even
// parsed. Roles are read from the store on every request, so a role change
// or a deleted account takes effect at once.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { ROLE_RANK, type ApiContext } from '../context.js';
import type { Actor } from '../../config/audit.js';
import { sameToken } from './sessions.js';

export const SESSION_COOKIE = 'edgesbc_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function actorOf(req: FastifyRequest): Actor {
  return { user: req.caller?.user ?? 'anonymous', source: `api:${req.ip}` };
}

export function installGuard(app: FastifyInstance, ctx: ApiContext): void {
  app.addHook('onRequest', async (req) => {
    const cfg = req.routeOptions.config;
    if (cfg.public) return;
    const session = ctx.sessions.get(req.cookies[SESSION_COOKIE]);
    if (!session) {
      throw new ApiError(401, 'ERR_NOT_AUTHENTICATED', 'not logged in, or the session expired: log in with POST /api/v1/auth/login');
    }
    const account = ctx.store.user(session.user);
    if (!account) {
      ctx.sessions.deleteUser(session.user);
      throw new ApiError(401, 'ERR_NOT_AUTHENTICATED', 'this account no longer exists: log in as another user');
    }
    req.caller = { session, user: account.name, role: account.role, mustChangePassword: account.must_change_password };
    if (!SAFE_METHODS.has(req.method)) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameToken(sent, session.csrfToken)) {
        throw new ApiError(
          403,
          'ERR_CSRF',
          `missing or wrong ${CSRF_HEADER} header: send the csrfToken from POST /auth/login or GET /auth/me with every request that changes something`,
        );
      }
    }
    if (account.must_change_password && !cfg.duringPasswordChange) {
      throw new ApiError(403, 'ERR_PASSWORD_CHANGE_REQUIRED', 'change your password first: POST /api/v1/auth/password {current, next}');
    }
    const needs = cfg.role ?? 'admin';
    if (ROLE_RANK[account.role] < ROLE_RANK[needs]) {
      throw new ApiError(403, 'ERR_FORBIDDEN', `this needs the ${needs} role; ${account.name} is ${account.role}: ask an admin`);
    }
  });
}
