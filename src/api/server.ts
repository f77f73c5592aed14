// The admin API as one fastify instance: /api/v1 (one plugin per concern,
// all behind the auth gate but login), /api/v1/openapi.json generated from
// the same route schemas, and the web UI's static files at / when built.
// listen.ts puts it on HTTPS sockets; tests use inject() on it directly.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ConfigDocument } from '../config/document.js';
import { LoginGuard } from './auth/login-guard.js';
import { SessionStore } from './auth/sessions.js';
import { installGuard } from './auth/guard.js';
import { installCompilers } from './compilers.js';
import type { ApiContext, ApiDeps } from './context.js';
import { installErrorHandling } from './errors.js';
import { ApiEvents } from './events.js';
import { compactOpenApi } from './openapi-compact.js';
import { namedSchemas } from './schemas.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { cdrRoutes } from './routes/cdrs.js';
import { configObjectRoutes } from './routes/config-objects.js';
import { configRoutes } from './routes/config.js';
import { eventRoutes } from './routes/events.js';
import { liveRoutes } from './routes/live.js';
import { userRoutes } from './routes/users.js';
import { vonageRoutes } from './routes/vonage.js';

export const API_PREFIX = '/api/v1';
const BODY_LIMIT = 1024 * 1024;

export interface ApiServerOptions {
  // The built web UI (index.html and assets); absent = API only.
  webRoot?: string;
}

export interface ApiServer {
  app: FastifyInstance;
  ctx: ApiContext;
  // A running config read from elsewhere (SIGHUP): new limits apply at once.
  applyConfig(doc: ConfigDocument): void;
}

// Headers on every answer: no sniffing, no framing, no referrer, and the web
// UI may load only its own scripts and styles.
const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

export async function buildApiServer(deps: ApiDeps, opts: ApiServerOptions = {}): Promise<ApiServer> {
  const clock = deps.clock ?? Date.now;
  // The running api section (session and login limits), kept current by
  // commits here and by applyConfig() (sbcd's SIGHUP), not read per request.
  let apiConfig = deps.store.running().api;
  const api = () => apiConfig;
  const ctx: ApiContext = {
    ...deps,
    clock,
    sessions: new SessionStore(() => api().session_idle_min * 60_000, clock),
    loginGuard: new LoginGuard(
      () => {
        const a = api();
        return { ratePerMin: a.login_rate_per_min, maxFailures: a.login_max_failures, lockoutMs: a.lockout_s * 1000 };
      },
      clock,
    ),
    events: new ApiEvents(),
  };

  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    trustProxy: false,
    return503OnClosing: true,
    forceCloseConnections: true,
    exposeHeadRoutes: false,
  });
  const unsubscribe = deps.store.onRunningChange((doc) => {
    apiConfig = doc.api;
  });
  app.addHook('onClose', async () => {
    unsubscribe();
  });
  // JSON only: a cross-site form (text/plain, urlencoded) cannot even be parsed.
  app.removeContentTypeParser('text/plain');
  installCompilers(app);
  installErrorHandling(app, deps.log);
  app.addHook('onSend', async (req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) void reply.header(k, v);
    if (req.url.startsWith(API_PREFIX)) void reply.header('cache-control', 'no-store');
    return payload;
  });

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'EdgeSBC admin API',
        version: '1',
        description:
          'HTTPS only. Log in with POST /auth/login (session cookie edgesbc_session); send the csrfToken as x-csrf-token with every non-GET request. Errors: {error: {code, message, problems?}}.',
      },
      servers: [{ url: API_PREFIX }],
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'edgesbc_session' } } },
      security: [{ session: [] }],
    },
    transform: ({ schema, url }) => ({ schema, url: url.startsWith(API_PREFIX) ? url.slice(API_PREFIX.length) || '/' : url }),
  });

  await app.register(
    async (scope) => {
      installGuard(scope, ctx);
      for (const plugin of [authRoutes, configRoutes, configObjectRoutes, liveRoutes, cdrRoutes, userRoutes, auditRoutes, eventRoutes, vonageRoutes]) {
        await scope.register(plugin, { ctx });
      }
      // Built once, on first use: the routes do not change after start.
      let openapi: Record<string, unknown> | undefined;
      scope.get('/openapi.json', {
        config: { role: 'viewer' },
        schema: { hide: true },
      }, async () => (openapi ??= compactOpenApi(app.swagger() as unknown as Record<string, unknown>, namedSchemas())));
    },
    { prefix: API_PREFIX },
  );

  const noRoute = (method: string, url: string) => ({
    error: { code: 'ERR_NO_SUCH_ROUTE', message: `no ${method} ${url.split('?')[0]}: see GET ${API_PREFIX}/openapi.json` },
  });
  const webRoot = opts.webRoot && existsSync(join(opts.webRoot, 'index.html')) ? opts.webRoot : undefined;
  if (webRoot) await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false, index: 'index.html' });
  app.setNotFoundHandler((req, reply) => {
    // Client-side routes of the single-page app load index.html.
    if (webRoot && req.method === 'GET' && !req.url.startsWith(API_PREFIX)) return reply.sendFile('index.html', webRoot);
    return reply.code(404).send(noRoute(req.method, req.url));
  });

  return {
    app,
    ctx,
    applyConfig: (doc) => {
      apiConfig = doc.api;
    },
  };
}
