// The health state machine of one trunk endpoint (V-OUT-8): down after N
// consecutive failures, up after M consecutive successes, the smoothed
// OPTIONS round trip, and what a probe's response counts as.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EndpointHealth, RTT_GAIN, probeVerdict } from '../../../src/trunks/health.js';

const OK = { status: 200, reason: 'OK', local: false, info: '' };

test('V-OUT-8: an endpoint starts unknown and is up at its first answer', () => {
  const h = new EndpointHealth({ downAfter: 3, upAfter: 2 });
  assert.equal(h.state, 'unknown');
  assert.equal(h.lastChange, 0);
  assert.deepEqual(h.success(1000, 12), { from: 'unknown', to: 'up', reason: 'answering again' });
  assert.equal(h.state, 'up');
  assert.equal(h.lastChange, 1000);
  assert.equal(h.success(2000, 12), undefined, 'no change while up');
  assert.equal(h.lastChange, 1000);
});

test('V-OUT-8: down after exactly N consecutive failures, a success in between starts over', () => {
  const h = new EndpointHealth({ downAfter: 3, upAfter: 2 });
  h.success(0, 10);
  assert.equal(h.failure(1, 'timeout'), undefined);
  assert.equal(h.failure(2, 'timeout'), undefined);
  h.success(3, 10); // resets the failure count
  assert.equal(h.failure(4, 'timeout'), undefined);
  assert.equal(h.failure(5, 'timeout'), undefined);
  assert.equal(h.state, 'up');
  assert.deepEqual(h.failure(6, '503 Service Unavailable'), { from: 'up', to: 'down', reason: '503 Service Unavailable' });
  assert.equal(h.state, 'down');
  assert.equal(h.lastChange, 6);
  assert.equal(h.lastError, '503 Service Unavailable');
  assert.equal(h.failure(7, 'timeout'), undefined, 'no second "down"');
  assert.equal(h.lastChange, 6);
  assert.equal(h.lastError, 'timeout', 'the last failure is kept');
});

test('V-OUT-8: a never-answering endpoint goes from unknown to down after N failures', () => {
  const h = new EndpointHealth({ downAfter: 2, upAfter: 2 });
  assert.equal(h.failure(1, 'timeout'), undefined);
  assert.equal(h.state, 'unknown');
  assert.deepEqual(h.failure(2, 'timeout'), { from: 'unknown', to: 'down', reason: 'timeout' });
});

test('V-OUT-8: up again only after M consecutive successes', () => {
  const h = new EndpointHealth({ downAfter: 1, upAfter: 3 });
  h.failure(1, 'timeout');
  assert.equal(h.state, 'down');
  assert.equal(h.success(2), undefined);
  assert.equal(h.success(3), undefined);
  h.failure(4, 'timeout'); // resets the success count
  assert.equal(h.success(5), undefined);
  assert.equal(h.success(6), undefined);
  assert.equal(h.state, 'down');
  assert.deepEqual(h.success(7), { from: 'down', to: 'up', reason: 'answering again' });
  assert.equal(h.lastChange, 7);
});

test('V-OUT-8: the round trip is smoothed; answers without a trusted sample leave it alone', () => {
  const h = new EndpointHealth();
  assert.equal(h.rttMs, undefined);
  h.success(0, 40);
  assert.equal(h.rttMs, 40, 'the first sample is the estimate');
  h.success(0, 80);
  assert.equal(h.rttMs, 40 + (80 - 40) * RTT_GAIN);
  const before = h.rttMs;
  h.success(0, undefined);
  h.success(0, Number.NaN);
  h.success(0, -5);
  assert.equal(h.rttMs, before);
  h.failure(0, 'timeout');
  assert.equal(h.rttMs, before, 'failures do not touch the round trip');
});

test('thresholds below 1 are refused', () => {
  assert.throws(() => new EndpointHealth({ downAfter: 0, upAfter: 1 }), RangeError);
  assert.throws(() => new EndpointHealth({ downAfter: 1, upAfter: 0 }), RangeError);
});

test('V-OUT-8: any answer below 500 and any 6xx is up; 5xx, timeouts and transport errors are down', () => {
  for (const status of [200, 202, 302, 401, 404, 405, 407, 420, 483, 603]) {
    assert.deepEqual(probeVerdict({ ...OK, status }), { ok: true }, String(status));
  }
  assert.deepEqual(probeVerdict({ ...OK, status: 503, reason: 'Service Unavailable' }), { ok: false, reason: '503 Service Unavailable' });
  assert.deepEqual(probeVerdict({ ...OK, status: 500, reason: 'Server Internal Error' }), { ok: false, reason: '500 Server Internal Error' });
  assert.deepEqual(probeVerdict({ ...OK, status: 504, reason: '' }), { ok: false, reason: '504' });
  assert.deepEqual(probeVerdict({ status: 408, reason: 'Request Timeout', local: true, info: 'timeout' }), { ok: false, reason: 'timeout' });
  assert.deepEqual(probeVerdict({ status: 503, reason: 'Service Unavailable', local: true, info: 'connect 198.51.100.10:5060: Connection refused' }), {
    ok: false,
    reason: 'transport error: connect 198.51.100.10:5060: Connection refused',
  });
  // A 408 the far side sent is an answer (it is there), unlike our own timeout.
  assert.deepEqual(probeVerdict({ status: 408, reason: 'Request Timeout', local: false, info: '' }), { ok: true });
});
