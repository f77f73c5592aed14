// A structural diff between two documents: one entry per changed leaf, with
// JSON Pointer paths. Arrays of named objects are compared by name, so
// inserting a trunk does not show every later trunk as changed.
export interface Change {
  path: string;
  op: 'add' | 'remove' | 'change';
  from?: unknown;
  to?: unknown;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function esc(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function named(a: unknown[]): boolean {
  return a.every((x) => isObj(x) && typeof x.name === 'string');
}

export function diffDocuments(a: unknown, b: unknown, path = '', out: Change[] = []): Change[] {
  if (Array.isArray(a) && Array.isArray(b) && named(a) && named(b)) {
    const byName = (l: unknown[]) => new Map(l.map((x) => [(x as { name: string }).name, x]));
    const ma = byName(a);
    const mb = byName(b);
    for (const [n, x] of ma) {
      if (mb.has(n)) diffDocuments(x, mb.get(n), `${path}/${esc(n)}`, out);
      else out.push({ path: `${path}/${esc(n)}`, op: 'remove', from: x });
    }
    for (const [n, x] of mb) if (!ma.has(n)) out.push({ path: `${path}/${esc(n)}`, op: 'add', to: x });
    return out;
  }
  if (isObj(a) && isObj(b)) {
    for (const k of Object.keys(a)) {
      if (k in b) diffDocuments(a[k], b[k], `${path}/${esc(k)}`, out);
      else out.push({ path: `${path}/${esc(k)}`, op: 'remove', from: a[k] });
    }
    for (const k of Object.keys(b)) if (!(k in a)) out.push({ path: `${path}/${esc(k)}`, op: 'add', to: b[k] });
    return out;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, op: 'change', from: a, to: b });
  return out;
}

// RFC 7386 JSON Merge Patch: objects merge, null deletes, anything else replaces.
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
