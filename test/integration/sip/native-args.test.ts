// The addon's entry points against hostile arguments: every call either
// returns or throws an Error carrying a string code; the process never
// aborts. Deterministic pseudo-random combinations, bounded in count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadAddon, type NativeEvent } from '../../../src/sip/native.js';
import { freePort } from '../harness/index.js';
import { IP } from './util.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const throwing = {
  get method(): string {
    throw new Error('getter throws');
  },
};

const POOL: unknown[] = [
  undefined, null, 0, -1, 1, 1.5, NaN, Infinity, 2 ** 53, 2 ** 64, 65536, 999,
  '', 'x', 'INVITE', 'a\r\nb', 'sip:a@127.0.0.1:9', '\u0000', 'é'.repeat(300),
  true, {}, [], [[1, 2]], [['a']], ['a'], ['X-A', 'v', 'X-B'], [['X-Ok', 'v']], [['Bad Name', 'v']],
  [['X-Inj', 'v\r\nVia: x']], 10n, () => 1, Symbol('s'), throwing, new Proxy({}, { get: () => { throw new Error('proxy'); } }),
  { method: 'OPTIONS', uri: 'sip:a@127.0.0.1:9', side: 'lan', fromUri: 'sip:b@127.0.0.1', toUri: 'sip:a@127.0.0.1' },
  { method: 'OPTIONS', uri: 'sip:a@127.0.0.1:9', side: 'lan', fromUri: 'sip:b@127.0.0.1', toUri: 'sip:a@127.0.0.1', headers: 5 },
  { listeners: [{ id: 'x', side: 'lan', proto: 'udp', ip: '::1', port: 'x' }] },
];

test('random arguments to every native method: coded errors only, never an abort', async () => {
  const addon = loadAddon();
  const events: NativeEvent[] = [];
  const eng = new addon.SipEngine((batch) => events.push(...batch));
  eng.start({ listeners: [{ id: 'lan', side: 'lan', proto: 'udp', ip: IP, port: await freePort(IP) }] });
  const methods = ['respond', 'request', 'dialogRequest', 'ack', 'cancel', 'destroyDialog', 'nextId', 'stats', 'start'] as const;
  const rand = rng(4475);
  const pick = (): unknown => POOL[Math.floor(rand() * POOL.length)];
  let threw = 0;
  let returned = 0;
  for (let i = 0; i < 3000; i++) {
    const m = methods[i % methods.length]!;
    const args = Array.from({ length: Math.floor(rand() * 8) }, pick);
    try {
      (eng[m] as (...a: unknown[]) => unknown).apply(eng, args);
      returned++;
    } catch (err) {
      threw++;
      assert.ok(err instanceof Error, `${m}: threw a non-Error ${String(err)}`);
      const code = (err as { code?: unknown }).code;
      if (err.message === 'getter throws' || err.message === 'proxy') continue; // the caller's own exception, passed through
      assert.equal(typeof code, 'string', `${m}(${args.map((a) => typeof a).join(',')}): ${err.message}`);
    }
  }
  assert.ok(threw > 1000 && returned > 100, `threw ${threw}, returned ${returned}`);
  // Constructor checks too.
  assert.throws(() => new addon.SipEngine(undefined as unknown as () => void), (e: unknown) => e instanceof TypeError);
  assert.throws(() => (addon.SipEngine as unknown as () => void)(), TypeError);
  eng.stop();
  eng.stop();
  assert.equal(eng.running, false);
  assert.throws(() => eng.cancel(1), (e: unknown) => (e as { code?: string }).code === 'ERR_SIP_STOPPED');
  assert.throws(() => eng.start({ listeners: [] }), (e: unknown) => (e as { code?: string }).code === 'ERR_SIP_STATE');
  // A bounded wait for batches queued before stop: they are still delivered.
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(events.every((e) => typeof e.type === 'string'));
});
