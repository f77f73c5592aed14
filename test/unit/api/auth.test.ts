// Logins, sessions, CSRF, rate limit, lockout, forced password change.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { ensureFirstBootAdmin, firstBootPasswordFile } from '../../../src/api/auth/first-boot.js';
import { PASSWORDS, apiFixture } from './fixture.js';

test('login sets a Secure, HttpOnly, SameSite=Strict session cookie and returns the CSRF token', async (t) => {
  const fx = await apiFixture(t);
  const c = fx.client();
  const r = await c.login('operator', PASSWORDS.operator);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.user, { name: 'operator', role: 'operator' });
  assert.equal(r.body.mustChangePassword, false);
  assert.match(r.body.csrfToken, /^[A-Za-z0-9_-]{43}$/);
  const cookie = String(r.headers['set-cookie']);
  assert.match(cookie, /^edgesbc_session=[A-Za-z0-9_-]{43};/);
  for (const flag of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) assert.ok(cookie.includes(flag), `${flag} in ${cookie}`);
  const me = await c.get('/auth/me');
  assert.equal(me.status, 200);
  assert.deepEqual(me.body, r.body);
  assert.equal(me.headers['cache-control'], 'no-store');
  assert.equal(me.headers['x-frame-options'], 'DENY');
  const audit = fx.store.auditLog(1)[0]!;
  assert.deepEqual([audit.user, audit.source, audit.action], ['operator', 'api:127.0.0.1', 'login']);
});

test('wrong password and unknown user get the same 401; the attempt is audited', async (t) => {
  const fx = await apiFixture(t);
  const a = await fx.client().login('viewer', 'not-the-password');
  const b = await fx.client().login('nobody', 'not-the-password');
  assert.equal(a.status, 401);
  assert.deepEqual(a.body, b.body);
  assert.equal(a.body.error.code, 'ERR_BAD_CREDENTIALS');
  assert.equal(a.headers['set-cookie'], undefined);
  const failed = fx.store.auditLog(2).map((e) => [e.user, e.action]);
  assert.deepEqual(failed, [['nobody', 'login.failed'], ['viewer', 'login.failed']]);
  assert.ok(!JSON.stringify(fx.store.auditLog()).includes('not-the-password'));
});

test('a login body is checked: every problem with its path', async (t) => {
  const fx = await apiFixture(t);
  const r = await fx.client().post('/auth/login', { password: 7, extra: true });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'ERR_VALIDATION');
  assert.deepEqual(
    r.body.error.problems.map((p: { path: string; message: string }) => [p.path, p.message]).sort(),
    [['/extra', 'unknown field'], ['/name', 'is required'], ['/password', 'must be string']],
  );
  const notJson = await fx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
  assert.equal(notJson.statusCode, 400);
  assert.equal(JSON.parse(notJson.body).error.code, 'ERR_BAD_JSON');
  const form = await fx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'text/plain' }, payload: 'name=admin' });
  assert.equal(form.statusCode, 415, 'a cross-site form cannot post a login');
  assert.equal(JSON.parse(form.body).error.code, 'ERR_MEDIA_TYPE');
});

test('every route but login needs a session (401), and a logout ends it', async (t) => {
  const fx = await apiFixture(t);
  const anon = fx.client();
  const r = await anon.get('/config/candidate');
  assert.equal(r.status, 401);
  assert.equal(r.body.error.code, 'ERR_NOT_AUTHENTICATED');
  assert.match(r.body.error.message, /POST \/api\/v1\/auth\/login/);
  const forged = await fx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: 'edgesbc_session=forged-value' } });
  assert.equal(forged.statusCode, 401);

  const c = await fx.as('viewer');
  assert.equal((await c.get('/config/candidate')).status, 200);
  const out = await c.post('/auth/logout');
  assert.equal(out.status, 204);
  assert.match(String(out.headers['set-cookie']), /edgesbc_session=;/);
  assert.equal(fx.store.auditLog(1)[0]!.action, 'logout');
  // The old cookie is dead even if a client keeps sending it.
  assert.equal((await c.get('/config/candidate')).status, 401);
});

test('CSRF: a non-GET without the token, or with a wrong one, is refused before anything happens', async (t) => {
  const fx = await apiFixture(t);
  const c = await fx.as('admin');
  const before = fx.store.auditLog().length;
  const missing = await c.request('POST', '/config/commit', {}, { 'x-csrf-token': '' });
  assert.equal(missing.status, 403);
  assert.equal(missing.body.error.code, 'ERR_CSRF');
  const wrong = await c.request('POST', '/config/commit', {}, { 'x-csrf-token': 'A'.repeat(43) });
  assert.equal(wrong.status, 403);
  assert.equal(wrong.body.error.code, 'ERR_CSRF');
  // Another session's token is no good either.
  const other = await fx.as('operator');
  const crossed = await c.request('PUT', '/config/section/system', { name: 'x' }, { 'x-csrf-token': other.csrf });
  assert.equal(crossed.body.error.code, 'ERR_CSRF');
  const noHeader = await fx.app.inject({ method: 'DELETE', url: '/api/v1/bans', headers: { cookie: c.cookie } });
  assert.equal(noHeader.statusCode, 403);
  assert.equal(fx.store.history().length, 1, 'nothing was committed');
  assert.equal(fx.store.auditLog().length, before + 1, 'only the other login was audited');
  assert.equal((await c.post('/config/commit', { comment: 'with the token' })).status, 200);
});

test('sessions end after api.session_idle_min without a request', async (t) => {
  const fx = await apiFixture(t);
  const c = await fx.as('viewer');
  fx.now.ms += 29 * 60_000;
  assert.equal((await c.get('/auth/me')).status, 200, 'used within 30 min');
  fx.now.ms += 29 * 60_000;
  assert.equal((await c.get('/auth/me')).status, 200, 'each request restarts the idle time');
  fx.now.ms += 31 * 60_000;
  const r = await c.get('/auth/me');
  assert.equal(r.status, 401);
  assert.equal(r.body.error.code, 'ERR_NOT_AUTHENTICATED');

  // A committed api.session_idle_min applies at once.
  const op = await fx.as('operator');
  assert.equal((await op.put('/config/section/api', { session_idle_min: 5 })).status, 200);
  assert.equal((await op.post('/config/commit', { comment: 'shorter sessions' })).status, 200);
  const v = await fx.as('viewer');
  fx.now.ms += 6 * 60_000;
  assert.equal((await v.get('/auth/me')).status, 401);
});

test('login rate limit per source: 429 with Retry-After past api.login_rate_per_min', async (t) => {
  const fx = await apiFixture(t);
  const limit = fx.store.running().api.login_rate_per_min;
  for (let i = 0; i < limit; i++) {
    // Different names: the limit is per source, not per account.
    assert.equal((await fx.client().login(`u${i}`, 'wrong-password')).status, 401);
  }
  const r = await fx.client().login('viewer', PASSWORDS.viewer);
  assert.equal(r.status, 429);
  assert.equal(r.body.error.code, 'ERR_RATE_LIMITED');
  assert.ok(Number(r.headers['retry-after']) > 0);
  fx.now.ms += 61_000;
  assert.equal((await fx.client().login('viewer', PASSWORDS.viewer)).status, 200, 'a minute later it works again');
});

test('lockout: N failures lock the account for lockout_s, even for the right password; then it opens', async (t) => {
  const fx = await apiFixture(t);
  const { login_max_failures: n, lockout_s: lockS } = fx.store.running().api;
  for (let i = 1; i < n; i++) assert.equal((await fx.client().login('operator', 'guess-' + i)).status, 401);
  const last = await fx.client().login('operator', 'guess-last');
  assert.equal(last.status, 403);
  assert.equal(last.body.error.code, 'ERR_ACCOUNT_LOCKED');
  assert.equal(last.body.error.retryAfterS, lockS);
  fx.now.ms += 61_000; // past the per-source rate window
  const right = await fx.client().login('operator', PASSWORDS.operator);
  assert.equal(right.status, 403, 'locked means locked');
  assert.equal(right.body.error.code, 'ERR_ACCOUNT_LOCKED');
  assert.ok(right.body.error.retryAfterS > 0 && right.body.error.retryAfterS <= lockS);
  assert.equal((await fx.client().login('admin', PASSWORDS.admin)).status, 200, 'other accounts are not locked');
  fx.now.ms += lockS * 1000;
  assert.equal((await fx.client().login('operator', PASSWORDS.operator)).status, 200, 'the lock runs out');
  const actions = fx.store.auditLog(20).map((e) => e.action);
  assert.ok(actions.includes('login.refused'));
  assert.match(fx.store.auditLog(50).find((e) => e.action === 'login.failed' && e.detail)!.detail, /locked for 300 s/);
});

test('the first-boot admin: password in a 0600 file, never logged, must be changed before anything else', async (t) => {
  const fx = await apiFixture(t, { users: false });
  const dir = mkdtempSync(join(tmpdir(), 'api-firstboot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  fx.ctx.dataDir = dir;
  const lines: string[] = [];
  const log = pino({ level: 'trace' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
  assert.equal(await ensureFirstBootAdmin(fx.store, dir, log), true);
  assert.equal(await ensureFirstBootAdmin(fx.store, dir, log), false, 'only when there are no users');
  const file = firstBootPasswordFile(dir);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const password = readFileSync(file, 'utf8').trim();
  assert.match(password, /^[A-Za-z0-9]{24}$/);
  fx.secrets.push(password);
  assert.ok(!lines.join('').includes(password), 'the log names the file, not the password');
  assert.match(lines.join(''), /admin-password/);

  const c = fx.client();
  const r = await c.login('admin', password);
  assert.equal(r.status, 200);
  assert.equal(r.body.mustChangePassword, true);
  assert.equal(r.body.user.role, 'admin');
  for (const [method, url] of [['GET', '/config/candidate'], ['GET', '/users'], ['POST', '/config/commit']] as const) {
    const refused = await c.request(method, url, method === 'GET' ? undefined : {});
    assert.equal(refused.status, 403, `${method} ${url}`);
    assert.equal(refused.body.error.code, 'ERR_PASSWORD_CHANGE_REQUIRED');
  }
  assert.equal((await c.get('/auth/me')).body.mustChangePassword, true);

  const wrong = await c.post('/auth/password', { current: 'not-it-at-all', next: 'a-new-password-1' });
  assert.equal(wrong.status, 400);
  assert.deepEqual(wrong.body.error.problems, [{ path: '/current', message: 'is not your current password' }]);
  const same = await c.post('/auth/password', { current: password, next: password });
  assert.deepEqual(same.body.error.problems, [{ path: '/next', message: 'must differ from the current password' }]);
  const short = await c.post('/auth/password', { current: password, next: 'short' });
  assert.equal(short.status, 400);
  assert.deepEqual(short.body.error.problems.map((p: { path: string }) => p.path), ['/next']);
  assert.ok(!short.text.includes('short"'), 'the refused password is not echoed');

  const oldCookie = c.cookie;
  const changed = await c.post('/auth/password', { current: password, next: 'a-new-password-1' });
  fx.secrets.push('a-new-password-1');
  assert.equal(changed.status, 200);
  assert.equal(changed.body.mustChangePassword, false);
  assert.notEqual(c.cookie, oldCookie, 'a new session id');
  c.csrf = changed.body.csrfToken;
  assert.equal(existsSync(file), false, 'the first-boot password file is gone');
  assert.equal((await c.get('/config/candidate')).status, 200);
  const stale = await fx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: oldCookie } });
  assert.equal(stale.statusCode, 401, 'the session opened with the old password is gone');
  assert.equal(await fx.store.verifyPassword('admin', 'a-new-password-1'), 'admin');
  const audit = fx.store.auditLog(10).map((e) => [e.user, e.action, e.detail]);
  assert.deepEqual(audit.find((a) => a[1] === 'user.password'), ['admin', 'user.password', 'admin']);
  assert.deepEqual(audit.find((a) => a[1] === 'password.failed'), ['admin', 'password.failed', 'wrong current password']);
});
