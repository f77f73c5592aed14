// The quality measure the codec-pair tests rely on must fail what a broken
// media path produces: silence, noise, clipping, a missing half, and pass
// the signal itself delayed (test/integration/harness/audio-quality.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureQuality, qualityFailures } from '../../integration/harness/audio-quality.js';

const N = 16000;
function speechLike(): Int16Array {
  const x = new Int16Array(N);
  let ph = 0;
  for (let i = 0; i < N; i++) {
    const f0 = 180 + 60 * Math.sin((2 * Math.PI * 0.8 * i) / 8000);
    ph += (2 * Math.PI * f0) / 8000;
    let v = 0;
    for (let k = 1; k < 12; k++) v += Math.sin(k * ph) / k;
    x[i] = Math.round(v * 6000 * (0.5 + 0.5 * Math.sin((2 * Math.PI * 2 * i) / 8000) ** 2));
  }
  return x;
}
const bound = { segSnrDb: 20, lsdDb: 1 };
const input = speechLike();

test('the signal itself, 12 ms late, passes with the delay found', () => {
  const out = new Int16Array(N + 96);
  out.set(input, 96);
  const q = measureQuality(input, out, 3200);
  assert.equal(q.lag, 96);
  assert.deepEqual(qualityFailures(q, bound), []);
});

test('silence, noise, clipping, half the audio and a delay beyond the window fail', () => {
  let seed = 1;
  const noise = Int16Array.from({ length: N }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 12000);
  const clipped = Int16Array.from(input, (v) => Math.max(-32768, Math.min(32767, v * 8)));
  const half = input.slice(0, N / 2);
  const late = new Int16Array(N + 4000);
  late.set(input, 4000);
  for (const [what, out] of [['silence', new Int16Array(N)], ['noise', noise], ['clipped', clipped], ['half', half], ['late', late]] as const) {
    const why = qualityFailures(measureQuality(input, out, 3200), bound);
    assert.ok(why.length > 0, `${what} passed`);
  }
});
