// A trunk pointing back at the SBC itself: the INVITE the SBC sends comes
// back in carrying one of its own Via branches and must be refused with 482
// Loop Detected (or, failing that, die by Max-Forwards with 483), never
// turned into a storm of calls.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADDR, defaultTestConfig, select, startSbcd, type ConfigDoc, type Sbcd } from '../harness/index.js';
import { flow, logCount, passed, stopAndAssertIdle } from './flow-helpers.js';

async function loopingConfig(to: 'lan' | 'wan'): Promise<ConfigDoc> {
  const c = await defaultTestConfig();
  c.system = { ...c.system, log_level: 'debug' }; // 'call routed' is a debug line: one per INVITE routed
  const side = c.sides[to];
  c.trunks[0]!.endpoints = [{ host: side.addresses[0]!, port: side.udp }];
  return c;
}

describe('a call routed back into the SBC itself', { timeout: 60_000 }, () => {
  let sbc: Sbcd | undefined;
  after(async () => {
    await sbc?.stop();
  });

  for (const to of ['lan', 'wan'] as const) {
    test(`trunk endpoint = the SBC's own ${to.toUpperCase()} address: caller gets 482 (or 483) at once, one call routed, no storm`, async () => {
      await sbc?.stop();
      sbc = await startSbcd({ fullConfig: await loopingConfig(to) });
      const started = Date.now();
      // Nobody at the Vonage address: a call that got out would ring nowhere.
      const { uac } = await flow(sbc, { direction: 'pbx-to-vonage', uac: 'uac-expect-reject', timeoutMs: 6_000 });
      const elapsed = Date.now() - started;
      passed(uac, 1, 'caller');
      const finals = select(uac.messages, { direction: 'received', cseq: 'INVITE' }).filter((m) => (m.status ?? 0) >= 200);
      assert.ok(finals.length >= 1, uac.messagesLog);
      assert.ok(finals.every((m) => m.status === 482 || m.status === 483), `finals: ${finals.map((m) => m.status).join(',')}`);
      assert.equal(finals[0]!.status, 482, 'detected as a loop (our own Via branch came back), not only by Max-Forwards');
      assert.ok(elapsed < 3_000, `answered within ${elapsed} ms`);
      await new Promise((r) => setTimeout(r, 300)); // anything still bouncing would show up now
      const routed = logCount(sbc, 'call routed');
      assert.equal(routed, 1, `INVITEs routed by the SBC: ${routed} (only the caller's; the looped one is refused before routing)`);
      assert.equal(sbc.vonage.ip === ADDR.vonage, false, 'precondition: the trunk points at the SBC');
      await stopAndAssertIdle(sbc);
    });
  }
});
