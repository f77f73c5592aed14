// Small helpers shared by the SIP API integration tests.
import type { SipEngine } from '../../../src/sip/index.js';

export const IP = '127.0.0.1';

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    }),
  ]);
}

/** Waits (bounded) until the engine's JS maps are empty; returns what is left. */
export async function settle(engine: SipEngine, ms = 2000): Promise<{ serverTxns: number; clientTxns: number; dialogs: number }> {
  const until = Date.now() + ms;
  for (;;) {
    const { js } = engine.stats();
    if ((js.serverTxns === 0 && js.clientTxns === 0 && js.dialogs === 0) || Date.now() > until) return js;
    await new Promise((r) => setTimeout(r, 20));
  }
}
