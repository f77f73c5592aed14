// Lists the addon's C++ sources for binding.gyp: everything under native/
// except the standalone tests and fuzz targets, so adding a file needs no edit here.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const skip = new Set(['test', 'fuzz']);
const out = [];
function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (!skip.has(name)) walk(p);
    } else if (name.endsWith('.cc')) {
      out.push(relative(root, p));
    }
  }
}
walk(join(root, 'native'));
process.stdout.write(out.join(' '));
