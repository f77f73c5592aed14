// Admin users: scrypt hashes stored, never returned; roles; audit entries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../../src/config/errors.js';
import { ConfigStore } from '../../../src/config/store.js';
import { dumpDb, tempDbPath } from './helpers.js';

test('addUser stores an scrypt hash; verifyPassword checks it', async (t) => {
  const path = tempDbPath(t);
  const store = ConfigStore.open(path);
  t.after(() => store.close());
  const info = await store.addUser({ name: 'alice', password: 'correct horse', role: 'admin' }, { user: 'root', source: 'console' });
  assert.deepEqual(Object.keys(info).sort(), ['created_at', 'name', 'role', 'updated_at']);
  assert.equal(await store.verifyPassword('alice', 'correct horse'), 'admin');
  assert.equal(await store.verifyPassword('alice', 'correct horsE'), null);
  assert.equal(await store.verifyPassword('mallory', 'correct horse'), null);

  const row = (dumpDb(path).users as { name: string; password_hash: string }[])[0]!;
  assert.match(row.password_hash, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{88}$/);
  assert.ok(!JSON.stringify(dumpDb(path)).includes('correct horse'), 'no clear password anywhere in the DB');
  assert.ok(!JSON.stringify(store.listUsers()).includes('scrypt'), 'hashes never leave the store');
  assert.deepEqual(store.listUsers().map((u) => [u.name, u.role]), [['alice', 'admin']]);
  const audit = store.auditLog(1)[0]!;
  assert.deepEqual([audit.user, audit.source, audit.action, audit.detail], ['root', 'console', 'user.add', 'alice (admin)']);
});

test('same password, different salts; password change; delete', async (t) => {
  const path = tempDbPath(t);
  const store = ConfigStore.open(path);
  t.after(() => store.close());
  await store.addUser({ name: 'a', password: 'password1' });
  await store.addUser({ name: 'b', password: 'password1', role: 'operator' });
  const [ha, hb] = (dumpDb(path).users as { password_hash: string }[]).map((u) => u.password_hash);
  assert.notEqual(ha, hb);
  assert.equal(await store.verifyPassword('a', 'password1'), 'viewer', 'role defaults to viewer');
  await store.setPassword('a', 'password2');
  assert.equal(await store.verifyPassword('a', 'password1'), null);
  assert.equal(await store.verifyPassword('a', 'password2'), 'viewer');
  store.deleteUser('b');
  assert.equal(await store.verifyPassword('b', 'password1'), null);
  assert.throws(() => store.deleteUser('b'), { code: 'ERR_CONFIG_NO_SUCH_USER' });
  await assert.rejects(store.addUser({ name: 'a', password: 'whatever1' }), { code: 'ERR_CONFIG_USER_EXISTS' });
});

test('invalid users are refused with paths, and the password is never echoed', async (t) => {
  const store = ConfigStore.open(tempDbPath(t));
  t.after(() => store.close());
  await assert.rejects(store.addUser({ name: 'Bad Name', password: 'short', role: 'god' as never }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    const paths = err.errors.map((e) => e.path).sort();
    assert.deepEqual(paths, ['/name', '/password', '/role']);
    assert.ok(!JSON.stringify(err.errors).includes('short'));
    return true;
  });
  assert.deepEqual(store.listUsers(), []);
});

test('users are not part of the config document: a rollback keeps them', async (t) => {
  const store = ConfigStore.open(tempDbPath(t));
  t.after(() => store.close());
  store.patchCandidate({ system: { name: 'x' } });
  store.commit();
  await store.addUser({ name: 'ops', password: 'opspassword', role: 'operator' });
  store.rollback(1);
  assert.equal(await store.verifyPassword('ops', 'opspassword'), 'operator');
  assert.ok(!store.exportText('yaml').includes('ops'));
});
