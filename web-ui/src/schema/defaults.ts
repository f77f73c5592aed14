// Starting values for new objects (a new trunk, a new list entry), from the
// schema's defaults: what the server would fill in, shown up front so the
// person sees what they get and changes only what differs.
import { isChoiceSchema, isMapSchema, isObject, type JsonSchema, type JsonValue } from './json-schema.js';

function clone<T extends JsonValue>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/**
 * The value a new instance of `schema` starts with: its default (objects get
 * their own fields' defaults filled in), else an empty value of its type;
 * `undefined` for a number with no default (the input starts empty).
 */
export function initialValue(schema: JsonSchema): JsonValue | undefined {
  if (schema.const !== undefined) return clone(schema.const);
  if (schema.type === 'object') {
    const base = isObject(schema.default) ? clone(schema.default) : {};
    if (isMapSchema(schema) || isChoiceSchema(schema)) return base;
    for (const [key, prop] of Object.entries(schema.properties ?? {})) {
      if (base[key] !== undefined) continue;
      if (!schema.required?.includes(key) && prop.default === undefined) continue;
      const v = initialValue(prop);
      if (v !== undefined) base[key] = v;
    }
    return base;
  }
  if (schema.default !== undefined) return clone(schema.default);
  switch (schema.type) {
    case 'array':
      return [];
    case 'string':
      return schema.enum?.[0] !== undefined && schema.enum.length > 0 ? clone(schema.enum[0]) : '';
    case 'boolean':
      return false;
    default:
      return undefined;
  }
}
