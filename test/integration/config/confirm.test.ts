// "commit confirmed M": automatic rollback unless confirmed in time, also
// across a restart (the deadline is in the database).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigStore } from '../../../src/config/store.js';
import { FakeClock, tempDbPath } from './helpers.js';

function openWith(path: string, clock: FakeClock): ConfigStore {
  return ConfigStore.open(path, { clock: clock.now, confirmTimer: false });
}

test('an unconfirmed commit is rolled back after M minutes', (t) => {
  const clock = new FakeClock();
  const store = openWith(tempDbPath(t), clock);
  t.after(() => store.close());
  const changes: number[] = [];
  store.onRunningChange((_doc, c) => changes.push(c.id));
  const before = store.running();

  store.patchCandidate({ firewall: { enabled: true } });
  const c = store.commit({ user: 'alice', comment: 'risky', confirmMinutes: 5 });
  assert.equal(c.confirmState, 'pending');
  assert.equal(c.confirmBy, new Date(clock.ms + 5 * 60_000).toISOString());
  assert.equal(store.running().firewall.enabled, true);
  assert.equal(store.pendingConfirm()?.id, c.id);

  clock.advanceMinutes(4.9);
  assert.equal(store.checkConfirmDeadline(), false);
  assert.equal(store.running().firewall.enabled, true);

  clock.advanceMinutes(0.2);
  assert.equal(store.checkConfirmDeadline(), true);
  assert.deepEqual(store.running(), before);
  assert.deepEqual(store.candidate(), before);
  assert.equal(store.pendingConfirm(), undefined);
  const [last, risky] = store.history();
  assert.deepEqual([last!.kind, last!.rollbackOf, last!.user], ['confirm-timeout', 1, 'system']);
  assert.equal(risky!.confirmState, 'expired');
  assert.deepEqual(changes, [2, 3]);
  assert.equal(store.checkConfirmDeadline(), false, 'only once');
});

test('confirm() cancels the rollback', (t) => {
  const clock = new FakeClock();
  const store = openWith(tempDbPath(t), clock);
  t.after(() => store.close());
  store.patchCandidate({ system: { name: 'new' } });
  const c = store.commit({ confirmMinutes: 1 });
  clock.advanceMinutes(0.5);
  const ok = store.confirm({ user: 'alice' });
  assert.deepEqual([ok.id, ok.confirmState], [c.id, 'confirmed']);
  clock.advanceMinutes(60);
  assert.equal(store.checkConfirmDeadline(), false);
  assert.equal(store.running().system.name, 'new');
  assert.equal(store.history().length, 2);
  assert.throws(() => store.confirm(), { code: 'ERR_CONFIG_NOTHING_TO_CONFIRM' });
});

test('an expired unconfirmed commit is rolled back at open (daemon restarted meanwhile)', (t) => {
  const path = tempDbPath(t);
  const clock = new FakeClock();
  const a = openWith(path, clock);
  a.patchCandidate({ system: { name: 'good' } });
  a.commit({ comment: 'known good' });
  a.patchCandidate({ system: { name: 'bad' } });
  a.commit({ comment: 'lock-out', confirmMinutes: 10 });
  a.close(); // the daemon dies before anyone confirms

  clock.advanceMinutes(3);
  const b = openWith(path, clock);
  assert.equal(b.rolledBackAtOpen, undefined, 'not yet due');
  assert.equal(b.running().system.name, 'bad');
  assert.ok(b.pendingConfirm());
  b.close();

  clock.advanceMinutes(8);
  const c = openWith(path, clock);
  t.after(() => c.close());
  assert.equal(c.rolledBackAtOpen?.kind, 'confirm-timeout');
  assert.equal(c.rolledBackAtOpen?.rollbackOf, 2);
  assert.equal(c.running().system.name, 'good');
  assert.equal(c.pendingConfirm(), undefined);
});

test('a plain commit while one is pending confirms it; a new confirmed commit keeps the way back', (t) => {
  const clock = new FakeClock();
  const store = openWith(tempDbPath(t), clock);
  t.after(() => store.close());
  store.patchCandidate({ system: { name: 'a' } });
  store.commit({ confirmMinutes: 2 });
  store.patchCandidate({ system: { name: 'b' } });
  store.commit(); // accepts 'a'
  assert.equal(store.history()[1]!.confirmState, 'confirmed');
  assert.equal(store.pendingConfirm(), undefined);

  store.patchCandidate({ system: { name: 'c' } });
  store.commit({ confirmMinutes: 2 }); // restore target: 'b' (commit 3)
  store.patchCandidate({ system: { name: 'd' } });
  store.commit({ confirmMinutes: 2 }); // supersedes, still returns to 'b'
  assert.equal(store.history()[1]!.confirmState, 'superseded');
  clock.advanceMinutes(3);
  assert.equal(store.checkConfirmDeadline(), true);
  assert.equal(store.running().system.name, 'b');
  assert.equal(store.history()[0]!.rollbackOf, 3);
});

test('an explicit rollback supersedes a pending confirm', (t) => {
  const clock = new FakeClock();
  const store = openWith(tempDbPath(t), clock);
  t.after(() => store.close());
  store.patchCandidate({ system: { name: 'x' } });
  store.commit({ confirmMinutes: 1 });
  store.rollback(1);
  assert.equal(store.pendingConfirm(), undefined);
  clock.advanceMinutes(5);
  assert.equal(store.checkConfirmDeadline(), false);
  assert.equal(store.running().system.name, 'edgesbc');
});

test('confirmMinutes must be a whole number of minutes 1..1440', (t) => {
  const store = openWith(tempDbPath(t), new FakeClock());
  t.after(() => store.close());
  for (const m of [0, -1, 1.5, 1441, Number.NaN]) {
    assert.throws(() => store.commit({ confirmMinutes: m }), { code: 'ERR_CONFIG_BAD_ARGUMENT' });
  }
  assert.equal(store.history().length, 1);
});

test('the built-in timer rolls back on its own, re-armed at open', async (t) => {
  const path = tempDbPath(t);
  // Commit "59.8 s ago" with one minute to confirm: 200 ms of real time left.
  const a = ConfigStore.open(path, { clock: () => Date.now() - 59_800, confirmTimer: false });
  a.patchCandidate({ system: { name: 'temp' } });
  a.commit({ confirmMinutes: 1 });
  a.close();

  const b = ConfigStore.open(path); // real clock, timer on
  t.after(() => b.close());
  assert.equal(b.rolledBackAtOpen, undefined);
  assert.equal(b.running().system.name, 'temp');
  const started = Date.now();
  // The store's timer is unref'd (it must not keep a daemon alive); this one
  // keeps the test process up while we wait.
  const commit = await new Promise<number>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error('timer did not fire')), 3000);
    b.onRunningChange((_d, c) => {
      clearTimeout(guard);
      resolve(c.id);
    });
  });
  assert.equal(commit, 3);
  assert.ok(Date.now() - started < 2000);
  assert.equal(b.running().system.name, 'edgesbc');
  assert.equal(b.history()[0]!.kind, 'confirm-timeout');
});
