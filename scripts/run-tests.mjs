// Runs every check the project has, in one go: native tests (plain and under
// ASan/UBSan), fuzz smoke runs, then the TypeScript unit and integration tests
// with node's test runner (files run in parallel, two at a time: CI has 2 cores).
// Usage: node scripts/run-tests.mjs [substring-filter]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filter = process.argv[2] ?? '';
const quick = process.env.EDGESBC_QUICK === '1';

function run(cmd, args, opts = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

if (!filter) {
  run('make', ['-s', '-j2', '-C', 'native/test', 'run']);
  if (!quick) {
    run('make', ['-s', '-j2', '-C', 'native/test', 'run', 'SAN=1']);
    run('make', ['-s', '-C', 'native/test', 'fuzz', `FUZZ_SECONDS=${process.env.FUZZ_SECONDS ?? 20}`]);
  }
}

const files = [];
function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js')) files.push(relative(root, p));
  }
}
walk(join(root, 'dist', 'test'));
const selected = files.filter((f) => f.includes(filter));
if (selected.length === 0) {
  console.error(`no test files match "${filter}"`);
  process.exit(1);
}
run(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...selected]);
