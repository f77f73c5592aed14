#!/usr/bin/env node
// bench/transcode, part 2: transcoded streams per core through EdgeSBC's media
// engine, side by side with Debian's rtpengine for the pairs it can encode, in
// one run. Each relay is pinned to the relay core, the generator (bench/rtp-relay
// gen.c in --one-way --any-payload mode) on the other: every stream is 20 ms
// PCMU from A, transcoded by the relay into the target codec toward B. A step
// passes with at most one packet lost per stream (start-up) plus 0.1 % and the
// relay core under 95 %;
// streams/core = streams of the highest passing step / the relay's CPU share
// in it. The raw floor (codec_cost: PCMU decode + target encode per 20 ms)
// gives the overhead of everything around the codecs. See bench/README.md.
//
//   node bench/transcode/streams.mjs [--quick] [--pairs PCMA,G729,G722,speex16,iLBC,opus]
//        [--targets edgesbc,rtpengine] [--steps 50,100,...] [--step-seconds 10] [--out F]
//
// Bounded: every step ends after --step-seconds plus the generator's drain (and
// is killed if it overruns); children are killed when this exits.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLK_TCK, coreJiffies, corePct, processTicks, sleep, start } from '../rtp-relay/proc.mjs';
import { startEdgesbc, startRtpengine } from '../rtp-relay/targets.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const RELAY_HERE = join(ROOT, 'bench', 'rtp-relay');

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    pairs: { type: 'string', default: 'PCMA,G729,G722,speex16,iLBC,opus' },
    targets: { type: 'string', default: 'edgesbc,rtpengine' },
    steps: { type: 'string' },
    'step-seconds': { type: 'string' },
    'relay-core': { type: 'string', default: '1' },
    'gen-core': { type: 'string', default: '0' },
    out: { type: 'string' },
  },
});

// Per target codec: what EdgeSBC's engine is told (StreamCodec) and how rtpengine is asked.
const PCMU = { name: 'PCMU', clock: 8000, pt: 0, ptime: 20 };
const PAIRS = {
  PCMA: { codec: { name: 'PCMA', clock: 8000, pt: 8 }, ng: 'PCMA', rtpmap: 'PCMA/8000', floor: 'PCMA', ref: 850 },
  G729: { codec: { name: 'G729', clock: 8000, pt: 18, fmtp: 'annexb=no' }, ng: 'G729', rtpmap: 'G729/8000', fmtp: 'annexb=no', floor: 'G729', ref: 210 },
  G722: { codec: { name: 'G722', clock: 8000, pt: 9 }, ng: 'G722', rtpmap: 'G722/8000', floor: 'G722', ref: 350 },
  speex16: { codec: { name: 'speex', clock: 16000, pt: 97 }, ng: 'speex/16000', rtpmap: 'speex/16000', floor: 'speex16' },
  // rtpengine decodes iLBC but does not encode it: EdgeSBC only.
  iLBC: { codec: { name: 'iLBC', clock: 8000, pt: 97, fmtp: 'mode=20' }, rtpmap: 'iLBC/8000', fmtp: 'mode=20', floor: 'iLBC', noRtpengine: true },
  opus: { codec: { name: 'opus', clock: 48000, pt: 96, fmtp: 'useinbandfec=1' }, ng: 'opus', rtpmap: 'opus/48000/2', fmtp: 'useinbandfec=1', floor: 'opus', ref: 53 },
};

const QUICK = opt.quick;
const STEP_S = Number(opt['step-seconds'] ?? (QUICK ? 3 : 8));
const STEPS = (opt.steps ?? (QUICK ? '20,60' : '25,50,100,150,200,300,400,600,800,1000,1200,1500')).split(',').map(Number);
const PAIR_NAMES = opt.pairs.split(',').map((s) => s.trim()).filter(Boolean);
const TARGETS = opt.targets.split(',').map((s) => s.trim()).filter(Boolean);
const RELAY_CORE = opt['relay-core'];
const GEN_CORE = opt['gen-core'];
const GEN_PORTS = { a: 29000, b: 29002 };
const NG_PORT = 29900;
const MAX_LOSS_PCT = 0.1;
const MAX_CORE_PCT = 95;
const WORK = join(tmpdir(), `transcode-bench-${process.pid}`);
const OUT = resolve(opt.out ?? join(tmpdir(), `transcode-${new Date().toISOString().replace(/[:.]/g, '-')}.json`));

for (const p of PAIR_NAMES) if (!PAIRS[p]) throw new Error(`unknown pair PCMU->${p} (known: ${Object.keys(PAIRS).join(', ')})`);
for (const t of TARGETS) if (!['edgesbc', 'rtpengine'].includes(t)) throw new Error(`unknown target ${t}`);
if (STEPS.some((n) => !Number.isInteger(n) || n < 1 || n > 4000)) throw new Error('--steps: streams per step, 1..4000');
if (!(STEP_S >= 2 && STEP_S <= 600)) throw new Error('--step-seconds: 2..600');
mkdirSync(WORK, { recursive: true });
process.on('exit', () => rmSync(WORK, { recursive: true, force: true }));
spawnSync('taskset', ['-pc', GEN_CORE, String(process.pid)]);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const fmt = (v, d = 0) => (v === undefined || v === null || !Number.isFinite(v) ? '-' : Number(v).toFixed(d));

function build() {
  for (const dir of [RELAY_HERE, HERE]) {
    const r = spawnSync('make', ['-s', '-C', dir, ...(dir === HERE ? ['build/codec-cost'] : [])], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`make -C ${dir} failed:\n${r.stdout}${r.stderr}`);
  }
}

/** ns per 20 ms frame of each codec (encode, decode), from codec_cost on the relay core. */
function rawFloor() {
  const r = spawnSync('taskset', ['-c', RELAY_CORE, join(HERE, 'build', 'codec-cost'), QUICK ? '0.2' : '1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`codec-cost failed: ${r.stderr}`);
  const cost = {};
  for (const l of r.stdout.split('\n').slice(1)) {
    const [name, enc, dec] = l.trim().split(/\s+/);
    if (name && Number.isFinite(Number(enc))) cost[name] = { enc: Number(enc), dec: Number(dec) };
  }
  return cost;
}

async function step(relay, streams, indexStart) {
  const lines = await relay.ensureCalls(streams);
  const file = join(WORK, `calls-${relay.name}.txt`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  await sleep(300);
  const gen = start('taskset', ['-c', GEN_CORE, join(RELAY_HERE, 'build', 'gen'), '--calls-file', file, '--calls', String(streams),
    '--a-port', String(GEN_PORTS.a), '--b-port', String(GEN_PORTS.b), '--seconds', String(STEP_S), '--index-start', String(indexStart),
    '--warmup-ms', '0', '--drain-ms', '1000', '--one-way', '1', '--any-payload', '1']);
  const killer = setTimeout(() => gen.proc.kill('SIGKILL'), (STEP_S + 20) * 1000);
  const t0 = Date.now();
  await sleep(STEP_S * 250);
  const c0 = { ticks: processTicks(relay.pid), core: coreJiffies(RELAY_CORE), at: Date.now() };
  await sleep(Math.max(0, t0 + STEP_S * 900 - Date.now()));
  const c1 = { ticks: processTicks(relay.pid), core: coreJiffies(RELAY_CORE), at: Date.now() };
  await gen.done;
  clearTimeout(killer);
  let g;
  try {
    g = JSON.parse(gen.stdout());
  } catch {
    throw new Error(`generator gave no summary:\n${gen.out().slice(-2000)}`);
  }
  const cpu = (c1.ticks - c0.ticks) / CLK_TCK / ((c1.at - c0.at) / 1000); // relay process, cores
  const core = corePct(c0.core, c1.core);
  // A stream's first packet may go while a relay sets its codecs up (rtpengine drops it): one
  // packet per stream is start-up, not capacity; beyond that 0.1 % of what was sent.
  const lost = g.sent - g.received;
  const pass = lost <= streams + (g.sent * MAX_LOSS_PCT) / 100 && core < MAX_CORE_PCT && !g.gen.stoppedEarly;
  return { streams, lossPct: g.lossPct, received: g.received, sent: g.sent, relayCpu: cpu, corePct: core, genCorePct: g.gen.corePct, pass };
}

async function measure(target, pairName) {
  const pair = PAIRS[pairName];
  const codec = { a: PCMU, b: { ...pair.codec, ptime: 20 } };
  const relay = target === 'edgesbc'
    ? await startEdgesbc({ here: RELAY_HERE, root: ROOT, core: RELAY_CORE, srtp: false, genPorts: GEN_PORTS, codec })
    : await startRtpengine({ core: RELAY_CORE, srtp: false, ngPort: NG_PORT, threads: 1, genPorts: GEN_PORTS,
        transcode: { ng: pair.ng, pt: pair.codec.pt, rtpmap: pair.rtpmap, fmtp: pair.fmtp } });
  const steps = [];
  let index = 0;
  try {
    for (const n of STEPS) {
      const s = await step(relay, n, index);
      index += (STEP_S * 1000) / 20 + 10;
      steps.push(s);
      log(`${target.padEnd(9)} PCMU->${pairName.padEnd(7)} ${String(n).padStart(5)} streams: loss ${fmt(s.lossPct, 3)} %, relay ${fmt(s.relayCpu * 100, 1)} % CPU, core ${fmt(s.corePct, 1)} %${s.pass ? '' : '  FAIL'}`);
      if (!s.pass) break;
    }
  } finally {
    await relay.stop();
  }
  const best = [...steps].reverse().find((s) => s.pass && s.relayCpu > 0);
  return { target, pair: pairName, steps, maxStreams: best?.streams ?? 0, streamsPerCore: best ? best.streams / Math.max(best.relayCpu, best.corePct / 100) : 0,
    cpuUsPerStreamSecond: best ? (best.relayCpu * 1e6) / best.streams : null };
}

build();
const floor = rawFloor();
log('raw codec cost (ns per 20 ms frame):', JSON.stringify(floor));
const results = [];
for (const pairName of PAIR_NAMES) {
  for (const target of TARGETS) {
    if (target === 'rtpengine' && PAIRS[pairName].noRtpengine) continue;
    results.push(await measure(target, pairName));
  }
}

// Summary: streams per core, ratio to rtpengine, overhead over the raw codec floor.
console.log('\npair            edgesbc/core  rtpengine/core  ratio  (reference rtpengine)  raw floor/core  overhead');
const summary = [];
for (const pairName of PAIR_NAMES) {
  const pair = PAIRS[pairName];
  const e = results.find((r) => r.pair === pairName && r.target === 'edgesbc');
  const r = results.find((x) => x.pair === pairName && x.target === 'rtpengine');
  const f = floor.PCMU && floor[pair.floor] ? floor.PCMU.dec + floor[pair.floor].enc : null; // ns per 20 ms of one stream
  const floorPerCore = f ? 1e9 / (50 * f) : null;
  // Our CPU per stream-second against the codecs' own: 50 frames per second.
  const overhead = e?.cpuUsPerStreamSecond && f ? e.cpuUsPerStreamSecond / ((50 * f) / 1000) - 1 : null;
  const ratio = e?.streamsPerCore && r?.streamsPerCore ? e.streamsPerCore / r.streamsPerCore : null;
  summary.push({ pair: `PCMU->${pairName}`, edgesbc: e?.streamsPerCore ?? null, rtpengine: r?.streamsPerCore ?? null, ratio, reference: pair.ref ?? null, floorPerCore, overhead });
  console.log(`PCMU->${pairName.padEnd(9)} ${fmt(e?.streamsPerCore).padStart(12)}  ${fmt(r?.streamsPerCore).padStart(14)}  ${fmt(ratio, 2).padStart(5)}  ${fmt(pair.ref).padStart(21)}  ${fmt(floorPerCore).padStart(14)}  ${overhead === null ? '-' : `${fmt(overhead * 100, 1)} %`}`);
}
console.log('\ntargets: overhead over the raw codec cost < 10 %; >= 1.3x rtpengine on every shared pair (G.729 >= 280, G.722 >= 500, PCMA >= 1200 streams/core)');
writeFileSync(OUT, `${JSON.stringify({ date: new Date().toISOString(), quick: QUICK, stepSeconds: STEP_S, floor, results, summary }, null, 1)}\n`);
log(`results: ${OUT}`);
process.exit(0);
