// A group of fields (a trunk's caller_id, media, …) as a fieldset. Plain
// fields come first, nested groups and lists after them, in schema order.
import type { JsonSchema, JsonValue } from '../../schema/json-schema.js';
import { isObject, needsValue } from '../../schema/json-schema.js';
import { childPath } from '../../schema/validate.js';
import { SchemaField } from './SchemaField.js';
import { fieldId, useForm } from './context.js';

export interface GroupProps {
  schema: JsonSchema;
  value: JsonValue | undefined;
  onChange: (v: JsonValue | undefined) => void;
  path: string;
  label: string;
  name: string;
  /** The form's root group has no frame. */
  bare?: boolean;
  /** Fields not to show (the name of an object edited under its own name). */
  hide?: string[];
}

function isPlain(s: JsonSchema): boolean {
  return s.type !== 'object' && s.type !== 'array';
}

export function ObjectField(p: GroupProps) {
  const form = useForm();
  const obj = isObject(p.value) ? p.value : {};
  const entries = Object.entries(p.schema.properties ?? {}).filter(([k]) => !p.hide?.includes(k));
  const ordered = [...entries.filter(([, s]) => isPlain(s)), ...entries.filter(([, s]) => !isPlain(s))];
  const set = (key: string, v: JsonValue | undefined): void => {
    const next = { ...obj };
    if (v === undefined) delete next[key];
    else next[key] = v;
    p.onChange(next);
  };
  const problems = form.shown(p.path) ? (form.problems.get(p.path) ?? []) : [];
  const body = (
    <>
      {problems.length && !p.bare ? (
        <ul class="problems" role="alert">
          {problems.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
      {ordered.map(([key, s]) => (
        <SchemaField
          key={key}
          schema={s}
          name={key}
          value={obj[key]}
          path={childPath(p.path, key)}
          required={needsValue(p.schema, key)}
          onChange={(v) => set(key, v)}
        />
      ))}
    </>
  );
  if (p.bare) return <div class="fields">{body}</div>;
  return (
    <fieldset class="group" id={fieldId(p.path)} data-path={p.path}>
      <legend>{p.label}</legend>
      {p.schema.description ? <p class="help">{p.schema.description}</p> : null}
      {body}
    </fieldset>
  );
}
