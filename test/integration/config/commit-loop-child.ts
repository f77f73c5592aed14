// Child process for the kill -9 test: commits in a tight, bounded loop
// (at most MAX commits, at most 10 s) until the parent kills it.
// argv: <db path> <max commits>
import { ConfigStore } from '../../../src/config/store.js';

const [dbPath, maxArg] = process.argv.slice(2);
if (!dbPath) throw new Error('usage: commit-loop-child <db> [max]');
const max = Number(maxArg ?? 2000);
const store = ConfigStore.open(dbPath, { confirmTimer: false });
const deadline = Date.now() + 10_000;
for (let i = 0; i < max && Date.now() < deadline; i++) {
  const doc = store.candidate();
  doc.system.name = `loop-${process.pid}-${i}`;
  doc.sip.max_calls_in_progress = 1 + (i % 5000);
  // Vary the table-backed parts too, so each commit rewrites many rows.
  doc.trunks[0]!.endpoints = Array.from({ length: 1 + (i % 4) }, (_, j) => ({ host: `192.0.2.${j + 1}`, port: 5060 + j }));
  doc.routes.reverse();
  store.setCandidate(doc);
  if (i % 7 === 3) store.rollback(Math.max(1, i - 3), { user: 'loop' });
  else store.commit({ user: 'loop', comment: `#${i}`, ...(i % 5 === 0 ? { confirmMinutes: 1 } : {}) });
  // After the first commit: the parent's random kill then lands mid-loop.
  if (i === 0) process.send?.('ready');
}
store.close();
