// /users: admin-only account management; passwords write-only; the last
// admin cannot be removed; resets force a change and end sessions; audited.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiFixture } from './fixture.js';

test('create, list, get, change role, reset password, delete; passwords never returned', async (t) => {
  const fx = await apiFixture(t);
  fx.secrets.push('carol-password-1', 'carol-reset-pw-2');
  const admin = await fx.as('admin');
  const created = await admin.post('/users', { name: 'carol', password: 'carol-password-1', role: 'operator' });
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(Object.keys(created.body).sort(), ['createdAt', 'mustChangePassword', 'name', 'role', 'updatedAt']);
  assert.equal(created.body.mustChangePassword, true, 'an account an admin made must choose its own password');
  assert.equal((await admin.post('/users', { name: 'carol', password: 'whatever-123' })).body.error.code, 'ERR_CONFIG_USER_EXISTS');
  const bad = await admin.post('/users', { name: 'Bad Name', password: 'short', role: 'root' });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.error.problems.map((p: { path: string }) => p.path).sort(), ['/name', '/password', '/role']);

  const list = await admin.get('/users');
  assert.deepEqual(list.body.map((u: { name: string }) => u.name), ['admin', 'carol', 'operator', 'viewer']);
  assert.equal((await admin.get('/users/nobody')).status, 404);

  const carol = fx.client();
  assert.equal((await carol.login('carol', 'carol-password-1')).body.mustChangePassword, true);
  const chosen = await carol.post('/auth/password', { current: 'carol-password-1', next: 'carol-own-pw-9' });
  fx.secrets.push('carol-own-pw-9');
  carol.csrf = chosen.body.csrfToken;
  assert.equal((await carol.put('/config/section/system', { name: 'by-carol' })).status, 200);

  const demoted = await admin.put('/users/carol', { role: 'viewer' });
  assert.equal(demoted.body.role, 'viewer');
  assert.equal((await carol.put('/config/section/system', { name: 'again' })).status, 403, 'at once');

  const reset = await admin.put('/users/carol', { password: 'carol-reset-pw-2' });
  assert.equal(reset.body.mustChangePassword, true);
  assert.equal((await carol.get('/auth/me')).status, 401, 'a reset ends the user’s sessions');
  assert.equal(await fx.store.verifyPassword('carol', 'carol-reset-pw-2'), 'viewer');
  const flagOnly = await admin.put('/users/carol', { mustChangePassword: false });
  assert.equal(flagOnly.status, 400);
  assert.equal((await admin.put('/users/carol', {})).status, 400);

  assert.equal((await admin.del('/users/carol')).status, 204);
  assert.equal((await admin.del('/users/carol')).status, 404);
  const actions = fx.store.auditLog(20).filter((e) => e.user === 'admin').map((e) => `${e.action} ${e.detail}`);
  for (const a of ['user.add carol (operator)', 'user.role carol: operator -> viewer', 'user.password carol (must change it)', 'user.delete carol']) {
    assert.ok(actions.includes(a), `${a} in ${actions.join(', ')}`);
  }
});

test('the last admin can be neither demoted nor deleted', async (t) => {
  const fx = await apiFixture(t);
  const admin = await fx.as('admin');
  const demote = await admin.put('/users/admin', { role: 'operator' });
  assert.equal(demote.status, 409);
  assert.equal(demote.body.error.code, 'ERR_LAST_ADMIN');
  assert.equal((await admin.del('/users/admin')).body.error.code, 'ERR_LAST_ADMIN');
  await admin.put('/users/operator', { role: 'admin' });
  assert.equal((await admin.put('/users/admin', { role: 'operator' })).status, 200, 'with a second admin it may go');
  assert.equal((await admin.get('/users')).status, 403, 'and its own session follows the new role');
});
