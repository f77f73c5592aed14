// Route schemas, generated from the config store's object schemas (one
// source of truth, src/config/schema/): what a client may send (input:
// fields with a default may be left out, secrets accepted) and what it gets
// back (output: every field, secrets `writeOnly`, which the serializer masks).
import { apiSchema, cdrSchema, documentSchema, firewallSchema, mediaSchema, pbxSchema, routeSchema, sideSchema, sipDomainSchema, sipSchema, systemSchema, tlsSchema, trunkSchema, userSchema } from '../config/schema/index.js';

export type JsonSchema = Record<string, unknown>;

function isObj(v: unknown): v is JsonSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// A deep copy without $id (the same schema appears in many routes).
function copy(schema: unknown): JsonSchema {
  const out = structuredClone(schema) as JsonSchema;
  delete out.$id;
  return out;
}

function relaxRequired(s: unknown): void {
  if (Array.isArray(s)) {
    for (const x of s) relaxRequired(x);
    return;
  }
  if (!isObj(s)) return;
  const props = isObj(s.properties) ? s.properties : undefined;
  if (props && Array.isArray(s.required)) {
    s.required = (s.required as string[]).filter((k) => !(isObj(props[k]) && 'default' in props[k]));
  }
  for (const [k, v] of Object.entries(s)) if (k !== 'default') relaxRequired(v);
}

// What a client may send: the object schema with every defaulted field optional.
export function inputSchema(schema: unknown): JsonSchema {
  const out = copy(schema);
  relaxRequired(out);
  return out;
}

// What a client gets back: the full object (defaults filled in).
export function outputSchema(schema: unknown): JsonSchema {
  return copy(schema);
}

// Config collections (arrays of named objects) and sections, by the name
// they have in the document.
export const COLLECTIONS = {
  trunks: { schema: trunkSchema, noun: 'trunk' },
  sip_domains: { schema: sipDomainSchema, noun: 'Programmable SIP domain' },
  pbxs: { schema: pbxSchema, noun: 'PBX' },
  routes: { schema: routeSchema, noun: 'route' },
} as const;
export type CollectionName = keyof typeof COLLECTIONS;

export const SECTIONS = {
  system: systemSchema,
  sip: sipSchema,
  tls: tlsSchema,
  media: mediaSchema,
  firewall: firewallSchema,
  api: apiSchema,
  cdr: cdrSchema,
} as const;
export type SectionName = keyof typeof SECTIONS;

export { documentSchema, sideSchema, userSchema };

// --- shared pieces -----------------------------------------------------------

export const problemSchema = {
  type: 'object',
  required: ['path', 'message'],
  properties: {
    path: { type: 'string', description: 'JSON Pointer: into the config document on config routes, else into the request part.' },
    message: { type: 'string' },
    field: { type: 'string', description: 'Config object routes: the same place inside the object sent.' },
  },
} as const;

export const errorSchema = {
  type: 'object',
  description: 'Every error: a stable code and a message that says what to do.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', examples: ['ERR_VALIDATION', 'ERR_CONFIG_INVALID', 'ERR_NOT_AUTHENTICATED', 'ERR_CSRF'] },
        message: { type: 'string' },
        problems: { type: 'array', items: problemSchema },
        retryAfterS: { type: 'integer' },
      },
    },
  },
} as const;

// Error responses every authenticated route can give.
export const ERROR_RESPONSES = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  500: errorSchema,
} as const;

export const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', maxLength: 64 } },
} as const;

export const commitInfoSchema = {
  type: 'object',
  required: ['id', 'at', 'user', 'comment', 'kind'],
  properties: {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    user: { type: 'string' },
    comment: { type: 'string' },
    kind: { type: 'string', enum: ['initial', 'commit', 'rollback', 'confirm-timeout'] },
    rollbackOf: { type: 'integer' },
    confirmBy: { type: 'string', format: 'date-time' },
    confirmState: { type: 'string', enum: ['pending', 'confirmed', 'superseded', 'expired'] },
  },
} as const;

export const changeSchema = {
  type: 'object',
  required: ['path', 'op'],
  properties: {
    path: { type: 'string' },
    op: { type: 'string', enum: ['add', 'remove', 'change'] },
    from: {},
    to: {},
  },
} as const;

export const okSchema = { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } } as const;

// Names for the shared schemas in the served OpenAPI document
// (openapi-compact.ts): the same objects the routes use.
export function namedSchemas(): Array<readonly [string, unknown]> {
  const pascal = (s: string) => s.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
  const out: Array<readonly [string, unknown]> = [
    ['Error', errorSchema],
    ['Problem', problemSchema],
    ['CommitInfo', commitInfoSchema],
    ['Change', changeSchema],
    ['Document', outputSchema(documentSchema)],
    ['DocumentInput', inputSchema(documentSchema)],
    ['Side', outputSchema(sideSchema)],
    ['SideInput', inputSchema(sideSchema)],
    ['User', outputSchema(userSchema)],
    ['UserInput', inputSchema(userSchema)],
  ];
  for (const [coll, { schema }] of Object.entries(COLLECTIONS)) {
    const noun = pascal(coll.replace(/s$/, ''));
    out.push([noun, outputSchema(schema)], [`${noun}Input`, inputSchema(schema)]);
  }
  for (const [section, schema] of Object.entries(SECTIONS)) {
    out.push([`${pascal(section)}Section`, outputSchema(schema)], [`${pascal(section)}SectionInput`, inputSchema(schema)]);
  }
  return out;
}
