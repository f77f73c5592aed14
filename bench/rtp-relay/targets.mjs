// The relays the benchmark drives, each behind the same small face:
//   { name, srtp, pid, pids(), ensureCalls(n) -> call lines for gen, stop(), note }
// A call line is what gen reads: the relay's port facing A, its port facing B,
// and for SRTP targets the four keys (hex or '-'). Calls persist from step to
// step: ensureCalls only adds the missing ones.
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NgClient } from './ng.mjs';
import { SUITE, endpointSdp, readRelaySdp } from './sdp.mjs';
import { alive, sleep, start, stop, udpBound } from './proc.mjs';

export const RELAY_IP = '127.0.0.1';
export const A_PORTS = { min: 30000, max: 39999 };
export const B_PORTS = { min: 40000, max: 49999 };

/** Generator endpoints of call i (gen.c's addressing). */
export function endpoints(i, ports) {
  const ip = (side) => `127.${side + 1}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  return { a: { ip: ip(0), port: ports.a }, b: { ip: ip(1), port: ports.b } };
}

const line = (aPort, bPort, keys) =>
  keys ? `${aPort} ${bPort} ${keys.aTx ?? '-'} ${keys.aRx ?? '-'} ${keys.bTx ?? '-'} ${keys.bRx ?? '-'}` : `${aPort} ${bPort}`;

async function waitFor(cond, h, what, ms = 15000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (!alive(h)) throw new Error(`${what}: exited\n${h.out().slice(-3000)}`);
    if (Date.now() > end) throw new Error(`${what}: not ready after ${ms} ms\n${h.out().slice(-3000)}`);
    await sleep(50);
  }
}

// ---------- the naive epoll relay (yardstick for the generator) ----------

export async function startNaive({ here, core, maxCalls, genPorts }) {
  const bin = join(here, 'build', 'relay-naive');
  const h = start('taskset', ['-c', core, bin, '--calls', String(maxCalls), '--ip', RELAY_IP, '--a-base', String(A_PORTS.min),
    '--b-base', String(B_PORTS.min), '--a-port', String(genPorts.a), '--b-port', String(genPorts.b), '--max-seconds', '7200']);
  await waitFor(() => /^ready$/m.test(h.stdout()), h, 'relay-naive');
  const lines = h.stdout().split('\n').filter((l) => /^\d+ \d+$/.test(l));
  if (lines.length !== maxCalls) throw new Error(`relay-naive gave ${lines.length} port pairs, not ${maxCalls}`);
  return {
    name: 'naive', srtp: false, h, pid: h.proc.pid, pids: () => [h.proc.pid],
    note: 'all sockets bound at start: memory per call is not meaningful',
    async ensureCalls(n) {
      if (n > maxCalls) throw new Error(`naive relay was started for ${maxCalls} calls`);
      return lines.slice(0, n);
    },
    stop: () => stop(h),
  };
}

// ---------- rtpengine (Debian rtpengine-daemon), userspace forwarding, ng protocol ----------

// `transcode` (bench/transcode): {ng, pt, rtpmap, fmtp?}: B answers only that
// codec, so rtpengine transcodes what A sends (PCMU) into it.
export async function startRtpengine({ core, srtp, ngPort, threads, genPorts, logLevel = 4, transcode }) {
  const args = ['-c', core, 'rtpengine', '--config-file=none', '--foreground', '--log-stderr', `--log-level=${logLevel}`,
    '--table=-1', `--interface=${RELAY_IP}`, `--listen-ng=${RELAY_IP}:${ngPort}`,
    `--port-min=${A_PORTS.min}`, `--port-max=${B_PORTS.max}`, `--num-threads=${threads}`,
    // Calls live through the whole ramp, with pauses between steps.
    '--timeout=3600', '--silent-timeout=3600', '--final-timeout=0', '--delete-delay=0'];
  const h = start('taskset', args);
  await waitFor(() => udpBound(RELAY_IP, ngPort), h, 'rtpengine');
  const ng = new NgClient(RELAY_IP, ngPort);
  const pong = await ng.request({ command: 'ping' });
  if (pong.result !== 'pong') throw new Error(`rtpengine ping: ${JSON.stringify(pong)}`);
  const lines = [];
  const setup = async (i) => {
    const ep = endpoints(i, genPorts);
    const callId = `rtp-relay-bench-${i}`;
    const common = { 'call-id': callId, 'from-tag': `a${i}`, ICE: 'remove', replace: ['origin', 'session-connection'] };
    const offer = await ng.command({
      command: 'offer', ...common,
      sdp: endpointSdp({ ip: ep.a.ip, port: ep.a.port, sessionId: 1000 + i }),
      'transport-protocol': srtp ? 'RTP/SAVP' : 'RTP/AVP',
      ...(transcode ? { codec: { transcode: [transcode.ng] } } : {}),
    });
    const toB = readRelaySdp(offer.sdp);
    let keys;
    let crypto;
    if (srtp) {
      const theirs = toB.crypto.find((c) => c.suite === SUITE && c.key.length === 30);
      if (!theirs) throw new Error(`rtpengine offered no ${SUITE}:\n${offer.sdp}`);
      crypto = { tag: theirs.tag, key: randomBytes(30) };
      keys = { bTx: crypto.key.toString('hex'), bRx: theirs.key.toString('hex') };
    }
    const answer = await ng.command({
      command: 'answer', ...common, 'to-tag': `b${i}`,
      sdp: endpointSdp({ ip: ep.b.ip, port: ep.b.port, sessionId: 2000 + i, crypto, codec: transcode }),
    });
    const toA = readRelaySdp(answer.sdp);
    if (toA.ip !== RELAY_IP || toB.ip !== RELAY_IP) throw new Error(`rtpengine gave ${toA.ip}/${toB.ip}, not ${RELAY_IP}`);
    if (toA.proto !== 'RTP/AVP' || toB.proto !== (srtp ? 'RTP/SAVP' : 'RTP/AVP')) throw new Error(`rtpengine protocols ${toA.proto}/${toB.proto}`);
    return line(toA.port, toB.port, keys);
  };
  return {
    name: srtp ? 'rtpengine-srtp' : 'rtpengine', srtp, h, pid: h.proc.pid, pids: () => [h.proc.pid],
    async ensureCalls(n) {
      // A few requests in flight at a time: set-up is not what is measured.
      for (let i = lines.length; i < n; ) {
        const batch = [];
        for (let j = 0; j < 32 && i < n; j++, i++) batch.push(setup(i));
        lines.push(...(await Promise.all(batch)));
      }
      return lines.slice(0, n);
    },
    async stop() {
      ng.close();
      await stop(h, 'SIGTERM', 8000);
    },
  };
}

// ---------- EdgeSBC's MediaEngine through its TypeScript API ----------

// `codec` (bench/transcode): {a: StreamCodec, b: StreamCodec} on every relay.
export async function startEdgesbc({ here, root, core, srtp, genPorts, codec }) {
  const api = join(root, 'dist', 'src', 'media', 'media-engine.js');
  if (!existsSync(api)) throw new Error(`${api} missing: build first (npx tsc -p tsconfig.json and the addon)`);
  const h = start('taskset', ['-c', core, process.execPath, join(here, 'edgesbc-relay.mjs'), '--root', root,
    '--a-ports', `${A_PORTS.min}-${A_PORTS.max}`, '--b-ports', `${B_PORTS.min}-${B_PORTS.max}`, '--ip', RELAY_IP], { stdin: 'pipe' });
  const answers = [];
  const waiting = [];
  createInterface({ input: h.proc.stdout }).on('line', (l) => {
    let msg;
    try {
      msg = JSON.parse(l);
    } catch {
      return; // not ours (a log line)
    }
    const w = waiting.shift();
    if (w) w(msg);
    else answers.push(msg);
  });
  const next = (ms = 30000) =>
    answers.length
      ? Promise.resolve(answers.shift())
      : new Promise((res, rej) => {
          const t = setTimeout(() => rej(new Error(`edgesbc relay: no answer in ${ms} ms\n${h.out().slice(-3000)}`)), ms);
          waiting.push((m) => {
            clearTimeout(t);
            res(m);
          });
        });
  const ask = async (req) => {
    if (!alive(h)) throw new Error(`edgesbc relay exited\n${h.out().slice(-3000)}`);
    h.proc.stdin.write(`${JSON.stringify(req)}\n`);
    const r = await next();
    if (!r.ok) throw new Error(`edgesbc relay ${req.op}: ${r.error}`);
    return r;
  };
  const ready = await Promise.race([next(20000), h.done.then(() => ({ ok: false, error: `exited\n${h.out().slice(-3000)}` }))]);
  if (!ready.ok) throw new Error(`edgesbc relay: ${ready.error}`);
  const lines = [];
  return {
    name: srtp ? 'edgesbc-srtp' : 'edgesbc', srtp, h, pid: h.proc.pid, pids: () => [h.proc.pid],
    async ensureCalls(n) {
      for (let i = lines.length; i < n; ) {
        const calls = [];
        const keys = [];
        for (let j = 0; j < 500 && i < n; j++, i++) {
          const ep = endpoints(i, genPorts);
          // bIn: what B sends the relay (gen's b-tx); bOut: what the relay sends B (gen's b-rx).
          const k = srtp ? { bIn: randomBytes(30).toString('hex'), bOut: randomBytes(30).toString('hex') } : null;
          calls.push({ a: ep.a, b: ep.b, srtp: k, codec: codec ?? null });
          keys.push(k ? { bTx: k.bIn, bRx: k.bOut } : undefined);
        }
        const r = await ask({ op: 'add', calls });
        r.relays.forEach((rel, j) => lines.push(line(rel.aPort, rel.bPort, keys[j])));
      }
      return lines.slice(0, n);
    },
    counters: async () => (await ask({ op: 'counters' })).counters,
    async stop() {
      if (alive(h)) h.proc.stdin.write('{"op":"stop"}\n');
      await stop(h, 'SIGTERM', 5000);
    },
  };
}
