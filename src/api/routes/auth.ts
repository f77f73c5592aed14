// /auth: login, logout, who am I, change my password.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { CSRF_HEADER, SESSION_COOKIE, actorOf } from '../auth/guard.js';
import { FIRST_BOOT_USER, forgetFirstBootPassword } from '../auth/first-boot.js';
import type { Session } from '../auth/sessions.js';
import { ERROR_RESPONSES, errorSchema, userSchema } from '../schemas.js';

const whoAmISchema = {
  type: 'object',
  required: ['user', 'mustChangePassword', 'csrfToken'],
  properties: {
    user: {
      type: 'object',
      required: ['name', 'role'],
      properties: { name: { type: 'string' }, role: { type: 'string', enum: ['admin', 'operator', 'viewer'] } },
    },
    mustChangePassword: { type: 'boolean', description: 'Every route but /auth/* answers 403 ERR_PASSWORD_CHANGE_REQUIRED until the password is changed.' },
    csrfToken: { type: 'string', description: `Send it as the ${CSRF_HEADER} header with every request that is not a GET.` },
  },
} as const;

const passwordField = userSchema.properties.password;

const loginBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'password'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 64 },
    password: { type: 'string', minLength: 1, maxLength: 1024, writeOnly: true },
  },
} as const;

const passwordBody = {
  type: 'object',
  additionalProperties: false,
  required: ['current', 'next'],
  properties: {
    current: { type: 'string', minLength: 1, maxLength: 1024, writeOnly: true },
    next: { ...passwordField, description: 'The new password (8..1024 characters, not the current one).' },
  },
} as const;

function whoAmI(session: Session, role: string, mustChangePassword: boolean) {
  return { user: { name: session.user, role }, mustChangePassword, csrfToken: session.csrfToken };
}

function setSessionCookie(reply: FastifyReply, session: Session): void {
  void reply.setCookie(SESSION_COOKIE, session.id, { httpOnly: true, secure: true, sameSite: 'strict', path: '/' });
}

export async function authRoutes(app: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const { store, sessions, loginGuard } = ctx;

  app.post<{ Body: { name: string; password: string } }>(
    '/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Log in: sets the session cookie and returns the CSRF token',
        body: loginBody,
        response: { 200: whoAmISchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 429: errorSchema },
      },
    },
    async (req, reply) => {
      const { name, password } = req.body;
      const source = `api:${req.ip}`;
      const wait = loginGuard.takeAttempt(req.ip);
      if (wait > 0) {
        throw new ApiError(429, 'ERR_RATE_LIMITED', `too many login attempts from ${req.ip}: wait ${wait} s`, undefined, wait);
      }
      const locked = loginGuard.lockedFor(name);
      if (locked > 0) {
        store.audit({ user: name, source, action: 'login.refused', detail: 'account locked' });
        throw new ApiError(403, 'ERR_ACCOUNT_LOCKED', `too many failed logins: this account is locked for ${locked} s more`, undefined, locked);
      }
      const role = await store.verifyPassword(name, password);
      if (!role) {
        const lockedNow = loginGuard.failed(name);
        store.audit({ user: name, source, action: 'login.failed', detail: lockedNow ? `locked for ${lockedNow} s` : '' });
        if (lockedNow) {
          throw new ApiError(403, 'ERR_ACCOUNT_LOCKED', `too many failed logins: this account is locked for ${lockedNow} s`, undefined, lockedNow);
        }
        throw new ApiError(401, 'ERR_BAD_CREDENTIALS', 'wrong name or password');
      }
      loginGuard.succeeded(name);
      const account = store.user(name);
      const session = sessions.create(name, source);
      store.audit({ user: name, source, action: 'login' });
      setSessionCookie(reply, session);
      return whoAmI(session, role, account?.must_change_password ?? false);
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { role: 'viewer', duringPasswordChange: true },
      schema: { tags: ['auth'], summary: 'Log out (ends this session)', response: { 204: { type: 'null' }, ...ERROR_RESPONSES } },
    },
    async (req, reply) => {
      const caller = req.caller!;
      sessions.delete(caller.session.id);
      store.audit({ ...actorOf(req), action: 'logout' });
      void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, secure: true, sameSite: 'strict' });
      return reply.code(204).send();
    },
  );

  app.get(
    '/auth/me',
    {
      config: { role: 'viewer', duringPasswordChange: true },
      schema: { tags: ['auth'], summary: 'The logged-in user, the CSRF token and whether the password must be changed', response: { 200: whoAmISchema, ...ERROR_RESPONSES } },
    },
    async (req: FastifyRequest) => {
      const c = req.caller!;
      return whoAmI(c.session, c.role, c.mustChangePassword);
    },
  );

  app.post<{ Body: { current: string; next: string } }>(
    '/auth/password',
    {
      config: { role: 'viewer', duringPasswordChange: true },
      schema: {
        tags: ['auth'],
        summary: 'Change my password (ends my other sessions; this one gets a new id and CSRF token)',
        body: passwordBody,
        response: { 200: whoAmISchema, ...ERROR_RESPONSES, 429: errorSchema },
      },
    },
    async (req, reply) => {
      const c = req.caller!;
      const { current, next } = req.body;
      const locked = loginGuard.lockedFor(c.user);
      if (locked > 0) {
        throw new ApiError(403, 'ERR_ACCOUNT_LOCKED', `too many failed attempts: this account is locked for ${locked} s more`, undefined, locked);
      }
      if (!(await store.verifyPassword(c.user, current))) {
        const lockedNow = loginGuard.failed(c.user);
        store.audit({ ...actorOf(req), action: 'password.failed', detail: 'wrong current password' });
        throw new ApiError(400, 'ERR_VALIDATION', 'the current password is wrong', [{ path: '/current', message: 'is not your current password' }], lockedNow || undefined);
      }
      if (next === current) {
        throw new ApiError(400, 'ERR_VALIDATION', 'choose a new password', [{ path: '/next', message: 'must differ from the current password' }]);
      }
      loginGuard.succeeded(c.user);
      await store.setPassword(c.user, next, actorOf(req));
      if (c.user === FIRST_BOOT_USER) forgetFirstBootPassword(ctx.dataDir);
      // A stolen session must not outlive the password it was opened with.
      sessions.deleteUser(c.user);
      const session = sessions.create(c.user, c.session.source);
      setSessionCookie(reply, session);
      return whoAmI(session, c.role, false);
    },
  );
}
