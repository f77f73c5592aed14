// The RFC 4475 torture suite at one side of the running sbcd, over UDP, TCP
// and TLS. For every message: the answer RFC 4475 asks of a UAS (see
// torture.ts for what EdgeSBC in particular must answer), nothing leaking to
// the far side unless the request was valid and routed, and afterwards the
// SBC still alive and answering OPTIONS. rfc4475.test.ts (LAN) and
// rfc4475-wan.test.ts (WAN) each run it, as two files so they run in parallel.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADDR, startSbcd, type Sbcd } from '../harness/index.js';
import { waitConnectionsAtMost } from './proc-stats.js';
import { loadManifest } from './torture.js';
import { clerrOnStream, runTorture, type TortureContext } from './torture-run.js';
import { TrunkStandin } from './trunk-standin.js';
import { probeOptions } from './wire.js';

export function tortureSuite(side: 'lan' | 'wan'): void {
  const manifest = loadManifest();
  // Messages come from the peer of that side; the far side is the other peer.
  const from = side === 'lan' ? ADDR.pbx : ADDR.vonage;
  let sbc: Sbcd;
  let far: TrunkStandin;
  let ctx: TortureContext;

  before(async () => {
    sbc = await startSbcd({ tls: true });
    far = side === 'lan' ? await TrunkStandin.start(sbc.vonage.ip, sbc.vonage.port) : await TrunkStandin.start(sbc.pbx.ip, sbc.pbx.port);
    ctx = {
      sbc,
      from,
      target: (t) => ({ ip: sbc[side].ip, port: sbc[side][t] }),
      streamPorts: () => [sbc[side].tcp, sbc[side].tls],
      far,
    };
  });

  after(async () => {
    await far?.close();
    if (!sbc) return; // never started: before() already failed with the reason
    const r = await sbc.stop();
    // A clean exit on SIGTERM is part of surviving the torture run.
    assert.deepEqual(r, { code: 0, signal: null }, `sbcd exit after the torture run; stderr: ${sbc.stderr().slice(-2000)}`);
  });

  for (const transport of ['udp', 'tcp', 'tls'] as const) {
    describe(`RFC 4475 torture at the ${side.toUpperCase()} side over ${transport.toUpperCase()}`, () => {
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
    assert.equal(await probeOptions('udp', from, ctx.target('udp')), 200);
  });
}
