// The addon's MediaEngine handle against hostile arguments: every call
// either returns or throws an Error with a string code (ERR_MEDIA_*); the
// process never aborts. Deterministic pseudo-random combinations, bounded
// in count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeMediaEngine, type NativeMediaEvent } from '../../../src/media/native-media.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const throwing = {
  get ip(): string {
    throw new Error('getter throws');
  },
};

const KEY = { suite: 'AES_CM_128_HMAC_SHA1_80', key: Buffer.alloc(30, 7) };
const POOL: unknown[] = [
  undefined, null, 0, -1, 1, 1.5, NaN, Infinity, 2 ** 53, 2 ** 64, 65536, 4000,
  '', 'x', 'lan', 'wan', '127.0.0.1', '::1', 'a\r\nb', '\u0000', 'é'.repeat(300),
  true, {}, [], [1], ['lan'], 10n, () => 1, Symbol('s'), throwing,
  new Proxy({}, { get: () => { throw new Error('proxy'); } }),
  Buffer.alloc(30), Buffer.alloc(29),
  { remote: null },
  { remote: { ip: '127.0.0.1', rtpPort: 4000, rtcpPort: 4001 }, latch: 'same-ip', srtpIn: KEY, srtpOut: KEY, ssrc: 5 },
  { remote: { ip: '127.0.0.1', rtpPort: 4000 }, srtpIn: { suite: 'AES_CM_128_HMAC_SHA1_80', key: Buffer.alloc(31) } },
  { remote: throwing },
  { remote: { ip: 'x', rtpPort: 4000 } },
  [{ name: 'lan', ip: '127.0.0.1', portMin: 47500, portMax: 47599 }],
  [{ name: 'lan', ip: '127.0.0.1', portMin: 47599, portMax: 47500 }],
  [{ name: 'lan', ip: 'nowhere', portMin: 47500, portMax: 47599 }],
  { sides: [{ name: 'lan', ip: '127.0.0.1', portMin: 47500, portMax: 47599 }] },
];

test('random arguments to every MediaEngine method: coded errors only, never an abort', async () => {
  const Native = nativeMediaEngine();
  const events: NativeMediaEvent[] = [];
  const eng = new Native((batch) => events.push(...batch));
  const sides = [
    { name: 'lan', ip: '127.0.0.1', portMin: 47500, portMax: 47599 },
    { name: 'wan', ip: '127.0.0.1', portMin: 47600, portMax: 47699 },
  ];
  eng.start({ workers: 1, tickMs: 10, sides });
  const methods = ['start', 'setSides', 'createRelay', 'updateRelay', 'closeRelay', 'requestStats', 'counters'] as const;
  const rand = rng(3550);
  const pick = (): unknown => POOL[Math.floor(rand() * POOL.length)];
  let threw = 0;
  let returned = 0;
  const created: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const m = methods[i % methods.length]!;
    const args = Array.from({ length: Math.floor(rand() * 5) }, pick);
    // Some calls on a real relay, so valid updates and closes happen too.
    if ((m === 'updateRelay' || m === 'closeRelay' || m === 'requestStats') && created.length > 0 && rand() < 0.5)
      args[0] = created[Math.floor(rand() * created.length)];
    try {
      const r = (eng[m] as (...a: unknown[]) => unknown).apply(eng, args);
      if (m === 'createRelay') created.push((r as { id: number }).id);
      returned++;
    } catch (err) {
      threw++;
      assert.ok(err instanceof Error, `${m}: threw a non-Error ${String(err)}`);
      if (err.message === 'getter throws' || err.message === 'proxy') continue; // the caller's own exception, passed through
      const code = (err as { code?: unknown }).code;
      assert.ok(typeof code === 'string' && code.startsWith('ERR_MEDIA_'), `${m}(${args.map((a) => typeof a).join(',')}): ${err.message}`);
    }
  }
  assert.ok(threw > 1000 && returned > 300, `threw ${threw}, returned ${returned}`);
  assert.throws(() => new Native(undefined as unknown as () => void), (e: unknown) => e instanceof TypeError);
  assert.throws(() => (Native as unknown as () => void)(), TypeError);
  for (const id of created) eng.closeRelay(id);
  eng.stop();
  eng.stop();
  assert.equal(eng.running, false);
  assert.equal(eng.counters().sockets, 0);
  assert.throws(() => eng.createRelay('lan', 'wan'), (e: unknown) => (e as { code?: string }).code === 'ERR_MEDIA_START');
  assert.throws(() => eng.start({ sides }), (e: unknown) => (e as { code?: string }).code === 'ERR_MEDIA_START');
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(events.every((e) => e.type === 'stats' || e.type === 'timeout' || e.type === 'latched'));
});
