// The relay under test for the edgesbc targets: EdgeSBC's MediaEngine (the
// TypeScript API over the native engine, as sbcd uses it) with one worker on
// 127.0.0.1, side "a" (ports 30000-39999) facing the generator's A endpoints and
// side "b" (40000-49999) facing its B endpoints. run.mjs starts it pinned to the
// relay core and drives it with one JSON object per line on stdin; each answer
// is one JSON line on stdout:
//   {"op":"add","calls":[{"a":{"ip","port"},"b":{"ip","port"},"srtp":null|{"bIn":hex,"bOut":hex},
//                         "codec":null|{"a":StreamCodec,"b":StreamCodec}}]}   (codec: bench/transcode)
//     -> {"ok":true,"relays":[{"id","aPort","bPort"}]}   (aPort faces A, bPort faces B)
//   {"op":"counters"} -> {"ok":true,"counters":{...}}
//   {"op":"stats","id":n} -> {"ok":true,"stats":{...}}
//   {"op":"stop"}
//   node bench/rtp-relay/edgesbc-relay.mjs [--root DIR] [--a-ports 30000-39999] [--b-ports 40000-49999]
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    root: { type: 'string', default: resolve(HERE, '..', '..') },
    'a-ports': { type: 'string', default: '30000-39999' },
    'b-ports': { type: 'string', default: '40000-49999' },
    ip: { type: 'string', default: '127.0.0.1' },
  },
});
const range = (s) => {
  const [min, max] = s.split('-').map(Number);
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1024 || max > 65535 || min >= max) throw new Error(`bad port range ${s}`);
  return { portMin: min, portMax: max };
};

const { MediaEngine } = await import(pathToFileURL(join(opt.root, 'dist', 'src', 'media', 'media-engine.js')).href);
const engine = MediaEngine.start({
  workers: 1,
  sides: [
    { name: 'a', ip: opt.ip, ...range(opt['a-ports']) },
    { name: 'b', ip: opt.ip, ...range(opt['b-ports']) },
  ],
});

const SUITE = 'AES_CM_128_HMAC_SHA1_80';
const key = (hex) => ({ suite: SUITE, key: Buffer.from(hex, 'hex') });
const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

function add(calls) {
  const relays = [];
  for (const c of calls) {
    const r = engine.createRelay('a', 'b');
    // The peers send from exactly their signalled addresses: no latching needed,
    // and 'off' makes the engine check every packet's source, as in production.
    engine.updateRelay(
      r.id,
      { remote: { ip: c.a.ip, rtpPort: c.a.port, rtcpPort: c.a.port + 1 }, latch: 'off', codec: c.codec?.a ?? null },
      {
        remote: { ip: c.b.ip, rtpPort: c.b.port, rtcpPort: c.b.port + 1 },
        latch: 'off',
        srtpIn: c.srtp ? key(c.srtp.bIn) : null,
        srtpOut: c.srtp ? key(c.srtp.bOut) : null,
        codec: c.codec?.b ?? null,
      },
      0,
    );
    relays.push({ id: r.id, aPort: r.a.rtpPort, bPort: r.b.rtpPort });
  }
  return relays;
}

const rl = createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  let req;
  try {
    req = JSON.parse(line);
    if (req.op === 'add') say({ ok: true, relays: add(req.calls) });
    else if (req.op === 'counters') say({ ok: true, counters: engine.counters() });
    else if (req.op === 'stats') say({ ok: true, stats: await engine.stats(req.id) });
    else if (req.op === 'stop') {
      engine.stop();
      say({ ok: true });
      process.exit(0);
    } else say({ ok: false, error: `unknown op ${req.op}` });
  } catch (e) {
    say({ ok: false, error: e.message, code: e.code });
  }
});
rl.on('close', () => {
  engine.stop();
  process.exit(0);
});
process.on('SIGTERM', () => {
  engine.stop();
  process.exit(0);
});
say({ ok: true, ready: true, pid: process.pid });
