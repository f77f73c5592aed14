// /users (admin only): accounts, roles, password resets. Passwords are
// write-only; at least one admin always remains.
import type { FastifyInstance } from 'fastify';
import type { UserRole } from '../../config/document.js';
import type { UserAccount } from '../../config/users.js';
import type { ApiContext } from '../context.js';
import { actorOf } from '../auth/guard.js';
import { FIRST_BOOT_USER, forgetFirstBootPassword } from '../auth/first-boot.js';
import { ApiError, notFound } from '../errors.js';
import { ERROR_RESPONSES, inputSchema, nameParams, userSchema } from '../schemas.js';

const accountSchema = {
  type: 'object',
  required: ['name', 'role', 'createdAt', 'updatedAt', 'mustChangePassword'],
  properties: {
    name: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'operator', 'viewer'] },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    mustChangePassword: { type: 'boolean' },
  },
} as const;

const userIn = inputSchema(userSchema) as { properties: Record<string, unknown>; required: string[] };

const createBody = {
  ...userIn,
  properties: {
    ...userIn.properties,
    mustChangePassword: { type: 'boolean', default: true, description: 'The user must choose a new password at the first login (default true).' },
  },
};

const updateBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    role: userSchema.properties.role,
    password: { ...userSchema.properties.password, description: 'A new password (a reset: the user must change it unless mustChangePassword is false).' },
    mustChangePassword: { type: 'boolean' },
  },
};

function view(a: UserAccount) {
  return { name: a.name, role: a.role, createdAt: a.created_at, updatedAt: a.updated_at, mustChangePassword: a.must_change_password };
}

export async function userRoutes(app: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const { store } = ctx;
  const tags = ['users'];
  const account = (name: string): UserAccount => {
    const a = store.user(name);
    if (!a) throw notFound(`user "${name}"`);
    return a;
  };
  const admins = () => store.listUsers().filter((u) => u.role === 'admin').length;
  const lastAdminGuard = (name: string, what: string) => {
    if (account(name).role === 'admin' && admins() <= 1) {
      throw new ApiError(409, 'ERR_LAST_ADMIN', `${name} is the only admin: make another user admin before you ${what}`);
    }
  };

  app.get('/users', {
    schema: { tags, summary: 'Every account (no passwords)', response: { 200: { type: 'array', items: accountSchema }, ...ERROR_RESPONSES } },
  }, async () => store.listUsers().map((u) => view(account(u.name))));

  app.post<{ Body: { name: string; password: string; role?: UserRole; mustChangePassword?: boolean } }>('/users', {
    schema: { tags, summary: 'Add an account', body: createBody, response: { 201: accountSchema, ...ERROR_RESPONSES } },
  }, async (req, reply) => {
    const { mustChangePassword = true, ...input } = req.body;
    await store.addUser(input, actorOf(req), { mustChangePassword });
    void reply.code(201).header('location', `/api/v1/users/${encodeURIComponent(input.name)}`);
    return view(account(input.name));
  });

  app.get<{ Params: { name: string } }>('/users/:name', {
    schema: { tags, summary: 'One account', params: nameParams, response: { 200: accountSchema, ...ERROR_RESPONSES } },
  }, async (req) => view(account(req.params.name)));

  app.put<{ Params: { name: string }; Body: { role?: UserRole; password?: string; mustChangePassword?: boolean } }>('/users/:name', {
    schema: { tags, summary: 'Change an account’s role, reset its password', params: nameParams, body: updateBody, response: { 200: accountSchema, ...ERROR_RESPONSES } },
  }, async (req) => {
    const { name } = req.params;
    const { role, password, mustChangePassword } = req.body;
    const before = account(name);
    if (role !== undefined && role !== before.role) {
      if (role !== 'admin') lastAdminGuard(name, 'take the admin role away');
      store.setRole(name, role, actorOf(req));
    }
    if (password !== undefined) {
      await store.setPassword(name, password, actorOf(req), { mustChangePassword: mustChangePassword ?? true });
      if (name === FIRST_BOOT_USER) forgetFirstBootPassword(ctx.dataDir);
      // A reset ends the user's sessions (not the admin's own, when it is themselves).
      ctx.sessions.deleteUser(name, req.caller?.session.id);
    } else if (mustChangePassword !== undefined && mustChangePassword !== before.must_change_password) {
      throw new ApiError(400, 'ERR_VALIDATION', 'set mustChangePassword together with a new password', [{ path: '/password', message: 'is required with mustChangePassword' }]);
    }
    return view(account(name));
  });

  app.delete<{ Params: { name: string } }>('/users/:name', {
    schema: { tags, summary: 'Delete an account (ends its sessions)', params: nameParams, response: { 204: { type: 'null' }, ...ERROR_RESPONSES } },
  }, async (req, reply) => {
    const { name } = req.params;
    lastAdminGuard(name, 'delete it');
    store.deleteUser(name, actorOf(req));
    ctx.sessions.deleteUser(name);
    return reply.code(204).send();
  });
}
