// What a new object sends: only what the person set. Fields of a new object
// (or a new list entry) that still hold the schema default they started with
// are left out, so the server fills them in, including the defaults that
// depend on another field (a TLS trunk's endpoint port 5061 and SRTP,
// src/config/dependent-defaults.ts), which a schema cannot express.
import { initialValue } from './defaults.js';
import { isChoiceSchema, isMapSchema, isObject, type JsonSchema, type JsonValue } from './json-schema.js';
import { childPath } from './validate.js';

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * `value` without the untouched defaults of parts that `initial` did not
 * have. `changed` holds the paths the person edited (and their ancestors).
 */
export function pruneDefaults(schema: JsonSchema, value: JsonValue, initial: unknown, changed: Set<string>, path = ''): JsonValue {
  if (Array.isArray(value) && schema.items) {
    const init = Array.isArray(initial) ? initial : [];
    return value.map((v, i) => pruneDefaults(schema.items!, v, init[i], changed, childPath(path, i)));
  }
  if (!isObject(value) || schema.type !== 'object' || isChoiceSchema(schema)) return value;
  const init = isObject(initial) ? initial : undefined;
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(value)) {
    const prop = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    const p = childPath(path, k);
    if (!prop) {
      out[k] = v;
      continue;
    }
    const isNew = init?.[k] === undefined;
    const hasDefault = prop.default !== undefined || (prop.type === 'object' && !isMapSchema(prop));
    if (isNew && hasDefault && !changed.has(p) && same(v, initialValue(prop))) continue;
    out[k] = pruneDefaults(prop, v, init?.[k], changed, p);
  }
  return out;
}
