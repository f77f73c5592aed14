// Call records: built from a call's outcome and its final media statistics,
// stored in batches, searched by number, time and result, summarised per
// bucket, pruned by age.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import type { CallWatcher, EndedCall } from '../../../src/calls/call-controller.js';
import { CdrRecorder, CdrStore, recordOf, resultOf, type CallRecord } from '../../../src/cdr/index.js';

const T0 = Date.parse('2026-06-01T10:00:00Z');

function legStats(rx: number, lost: number, jitterMs: number, rttMs: number | null) {
  return { rxPackets: rx, txPackets: rx, expected: rx + lost, lost, jitterMs, rttMs, peer: { ip: '192.0.2.10', port: 4000 }, latched: false, srtpAuthFailures: 0 };
}

function ended(over: Partial<EndedCall> = {}): EndedCall {
  return {
    id: 'c-1',
    startedAt: T0,
    answeredAt: T0 + 2000,
    endedAt: T0 + 62_000,
    caller: '442071234567',
    callee: '14155550100',
    target: { kind: 'trunk', name: 'vonage' },
    status: 200,
    reason: 'caller hung up',
    media: Promise.resolve([{ index: 0, codec: 'PCMA', a: legStats(3000, 0, 1, 20), b: legStats(2900, 100, 8, 20), mos: { a: 4.39, b: 3.71 } }]),
    route: 'pbx-to-vonage',
    fromSide: 'lan',
    sourceIp: '192.0.2.20',
    ...over,
  };
}

async function record(over: Partial<EndedCall> = {}): Promise<CallRecord> {
  const e = ended(over);
  return recordOf(e, await e.media);
}

test('a record says what happened: result from the final status, the worst leg MOS, per-leg summary', async () => {
  const r = await record();
  assert.equal(r.result, 'answered');
  assert.equal(r.mos, 3.71);
  assert.deepEqual(r.media[0]!.b, {
    rxPackets: 2900, txPackets: 2900, expected: 3000, lost: 100, lossPct: 3.3, jitterMs: 8, rttMs: 20, mos: 3.71, peer: '192.0.2.10:4000', latched: false, srtpAuthFailures: 0,
  });
  assert.deepEqual(
    [200, 486, 600, 408, 480, 487, 404, 403, 603, 503, 500, 0].map(resultOf),
    ['answered', 'busy', 'busy', 'no-answer', 'no-answer', 'canceled', 'rejected', 'rejected', 'rejected', 'failed', 'failed', 'failed'],
  );
  const noMedia = recordOf(ended({ status: 486, answeredAt: null, reason: '' }), []);
  assert.deepEqual([noMedia.result, noMedia.mos, noMedia.reason, noMedia.media], ['busy', null, 'status 486', []]);
  // Garbage where stats should be is skipped, not trusted.
  assert.deepEqual(recordOf(ended(), [null, 'x', { index: 'no' }]).media, [{ index: 0, codec: '', a: null, b: null }]);
});

test('search by number, time range and result; newest first with paging; summary; prune', async () => {
  const db = CdrStore.open(':memory:', { flushMs: 60_000 });
  const calls: Array<Partial<EndedCall>> = [
    { id: 'a', caller: '442071234567', callee: '14155550100', startedAt: T0 },
    { id: 'b', caller: '442071234567', callee: '33123456789', startedAt: T0 + 60_000, status: 486, answeredAt: null },
    { id: 'c', caller: '15551230000', callee: '14155550100', startedAt: T0 + 120_000, status: 503, answeredAt: null },
    { id: 'd', caller: '15551230000', callee: '49301234567', startedAt: T0 + 400_000 },
  ];
  for (const c of calls) db.add(await record(c));
  assert.equal(db.count(), 4, 'reading flushes the batch');
  assert.deepEqual(db.search().map((r) => r.callId), ['d', 'c', 'b', 'a']);
  assert.deepEqual(db.search({ number: '4155550100' }).map((r) => r.callId), ['c', 'a']);
  assert.deepEqual(db.search({ number: '%' }).map((r) => r.callId), [], 'LIKE wildcards are literal');
  assert.deepEqual(db.search({ result: 'answered' }).map((r) => r.callId), ['d', 'a']);
  assert.deepEqual(db.search({ from: T0 + 60_000, to: T0 + 120_000 }).map((r) => r.callId), ['c', 'b']);
  const page1 = db.search({ limit: 3 });
  assert.deepEqual(db.search({ limit: 3, before: page1.at(-1)!.id }).map((r) => r.callId), ['a']);
  const got = db.get(page1[0]!.id)!;
  assert.equal(got.media[0]!.codec, 'PCMA');
  assert.equal(db.get(999), undefined);

  const buckets = db.summary(T0, T0 + 600_000, 300_000);
  assert.deepEqual(buckets, [
    { start: T0, calls: 3, answered: 1, failed: 2, avgMos: 3.71, minMos: 3.71 },
    { start: T0 + 300_000, calls: 1, answered: 1, failed: 0, avgMos: 3.71, minMos: 3.71 },
  ]);
  assert.equal(db.prune(T0 + 100_000), 2);
  assert.deepEqual(db.search().map((r) => r.callId), ['d', 'c']);
  db.close();
});

test('the recorder writes one record per ended call (with its media), keeps retention, follows cdr.enabled', async () => {
  const db = CdrStore.open(':memory:', { flushMs: 0 });
  let watcher: CallWatcher | undefined;
  const source = { watch: (w: CallWatcher) => ((watcher = w), () => (watcher = undefined)) };
  let now = T0 + 10 * 86_400_000;
  const recorder = new CdrRecorder(source, db, { enabled: true, retention_days: 30 }, pino({ level: 'silent' }), () => now);
  const seen: string[] = [];
  recorder.onRecord((r) => seen.push(r.callId));
  watcher!.ended!(ended({ id: 'x1' }));
  // Statistics that never come: written without them after the wait.
  watcher!.ended!(ended({ id: 'x2', media: new Promise(() => undefined) }));
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(seen, ['x1']);
  await new Promise((r) => setTimeout(r, 2100));
  assert.deepEqual(seen, ['x1', 'x2']);
  assert.deepEqual(db.get(2)!.media, []);
  assert.equal(db.get(1)!.mos, 3.71);

  recorder.applyConfig({ enabled: false, retention_days: 30 });
  watcher!.ended!(ended({ id: 'x3' }));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(db.count(), 2, 'disabled: no record');

  now = T0 + 40 * 86_400_000;
  recorder.applyConfig({ enabled: true, retention_days: 29 });
  assert.equal(db.count(), 0, 'a shorter retention prunes at once');
  recorder.close();
  assert.equal(watcher, undefined);
  db.close();
});

test('queued records reach the file in chunks of at most 500 per turn, all of them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cdr-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'cdr.db');
  const db = CdrStore.open(path, { flushMs: 5 });
  const r = await record();
  for (let i = 0; i < 1200; i++) db.add({ ...r, callId: `q${i}` });
  const reader = new Database(path, { readonly: true });
  t.after(() => reader.close());
  const rows = () => reader.prepare('SELECT COUNT(*) FROM cdrs').pluck().get() as number;
  const seen: number[] = [];
  for (let i = 0; i < 200 && rows() < 1200; i++) {
    seen.push(rows());
    await new Promise((res) => setImmediate(res));
  }
  assert.equal(rows(), 1200);
  assert.ok(seen.includes(500) || seen.includes(1000), `written in chunks: ${[...new Set(seen)].join(', ')}`);
  db.close();
});
