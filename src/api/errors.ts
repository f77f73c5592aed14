// API errors: a stable code, a message that says what to do, and for refused
// input every problem with its JSON path. One error handler turns whatever
// a route throws into that shape and hides the internals of a 5xx.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import { ConfigError, ConfigStateError, type ConfigStateCode } from '../config/errors.js';
import type { Logger } from '../log.js';
import type {} from './context.js'; // route config fields (docPath)

export interface Problem {
  // JSON Pointer into the config document (config routes) or into the request part.
  path: string;
  message: string;
  // Config object routes: the same place as a pointer into the object sent.
  field?: string;
}

export interface ErrorBody {
  error: { code: string; message: string; problems?: Problem[]; retryAfterS?: number };
}

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly problems?: Problem[],
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string): ApiError => new ApiError(404, 'ERR_NOT_FOUND', `${what} does not exist`);

const STATE_STATUS: Record<ConfigStateCode, number> = {
  ERR_CONFIG_NO_SUCH_COMMIT: 404,
  ERR_CONFIG_NOTHING_TO_CONFIRM: 409,
  ERR_CONFIG_CLOSED: 503,
  ERR_CONFIG_BAD_ARGUMENT: 400,
  ERR_CONFIG_USER_EXISTS: 409,
  ERR_CONFIG_NO_SUCH_USER: 404,
  ERR_CONFIG_DB_TOO_NEW: 500,
};

function pointerEscape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

// The same wording as the config store's own validation (src/config/validate.ts).
export function problemOfAjv(e: ErrorObject): Problem {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: `${e.instancePath}/${pointerEscape(String(p.additionalProperty))}`, message: 'unknown field' };
    case 'required':
      return { path: `${e.instancePath}/${pointerEscape(String(p.missingProperty))}`, message: 'is required' };
    case 'propertyNames':
      return { path: `${e.instancePath}/${pointerEscape(String(p.propertyName))}`, message: 'name must match ^[a-z0-9_-]{1,32}$' };
    case 'enum':
      return { path: e.instancePath, message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'minProperties':
    case 'maxProperties':
      if (/^\/to$|\/routes\/\d+\/to$/.test(e.instancePath)) return { path: e.instancePath, message: 'must name exactly one of trunk, pbx, pbxs' };
      return { path: e.instancePath, message: e.message ?? e.keyword };
    default:
      return { path: e.instancePath, message: e.message ?? e.keyword };
  }
}

export function problemsOfAjv(errors: readonly ErrorObject[]): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const e of errors) {
    // propertyNames reports the inner failure too; the wrapper says it better.
    if (e.propertyName !== undefined && e.keyword !== 'propertyNames') continue;
    const prob = problemOfAjv(e);
    const key = `${prob.path}\u0000${prob.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(prob);
  }
  return out;
}

function withField(problems: Problem[], prefix: string, fromBody: boolean): Problem[] {
  if (!prefix) return problems;
  return problems.map((p) => {
    if (fromBody) return { path: `${prefix}${p.path}`, message: p.message, field: p.path };
    if (p.path === prefix || p.path.startsWith(`${prefix}/`)) return { ...p, field: p.path.slice(prefix.length) };
    return p;
  });
}

function docPrefix(req: FastifyRequest): string {
  try {
    return req.routeOptions.config.docPath?.(req) ?? '';
  } catch {
    return '';
  }
}

const PART_NAMES: Record<string, string> = { body: 'body', querystring: 'query string', params: 'URL', headers: 'headers' };

// Maps anything thrown to the status and body the client gets.
export function toErrorReply(err: unknown, req: FastifyRequest): { status: number; body: ErrorBody; retryAfterS?: number } {
  if (err instanceof ApiError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err.problems) body.error.problems = err.problems;
    if (err.retryAfterS !== undefined) body.error.retryAfterS = err.retryAfterS;
    return { status: err.statusCode, body, ...(err.retryAfterS !== undefined ? { retryAfterS: err.retryAfterS } : {}) };
  }
  if (err instanceof ConfigError) {
    const problems = withField(err.errors.map((e) => ({ path: e.path, message: e.message })), docPrefix(req), false);
    return {
      status: 400,
      body: {
        error: {
          code: 'ERR_CONFIG_INVALID',
          message: `the config was refused (${problems.length} problem${problems.length === 1 ? '' : 's'}): fix each field named in problems and send it again`,
          problems,
        },
      },
    };
  }
  if (err instanceof ConfigStateError) {
    return { status: STATE_STATUS[err.code] ?? 400, body: { error: { code: err.code, message: err.message } } };
  }
  const fe = err as FastifyError & { validation?: ErrorObject[]; validationContext?: string };
  if (fe.validation) {
    const part = fe.validationContext ?? 'body';
    const raw = problemsOfAjv(fe.validation);
    const problems = part === 'body' ? withField(raw, docPrefix(req), true) : raw;
    return {
      status: 400,
      body: {
        error: {
          code: 'ERR_VALIDATION',
          message: `the request ${PART_NAMES[part] ?? part} was refused: fix each field named in problems and send it again`,
          problems,
        },
      },
    };
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { error: { code: 'ERR_MEDIA_TYPE', message: 'send JSON with Content-Type: application/json' } } };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, body: { error: { code: 'ERR_BAD_JSON', message: 'the body is not valid JSON' } } };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { error: { code: 'ERR_TOO_LARGE', message: 'the body is too large (1 MiB at most)' } } };
    default:
      break;
  }
  if (fe.name === 'SyntaxError' && fe.statusCode === 400) {
    return { status: 400, body: { error: { code: 'ERR_BAD_JSON', message: 'the body is not valid JSON' } } };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: { error: { code: 'ERR_BAD_REQUEST', message: fe.message } } };
  }
  return {
    status: 500,
    body: { error: { code: 'ERR_INTERNAL', message: 'internal error: the request was not done; details are in the sbcd log' } },
  };
}

export function installErrorHandling(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const { status, body, retryAfterS } = toErrorReply(err, req);
    if (status >= 500) log.error({ err, method: req.method, url: req.url }, 'admin API request failed');
    if (retryAfterS !== undefined) void reply.header('retry-after', String(retryAfterS));
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  });
}
