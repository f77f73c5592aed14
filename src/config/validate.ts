// Validation: JSON Schema first (ajv, defaults filled in, every error
// collected), then the semantic checks a schema cannot express. Either the
// whole document is good or a ConfigError lists every problem.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { canonicalize } from './canonical.js';
import { fillDependentDefaults } from './dependent-defaults.js';
import type { ConfigDocument } from './document.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { documentSchema } from './schema/index.js';
import { semanticProblems } from './semantic.js';

let compiled: ValidateFunction<ConfigDocument> | undefined;

function validator(): ValidateFunction<ConfigDocument> {
  compiled ??= new Ajv({ allErrors: true, useDefaults: true, strict: true }).compile(documentSchema);
  return compiled;
}

export function pointerEscape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function problemOf(e: ErrorObject): ConfigProblem {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: `${e.instancePath}/${pointerEscape(String(p.additionalProperty))}`, message: 'unknown field' };
    case 'required':
      return { path: `${e.instancePath}/${pointerEscape(String(p.missingProperty))}`, message: 'is required' };
    case 'propertyNames':
      return {
        path: `${e.instancePath}/${pointerEscape(String(p.propertyName))}`,
        message: 'name must match ^[a-z0-9_-]{1,32}$',
      };
    case 'enum':
      return {
        path: e.instancePath,
        message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'minProperties':
    case 'maxProperties':
      if (/^\/routes\/\d+\/to$/.test(e.instancePath)) {
        return { path: e.instancePath, message: 'must name exactly one of trunk, pbx, pbxs' };
      }
      return { path: e.instancePath, message: e.message ?? e.keyword };
    default:
      return { path: e.instancePath, message: e.message ?? e.keyword };
  }
}

// Structural check only; fills defaults into `doc` in place.
export function schemaProblems(doc: unknown): ConfigProblem[] {
  const validate = validator();
  if (validate(doc)) return [];
  const seen = new Set<string>();
  const out: ConfigProblem[] = [];
  for (const e of validate.errors ?? []) {
    // propertyNames reports the inner pattern failure too; the wrapper says it better.
    if (e.propertyName !== undefined && e.keyword !== 'propertyNames') continue;
    const prob = problemOf(e);
    const key = `${prob.path}\u0000${prob.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(prob);
    }
  }
  return out;
}

// Returns a validated copy with defaults filled in, keys in canonical
// (schema) order; never modifies `input`.
export function validateDocument(input: unknown): ConfigDocument {
  const doc: unknown = structuredClone(input);
  fillDependentDefaults(doc);
  const problems = [...schemaProblems(doc), ...semanticProblems(doc)];
  if (problems.length > 0) throw new ConfigError(problems);
  return canonicalize(doc as ConfigDocument, { secrets: true });
}
