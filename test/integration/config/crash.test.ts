// kill -9 at any moment leaves the database at the old commit or the new
// one: a child commits in a tight loop, gets SIGKILLed at a random moment,
// and the reopened store must be consistent.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { ConfigStore } from '../../../src/config/store.js';
import { tempDbPath } from './helpers.js';

const CHILD = fileURLToPath(new URL('./commit-loop-child.js', import.meta.url));
const ROUNDS = 6;

function runAndKill(dbPath: string, killAfterMs: number): Promise<{ killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [dbPath, '2000'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('message', () => setTimeout(() => child.kill('SIGKILL'), killAfterMs));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(guard);
      if (signal === 'SIGKILL') resolve({ killed: true });
      else if (code === 0) resolve({ killed: false });
      else reject(new Error(`child exited with ${code ?? signal}`));
    });
  });
}

test('SIGKILL during commits: running == latest commit snapshot, DB intact', async (t) => {
  const dbPath = tempDbPath(t);
  ConfigStore.open(dbPath).close(); // seed once, so every round measures commits only
  let lastCount = 1;
  let kills = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const { killed } = await runAndKill(dbPath, 30 + Math.floor(Math.random() * 400));
    if (killed) kills++;

    const raw = new Database(dbPath);
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    raw.pragma('foreign_keys = ON');
    assert.deepEqual(raw.pragma('foreign_key_check'), []);
    raw.close();

    // confirmTimer off and a clock at the epoch's start: opening must not
    // roll anything back, so we look at exactly what the killed child left.
    const store = ConfigStore.open(dbPath, { confirmTimer: false, clock: () => 0 });
    const [latest] = store.history(1);
    assert.ok(latest);
    assert.ok(latest.id > lastCount, `round ${round}: the child made progress`);
    lastCount = latest.id;
    const running = JSON.stringify(store.running());
    const snapshot = JSON.stringify(store.commitSnapshot(latest.id));
    assert.equal(running, snapshot, `round ${round}: running is the snapshot of commit ${latest.id}`);
    // The candidate is always a whole valid document too (setCandidate is atomic).
    assert.doesNotThrow(() => store.setCandidate(store.candidate()));
    // At most one commit waits for confirmation.
    assert.ok(store.history(10_000).filter((c) => c.confirmState === 'pending').length <= 1);
    store.close();
  }
  assert.ok(kills >= ROUNDS - 1, `the child was killed mid-loop (${kills}/${ROUNDS})`);
});
