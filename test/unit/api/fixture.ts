// A test fixture for the admin API: an in-memory config store with one user
// per role, the fastify instance built on it (inject(), no socket), and a
// client per login that keeps the cookie and CSRF token. Every response
// body any client sees is kept, and when the test ends none of them may
// contain a secret the test registered (a password, an API secret).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import type { ApiDeps } from '../../../src/api/context.js';
import { buildApiServer, type ApiServer } from '../../../src/api/server.js';
import { ConfigStore } from '../../../src/config/store.js';

export const PASSWORDS = { admin: 'admin-pass-1', operator: 'operator-pass-1', viewer: 'viewer-pass-1' } as const;
export type RoleName = keyof typeof PASSWORDS;

export interface Reply {
  status: number;
  body: any; // parsed JSON, or the text
  text: string;
  headers: LightMyRequestResponse['headers'];
}

export class Client {
  cookie = '';
  csrf = '';
  constructor(private readonly fx: Fixture) {}

  async request(method: InjectOptions['method'], url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET' && !('x-csrf-token' in headers)) h['x-csrf-token'] = this.csrf;
    const res = await this.fx.app.inject({ method, url: `/api/v1${url}`, headers: h, ...(payload !== undefined ? { payload: payload as object } : {}) });
    const setCookie = res.headers['set-cookie'];
    const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
    if (first?.startsWith('edgesbc_session=')) this.cookie = first.split(';')[0]!;
    const reply: Reply = { status: res.statusCode, text: res.body, body: safeJson(res.body), headers: res.headers };
    this.fx.bodies.push(`${method} ${url} -> ${res.statusCode} ${res.body}`);
    return reply;
  }

  get(url: string): Promise<Reply> {
    return this.request('GET', url);
  }
  post(url: string, body?: unknown): Promise<Reply> {
    return this.request('POST', url, body ?? {});
  }
  put(url: string, body: unknown): Promise<Reply> {
    return this.request('PUT', url, body);
  }
  del(url: string): Promise<Reply> {
    return this.request('DELETE', url);
  }

  async login(name: string, password: string): Promise<Reply> {
    const r = await this.post('/auth/login', { name, password });
    if (r.status === 200) this.csrf = r.body.csrfToken;
    return r;
  }
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface Fixture {
  app: ApiServer['app'];
  ctx: ApiServer['ctx'];
  store: ConfigStore;
  bodies: string[];
  logs: string[];
  // Values no response body and no log line may ever contain.
  secrets: string[];
  now: { ms: number };
  client(): Client;
  as(role: RoleName): Promise<Client>;
}

export interface FixtureOptions {
  deps?: Partial<ApiDeps>;
  // Users to create (default one per role, no forced password change).
  users?: boolean;
}

export async function apiFixture(t: TestContext, opts: FixtureOptions = {}): Promise<Fixture> {
  const now = { ms: Date.parse('2026-06-01T10:00:00Z') };
  const clock = () => now.ms;
  const store = ConfigStore.open(':memory:', { confirmTimer: false, clock });
  if (opts.users !== false) {
    for (const role of ['admin', 'operator', 'viewer'] as const) await store.addUser({ name: role, password: PASSWORDS[role], role });
  }
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const log = pino({ level: 'trace' }, sink);
  const server = await buildApiServer({ store, log, clock, ...opts.deps });
  await server.app.ready();
  const fx: Fixture = {
    app: server.app,
    ctx: server.ctx,
    store,
    bodies: [],
    logs,
    secrets: [...Object.values(PASSWORDS)],
    now,
    client: () => new Client(fx),
    as: async (role) => {
      const c = new Client(fx);
      const r = await c.login(role, PASSWORDS[role]);
      assert.equal(r.status, 200, r.text);
      return c;
    },
  };
  t.after(async () => {
    await server.app.close();
    store.close();
    // Secrets are write-only: no answer and no log line ever carries one.
    for (const s of fx.secrets) {
      const leak = fx.bodies.find((b) => b.includes(s));
      assert.equal(leak, undefined, `secret ${JSON.stringify(s)} appeared in a response: ${leak?.slice(0, 300)}`);
      const logged = logs.find((l) => l.includes(s));
      assert.equal(logged, undefined, `secret ${JSON.stringify(s)} appeared in the log: ${logged?.slice(0, 300)}`);
    }
  });
  return fx;
}
