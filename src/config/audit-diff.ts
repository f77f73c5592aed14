// What a candidate edit changed, for the audit trail: the structural diff
// (diff.ts) of the document before and after, with secrets masked the way an
// export masks them. A changed secret shows as a change from ******** to
// ******** (the change is recorded, its value never is).
import { canonicalize } from './canonical.js';
import { diffDocuments, type Change } from './diff.js';
import type { ConfigDocument } from './document.js';
import { SECRET_MASK, documentSchema } from './schema/index.js';

type Schema = {
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  writeOnly?: boolean;
};

// Audit rows stay readable: past this size the values are left out.
const MAX_DETAIL = 64 * 1024;

function unesc(part: string): string {
  return part.replace(/~1/g, '/').replace(/~0/g, '~');
}

// The schema of the value at a diff path (array items are named by their
// `name`, so any segment below an array is an item).
function schemaAt(path: string): Schema | undefined {
  let s: Schema | undefined = documentSchema as Schema;
  for (const part of path.split('/').slice(1).map(unesc)) {
    if (!s) return undefined;
    if (s.properties?.[part]) s = s.properties[part];
    else if (s.items) s = s.items;
    else if (typeof s.additionalProperties === 'object') s = s.additionalProperties;
    else return undefined;
  }
  return s;
}

function masked(value: unknown, schema: Schema | undefined): unknown {
  if (value === undefined) return undefined;
  if (schema?.writeOnly) return value === '' ? '' : SECRET_MASK;
  return canonicalize(value as ConfigDocument, {}, schema ?? {});
}

export function auditChanges(before: ConfigDocument, after: ConfigDocument): Change[] {
  const changes = diffDocuments(canonicalize(before, { secrets: true }), canonicalize(after, { secrets: true }));
  return changes.map((c) => {
    const s = schemaAt(c.path);
    const out: Change = { path: c.path, op: c.op };
    if ('from' in c) out.from = masked(c.from, s);
    if ('to' in c) out.to = masked(c.to, s);
    return out;
  });
}

// The audit detail of an edit: the masked changes as JSON.
export function auditDetail(before: ConfigDocument, after: ConfigDocument): string {
  const changes = auditChanges(before, after);
  const full = JSON.stringify(changes);
  if (full.length <= MAX_DETAIL) return full;
  const paths = JSON.stringify(changes.map((c) => ({ path: c.path, op: c.op })));
  return paths.length <= MAX_DETAIL ? paths : `${paths.slice(0, MAX_DETAIL - 20)}… (${changes.length} changes)`;
}
