// RFC 4475 torture messages at the running sbcd's WAN side (the one facing
// the internet), over UDP, TCP and TLS, from the trunk's address: the same
// expectations as on the LAN side (rfc4475.test.ts), with the PBX stand-in
// as the far side that must see only valid, routed requests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADDR, startSbcd, type Sbcd } from '../harness/index.js';
import { waitConnectionsAtMost } from './proc-stats.js';
import { loadManifest } from './torture.js';
import { clerrOnStream, runTorture, type TortureContext } from './torture-run.js';
import { TrunkStandin } from './trunk-standin.js';
import { probeOptions } from './wire.js';

const manifest = loadManifest();
let sbc: Sbcd;
let pbx: TrunkStandin;
let ctx: TortureContext;

before(async () => {
  sbc = await startSbcd({ tls: true });
  // The PBX stand-in answers what the SBC routes to the LAN side.
  pbx = await TrunkStandin.start(sbc.pbx.ip, sbc.pbx.port);
  ctx = {
    sbc,
    from: ADDR.vonage,
    target: (t) => ({ ip: sbc.wan.ip, port: sbc.wan[t] }),
    streamPorts: () => [sbc.wan.tcp, sbc.wan.tls],
    far: pbx,
  };
});

after(async () => {
  await pbx?.close();
  if (!sbc) return; // never started: before() already failed with the reason
  const r = await sbc.stop();
  // A clean exit on SIGTERM is part of surviving the torture run.
  assert.deepEqual(r, { code: 0, signal: null }, `sbcd exit after the torture run; stderr: ${sbc.stderr().slice(-2000)}`);
});

for (const transport of ['udp', 'tcp', 'tls'] as const) {
  describe(`RFC 4475 torture at the WAN side over ${transport.toUpperCase()}`, () => {
    for (const entry of manifest) {
      if (entry.name === 'clerr' && transport !== 'udp') continue; // its own test below
      test(`${entry.name} (${entry.section}, ${entry.valid ? 'valid' : 'invalid'} ${entry.kind}): ${entry.expected}`, async () => {
        await runTorture(ctx, transport, entry.name, entry.kind);
      });
    }
    if (transport !== 'udp') {
      test('clerr (3.1.2.2) on a stream: waits for the missing body, never answers, keeps serving', async () => {
        await clerrOnStream(ctx, transport);
      });
    }
  });
}

test('connections opened by the torture run are all released', async () => {
  const n = await waitConnectionsAtMost(sbc.proc.pid!, ctx.streamPorts(), 0, 5000);
  assert.equal(n, 0, `sbcd still holds ${n} TCP/TLS connections after every client closed`);
  assert.equal(await probeOptions('udp', ADDR.vonage, ctx.target('udp')), 200);
});
