// Children and temp dirs the harness created, so that a failing or crashing
// test never leaves a daemon or a SIPp listening for the next run.
import { rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

export function trackChild(proc: ChildProcess): void {
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
}

export function trackDir(dir: string): void {
  dirs.add(dir);
}

process.once('exit', (code) => {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  // Keep the evidence of a failed run (paths appear in assertion messages).
  if (code === 0 && process.env.EDGESBC_KEEP_TMP !== '1') {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
