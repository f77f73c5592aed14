// How close a decoded signal is to what was sent, for the codec tests:
// alignment by cross-correlation, then segmental SNR (waveform codecs) and
// log-spectral distance (every codec, parametric ones included), plus the
// failures a broken path shows: silence, clipping, missing audio.
// Both signals at the same rate (the tests compare at 8 kHz).

export interface Quality {
  /** Samples the output lags the input by (best cross-correlation). */
  lag: number;
  /** Normalised cross-correlation at that lag (1 = identical shape). */
  correlation: number;
  /** Segmental SNR in dB over 20 ms segments with signal, gain-matched, clamped to [-10, 40] per segment. */
  segSnrDb: number;
  /** Mean log-spectral distance in dB over 32 ms frames with signal (0 = same spectrum). */
  lsdDb: number;
  /** Output level relative to the input, dB. */
  levelDb: number;
  /** Fraction of output samples at full scale. */
  clipped: number;
  /** Aligned output samples available / input samples. */
  coverage: number;
}

function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, to - from));
}

/** The lag in [0, maxLag] at which `out` best matches `input` (on a decimated copy first, then refined). */
export function align(input: Int16Array, out: Int16Array, maxLag: number): { lag: number; correlation: number } {
  const corrAt = (lag: number, step: number): number => {
    let xy = 0, xx = 0, yy = 0;
    const n = Math.min(input.length, out.length - lag);
    for (let i = 0; i < n; i += step) {
      const x = input[i]!, y = out[i + lag]!;
      xy += x * y;
      xx += x * x;
      yy += y * y;
    }
    return xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : 0;
  };
  let best = 0, bestC = -Infinity;
  for (let lag = 0; lag <= maxLag && lag < out.length; lag += 2) {
    const c = corrAt(lag, 3);
    if (c > bestC) [best, bestC] = [lag, c];
  }
  let lag = best;
  bestC = -Infinity;
  for (let l = Math.max(0, best - 4); l <= best + 4 && l < out.length; l++) {
    const c = corrAt(l, 1);
    if (c > bestC) [lag, bestC] = [l, c];
  }
  return { lag, correlation: bestC };
}

function fftMagnitudes(frame: Float64Array): Float64Array {
  // Radix-2 in place on a copy; frame length a power of two.
  const n = frame.length;
  const re = Float64Array.from(frame), im = new Float64Array(n);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) [re[i], re[j]] = [re[j]!, re[i]!];
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(ang * k), wi = Math.sin(ang * k);
        const ar = re[i + k + len / 2]!, ai = im[i + k + len / 2]!;
        const tr = ar * wr - ai * wi, ti = ar * wi + ai * wr;
        re[i + k + len / 2] = re[i + k]! - tr;
        im[i + k + len / 2] = im[i + k]! - ti;
        re[i + k] = re[i + k]! + tr;
        im[i + k] = im[i + k]! + ti;
      }
    }
  }
  const mag = new Float64Array(n / 2);
  for (let k = 0; k < n / 2; k++) mag[k] = re[k]! * re[k]! + im[k]! * im[k]!;
  return mag;
}

/** Compares `out` with `input` (same rate); `maxLag` bounds the search for the path's delay. */
export function measureQuality(input: Int16Array, out: Int16Array, maxLag: number): Quality {
  const { lag, correlation } = align(input, out, maxLag);
  const n = Math.min(input.length, out.length - lag);
  const y = out.subarray(lag, lag + Math.max(0, n));
  const x = input.subarray(0, Math.max(0, n));
  const inRms = rms(input);
  const active = inRms * 0.1; // segments quieter than this in the input are skipped

  // Gain-matched segmental SNR.
  let xy = 0, yy = 0;
  for (let i = 0; i < n; i++) {
    xy += x[i]! * y[i]!;
    yy += y[i]! * y[i]!;
  }
  const g = yy > 0 ? xy / yy : 0;
  const seg = 160;
  let snrSum = 0, segs = 0;
  for (let s = 0; s + seg <= n; s += seg) {
    if (rms(x, s, s + seg) < active) continue;
    let sig = 0, err = 0;
    for (let i = s; i < s + seg; i++) {
      sig += x[i]! * x[i]!;
      const e = x[i]! - g * y[i]!;
      err += e * e;
    }
    snrSum += Math.max(-10, Math.min(40, 10 * Math.log10(sig / Math.max(err, 1e-9))));
    segs++;
  }

  // Log-spectral distance, Hann-windowed 256-sample frames, level-matched.
  const N = 256;
  const win = Float64Array.from({ length: N }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N));
  let lsdSum = 0, frames = 0;
  for (let s = 0; s + N <= n; s += N / 2) {
    if (rms(x, s, s + N) < active) continue;
    const fx = new Float64Array(N), fy = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      fx[i] = x[s + i]! * win[i]!;
      fy[i] = g * y[s + i]! * win[i]!;
    }
    const px = fftMagnitudes(fx), py = fftMagnitudes(fy);
    // The telephone band (100-3400 Hz at 8 kHz), and a floor 30 dB under
    // the frame's strongest bin: bins the input leaves empty would
    // otherwise compare a codec's quantisation noise with nothing.
    const lo = Math.ceil((100 * N) / 8000), hi = Math.floor((3400 * N) / 8000);
    let peak = 0;
    for (let k = lo; k <= hi; k++) peak = Math.max(peak, px[k]!);
    const floor = Math.max(peak * 1e-3, 1);
    let d = 0;
    for (let k = lo; k <= hi; k++) {
      const diff = 10 * Math.log10((px[k]! + floor) / (py[k]! + floor));
      d += diff * diff;
    }
    lsdSum += Math.sqrt(d / (hi - lo + 1));
    frames++;
  }

  let clipped = 0;
  for (const v of out) if (v >= 32700 || v <= -32700) clipped++;
  const outRms = rms(y);
  return {
    lag,
    correlation,
    segSnrDb: segs > 0 ? snrSum / segs : -Infinity,
    lsdDb: frames > 0 ? lsdSum / frames : Infinity,
    levelDb: 20 * Math.log10(Math.max(outRms, 1e-9) / Math.max(inRms, 1e-9)),
    clipped: out.length > 0 ? clipped / out.length : 0,
    coverage: n / input.length,
  };
}

export interface QualityBound {
  /** Minimum segmental SNR, dB (waveform codecs only). */
  segSnrDb?: number;
  /** Maximum log-spectral distance, dB. */
  lsdDb: number;
}

/** The reasons `q` fails `bound` (empty = passes): also silence, level, clipping and missing audio. */
export function qualityFailures(q: Quality, bound: QualityBound): string[] {
  const why: string[] = [];
  if (q.levelDb < -10) why.push(`output ${q.levelDb.toFixed(1)} dB below the input: silence or a dead path`);
  if (q.levelDb > 6) why.push(`output ${q.levelDb.toFixed(1)} dB above the input`);
  if (q.clipped > 0.001) why.push(`${(q.clipped * 100).toFixed(2)} % of samples clipped`);
  if (q.coverage < 0.85) why.push(`only ${(q.coverage * 100).toFixed(0)} % of the input came out`);
  if (bound.segSnrDb !== undefined && !(q.segSnrDb >= bound.segSnrDb)) {
    why.push(`segmental SNR ${q.segSnrDb.toFixed(1)} dB < ${bound.segSnrDb} dB`);
  }
  if (!(q.lsdDb <= bound.lsdDb)) why.push(`log-spectral distance ${q.lsdDb.toFixed(2)} dB > ${bound.lsdDb} dB`);
  return why;
}
