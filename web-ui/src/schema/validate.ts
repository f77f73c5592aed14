// Inline validation in the browser, from the same schema the server checks
// with ajv. It covers the keywords the config schemas use and says what to do
// in words; the server still has the last word (cross-object checks such as
// "an existing side" come back as problems and are shown at the field too).
import { isChoiceSchema, isObject, type JsonSchema } from './json-schema.js';

export interface Problem {
  /** JSON Pointer of the field, as the API reports it: `/trunks/0/name`. */
  path: string;
  message: string;
}

const regexCache = new Map<string, RegExp | null>();

function compile(pattern: string): RegExp | null {
  if (!regexCache.has(pattern)) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      try {
        re = new RegExp(pattern);
      } catch {
        re = null;
      }
    }
    regexCache.set(pattern, re);
  }
  return regexCache.get(pattern) ?? null;
}

export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function childPath(path: string, key: string | number): string {
  return `${path}/${escapePointer(String(key))}`;
}

// Patterns the config schemas use, said in words (the pattern itself is
// still shown for any other).
const PATTERN_WORDS: Record<string, string> = {
  '^[a-z0-9_-]{1,32}$': 'use 1 to 32 lower-case letters, digits, _ or -',
  '^([a-z0-9_-]{1,32})?$': 'leave empty, or use 1 to 32 lower-case letters, digits, _ or -',
  '^([A-Z]{2})?$': 'leave empty, or give two capital letters (a country code such as GB)',
  '^[+0-9]*$': 'use digits and + only',
  '^[^\\r\\n]*$': 'must fit on one line',
  '^[^"\\\\\\s]*$': 'no spaces, quotes or backslashes',
  '^[0-9]{1,15}\\*?$': 'use 1 to 15 digits, optionally ending in *',
  '^[\\x20-\\x7e]*$': 'use printable ASCII characters only',
  '^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$': 'use letters, digits, . and - (starting with a letter or digit), up to 63 characters',
  '^(|\\d{4}-\\d{2}-\\d{2})$': 'leave empty, or give a date as YYYY-MM-DD',
  '^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$': 'leave empty, or give a UUID (8-4-4-4-12 hex digits)',
};

export function patternMessage(pattern: string): string {
  return PATTERN_WORDS[pattern] ?? `must match the pattern ${pattern}`;
}

function typeOk(schema: JsonSchema, v: unknown): boolean {
  switch (schema.type) {
    case undefined:
      return true;
    case 'object':
      return isObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
  }
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a group of fields',
  array: 'a list',
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'on or off',
  null: 'empty',
};

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every problem of `value` against `schema`, with the path of the field it is about. */
export function validate(schema: JsonSchema, value: unknown, path = ''): Problem[] {
  const out: Problem[] = [];
  const add = (message: string, at = path): void => {
    out.push({ path: at, message });
  };

  if (value === undefined) return out; // absence is judged by the parent's `required`
  if (!typeOk(schema, value)) {
    add(`must be ${TYPE_WORDS[schema.type ?? ''] ?? schema.type}`);
    return out;
  }
  if (schema.const !== undefined && !same(schema.const, value)) add(`must be ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.some((e) => same(e, value))) {
    add(`must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  }

  if (typeof value === 'string') {
    // Lengths count code points, as ajv does.
    const len = [...value].length;
    if (schema.minLength !== undefined && len < schema.minLength) {
      add(schema.minLength === 1 ? 'must not be empty' : `must be at least ${plural(schema.minLength, 'character', 'characters')}`);
    }
    if (schema.maxLength !== undefined && len > schema.maxLength) add(`must be at most ${plural(schema.maxLength, 'character', 'characters')}`);
    if (schema.pattern !== undefined) {
      const re = compile(schema.pattern);
      if (re && !re.test(value)) add(patternMessage(schema.pattern));
    }
  }

  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) add(`must be ${schema.minimum} or more`);
    if (schema.maximum !== undefined && value > schema.maximum) add(`must be ${schema.maximum} or less`);
  }

  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) add(`needs at least ${plural(schema.minItems, 'entry', 'entries')}`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) add(`may have at most ${plural(schema.maxItems, 'entry', 'entries')}`);
    if (schema.uniqueItems) {
      const seen = new Map<string, number>();
      value.forEach((item, i) => {
        const k = JSON.stringify(item);
        const first = seen.get(k);
        if (first !== undefined) add(`repeats entry ${first + 1}`, childPath(path, i));
        else seen.set(k, i);
      });
    }
    if (schema.items) value.forEach((item, i) => out.push(...validate(schema.items!, item, childPath(path, i))));
  }

  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (isChoiceSchema(schema)) {
      const names = Object.keys(schema.properties ?? {}).join(', ');
      if (keys.length !== 1) add(`choose exactly one of ${names}`);
    } else {
      if (schema.minProperties !== undefined && keys.length < schema.minProperties) add(`needs at least ${plural(schema.minProperties, 'entry', 'entries')}`);
      if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) add(`may have at most ${plural(schema.maxProperties, 'entry', 'entries')}`);
    }
    // A required text field left empty is "missing" to a person (when the
    // schema would refuse "" anyway): say that once instead of the pattern.
    const missing = new Set<string>();
    for (const req of schema.required ?? []) {
      const v = value[req];
      const prop = schema.properties?.[req];
      // Absent fields with a default are filled in by the server (ajv useDefaults).
      if ((v === undefined && prop?.default === undefined) || (v === '' && prop?.default === undefined && prop?.type === 'string' && validate(prop, '').length > 0)) {
        missing.add(req);
        add('is required', childPath(path, req));
      }
    }
    for (const k of keys) {
      if (missing.has(k)) continue;
      const prop = schema.properties?.[k];
      if (prop) {
        out.push(...validate(prop, value[k], childPath(path, k)));
      } else if (schema.additionalProperties === false) {
        add('is not a known field', childPath(path, k));
      } else if (typeof schema.additionalProperties === 'object') {
        if (schema.propertyNames?.pattern) {
          const re = compile(schema.propertyNames.pattern);
          if (re && !re.test(k)) add(`name "${k}": ${patternMessage(schema.propertyNames.pattern)}`, childPath(path, k));
        }
        out.push(...validate(schema.additionalProperties, value[k], childPath(path, k)));
      }
    }
  }
  return out;
}

/** Problems grouped by path, for showing each at its field. */
export function byPath(problems: Problem[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const p of problems) {
    const list = m.get(p.path) ?? [];
    if (!list.includes(p.message)) list.push(p.message);
    m.set(p.path, list);
  }
  return m;
}
