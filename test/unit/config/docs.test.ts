// docs/config.md stays in step with the schema: every field appears in its
// tables, and the default document shown is the real embedded default.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../../../src/config/default-config.js';
import { documentSchema } from '../../../src/config/schema/index.js';
import { formatText } from '../../../src/config/yaml.js';

const DOC = readFileSync(fileURLToPath(new URL('../../../../docs/config.md', import.meta.url)), 'utf8');

type S = { type?: string; properties?: Record<string, S>; additionalProperties?: boolean | S; items?: S };

function fieldPaths(s: S, path: string, out: string[]): string[] {
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    const p = path ? `${path}.${k}` : k;
    out.push(p);
    fieldPaths(v, p, out);
  }
  if (typeof s.additionalProperties === 'object') {
    out.push(`${path}.<name>`);
    fieldPaths(s.additionalProperties, `${path}.<name>`, out);
  }
  if (s.items) fieldPaths(s.items, `${path}[]`, out);
  return out;
}

test('every schema field is documented in docs/config.md', () => {
  const paths = fieldPaths(documentSchema as S, '', []);
  assert.ok(paths.length > 40);
  // A map of sides is documented through its section title and fields.
  const missing = paths.filter((p) => p !== 'sides.<name>' && !DOC.includes(`| \`${p}\` |`));
  assert.deepEqual(missing, []);
});

test('the default document in docs/config.md is the embedded default, as exported', () => {
  const block = /```yaml\n(version: 1\n[\s\S]*?)```/.exec(DOC);
  assert.ok(block, 'default YAML block found');
  assert.equal(block[1], formatText(defaultConfig(), 'yaml'));
});
