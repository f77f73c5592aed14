// How routes validate requests and serialise responses.
//
// Validation: bodies are checked exactly (no type coercion, nothing filled
// in: the config store fills defaults itself, some of which depend on other
// fields, and no unknown field is dropped silently); every problem is
// collected. Query strings and URL parameters are text, so they are coerced
// to the schema's types.
//
// Serialisation: a response schema marks secrets `writeOnly` (as the config
// schemas do); the serializer masks every such value, whatever the route
// handed it, so a secret can never be serialised by mistake.
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { SECRET_MASK } from '../config/schema/index.js';

type Schema = {
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  writeOnly?: boolean;
};

const bodyAjv = new Ajv({ allErrors: true, useDefaults: false, coerceTypes: false, removeAdditional: false, strict: false });
const textAjv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, removeAdditional: false, strict: false });

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function maskWriteOnly(value: unknown, schema: Schema | undefined): unknown {
  if (!schema) return value;
  if (schema.writeOnly) return typeof value === 'string' && value === '' ? '' : value === undefined ? undefined : SECRET_MASK;
  if (Array.isArray(value)) return schema.items ? value.map((v) => maskWriteOnly(v, schema.items)) : value;
  if (!isObj(value)) return value;
  const props = schema.properties ?? {};
  const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  if (Object.keys(props).length === 0 && !extra) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskWriteOnly(v, props[k] ?? extra);
  return out;
}

function hasWriteOnly(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.some(hasWriteOnly);
  if (!isObj(schema)) return false;
  if (schema.writeOnly === true) return true;
  return Object.values(schema).some(hasWriteOnly);
}

export function installCompilers(app: FastifyInstance): void {
  // Compiled on a route's first request, not at start: compiling every
  // route's schema takes most of a second, and sbcd starts the API while it
  // already handles calls.
  const cache = new WeakMap<object, ValidateFunction>();
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? bodyAjv : textAjv;
    const compiled = (): ValidateFunction => {
      let fn = cache.get(schema);
      if (!fn) {
        fn = ajv.compile(schema);
        cache.set(schema, fn);
      }
      return fn;
    };
    const validate = (data: unknown): boolean => {
      const fn = compiled();
      const ok = fn(data) as boolean;
      validate.errors = fn.errors;
      return ok;
    };
    validate.errors = null as ValidateFunction['errors'];
    return validate;
  });
  app.setSerializerCompiler(({ schema }) => {
    if (!hasWriteOnly(schema)) return (data: unknown) => JSON.stringify(data);
    return (data: unknown) => JSON.stringify(maskWriteOnly(data, schema as Schema));
  });
}
