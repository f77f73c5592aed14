// iLBC interoperability: our encoder's frames (RFC 3952 storage format,
// "#!iLBC20\n"/"#!iLBC30\n" + frames) decoded by ffmpeg's independent iLBC
// decoder and by ours must agree. A node test rather than a Makefile step
// because this suite is where external programs are driven with timeouts,
// and it runs without the sanitizer build the native tests also go through.
// The tool (native/codecs/ilbc/tool.cc) is built by native/test/Makefile.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../harness/paths.js';

const toolPath = join(repoRoot, 'native', 'test', 'build', 'ilbc-tool');

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
}

/** 4 s of a voiced, speech-like signal: gliding 180-260 Hz harmonics, syllable envelope, light noise. */
function voiced(samples: number): Int16Array {
  const out = new Int16Array(samples);
  let ph = 0;
  let seed = 12345;
  const noise = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed / 2 ** 32 - 0.5) * 300;
  };
  for (let i = 0; i < samples; i++) {
    const t = i / 8000;
    const f0 = 220 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
    ph += (2 * Math.PI * f0) / 8000;
    let v = 0;
    for (let k = 1; k < 15 && k * f0 < 3600; k++) v += (0.8 / k) * Math.sin(k * ph + 0.3 * k);
    const env = 0.4 + 0.6 * Math.sin(2 * Math.PI * 1.5 * t) ** 2;
    out[i] = Math.max(-32768, Math.min(32767, Math.round(v * env * 5000 + noise())));
  }
  return out;
}

function readPcm(path: string): Int16Array {
  const b = readFileSync(path);
  return new Int16Array(b.buffer, b.byteOffset, b.length >> 1);
}

/** 10·log10(Σa² / Σ(a-b)²) over [from, to). */
function snrDb(a: Int16Array, b: Int16Array, from: number, to: number): number {
  let s = 0;
  let e = 0;
  for (let i = from; i < to; i++) {
    s += a[i]! * a[i]!;
    e += (a[i]! - b[i]!) ** 2;
  }
  return 10 * Math.log10(s / Math.max(e, 1e-9));
}

function energy(a: Int16Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]! * a[i]!;
  return s;
}

describe('iLBC: our encoder, decoded by ffmpeg and by us', () => {
  let dir = '';
  before(() => {
    run('make', ['-s', '-C', join(repoRoot, 'native', 'test'), 'build/ilbc-tool']);
    run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-h', 'decoder=ilbc']);
    dir = mkdtempSync(join(tmpdir(), 'ilbc-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [mode, block, bytes] of [
    [20, 160, 38],
    [30, 240, 50],
  ] as const) {
    it(`${mode} ms mode: ffmpeg decodes our frames to what our decoder gives`, () => {
      // Two frames of silence first, as a call starts: on a loud first frame
      // ffmpeg's fixed-point decoder starts from a different state than ours
      // (its frame 0 clips), which says nothing about the bitstream.
      const frames = 100;
      const input = new Int16Array(frames * block);
      input.set(voiced((frames - 2) * block), 2 * block);
      const raw = join(dir, `in${mode}.raw`);
      writeFileSync(raw, Buffer.from(input.buffer));
      const lbc = join(dir, `ours${mode}.lbc`);
      run(toolPath, ['enc', String(mode), raw, lbc]);
      assert.equal(statSync(lbc).size, 9 + frames * bytes, 'header + whole frames');
      assert.equal(readFileSync(lbc).subarray(0, 9).toString('latin1'), `#!iLBC${mode}\n`);

      const oursPcm = join(dir, `ours${mode}.pcm`);
      run(toolPath, ['dec', String(mode), lbc, oursPcm]);
      const ffPcm = join(dir, `ff${mode}.pcm`);
      run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', lbc, '-f', 's16le', '-ac', '1', '-ar', '8000', ffPcm]);
      const ours = readPcm(oursPcm);
      const ff = readPcm(ffPcm);
      assert.equal(ff.length, input.length, 'ffmpeg decoded every frame');
      assert.equal(ours.length, input.length);

      // ffmpeg's fixed-point decoder and our float one agree to ~38 dB
      // (measured 38.4 / 38.9 dB for 20 / 30 ms), every frame.
      const from = 0;
      const agree = snrDb(ours, ff, from, input.length);
      assert.ok(agree > 30, `ffmpeg vs our decoder: ${agree.toFixed(1)} dB, want > 30`);
      // And it is the signal, not silence: within 3 dB of the input's energy.
      const ratio = 10 * Math.log10(energy(ff, from, input.length) / energy(input, from, input.length));
      assert.ok(Math.abs(ratio) < 3, `ffmpeg output level vs input: ${ratio.toFixed(1)} dB`);
      for (let f = 2; f < frames; f++) {
        const snr = snrDb(ours, ff, f * block, (f + 1) * block);
        assert.ok(snr > 20, `frame ${f}: ffmpeg vs our decoder ${snr.toFixed(1)} dB, want > 20`);
      }
    });
  }
});
