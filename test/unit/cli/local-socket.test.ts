// sbcd's local socket (src/api/local-socket.ts) on its own: the local login
// routes exist only on the socket; the proof of who is calling refuses a
// missing file, a symlink, a hard link, a wrong secret, a reused or unknown
// id; the file's owner is the user; the console's password change needs a
// session opened by proof.
import assert from 'node:assert/strict';
import { chownSync, existsSync, linkSync, lstatSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { startLocalSocket, type LocalSocket } from '../../../src/api/local-socket.js';
import { buildApiServer, type ApiServer } from '../../../src/api/server.js';
import { ConfigStore } from '../../../src/config/store.js';

let dir: string;
let server: ApiServer;
let local: LocalSocket;
let store: ConfigStore;

interface Reply {
  status: number;
  body: any;
  cookie: string | undefined;
}

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: local.path, method: 'POST', path: `/api/v1${path}`, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => {
          const c = res.headers['set-cookie']?.[0];
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, cookie: c?.split(';')[0] });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end(payload);
  });
}

async function challenge(): Promise<{ id: string; secret: string; dir: string; file: string }> {
  const r = await post('/auth/local/challenge', {});
  assert.equal(r.status, 200);
  return { ...r.body, file: join(r.body.dir, r.body.id) };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sbc-local-'));
  store = ConfigStore.open(':memory:', { confirmTimer: false });
  await store.addUser({ name: 'admin', password: 'admin-pass-1', role: 'admin' }, {}, { mustChangePassword: true });
  const log = pino({ level: 'silent' });
  server = await buildApiServer({ store, log, dataDir: dir });
  local = await startLocalSocket(server, { dataDir: dir, log });
});

after(async () => {
  await local?.close();
  await server?.app.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the local routes answer 404 anywhere but on the socket', async () => {
  for (const url of ['/api/v1/auth/local/challenge', '/api/v1/auth/local', '/api/v1/auth/local/password']) {
    const res = await server.app.inject({ method: 'POST', url, payload: {} });
    assert.equal(res.statusCode, 404, `${url}: ${res.body}`);
    assert.equal(JSON.parse(res.body).error.code, 'ERR_NO_SUCH_ROUTE');
  }
});

test('proof refused: no file, a symlink, a hard link, a wrong secret, an id used twice', async () => {
  let c = await challenge();
  let r = await post('/auth/local', { id: c.id });
  assert.equal(r.status, 401);
  assert.match(r.body.error.message, /no proof file/);

  c = await challenge();
  const elsewhere = join(dir, `target-${c.id}`);
  writeFileSync(elsewhere, c.secret);
  symlinkSync(elsewhere, c.file);
  r = await post('/auth/local', { id: c.id });
  assert.equal(r.status, 401, 'a symlink is not followed');
  assert.match(r.body.error.message, /not a plain file of its own/);
  assert.throws(() => lstatSync(c.file), 'the proof is removed whatever the outcome');
  assert.equal(existsSync(elsewhere), true, 'and not what it pointed to');

  c = await challenge();
  writeFileSync(elsewhere, c.secret);
  linkSync(elsewhere, c.file);
  r = await post('/auth/local', { id: c.id });
  assert.equal(r.status, 401);
  assert.match(r.body.error.message, /not a plain file of its own/);

  c = await challenge();
  writeFileSync(c.file, 'not-the-secret');
  r = await post('/auth/local', { id: c.id });
  assert.equal(r.status, 401);
  assert.match(r.body.error.message, /does not hold the secret/);

  r = await post('/auth/local', { id: c.id });
  assert.equal(r.status, 401);
  assert.match(r.body.error.message, /unknown or expired/);
  r = await post('/auth/local', { id: 'x' });
  assert.equal(r.status, 400, 'a malformed id never reaches the file system');
});

test('proof accepted: the owner is the user (root → admin; another uid → its own account or nothing)', async (t) => {
  let c = await challenge();
  writeFileSync(c.file, c.secret, { mode: 0o644 });
  const ok = await post('/auth/local', { id: c.id });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  if (process.getuid?.() === 0) assert.equal(ok.body.user.name, 'admin');
  assert.equal(ok.body.mustChangePassword, true);
  assert.match(ok.cookie ?? '', /^edgesbc_session=/);

  // The console's password change: only with that session and its CSRF token.
  let r = await post('/auth/local/password', { next: 'console-pass-1' });
  assert.equal(r.status, 401);
  r = await post('/auth/local/password', { next: 'console-pass-1' }, { cookie: ok.cookie! });
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, 'ERR_CSRF');
  r = await post('/auth/local/password', { next: 'short' }, { cookie: ok.cookie!, 'x-csrf-token': ok.body.csrfToken });
  assert.equal(r.status, 400);
  r = await post('/auth/local/password', { next: 'console-pass-1' }, { cookie: ok.cookie!, 'x-csrf-token': ok.body.csrfToken });
  assert.equal(r.status, 200);
  assert.equal(r.body.mustChangePassword, false);
  assert.notEqual(r.cookie, ok.cookie, 'a new session id after the change');
  assert.equal(await store.verifyPassword('admin', 'console-pass-1'), 'admin');

  if (process.getuid?.() !== 0) return t.skip('needs root to give the proof another owner');
  c = await challenge();
  writeFileSync(c.file, c.secret);
  chownSync(c.file, 65534, 65534);
  r = await post('/auth/local', { id: c.id });
  assert.equal(r.status, 403);
  assert.match(r.body.error.message, /no EdgeSBC account named "nobody" for the local user nobody/);
  assert.ok(store.auditLog(5).some((e) => e.action === 'login.refused' && e.source === 'cli:nobody'));
});
