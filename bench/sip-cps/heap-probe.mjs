// Preloaded into sbcd by run.mjs (node --expose-gc --import <this file>):
// on SIGUSR2 it collects garbage, then writes process.memoryUsage() as JSON to
// $EDGESBC_HEAP_PROBE_FILE, so the benchmark can tell the JS heap apart from
// native memory without any change to the daemon.
import { renameSync, writeFileSync } from 'node:fs';

const out = process.env.EDGESBC_HEAP_PROBE_FILE;
if (out) {
  process.on('SIGUSR2', () => {
    if (typeof globalThis.gc === 'function') globalThis.gc();
    const tmp = `${out}.tmp`;
    writeFileSync(tmp, JSON.stringify({ at: Date.now(), ...process.memoryUsage() }));
    renameSync(tmp, out);
  });
}
