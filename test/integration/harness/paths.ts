// Where things live in the checkout, found from this file's own location so
// the harness works from dist/ and from any working directory.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'binding.gyp'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('harness: repository root not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export const repoRoot = findRepoRoot();
export const daemonPath = join(repoRoot, 'dist', 'src', 'daemon.js');
export const scenariosDir = join(repoRoot, 'test', 'scenarios');

/** Absolute path of a scenario under test/scenarios ("uac-basic" or "uac-basic.xml"). */
export function scenarioPath(name: string): string {
  return join(scenariosDir, name.endsWith('.xml') ? name : `${name}.xml`);
}
