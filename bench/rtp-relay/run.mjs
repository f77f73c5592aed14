#!/usr/bin/env node
// bench/rtp-relay: RTP packets per second through EdgeSBC's media engine, side by
// side with Debian's rtpengine (userspace forwarding, driven over its ng
// protocol), in one run, each relay pinned to the same core and the generator
// (gen.c) on the other. See bench/README.md for what each figure means.
//
//   node bench/rtp-relay/run.mjs [--quick] [--targets edgesbc,edgesbc-srtp,rtpengine,rtpengine-srtp,naive]
//        [--rates 500,1000,...] (calls; one call = 2 x 50 packets/s) [--step-seconds 20]
//        [--max-p99-ms 20] [--no-load80] [--keep-going] [--rtpengine-threads 1]
//        [--relay-core 1] [--gen-core 0] [--out results.json]
//
// Every loop is bounded: the generator stops after --step-seconds (plus its
// drain) and is killed if it overruns; every child is killed when this exits.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLK_TCK, alive, coreJiffies, corePct, fdCount, memoryKiB, processTicks, sleep, start, threadTicks, udpDrops, udpPortsInUse } from './proc.mjs';
import { A_PORTS, B_PORTS, startEdgesbc, startNaive, startRtpengine } from './targets.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    targets: { type: 'string', default: 'edgesbc,edgesbc-srtp,rtpengine,rtpengine-srtp' },
    rates: { type: 'string' },
    'step-seconds': { type: 'string' },
    'max-p99-ms': { type: 'string', default: '20' },
    'no-load80': { type: 'boolean', default: false },
    'keep-going': { type: 'boolean', default: false },
    'rtpengine-threads': { type: 'string', default: '1' },
    'relay-core': { type: 'string', default: '1' },
    'gen-core': { type: 'string', default: '0' },
    'a-port': { type: 'string', default: '29000' },
    'b-port': { type: 'string', default: '29002' },
    'ng-port': { type: 'string', default: '29900' },
    out: { type: 'string' },
  },
});

const QUICK = opt.quick;
const STEP_S = Number(opt['step-seconds'] ?? (QUICK ? 4 : 20));
const RATES = (opt.rates ?? (QUICK ? '100,300' : '250,500,750,1000,1250,1500,1750,2000,2500,3000')).split(',').map(Number);
const TARGETS = opt.targets.split(',').map((s) => s.trim()).filter(Boolean);
const KNOWN = ['edgesbc', 'edgesbc-srtp', 'rtpengine', 'rtpengine-srtp', 'naive'];
const MAX_P99_US = Number(opt['max-p99-ms']) * 1000;
const RELAY_CORE = opt['relay-core'];
const GEN_CORE = opt['gen-core'];
const GEN_PORTS = { a: Number(opt['a-port']), b: Number(opt['b-port']) };
const NG_PORT = Number(opt['ng-port']);
const OUT = resolve(opt.out ?? join(tmpdir(), `rtp-relay-${new Date().toISOString().replace(/[:.]/g, '-')}.json`));
const WORK = join(tmpdir(), `rtp-relay-${process.pid}`);
const PPS_PER_CALL = 100;
const DRAIN_MS = 1000;

for (const t of TARGETS) if (!KNOWN.includes(t)) throw new Error(`unknown target ${t} (known: ${KNOWN.join(', ')})`);
if (!RATES.length || RATES.some((r) => !Number.isInteger(r) || r < 1 || r > 4500)) throw new Error('--rates: calls per step, 1..4500');
if (!(STEP_S >= 2 && STEP_S <= 3600)) throw new Error('--step-seconds: 2..3600');
mkdirSync(WORK, { recursive: true });
process.on('exit', () => rmSync(WORK, { recursive: true, force: true }));

// This script counts as load: it runs on the generator's core, never next to the relay.
spawnSync('taskset', ['-pc', GEN_CORE, String(process.pid)]);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const fmt = (v, d = 0) => (v === undefined || v === null || Number.isNaN(v) ? '-' : Number(v).toFixed(d));

// ---------- preflight ----------

function preflight() {
  const make = spawnSync('make', ['-s', '-C', HERE], { encoding: 'utf8' });
  if (make.status !== 0) throw new Error(`building the generator failed:\n${make.stdout}${make.stderr}`);
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) log('warning: not root: the generator needs SO_BINDTODEVICE and large socket buffers (run as root)');
  const skip = new Map();
  if (TARGETS.some((t) => t.startsWith('rtpengine')) && spawnSync('sh', ['-c', 'command -v rtpengine']).status !== 0) {
    const cmd = 'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rtpengine-daemon';
    if (isRoot) {
      log(`installing rtpengine: ${cmd}`);
      const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', stdio: 'inherit', timeout: 600_000 });
      if (r.status !== 0) for (const t of TARGETS) if (t.startsWith('rtpengine')) skip.set(t, 'apt-get install rtpengine-daemon failed');
    } else {
      for (const t of TARGETS) if (t.startsWith('rtpengine')) skip.set(t, `rtpengine missing: as root run ${cmd}`);
    }
  }
  const api = join(ROOT, 'dist', 'src', 'media', 'media-engine.js');
  if (!existsSync(api)) for (const t of TARGETS) if (t.startsWith('edgesbc')) skip.set(t, `${api} missing: build first (npx tsc -p tsconfig.json; npx node-gyp build)`);
  // The generator's and the ng ports must be free; in the relays' ranges both relays skip a
  // busy port, but on a quiet machine there should be none (the socket-drop figures count
  // every socket in the range).
  const busy = [...udpPortsInUse(GEN_PORTS.a, GEN_PORTS.b + 1), ...udpPortsInUse(NG_PORT, NG_PORT)];
  if (busy.length) throw new Error(`UDP ports in use that the benchmark needs: ${[...new Set(busy)].join(', ')}`);
  const inRange = udpPortsInUse(A_PORTS.min, B_PORTS.max);
  if (inRange.length) log(`warning: ${inRange.length} UDP ports in ${A_PORTS.min}-${B_PORTS.max} are in use by something else: the machine is not quiet`);
  const maxCalls = Math.max(...RATES);
  const fdNeed = 4 * maxCalls + 200;
  const limit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
  if (limit && limit < fdNeed) log(`warning: open-file limit ${limit} < ${fdNeed} needed by a relay with ${maxCalls} calls`);
  return skip;
}

// ---------- one step ----------

let stepNo = 0;

async function runStep(relay, calls, indexStart, label) {
  const lines = await relay.ensureCalls(calls);
  const file = join(WORK, `calls-${relay.name}.txt`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  await sleep(500);
  stepNo++;
  const drops0 = { relay: udpDrops(A_PORTS.min, B_PORTS.max).drops, gen: udpDrops(GEN_PORTS.a, GEN_PORTS.b + 1).drops };
  const gen = start('taskset', ['-c', GEN_CORE, join(HERE, 'build', 'gen'), '--calls-file', file, '--calls', String(calls),
    '--a-port', String(GEN_PORTS.a), '--b-port', String(GEN_PORTS.b), '--seconds', String(STEP_S),
    '--index-start', String(indexStart), '--warmup-ms', String(Math.min(1000, STEP_S * 100)), '--drain-ms', String(DRAIN_MS)]);
  const killer = setTimeout(() => gen.proc.kill('SIGKILL'), (STEP_S + 20) * 1000);
  // Steady state: CPU between 20 % and 90 % of the step; memory in the middle.
  const t0 = Date.now();
  await sleep(STEP_S * 200);
  const c0 = { ticks: processTicks(relay.pid), core: coreJiffies(RELAY_CORE), genCore: coreJiffies(GEN_CORE), threads: threadTicks(relay.pid), at: Date.now() };
  await sleep(Math.max(0, t0 + STEP_S * 500 - Date.now()));
  const mem = memoryKiB(relay.pid);
  const fds = fdCount(relay.pid);
  await sleep(Math.max(0, t0 + STEP_S * 900 - Date.now()));
  const c1 = { ticks: processTicks(relay.pid), core: coreJiffies(RELAY_CORE), genCore: coreJiffies(GEN_CORE), threads: threadTicks(relay.pid), at: Date.now() };
  const ended = await gen.done;
  clearTimeout(killer);
  const drops1 = { relay: udpDrops(A_PORTS.min, B_PORTS.max).drops, gen: udpDrops(GEN_PORTS.a, GEN_PORTS.b + 1).drops };
  let g;
  try {
    g = JSON.parse(gen.stdout());
  } catch {
    throw new Error(`generator gave no summary (exit ${ended.code ?? ended.signal}):\n${gen.out().slice(-3000)}`);
  }
  const winS = (c1.at - c0.at) / 1000;
  const cpuS = c0.ticks !== undefined && c1.ticks !== undefined ? (c1.ticks - c0.ticks) / CLK_TCK : undefined;
  const pps = g.receivedPps;
  // The busiest thread in the window: for EdgeSBC the media worker, for rtpengine its poller thread.
  let busiest;
  for (const [tid, t] of c1.threads) {
    const d = t.ticks - (c0.threads.get(tid)?.ticks ?? 0);
    if (!busiest || d > busiest.ticks) busiest = { tid, comm: t.comm, ticks: d };
  }
  const genBound = g.gen.corePct >= 90 || g.gen.lateOver1ms > g.sent * 0.001;
  // Work on the relay's core that is not the relay's (another process, or softirq time the
  // kernel did not charge to it): more than 15 % means the figures are not clean.
  const relayCorePctV = corePct(c0.core, c1.core);
  const relayCpuPct = cpuS !== undefined ? (cpuS / winS) * 100 : undefined;
  const relayCoreOtherPct = relayCorePctV !== undefined && relayCpuPct !== undefined ? relayCorePctV - relayCpuPct : undefined;
  const relayAlive = alive(relay.h);
  const pass = relayAlive && !g.gen.stoppedEarly && g.lost === 0 && g.misrouted === 0 && g.malformed === 0 && g.srtpAuthFailures === 0 &&
    g.latencyUs.p99 >= 0 && g.latencyUs.p99 <= MAX_P99_US;
  return {
    label, calls, offeredPps: g.offeredPps, receivedPps: pps, sent: g.sent, received: g.received, lost: g.lost, lossPct: g.lossPct,
    streamsWithLoss: g.streamsWithLoss, duplicates: g.duplicates, misrouted: g.misrouted, malformed: g.malformed,
    srtpAuthFailures: g.srtpAuthFailures, rtcpFromRelay: g.rtcpReceived, latencyUs: g.latencyUs,
    relayCpuPct, relayCorePct: relayCorePctV, relayCoreOtherPct, genCoreBusyPct: corePct(c0.genCore, c1.genCore),
    noisy: relayCoreOtherPct !== undefined && relayCoreOtherPct > 15,
    cpuUsPerPacket: cpuS !== undefined && pps > 0 ? (cpuS * 1e6) / (pps * winS) : undefined,
    busiestThread: busiest ? { comm: busiest.comm, cpuPct: (busiest.ticks / CLK_TCK / winS) * 100 } : undefined,
    relayPssKiB: mem?.pss, relayRssKiB: mem?.rss, relayFds: fds,
    socketDrops: { relay: drops1.relay - drops0.relay, gen: drops1.gen - drops0.gen },
    gen: g.gen, genBound, relayAlive, pass,
    indexNext: g.gen.indexNext,
  };
}

async function startRelay(target) {
  const srtp = target.endsWith('-srtp');
  if (target === 'naive') return startNaive({ here: HERE, core: RELAY_CORE, maxCalls: Math.max(...RATES), genPorts: GEN_PORTS });
  if (target.startsWith('rtpengine')) return startRtpengine({ core: RELAY_CORE, srtp, ngPort: NG_PORT, threads: Number(opt['rtpengine-threads']), genPorts: GEN_PORTS });
  return startEdgesbc({ here: HERE, root: ROOT, core: RELAY_CORE, srtp, genPorts: GEN_PORTS });
}

function stepLine(r) {
  const l = r.latencyUs;
  return `${r.pass ? 'ok  ' : 'FAIL'} ${r.calls} calls ${fmt(r.receivedPps)}/${fmt(r.offeredPps)} pps lost=${r.lost} (${fmt(r.lossPct, 4)}%)` +
    ` latency p50/p99/max ${fmt(l.p50)}/${fmt(l.p99)}/${fmt(l.max)} µs relay cpu ${fmt(r.relayCpuPct, 1)}% core ${fmt(r.relayCorePct, 1)}%` +
    ` ${fmt(r.cpuUsPerPacket, 2)} µs/pkt gen ${fmt(r.gen.corePct, 1)}% (its core ${fmt(r.genCoreBusyPct, 0)}%)${r.genBound ? ' [gen-bound]' : ''}${r.noisy ? ' [noisy: the relay core is busy with other work]' : ''}` +
    `${r.socketDrops.relay ? ` relay socket drops ${r.socketDrops.relay}` : ''}${r.socketDrops.gen ? ` gen socket drops ${r.socketDrops.gen}` : ''}` +
    `${r.misrouted || r.malformed || r.srtpAuthFailures ? ` misrouted=${r.misrouted} malformed=${r.malformed} srtpAuthFail=${r.srtpAuthFailures}` : ''}`;
}

async function benchTarget(target) {
  const relay = await startRelay(target);
  const steps = [];
  let idle;
  let base;
  try {
    await sleep(1000);
    const i0 = { ticks: processTicks(relay.pid), at: Date.now() };
    await sleep(3000);
    const i1 = { ticks: processTicks(relay.pid), at: Date.now() };
    idle = { cpuPct: ((i1.ticks - i0.ticks) / CLK_TCK / ((i1.at - i0.at) / 1000)) * 100 };
    base = { ...memoryKiB(relay.pid), fds: fdCount(relay.pid) };
    log(`${target}: pid ${relay.pid} on core ${RELAY_CORE}; idle CPU ${fmt(idle.cpuPct, 1)}%; PSS ${fmt(base.pss)} KiB${relay.note ? ` (${relay.note})` : ''}`);
    let index = 0;
    for (const calls of RATES) {
      log(`${target}: ${calls} calls (${calls * PPS_PER_CALL} packets/s) for ${STEP_S} s`);
      const r = await runStep(relay, calls, index, 'ramp');
      index = r.indexNext;
      r.pssPerCallBytes = r.relayPssKiB !== undefined && base.pss !== undefined ? ((r.relayPssKiB - base.pss) * 1024) / calls : undefined;
      r.fdsPerCall = r.relayFds !== undefined && base.fds !== undefined ? (r.relayFds - base.fds) / calls : undefined;
      steps.push(r);
      log(`  ${stepLine(r)} PSS/call ${fmt(r.pssPerCallBytes)} B`);
      if (!r.relayAlive) throw new Error(`${target} died:\n${relay.h.out().slice(-3000)}`);
      if (!r.pass && !opt['keep-going']) break;
    }
    const best = [...steps].reverse().find((s) => s.pass && steps.slice(0, steps.indexOf(s)).every((p) => p.pass));
    // What stopped the ramp: the relay (a failing step the generator kept up with), the
    // generator (a failing step it could not drive), or nothing (the last rate passed).
    const first = steps.find((s) => !s.pass);
    const stoppedBy = !first ? 'ramp top' : first.genBound || (best?.genBound ?? false) ? 'generator' : 'relay';
    // Packets/s one core would forward at 100 % of the relay's CPU at the CPU per packet of
    // the best step: the relay's capacity when the generator runs out first.
    const projectedPps = best?.relayCpuPct > 0 ? best.receivedPps / (best.relayCpuPct / 100) : undefined;
    let load80;
    if (best && !opt['no-load80']) {
      // 80 % of what the relay can do; the generator's reach caps it (the step's relay CPU says
      // what load it was then).
      const cap = stoppedBy === 'relay' ? best.receivedPps : Math.min(projectedPps ?? 0, best.receivedPps / 0.8);
      const calls = Math.max(1, Math.min(best.calls, Math.round((0.8 * cap) / PPS_PER_CALL)));
      log(`${target}: 80 % load: ${calls} calls for ${STEP_S} s`);
      load80 = await runStep(relay, calls, index, 'load80');
      log(`  ${stepLine(load80)}`);
    }
    return { target, idle, base, steps, best, stoppedBy, projectedPps, load80 };
  } finally {
    await relay.stop();
  }
}

// ---------- summary ----------

function summary(results) {
  const by = Object.fromEntries(results.map((r) => [r.target, r]));
  for (const r of results) {
    if (!r.steps?.length) continue;
    console.log(`\n--- ${r.target} (idle CPU ${fmt(r.idle?.cpuPct, 1)}%, PSS before calls ${fmt(r.base?.pss)} KiB) ---`);
    console.log('step    calls  recv pps   lost     p50 µs  p99 µs  max µs   relay cpu  core  µs/pkt  PSS/call B  gen %  flags');
    for (const st of [...r.steps, ...(r.load80 ? [r.load80] : [])]) {
      const flags = [st.pass ? 'pass' : 'FAIL', st.genBound ? 'gen-bound' : '', st.noisy ? 'noisy' : ''].filter(Boolean).join(',');
      console.log(`${st.label.padEnd(8)}${String(st.calls).padEnd(7)}${fmt(st.receivedPps).padEnd(11)}${String(st.lost).padEnd(9)}` +
        `${fmt(st.latencyUs.p50).padEnd(8)}${fmt(st.latencyUs.p99).padEnd(8)}${fmt(st.latencyUs.max).padEnd(9)}` +
        `${`${fmt(st.relayCpuPct, 1)}%`.padEnd(11)}${`${fmt(st.relayCorePct, 0)}%`.padEnd(6)}${fmt(st.cpuUsPerPacket, 2).padEnd(8)}` +
        `${fmt(st.pssPerCallBytes).padEnd(12)}${fmt(st.gen.corePct, 0).padEnd(7)}${flags}`);
    }
  }
  console.log('\n=== rtp-relay summary ===');
  console.log(`(one call = two directions of 50 packets/s of 172-byte PCMU; pass = 0 lost, p99 ≤ ${MAX_P99_US / 1000} ms; ${STEP_S} s per step)`);
  console.log('target          max pps 0 loss  stopped by  pps/core @100%  cpu µs/pkt  relay cpu  p50/p99/max µs       p99 @80% (load)  PSS/call   fds/call');
  for (const r of results) {
    const b = r.best;
    const l80 = r.load80 ? `${fmt(r.load80.latencyUs.p99)} (${fmt(r.load80.relayCpuPct, 0)}%)` : '-';
    console.log(`${r.target.padEnd(16)}${(b ? fmt(b.receivedPps) : r.error ? 'error' : '0').padEnd(16)}${(r.stoppedBy ?? '-').padEnd(12)}` +
      `${fmt(r.projectedPps).padEnd(16)}${fmt(b?.cpuUsPerPacket, 2).padEnd(12)}${`${fmt(b?.relayCpuPct, 0)}%`.padEnd(11)}` +
      `${`${fmt(b?.latencyUs.p50)}/${fmt(b?.latencyUs.p99)}/${fmt(b?.latencyUs.max)}`.padEnd(21)}${l80.padEnd(17)}` +
      `${`${fmt(b?.pssPerCallBytes)} B`.padEnd(11)}${fmt(b?.fdsPerCall, 1)}${r.error ? `  ${r.error.split('\n')[0]}` : ''}`);
  }
  console.log('(stopped by: relay = its first failing step was the relay\'s doing, and "max pps" is its limit; generator = the');
  console.log(' generator could not drive more, "max pps" is a lower bound and "pps/core @100%" = max pps / relay CPU share the estimate)');
  // CPU per packet compared at the highest rate both runs passed (it falls with load as batches fill).
  const atCommon = (x, y) => {
    if (!x || !y) return undefined;
    const ok = (r, calls) => r.steps.find((s) => s.calls === calls && s.pass && s.label === 'ramp');
    const common = x.steps.filter((s) => s.pass && s.label === 'ramp' && ok(y, s.calls)).map((s) => s.calls);
    if (!common.length) return undefined;
    const calls = Math.max(...common);
    return { calls, x: ok(x, calls), y: ok(y, calls) };
  };
  const srtpCost = {};
  for (const base of ['edgesbc', 'rtpengine']) {
    const c = atCommon(by[`${base}-srtp`], by[base]);
    if (!c) continue;
    srtpCost[base] = { calls: c.calls, usPerPacket: c.x.cpuUsPerPacket - c.y.cpuUsPerPacket };
    console.log(`SRTP cost per packet, ${base}: ${fmt(srtpCost[base].usPerPacket, 2)} µs (${base}-srtp ${fmt(c.x.cpuUsPerPacket, 2)} − ${base} ${fmt(c.y.cpuUsPerPacket, 2)} µs/pkt at ${c.calls} calls)`);
  }
  const ratios = {};
  const e = by.edgesbc;
  const k = by.rtpengine;
  // The capacity of a relay: its measured maximum when it was the limit, else the projection.
  const capacity = (r) => (r?.stoppedBy === 'relay' ? r.best?.receivedPps : r?.projectedPps);
  if (e?.best && k?.best) {
    ratios.maxPps = e.best.receivedPps / k.best.receivedPps;
    ratios.capacity = capacity(e) / capacity(k);
    console.log(`edgesbc / rtpengine: max packets/s with 0 loss measured ${fmt(ratios.maxPps, 2)}x` +
      ` (edgesbc stopped by ${e.stoppedBy}, rtpengine by ${k.stoppedBy}); per-core capacity ${fmt(ratios.capacity, 2)}x` +
      ` (${fmt(capacity(e))} vs ${fmt(capacity(k))} packets/s)`);
  }
  const c = atCommon(e, k);
  if (c) {
    ratios.cpuPerPacket = c.x.cpuUsPerPacket / c.y.cpuUsPerPacket;
    console.log(`edgesbc / rtpengine: CPU per packet ${fmt(ratios.cpuPerPacket, 2)}x at ${c.calls} calls (${fmt(c.x.cpuUsPerPacket, 2)} vs ${fmt(c.y.cpuUsPerPacket, 2)} µs)`);
  }
  if (srtpCost.edgesbc && srtpCost.rtpengine) {
    ratios.srtpCost = srtpCost.edgesbc.usPerPacket / srtpCost.rtpengine.usPerPacket;
    console.log(`edgesbc / rtpengine: SRTP cost per packet ${fmt(ratios.srtpCost, 2)}x`);
  }
  if (e?.best?.pssPerCallBytes !== undefined && k?.best?.pssPerCallBytes !== undefined) {
    ratios.pssPerCall = e.best.pssPerCallBytes / Math.max(1, k.best.pssPerCallBytes);
    console.log(`edgesbc / rtpengine: PSS per call in progress ${fmt(ratios.pssPerCall, 2)}x`);
  }
  // The issue's targets, met or not.
  const goals = [];
  const goal = (what, value, ok) => {
    goals.push({ what, value, met: ok });
    console.log(`target: ${what}: ${value} — ${ok === undefined ? 'not measured' : ok ? 'met' : 'NOT met'}`);
  };
  if (e) {
    const pps = e.best?.receivedPps;
    const cap = capacity(e);
    const measured = pps !== undefined && pps >= 150_000;
    goal('edgesbc ≥ 150 000 packets/s per core with 0 loss',
      `${fmt(pps)} measured${e.stoppedBy === 'relay' ? '' : `, ${fmt(cap)} projected (${e.stoppedBy} reached first)`}`,
      pps === undefined ? undefined : measured || (e.stoppedBy !== 'relay' && cap >= 150_000));
    goal('edgesbc ≥ 1.5 × rtpengine packets/s per core', `${fmt(ratios.capacity, 2)}x`, ratios.capacity === undefined ? undefined : ratios.capacity >= 1.5);
    goal('edgesbc RTP→SRTP adds ≤ 1.0 µs per packet', `${fmt(srtpCost.edgesbc?.usPerPacket, 2)} µs`, srtpCost.edgesbc ? srtpCost.edgesbc.usPerPacket <= 1.0 : undefined);
    goal('edgesbc added latency p99 < 1 ms at 80 % load', `${fmt(e.load80?.latencyUs.p99)} µs with the relay core ${fmt(e.load80?.relayCpuPct, 0)} % busy`, e.load80 ? e.load80.latencyUs.p99 < 1000 : undefined);
    goal('edgesbc memory ≤ 32 KiB per two-leg call in progress', `${fmt(e.best?.pssPerCallBytes)} B`, e.best?.pssPerCallBytes !== undefined ? e.best.pssPerCallBytes <= 32 * 1024 : undefined);
  }
  if (results.some((r) => r.best?.calls === RATES[RATES.length - 1])) console.log('note: "ramp top: not saturated" means the last rate passed: extend --rates');
  if (results.some((r) => r.steps?.some((s) => s.noisy))) console.log('note: [noisy]: something besides the relay used more than 15 % of its core during a step: not a quiet machine');
  if (results.some((r) => r.steps?.some((s) => s.genBound))) console.log('note: [gen-bound]: the generator\'s core was ≥ 90 % busy or it fell behind its schedule; that figure is a lower bound');
  return { srtpCost, ratios, goals };
}

// ---------- main ----------

const skip = preflight();
log(`rtp-relay: targets ${TARGETS.join(', ')}; ${RATES.join(', ')} calls (×${PPS_PER_CALL} packets/s); ${STEP_S} s per step;` +
  ` relay on core ${RELAY_CORE}, generator on core ${GEN_CORE}; results ${OUT}`);
const loadAvg = spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.trim();
log(`load average before: ${loadAvg}`);
const results = [];
for (const t of TARGETS) {
  if (skip.has(t)) {
    log(`${t}: skipped: ${skip.get(t)}`);
    results.push({ target: t, error: `skipped: ${skip.get(t)}`, steps: [] });
    continue;
  }
  try {
    results.push(await benchTarget(t));
  } catch (e) {
    log(`${t}: ${e.message}`);
    results.push({ target: t, error: e.message, steps: [] });
  }
}
const s = summary(results);
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, JSON.stringify({ at: new Date().toISOString(), loadAvgBefore: loadAvg, quick: QUICK, stepSeconds: STEP_S, rates: RATES,
  maxP99Us: MAX_P99_US, relayCore: RELAY_CORE, genCore: GEN_CORE, results, ...s }, null, 2));
console.log(`\nresults: ${OUT}`);
process.exit(0);
