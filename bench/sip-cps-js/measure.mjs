#!/usr/bin/env node
// CPU per call of sbcd's JS thread and SIP thread: SIPp uac -> sbcd -> SIPp
// uas (INVITE/100/180/200/ACK/BYE/200, no media), CPU time per thread read
// from /proc before and after the calls. Wall-clock rates on a shared
// machine lie; per-thread CPU time does not (much).
//
//   node bench/sip-cps-js/measure.mjs [--calls 10000] [--rate 300] [--prof DIR] [--base-port 16060] [--core N] [--root DIR]
//
// Prints "js µs/call, sip µs/call" (+ other threads, failures). Every child
// is bounded (-m, -timeout) and killed on exit.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim() || 100);
const { values: opt } = parseArgs({
  options: {
    calls: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '300' },
    prof: { type: 'string' },
    'base-port': { type: 'string', default: '16060' },
    // Another checkout's build (A/B runs): its dist/src/daemon.js and addon.
    root: { type: 'string' },
    // Pin sbcd (all its threads) to this CPU, as in the 2000 calls/s target.
    core: { type: 'string' },
    // Extra node/V8 flags for sbcd, space separated (e.g. "--single-threaded-gc").
    'node-args': { type: 'string', default: '' },
  },
});
const CALLS = Number(opt.calls);
const RATE = Number(opt.rate);
const BASE = Number(opt['base-port']);
const P = { lan: BASE, wan: BASE + 10, uas: BASE + 20, pbx: BASE + 30, cpUas: BASE + 40, cpUac: BASE + 41 };
const TIMEOUT_S = Math.min(55, Math.ceil(CALLS / RATE) + 20);

const dir = mkdtempSync(join(tmpdir(), 'sip-cps-js-'));
const cfg = readFileSync(join(HERE, 'perf.yaml'), 'utf8')
  .replace(/16060/g, String(P.lan)).replace(/16070/g, String(P.wan))
  .replace(/16080/g, String(P.uas)).replace(/16090/g, String(P.pbx));
writeFileSync(join(dir, 'perf.yaml'), cfg);

const children = [];
const killAll = () => {
  for (const c of children) try { c.kill('SIGKILL'); } catch { /* gone */ }
};
process.on('exit', killAll);
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(130));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function run(cmd, args) {
  const p = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => { out = (out + d).slice(-20000); });
  p.stderr.on('data', (d) => { out = (out + d).slice(-20000); });
  children.push(p);
  return { p, out: () => out, done: new Promise((r) => p.on('exit', (code) => r(code))) };
}

function udpBound(ip, port) {
  const key = `${ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).reverse().join('').toUpperCase()}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/udp', 'utf8').split('\n').some((l) => l.trim().split(/\s+/)[1] === key);
}

const comms = new Map();
function threads(pid) {
  const m = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      m.set(Number(tid), [Number(f[11]) + Number(f[12]), Number(f[12])]);
      comms.set(Number(tid), readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim());
    } catch { /* ended */ }
  }
  return m;
}

const nodeArgs = opt['node-args'].split(' ').filter(Boolean);
if (opt.prof) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', resolve(opt.prof));
const root = opt.root ? resolve(opt.root) : ROOT;
const pin = opt.core === undefined ? [] : ['taskset', '-c', opt.core];
const sbcd = run(pin.length ? pin[0] : process.execPath, [...pin.slice(1), ...(pin.length ? [process.execPath] : []), ...nodeArgs, join(root, 'dist/src/daemon.js'), '--data-dir', join(dir, 'data'), '--config', join(dir, 'perf.yaml')]);
const t0 = Date.now();
while (!(udpBound('127.0.0.1', P.lan) && udpBound('127.0.0.2', P.wan))) {
  if (sbcd.p.exitCode !== null || Date.now() - t0 > 20000) { console.error(sbcd.out()); process.exit(1); }
  await sleep(50);
}
const uas = run('sipp', ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(P.uas), '-max_socket', '100', '-nostdin', '-cp', String(P.cpUas), '-timeout', `${TIMEOUT_S + 5}s`]);
await sleep(500);
const before = threads(sbcd.p.pid);
const uac = run('sipp', ['-sn', 'uac', '-i', '127.0.0.10', '-p', String(P.pbx), '-s', '14155550100', '-m', String(CALLS), '-r', String(RATE),
  '-max_socket', '100', '-nostdin', '-cp', String(P.cpUac), '-timeout', `${TIMEOUT_S}s`, '-timeout_error', `127.0.0.1:${P.lan}`]);
const code = await uac.done;
await sleep(300);
const after = threads(sbcd.p.pid);

const m = /Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(uac.out());
const ok = /Successful call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(uac.out());
const us = (ticks) => (ticks * 1e6) / CLK_TCK / CALLS;
const pid = sbcd.p.pid;
let js = 0, jsSys = 0, sip = 0, sipSys = 0, sipTid = 0, other = 0;
const deltas = [];
for (const [tid, [t, sys]] of after) {
  const [t0, sys0] = before.get(tid) ?? [0, 0];
  if (tid === pid) [js, jsSys] = [t - t0, sys - sys0];
  else deltas.push([tid, t - t0, sys - sys0]);
}
deltas.sort((a, b) => b[1] - a[1]);
if (deltas.length) [sipTid, sip, sipSys] = deltas[0];
for (const [, d] of deltas.slice(1)) other += d;
const otherNames = deltas.slice(1).filter(([, d]) => d > 0).map(([tid, d]) => `${comms.get(tid)} ${us(d).toFixed(0)}`).join(', ');

sbcd.p.kill('SIGTERM');
await Promise.race([sbcd.done, sleep(5000)]);
uas.p.kill('SIGKILL');
console.log(`js ${us(js).toFixed(0)} µs/call, sip ${us(sip).toFixed(0)} µs/call, other ${us(other).toFixed(0)} µs/call` +
  ` (of which kernel: js ${us(jsSys).toFixed(0)}, sip ${us(sipSys).toFixed(0)})` +
  ` [other: ${otherNames}]` +
  ` (calls ${CALLS} @ ${RATE}/s, ok ${ok?.[1] ?? '?'}, failed ${m?.[1] ?? '?'}, sipp exit ${code}, sip tid ${sipTid})`);
rmSync(dir, { recursive: true, force: true });
