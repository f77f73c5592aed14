// A map of named groups (firewall address lists, per-trunk firewall
// settings): each entry under its name, a name field and a button to add one.
import { useState } from 'preact/hooks';
import type { JsonValue } from '../../schema/json-schema.js';
import { isObject } from '../../schema/json-schema.js';
import { initialValue } from '../../schema/defaults.js';
import { childPath } from '../../schema/validate.js';
import type { GroupProps } from './ObjectField.js';
import { SchemaField } from './SchemaField.js';
import { fieldId, useForm } from './context.js';

export function MapField(p: GroupProps) {
  const form = useForm();
  const obj = isObject(p.value) ? p.value : {};
  const entrySchema = typeof p.schema.additionalProperties === 'object' ? p.schema.additionalProperties : {};
  const [newName, setNewName] = useState('');
  const id = fieldId(p.path);
  const nameRe = p.schema.propertyNames?.pattern ? new RegExp(p.schema.propertyNames.pattern, 'u') : undefined;
  const nameProblem =
    newName === '' ? '' : obj[newName] !== undefined ? `"${newName}" exists already` : nameRe && !nameRe.test(newName) ? `must match ${p.schema.propertyNames?.pattern}` : '';
  const add = (): void => {
    if (!newName || nameProblem) return;
    p.onChange({ ...obj, [newName]: (initialValue(entrySchema) ?? {}) as JsonValue });
    setNewName('');
    form.touch(p.path);
  };
  const problems = form.shown(p.path) ? (form.problems.get(p.path) ?? []) : [];
  return (
    <fieldset class="group map" id={id} data-path={p.path}>
      <legend>{p.label}</legend>
      {p.schema.description ? <p class="help">{p.schema.description}</p> : null}
      {problems.length ? (
        <ul class="problems" role="alert">
          {problems.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
      {Object.keys(obj).length === 0 ? <p class="empty">None.</p> : null}
      {Object.entries(obj).map(([name, v]) => (
        <div class="item" key={name}>
          <SchemaField
            schema={{ ...entrySchema, description: undefined }}
            name={name}
            label={name}
            value={v}
            path={childPath(p.path, name)}
            onChange={(nv) => p.onChange({ ...obj, [name]: nv as JsonValue })}
          />
          {form.readOnly ? null : (
            <div class="item-actions">
              <button
                type="button"
                class="small danger"
                aria-label={`Remove ${name}`}
                onClick={() => {
                  const next = { ...obj };
                  delete next[name];
                  p.onChange(next);
                }}
              >
                Remove
              </button>
            </div>
          )}
        </div>
      ))}
      {form.readOnly ? null : (
        <div class="add-named">
          <label for={`${id}-new`}>New name</label>
          <input
            id={`${id}-new`}
            type="text"
            value={newName}
            aria-invalid={nameProblem ? 'true' : undefined}
            onInput={(e) => setNewName((e.currentTarget as HTMLInputElement).value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                add();
              }
            }}
          />
          <button type="button" class="small" disabled={!newName || !!nameProblem} onClick={add}>
            Add
          </button>
          {nameProblem ? <span class="problem-inline">{nameProblem}</span> : null}
        </div>
      )}
    </fieldset>
  );
}
