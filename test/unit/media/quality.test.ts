// R-factor and MOS against values worked out by hand from the formulas in
// src/media/quality.ts (numbers in the comments are those hand computations).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codecImpairment, mosFromR, qualityOf } from '../../../src/media/quality.js';

test('no loss, no delay: R 93.2, MOS 4.41', () => {
  // MOS = 1 + 0.035*93.2 + 93.2*33.2*6.8*7e-6 = 1 + 3.262 + 0.14729 = 4.40929
  assert.deepEqual(qualityOf({ rttMs: 0, jitterMs: 0, lossFraction: 0 }), { r: 93.2, mos: 4.41 });
  assert.deepEqual(qualityOf({ rttMs: null, jitterMs: 0, lossFraction: 0, codec: 'PCMU' }), { r: 93.2, mos: 4.41 });
});

test('5 % random loss on G.711 with PLC (Bpl 25.1)', () => {
  // Ie_eff = 95*5/(5+25.1) = 15.7807; R = 77.4193; MOS = 1 + 2.70967 + 0.21317 = 3.9228
  assert.deepEqual(qualityOf({ rttMs: 0, jitterMs: 0, lossFraction: 0.05, codec: 'PCMA' }), { r: 77.4, mos: 3.92 });
});

test('400 ms one-way delay (800 ms round trip)', () => {
  // Id = 0.024*400 + 0.11*(400-177.3) = 9.6 + 24.497 = 34.097; R = 59.103
  // MOS = 1 + 2.06861 + 59.103*(-0.897)*40.897*7e-6 = 3.06861 - 0.01518 = 3.0534
  assert.deepEqual(qualityOf({ rttMs: 800, jitterMs: 0, lossFraction: 0 }), { r: 59.1, mos: 3.05 });
});

test('jitter counts twice as jitter-buffer delay; unknown RTT counts as none', () => {
  // d = 2*10 = 20 ms: Id = 0.48, R = 92.72, MOS 4.3998
  assert.deepEqual(qualityOf({ rttMs: null, jitterMs: 10, lossFraction: 0 }), { r: 92.7, mos: 4.4 });
  // d = 150/2 + 2*15 = 105 ms: Id = 2.52; 2 % loss: Ie_eff = 190/27.1 = 7.01107; R = 83.6689
  assert.deepEqual(qualityOf({ rttMs: 150, jitterMs: 15, lossFraction: 0.02 }), { r: 83.7, mos: 4.15 });
});

test('G.729: Ie 11, Bpl 19', () => {
  assert.deepEqual(qualityOf({ rttMs: 0, jitterMs: 0, lossFraction: 0, codec: 'G729' }), { r: 82.2, mos: 4.1 });
  // Ie_eff = 11 + 84*2/(2+19) = 19 exactly: R = 74.2, MOS = 1 + 2.597 + 74.2*14.2*25.8*7e-6 = 3.78729
  assert.deepEqual(qualityOf({ rttMs: 0, jitterMs: 0, lossFraction: 0.02, codec: 'g729a/8000' }), { r: 74.2, mos: 3.79 });
});

test('codec names: case, rate suffix, unknown and absent fall back to G.711', () => {
  assert.deepEqual(codecImpairment('pcmu/8000'), { ie: 0, bpl: 25.1 });
  assert.deepEqual(codecImpairment('G723'), { ie: 15, bpl: 16.1 });
  assert.deepEqual(codecImpairment('opus'), codecImpairment(undefined));
  assert.deepEqual(codecImpairment(' G729 '), { ie: 11, bpl: 19 });
  const g722 = qualityOf({ rttMs: 0, jitterMs: 0, lossFraction: 0.05, codec: 'G722' });
  assert.deepEqual(g722, { r: 77.4, mos: 3.92 });
});

test('clamps: R to 0..100, MOS to 1..4.5, loss to 0..1', () => {
  // d = 1000 ms: Id = 24 + 90.497 = 114.5 > 93.2
  assert.deepEqual(qualityOf({ rttMs: 2000, jitterMs: 0, lossFraction: 0 }), { r: 0, mos: 1 });
  assert.deepEqual(qualityOf({ rttMs: 0, jitterMs: 0, lossFraction: 7 }), qualityOf({ rttMs: 0, jitterMs: 0, lossFraction: 1 }));
  // Negative loss (duplicates) and a negative RTT read as zero.
  assert.deepEqual(qualityOf({ rttMs: -5, jitterMs: -1, lossFraction: -0.01 }), { r: 93.2, mos: 4.41 });
  // The cubic dips below 1 for small R (R 1: 0.99411); never below 1, never above 4.5.
  assert.equal(mosFromR(1), 1);
  assert.equal(mosFromR(0), 1);
  assert.equal(mosFromR(-20), 1);
  assert.equal(mosFromR(100), 4.5);
  assert.equal(mosFromR(250), 4.5);
  for (let r = 0; r <= 100; r += 0.5) {
    const m = mosFromR(r);
    assert.ok(m >= 1 && m <= 4.5, `MOS ${m} at R ${r}`);
  }
});

test('non-finite input is a RangeError naming the field', () => {
  assert.throws(() => qualityOf({ rttMs: NaN, jitterMs: 0, lossFraction: 0 }), { name: 'RangeError', message: /rttMs/ });
  assert.throws(() => qualityOf({ rttMs: 0, jitterMs: Infinity, lossFraction: 0 }), { name: 'RangeError', message: /jitterMs/ });
  assert.throws(() => qualityOf({ rttMs: 0, jitterMs: 0, lossFraction: NaN }), { name: 'RangeError', message: /lossFraction/ });
});
