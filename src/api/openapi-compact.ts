// The OpenAPI document as generated repeats every config object's schema in
// each route that takes or returns it (the trunk schema alone appears in
// seven places), ~650 KB. This moves every schema that occurs more than once
// into components.schemas and points at it with $ref, so the document is
// small enough to read and fetch. Only the served document changes: route
// validation still compiles the inline schemas.

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Schemas too small to be worth a name ({type: 'string'} and the like).
const MIN_SIZE = 160;
// Bounded: each round names one schema; a document has far fewer.
const MAX_ROUNDS = 2000;

// Keywords whose value is a schema, a list of schemas, or a map of schemas.
const ONE = ['items', 'additionalProperties', 'not', 'propertyNames', 'contains', 'if', 'then', 'else', 'unevaluatedProperties', 'unevaluatedItems'];
const MANY = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const MAP = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];

interface Slot {
  // Replaces the schema in its parent.
  set(v: Json): void;
  schema: Json;
  // The nearest property name above, for a readable component name.
  hint: string;
  // The schemas this one is inside.
  above: Json[];
}

function schemaSlots(schema: Json, hint: string, set: (v: Json) => void, out: Slot[], above: Json[] = []): void {
  out.push({ schema, hint, set, above });
  const inner = [...above, schema];
  for (const k of ONE) {
    const v = schema[k];
    if (isObj(v)) schemaSlots(v, k === 'items' ? `${hint}Item` : hint, (n) => (schema[k] = n), out, inner);
  }
  for (const k of MANY) {
    const v = schema[k];
    if (Array.isArray(v)) v.forEach((x, i) => isObj(x) && schemaSlots(x, hint, (n) => (v[i] = n), out, inner));
  }
  for (const k of MAP) {
    const m = schema[k];
    if (isObj(m)) for (const [p, v] of Object.entries(m)) if (isObj(v)) schemaSlots(v, p, (n) => (m[p] = n), out, inner);
  }
}

function contentSlots(content: unknown, hint: string, out: Slot[]): void {
  if (!isObj(content)) return;
  for (const media of Object.values(content)) {
    if (isObj(media) && isObj(media.schema)) schemaSlots(media.schema, hint, (n) => (media.schema = n), out);
  }
}

// Every schema position in the document: request bodies, parameters,
// responses, and the components named so far.
function allSlots(spec: Json): Slot[] {
  const out: Slot[] = [];
  const paths = isObj(spec.paths) ? spec.paths : {};
  for (const [path, ops] of Object.entries(paths)) {
    if (!isObj(ops)) continue;
    const base = path.split('/').filter((s) => s && !s.startsWith('{')).pop() ?? 'root';
    for (const op of Object.values(ops)) {
      if (!isObj(op)) continue;
      if (isObj(op.requestBody)) contentSlots(op.requestBody.content, `${base}Body`, out);
      if (Array.isArray(op.parameters)) {
        for (const p of op.parameters) if (isObj(p) && isObj(p.schema)) schemaSlots(p.schema, String(p.name ?? 'param'), (n) => (p.schema = n), out);
      }
      if (isObj(op.responses)) for (const r of Object.values(op.responses)) if (isObj(r)) contentSlots(r.content, base, out);
    }
  }
  const comps = isObj(spec.components) && isObj(spec.components.schemas) ? spec.components.schemas : {};
  for (const [name, s] of Object.entries(comps)) if (isObj(s)) schemaSlots(s, name, (n) => (comps[name] = n), out);
  return out;
}

// A schema as @fastify/swagger writes it into the document: `const: x`
// becomes `enum: [x]` (at the end of the object), and `nullable: true`
// (ajv's) becomes `type: [t, "null"]` in OpenAPI 3.1.
function asGenerated(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(asGenerated);
  if (!isObj(schema)) return schema;
  const out: Json = {};
  const nullable = schema.nullable === true && typeof schema.type === 'string';
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'const' || (nullable && k === 'nullable')) continue;
    out[k] = k === 'default' || k === 'examples' ? v : k === 'type' && nullable ? [v, 'null'] : asGenerated(v);
  }
  if ('const' in schema) out.enum = [schema.const];
  return out;
}

function componentName(hint: string, schema: Json, taken: Json): string {
  const title = typeof schema.title === 'string' ? schema.title : hint;
  if (/^[A-Z][A-Za-z0-9]*$/.test(title) && !(title in taken)) return title;
  const words = title.replace(/[^A-Za-z0-9]+/g, ' ').trim().split(' ').filter(Boolean);
  const base = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') || 'Schema';
  let name = base;
  for (let i = 2; name in taken; i++) name = `${base}${i}`;
  return name;
}

/**
 * A copy of `spec` in which every schema of some size that occurs at least
 * twice is in components.schemas, referenced by $ref. Largest first, so a
 * whole object is named before its parts.
 */
export function compactOpenApi(input: Json, known: ReadonlyArray<readonly [string, unknown]> = []): Json {
  const spec = structuredClone(input);
  const knownNames = new Map(known.map(([name, schema]) => [JSON.stringify(asGenerated(schema)), name]));
  const components = isObj(spec.components) ? spec.components : (spec.components = {});
  const schemas: Json = isObj(components.schemas) ? components.schemas : (components.schemas = {});
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const slots = allSlots(spec);
    const byText = new Map<string, Slot[]>();
    for (const s of slots) {
      const text = JSON.stringify(s.schema);
      if (text.length < MIN_SIZE || '$ref' in s.schema) continue;
      const list = byText.get(text);
      if (list) list.push(s);
      else byText.set(text, [s]);
    }
    // Largest first. A schema inside one replaced this round waits for the
    // next round (its copies may have gone), so every round names at least one.
    const groups = [...byText].filter(([, list]) => list.length > 1).sort((a, b) => b[0].length - a[0].length);
    if (groups.length === 0) break;
    const touched = new Set<Json>();
    for (const [text, same] of groups) {
      if (same.some((s) => touched.has(s.schema) || s.above.some((a) => touched.has(a)))) continue;
      // A component already holding this schema keeps it; the others point at it.
      const home = same.find((s) => Object.values(schemas).includes(s.schema));
      const name = home
        ? Object.keys(schemas).find((k) => schemas[k] === home.schema)!
        : componentName(knownNames.get(text) ?? same[0]!.hint, same[0]!.schema, schemas);
      if (!home) schemas[name] = same[0]!.schema;
      const ref = `#/components/schemas/${name}`;
      for (const s of same) {
        touched.add(s.schema);
        if (s !== home) s.set({ $ref: ref });
      }
    }
  }
  shareResponses(spec);
  return spec;
}

// Responses that are the same everywhere (the error answers) are named once
// in components.responses, after the schema they carry.
function shareResponses(spec: Json): void {
  const paths = isObj(spec.paths) ? spec.paths : {};
  const seen = new Map<string, { count: number; value: Json }>();
  const each = (fn: (responses: Json, code: string, r: Json) => void) => {
    for (const ops of Object.values(paths)) {
      if (!isObj(ops)) continue;
      for (const op of Object.values(ops)) {
        if (!isObj(op) || !isObj(op.responses)) continue;
        for (const [code, r] of Object.entries(op.responses)) if (isObj(r)) fn(op.responses, code, r);
      }
    }
  };
  each((_responses, _code, r) => {
    const text = JSON.stringify(r);
    const e = seen.get(text);
    if (e) e.count++;
    else seen.set(text, { count: 1, value: r });
  });
  const components = spec.components as Json;
  const shared: Json = isObj(components.responses) ? components.responses : {};
  const nameOf = new Map<string, string>();
  for (const [text, { count, value }] of seen) {
    if (count < 2 || text.length < MIN_SIZE) continue;
    const ref = JSON.stringify(value).match(/"#\/components\/schemas\/([A-Za-z0-9]+)"/)?.[1];
    const name = componentName(ref ?? 'Response', {}, shared);
    shared[name] = value;
    nameOf.set(text, name);
  }
  if (Object.keys(shared).length === 0) return;
  components.responses = shared;
  each((responses, code, r) => {
    const name = nameOf.get(JSON.stringify(r));
    if (name) responses[code] = { $ref: `#/components/responses/${name}` };
  });
}
