// The admin API client: JSON over fetch on the same origin (/api/v1), the
// session cookie sent by the browser, the CSRF token as a header on every
// request that changes something. Errors come back as ApiError with the
// server's code, its message (which says what to do) and per-field problems.
import type { Problem } from '../schema/validate.js';

export const API_BASE = '/api/v1';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Array<Problem & { field?: string }> = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; problems?: Problem[] };
}

let csrfToken = '';
let onUnauthorized: (() => void) | undefined;
let onPasswordChangeRequired: (() => void) | undefined;

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when the server says the session is gone (401) or a password change is due (403). */
export function onSessionTrouble(handlers: { unauthorized: () => void; passwordChangeRequired: () => void }): void {
  onUnauthorized = handlers.unauthorized;
  onPasswordChangeRequired = handlers.passwordChangeRequired;
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    // not JSON (a proxy's page, an empty 502): the status says enough
  }
  const e = body.error ?? {};
  return new ApiError(res.status, e.code ?? `HTTP_${res.status}`, e.message ?? `${res.status} ${res.statusText}`, e.problems ?? []);
}

export interface RequestOptions {
  /** Do not treat 401 as "session gone" (the login form itself). */
  quiet401?: boolean;
}

export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(`${API_BASE}${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401 && !opts.quiet401) onUnauthorized?.();
    if (res.status === 403 && err.code === 'ERR_PASSWORD_CHANGE_REQUIRED') onPasswordChangeRequired?.();
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body ?? {}, opts),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
};

/** A download (PBX snippets): the body as text plus the file name the server suggests. */
export async function download(path: string): Promise<{ text: string; filename: string; type: string }> {
  const res = await fetch(`${API_BASE}${path}`, { credentials: 'same-origin' });
  if (!res.ok) throw await errorOf(res);
  const cd = res.headers.get('content-disposition') ?? '';
  const m = /filename="?([^";]+)"?/.exec(cd);
  return { text: await res.text(), filename: m?.[1] ?? path.split('/').pop() ?? 'download.txt', type: res.headers.get('content-type') ?? 'text/plain' };
}

export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
