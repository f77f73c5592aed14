// /cdrs: search with validation of every query field, one record, summary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CdrStore } from '../../../src/cdr/index.js';
import { apiFixture } from './fixture.js';

const T0 = Date.parse('2026-06-01T09:00:00Z');

function rec(i: number, over: Record<string, unknown> = {}) {
  return {
    callId: `call-${i}`, startedAt: T0 + i * 60_000, answeredAt: T0 + i * 60_000 + 1000, endedAt: T0 + i * 60_000 + 31_000,
    caller: '442071234567', callee: `1415555010${i}`, fromSide: 'lan', sourceIp: '192.0.2.20', route: 'out', targetKind: 'trunk' as const,
    targetName: 'vonage', result: 'answered' as const, status: 200, reason: 'callee hung up', mos: 4.2, media: [], ...over,
  };
}

test('GET /cdrs searches by number, time and result; GET /cdrs/:id; summary; bad query fields refused by path', async (t) => {
  const cdrs = CdrStore.open(':memory:', { flushMs: 0 });
  t.after(() => cdrs.close());
  for (let i = 0; i < 5; i++) cdrs.add(rec(i, i === 3 ? { result: 'busy', status: 486, answeredAt: null, mos: null } : {}));
  const fx = await apiFixture(t, { deps: { cdrs } });
  const v = await fx.as('viewer');

  const all = await v.get('/cdrs');
  assert.equal(all.status, 200);
  assert.equal(all.body.records.length, 5);
  assert.equal(all.body.next, null);
  const first = all.body.records[0];
  assert.equal(first.callId, 'call-4');
  assert.equal(first.startedAt, '2026-06-01T09:04:00.000Z');
  assert.equal(first.durationS, 30);

  assert.deepEqual((await v.get('/cdrs?number=4155550102')).body.records.map((r: { callId: string }) => r.callId), ['call-2']);
  assert.deepEqual((await v.get('/cdrs?result=busy')).body.records.map((r: { durationS: number }) => r.durationS), [0]);
  const range = await v.get(`/cdrs?from=${encodeURIComponent('2026-06-01T09:01:00Z')}&to=${T0 + 2 * 60_000}`);
  assert.deepEqual(range.body.records.map((r: { callId: string }) => r.callId), ['call-2', 'call-1']);
  const page = await v.get('/cdrs?limit=2');
  assert.equal(page.body.next, page.body.records[1].id);
  assert.deepEqual((await v.get(`/cdrs?limit=2&before=${page.body.next}`)).body.records.map((r: { callId: string }) => r.callId), ['call-2', 'call-1']);

  const bad = await v.get('/cdrs?result=great&limit=5000&colour=red');
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.error.problems.map((p: { path: string }) => p.path).sort(), ['/colour', '/limit', '/result']);
  const badTime = await v.get('/cdrs?from=yesterday');
  assert.deepEqual(badTime.body.error.problems, [{ path: '/from', message: 'must be an ISO-8601 time or milliseconds since the epoch' }]);

  const one = await v.get(`/cdrs/${first.id}`);
  assert.equal(one.body.callId, 'call-4');
  assert.equal((await v.get('/cdrs/999')).status, 404);
  assert.equal((await v.get('/cdrs/abc')).status, 400);

  const sum = await v.get(`/cdrs/summary?from=${T0}&to=${T0 + 600_000}&bucket_s=120`);
  assert.equal(sum.status, 200);
  assert.deepEqual(sum.body.buckets.map((b: { start: string; calls: number; answered: number }) => [b.start, b.calls, b.answered]), [
    ['2026-06-01T09:00:00.000Z', 2, 2],
    ['2026-06-01T09:02:00.000Z', 2, 1],
    ['2026-06-01T09:04:00.000Z', 1, 1],
  ]);
  assert.equal((await v.get(`/cdrs/summary?from=0&to=${T0}&bucket_s=10`)).status, 400, 'too many buckets');

  const none = await apiFixture(t);
  assert.equal((await (await none.as('viewer')).get('/cdrs')).status, 503);
});
