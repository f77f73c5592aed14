// The canonical form of a document: keys in schema order (so exports are
// stable and byte-identical across round trips) and secrets masked unless
// asked for. Both walk the document alongside its schema.
import type { ConfigDocument } from './document.js';
import { SECRET_MASK, documentSchema } from './schema/index.js';

type Schema = {
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  writeOnly?: boolean;
};

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walk(value: unknown, schema: Schema | undefined, mask: boolean): unknown {
  if (schema?.writeOnly && mask && value !== undefined && value !== '') return SECRET_MASK;
  if (Array.isArray(value)) return value.map((v) => walk(v, schema?.items, mask));
  if (!isObj(value)) return value;
  const out: Record<string, unknown> = {};
  const props = schema?.properties ?? {};
  for (const key of Object.keys(props)) {
    if (key in value) out[key] = walk(value[key], props[key], mask);
  }
  const extra = typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const key of Object.keys(value)) {
    if (!(key in props)) out[key] = walk(value[key], extra, mask);
  }
  return out;
}

export interface CanonicalOptions {
  // Export secrets in clear (backups); default: masked as "********".
  secrets?: boolean;
}

export function canonicalize(doc: ConfigDocument, opts: CanonicalOptions = {}, schema: object = documentSchema): ConfigDocument {
  return walk(doc, schema as Schema, opts.secrets !== true) as ConfigDocument;
}

// An imported document that carries SECRET_MASK where a secret was means
// "unchanged": take the value from `previous` (array items matched by name).
export function restoreMaskedSecrets(doc: unknown, previous: unknown, schema: object = documentSchema): unknown {
  const s = schema as Schema;
  if (s.writeOnly && doc === SECRET_MASK) return previous;
  if (Array.isArray(doc)) {
    const prev = Array.isArray(previous) ? previous : [];
    return doc.map((item, i) => {
      const name = isObj(item) ? item.name : undefined;
      const match = name !== undefined ? prev.find((p) => isObj(p) && p.name === name) : prev[i];
      return restoreMaskedSecrets(item, match, s.items ?? {});
    });
  }
  if (!isObj(doc)) return doc;
  const prev = isObj(previous) ? previous : {};
  const out: Record<string, unknown> = {};
  const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : {};
  for (const [key, v] of Object.entries(doc)) {
    out[key] = restoreMaskedSecrets(v, prev[key], s.properties?.[key] ?? extra);
  }
  return out;
}
