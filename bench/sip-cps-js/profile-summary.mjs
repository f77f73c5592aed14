#!/usr/bin/env node
// Self time per function of a .cpuprofile (node --cpu-prof), largest first.
//   node bench/sip-cps-js/profile-summary.mjs FILE.cpuprofile [top=40]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
let total = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const n = byId.get(prof.samples[i]);
  const d = dt[i] ?? 0;
  const cf = n.callFrame;
  const key = `${cf.functionName || '(anon)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + d);
  total += d;
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 40));
console.log(`total ${(total / 1000).toFixed(0)} ms sampled`);
for (const [k, v] of rows) console.log(`${(v / 1000).toFixed(1).padStart(9)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
