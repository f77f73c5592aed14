// The CLI's side of sbcd's local socket (src/api/local-socket.ts): the
// HTTPS API's routes over a Unix socket, logged in by proving the OS user
// (a file only this uid can have made), then a session cookie and the CSRF
// token on every request like the web UI's.
import { constants, openSync, closeSync, writeSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { CliError, EXIT_REFUSED, EXIT_UNREACHABLE, type Problem } from './errors.js';

const PREFIX = '/api/v1';
const REQUEST_TIMEOUT_MS = 30_000;

export interface WhoAmI {
  user: { name: string; role: string };
  mustChangePassword: boolean;
  csrfToken: string;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export class SbcdClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private cookie = '';
  private csrf = '';
  me: WhoAmI | undefined;

  constructor(readonly socketPath: string) {}

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, body?: unknown): Promise<Reply> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.socketPath, method, path: PREFIX + path, headers, agent: this.agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'ENOENT' ? 'no socket there (is sbcd running?)' : err.code === 'EACCES' ? 'permission denied (not in the socket’s group?)' : err.code === 'ECONNREFUSED' ? 'connection refused (is sbcd running?)' : err.message;
        reject(new CliError(`cannot reach sbcd at ${this.socketPath}: ${why}`, EXIT_UNREACHABLE));
      });
      req.end(payload);
    });
  }

  // Any request: the parsed JSON (or text) of a 2xx, else a CliError with
  // the API's message and every problem (exit 1; 5xx and 503 are exit 2).
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    let r = await this.send(method, path, body);
    // sbcd restarted (sessions live in memory) or the session idled out:
    // prove who we are again, once, and repeat the request.
    if (r.status === 401 && this.me && !path.startsWith('/auth/local')) {
      this.cookie = '';
      this.csrf = '';
      await this.login();
      r = await this.send(method, path, body);
    }
    const setCookie = r.headers['set-cookie'];
    for (const c of Array.isArray(setCookie) ? setCookie : []) {
      const m = /^edgesbc_session=([^;]*)/.exec(c);
      if (m) this.cookie = m[1] ? `edgesbc_session=${m[1]}` : '';
    }
    const type = String(r.headers['content-type'] ?? '');
    const parsed: unknown = type.includes('json') && r.body ? JSON.parse(r.body) : r.body;
    if (r.status >= 200 && r.status < 300) return parsed as T;
    const e = (parsed as { error?: { code?: string; message?: string; problems?: Problem[] } } | undefined)?.error;
    const message = e?.message ?? `sbcd answered ${r.status}`;
    const problems = (e?.problems ?? []).map((p) => ({ path: p.path, message: p.message }));
    throw new CliError(message, r.status >= 500 ? EXIT_UNREACHABLE : EXIT_REFUSED, problems, e?.code);
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  // Logs in as the OS user running this process: sbcd hands out a secret,
  // we write it to a file of our own in its proof directory, sbcd checks
  // the file's owner (the kernel set it) and opens a session for that user.
  async login(): Promise<WhoAmI> {
    const ch = await this.call<{ id: string; secret: string; dir: string }>('POST', '/auth/local/challenge', {});
    const file = join(ch.dir, ch.id);
    let fd: number;
    try {
      // Readable by all: sbcd may run without CAP_DAC_OVERRIDE (systemd hardening).
      // Nobody else can list the directory to learn the name, and reading the
      // secret gives nothing: what counts is who owns the file.
      fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    } catch (err) {
      throw new CliError(`cannot prove who you are to sbcd (${(err as Error).message}): are you in the socket’s group?`, EXIT_REFUSED);
    }
    try {
      writeSync(fd, ch.secret);
    } finally {
      closeSync(fd);
    }
    try {
      this.me = await this.call<WhoAmI>('POST', '/auth/local', { id: ch.id });
    } finally {
      rmSync(file, { force: true }); // sbcd removes it; this covers a refusal before it looked
    }
    this.csrf = this.me.csrfToken;
    return this.me;
  }

  // The console's own password change (no current password: the OS login proved who this is).
  async setOwnPassword(next: string): Promise<WhoAmI> {
    this.me = await this.call<WhoAmI>('POST', '/auth/local/password', { next });
    this.csrf = this.me.csrfToken;
    return this.me;
  }

  async logout(): Promise<void> {
    if (!this.cookie) return;
    try {
      await this.call('POST', '/auth/logout', {});
    } catch {
      // the session ends by itself anyway
    }
    this.cookie = '';
  }
}

export { EXIT_REFUSED };
