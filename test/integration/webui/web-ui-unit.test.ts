// The web UI's own unit tests (web-ui/tests, vitest): its schema-driven form
// validation agrees with the server's ajv on the real config schema, and new
// objects send only what was set. Run from here so `npm test` covers them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../harness/paths.js';

const webUi = join(repoRoot, 'web-ui');
const vitest = join(webUi, 'node_modules', 'vitest', 'vitest.mjs');

test('web-ui unit tests (vitest)', { skip: existsSync(vitest) ? false : 'web-ui/node_modules missing: run scripts/setup.sh', timeout: 180_000 }, () => {
  const r = spawnSync(process.execPath, [vitest, 'run', '--reporter=dot'], { cwd: webUi, encoding: 'utf8', timeout: 170_000, env: { ...process.env, CI: '1', NO_COLOR: '1' } });
  assert.equal(r.status, 0, `vitest failed (exit ${r.status ?? r.signal}):\n${r.stdout.slice(-6000)}\n${r.stderr.slice(-3000)}`);
  assert.match(r.stdout, /Tests\s+\d+ passed/);
});
