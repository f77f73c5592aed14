// RFC 4028 negotiation, one transaction at a time (V-OUT-11): what we answer
// as UAS, what we ask for as UAC, how the per-leg timer runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  expiryDelayS,
  negotiateAsUas,
  parseMinSe,
  parseSessionExpires,
  timerRequestOf,
  uacResult,
  uasResponseHeaders,
} from '../../../src/calls/session-timer.js';
import { LegSessionTimer } from '../../../src/calls/session-timer-leg.js';
import { Headers } from '../../../src/sip/index.js';

const ON = { enabled: true, expiresS: 1800, minSeS: 90 };
const h = (...pairs: Array<[string, string]>) => Headers.fromPairs(pairs);

test('V-OUT-11: Session-Expires and Min-SE parse (compact x, refresher param, junk refused)', () => {
  assert.deepEqual(parseSessionExpires('1800;refresher=uac'), { interval: 1800, refresher: 'uac' });
  assert.deepEqual(parseSessionExpires(' 90 ; refresher = UAS'), { interval: 90, refresher: 'uas' });
  assert.deepEqual(parseSessionExpires('600;foo=bar'), { interval: 600 });
  assert.equal(parseSessionExpires('abc'), null);
  assert.equal(parseSessionExpires('0'), null);
  assert.equal(parseSessionExpires(undefined), null);
  assert.equal(parseMinSe('120;x=y'), 120);
  assert.equal(parseMinSe('-1'), null);
  const req = timerRequestOf(h(['k', '100rel, timer'], ['x', '1800'], ['Min-SE', '120']));
  assert.deepEqual(req, { supportsTimer: true, sessionExpires: { interval: 1800 }, minSe: 120 });
});

test('V-OUT-11 UAS: a UAC asking 1800 with timer support refreshes itself; our 2xx requires timer', () => {
  const d = negotiateAsUas({ supportsTimer: true, sessionExpires: { interval: 1800 }, minSe: null }, ON);
  assert.deepEqual(d, { kind: 'on', interval: 1800, refresher: 'peer', require: true });
  assert.deepEqual(uasResponseHeaders(d as Extract<typeof d, { kind: 'on' }>), [
    ['Session-Expires', '1800;refresher=uac'],
    ['Require', 'timer'],
  ]);
});

test('V-OUT-11 UAS: the refresher the UAC names is kept (Table 2)', () => {
  const d = negotiateAsUas({ supportsTimer: true, sessionExpires: { interval: 1800, refresher: 'uas' }, minSe: null }, ON);
  assert.deepEqual(d, { kind: 'on', interval: 1800, refresher: 'us', require: true });
});

test('V-OUT-11 UAS: a UAC without timer support gets refresher=uas and no Require', () => {
  const d = negotiateAsUas({ supportsTimer: false, sessionExpires: null, minSe: null }, ON);
  assert.deepEqual(d, { kind: 'on', interval: 1800, refresher: 'us', require: false });
  assert.deepEqual(uasResponseHeaders(d as Extract<typeof d, { kind: 'on' }>), [['Session-Expires', '1800;refresher=uas']]);
});

test('V-OUT-11 UAS: too small -> 422 with our Min-SE; without timer support it is raised instead', () => {
  const s = { ...ON, minSeS: 300 };
  assert.deepEqual(negotiateAsUas({ supportsTimer: true, sessionExpires: { interval: 120 }, minSe: null }, s), { kind: 'reject', minSe: 300 });
  assert.deepEqual(negotiateAsUas({ supportsTimer: false, sessionExpires: { interval: 120 }, minSe: null }, s), {
    kind: 'on', interval: 300, refresher: 'us', require: false,
  });
});

test('V-OUT-11 UAS: a longer interval is shortened to ours, never below the request Min-SE', () => {
  const s = { ...ON, expiresS: 600 };
  assert.equal((negotiateAsUas({ supportsTimer: true, sessionExpires: { interval: 3600 }, minSe: null }, s) as { interval: number }).interval, 600);
  assert.equal((negotiateAsUas({ supportsTimer: true, sessionExpires: { interval: 3600 }, minSe: 1200 }, s) as { interval: number }).interval, 1200);
  // No Session-Expires but Min-SE: ours, raised to theirs.
  assert.equal((negotiateAsUas({ supportsTimer: true, sessionExpires: null, minSe: 900 }, s) as { interval: number }).interval, 900);
});

test('V-OUT-11 UAS: on a refresh the role in place stays unless the request names one', () => {
  const req = { supportsTimer: true, sessionExpires: { interval: 1800 }, minSe: null };
  assert.equal((negotiateAsUas(req, ON, 'us') as { refresher: string }).refresher, 'us');
  assert.equal((negotiateAsUas(req, ON, 'peer') as { refresher: string }).refresher, 'peer');
});

test('V-OUT-11: disabled means no timer at all', () => {
  assert.deepEqual(negotiateAsUas({ supportsTimer: true, sessionExpires: { interval: 1800 }, minSe: null }, { ...ON, enabled: false }), { kind: 'off' });
  const leg = new LegSessionTimer({ ...ON, enabled: false }, { refresh() {}, expired() {} });
  assert.deepEqual(leg.inviteHeaders(), []);
});

test('V-OUT-11 UAC: the 2xx decides; refresher=uac means we refresh; no Session-Expires means no timer', () => {
  assert.deepEqual(uacResult(h(['Session-Expires', '1800;refresher=uac'])), { interval: 1800, refresher: 'us' });
  assert.deepEqual(uacResult(h(['x', '900;refresher=uas'])), { interval: 900, refresher: 'peer' });
  assert.deepEqual(uacResult(h(['Session-Expires', '900'])), { interval: 900, refresher: 'us' }, 'no refresher named: we refresh');
  assert.equal(uacResult(h()), null);
});

test('V-OUT-11: the non-refresher gives up at expiry - min(32, SE/3)', () => {
  assert.equal(expiryDelayS(90), 60);
  assert.equal(expiryDelayS(1800), 1768);
});

test('V-OUT-11 UAC: our INVITE asks expires_s with our Min-SE; a 422 is retried once with its Min-SE', () => {
  const leg = new LegSessionTimer({ ...ON, expiresS: 600, minSeS: 120 }, { refresh() {}, expired() {} });
  assert.deepEqual(leg.inviteHeaders(), [['Session-Expires', '600'], ['Min-SE', '120']]);
  assert.equal(leg.on422(h(['Min-SE', '300'])), false, 'asking for less than we asked is not worth a retry');
  assert.equal(leg.on422(h(['Min-SE', '1200'])), true);
  assert.deepEqual(leg.inviteHeaders(), [['Session-Expires', '1200'], ['Min-SE', '1200']]);
  assert.equal(leg.on422(h(['Min-SE', '2400'])), false, 'once only');
  leg.close();
});

test('V-OUT-11: we refresh at half the interval; the expiry is the backstop', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const events: string[] = [];
  const leg = new LegSessionTimer(ON, { refresh: () => events.push('refresh'), expired: (i, r) => events.push(`expired ${i} ${r}`) });
  leg.onUacAnswered(h(['Session-Expires', '90;refresher=uac']));
  assert.equal(leg.refresher, 'us');
  assert.deepEqual(leg.refreshHeaders(), [['Session-Expires', '90;refresher=uac'], ['Min-SE', '90']]);
  t.mock.timers.tick(44_999);
  assert.deepEqual(events, []);
  t.mock.timers.tick(1);
  assert.deepEqual(events, ['refresh']);
  // The refresh got its 2xx: everything starts again from now.
  assert.equal(leg.onRefreshResponse(200, h(['Session-Expires', '90;refresher=uac']), false), 'refreshed');
  t.mock.timers.tick(45_000);
  assert.deepEqual(events, ['refresh', 'refresh']);
  // This one is never answered: at 60 s from the last refresh the call ends.
  t.mock.timers.tick(15_000);
  assert.deepEqual(events, ['refresh', 'refresh', 'expired 90 us']);
  leg.close();
});

test('V-OUT-11: a peer refresher that stays silent: expired at 60 s of 90', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const events: string[] = [];
  const leg = new LegSessionTimer(ON, { refresh: () => events.push('refresh'), expired: (i, r) => events.push(`expired ${i} ${r}`) });
  const d = leg.decide(timerRequestOf(h(['Supported', 'timer'], ['Session-Expires', '90;refresher=uac'])));
  assert.deepEqual(leg.responseHeaders(d), [['Session-Expires', '90;refresher=uac'], ['Require', 'timer']]);
  leg.onUasAnswered(d);
  t.mock.timers.tick(40_000);
  // A refresh from the peer restarts the clock.
  leg.onUasAnswered(leg.decide(timerRequestOf(h(['Supported', 'timer'], ['Session-Expires', '90;refresher=uac']))));
  t.mock.timers.tick(59_999);
  assert.deepEqual(events, []);
  t.mock.timers.tick(1);
  assert.deepEqual(events, ['expired 90 peer']);
  leg.close();
});

test('V-OUT-11: refresh failures: 481/408/local are fatal, 422 retried with its Min-SE, others later', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const events: string[] = [];
  const leg = new LegSessionTimer(ON, { refresh: () => events.push('refresh'), expired: () => events.push('expired') });
  leg.onUacAnswered(h(['Session-Expires', '1800;refresher=uac']));
  assert.equal(leg.onRefreshResponse(481, h(), false), 'fatal');
  assert.equal(leg.onRefreshResponse(408, h(), true), 'fatal');
  assert.equal(leg.onRefreshResponse(503, h(), true), 'fatal');
  assert.equal(leg.onRefreshResponse(422, h(['Min-SE', '3600']), false), 'retry-422');
  assert.deepEqual(leg.refreshHeaders()[0], ['Session-Expires', '3600;refresher=uac']);
  assert.equal(leg.onRefreshResponse(491, h(), false), 'retry-later');
  // Halfway to the expiry (1768 s): 884 s.
  t.mock.timers.tick(884_000);
  assert.deepEqual(events, ['refresh']);
  leg.close();
  t.mock.timers.tick(2_000_000);
  assert.deepEqual(events, ['refresh'], 'nothing fires after close');
});

test('V-OUT-11: a 2xx to a refresh without Session-Expires turns the timer off', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const events: string[] = [];
  const leg = new LegSessionTimer(ON, { refresh: () => events.push('refresh'), expired: () => events.push('expired') });
  leg.onUacAnswered(h(['Session-Expires', '90;refresher=uas']));
  assert.equal(leg.interval, 90);
  leg.onUacAnswered(h());
  assert.equal(leg.interval, 0);
  t.mock.timers.tick(600_000);
  assert.deepEqual(events, []);
  leg.close();
});



test('V-OUT-11: a peer without timer support that we refresh answers without Session-Expires: the timer carries on', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const events: string[] = [];
  const leg = new LegSessionTimer(ON, { refresh: () => events.push('refresh'), expired: () => events.push('expired') });
  const d = leg.decide(timerRequestOf(h(['Allow', 'INVITE, UPDATE'])));
  leg.onUasAnswered(d);
  assert.equal(leg.refresher, 'us');
  t.mock.timers.tick(900_000);
  assert.deepEqual(events, ['refresh']);
  assert.equal(leg.onRefreshResponse(200, h(), false), 'refreshed');
  assert.equal(leg.interval, 1800);
  t.mock.timers.tick(900_000);
  assert.deepEqual(events, ['refresh', 'refresh']);
  leg.close();
});
