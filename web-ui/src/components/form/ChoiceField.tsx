// Exactly one of several properties (a route's target: trunk, pbx or an
// ordered list of pbxs): a radio group picks which, then its own editor.
import type { JsonValue } from '../../schema/json-schema.js';
import { isObject, labelOf } from '../../schema/json-schema.js';
import { initialValue } from '../../schema/defaults.js';
import { childPath } from '../../schema/validate.js';
import type { GroupProps } from './ObjectField.js';
import { SchemaField } from './SchemaField.js';
import { fieldId, useForm } from './context.js';

export function ChoiceField(p: GroupProps) {
  const form = useForm();
  const obj = isObject(p.value) ? p.value : {};
  const options = Object.entries(p.schema.properties ?? {});
  const chosen = options.find(([k]) => obj[k] !== undefined)?.[0];
  const choose = (key: string): void => {
    const s = p.schema.properties?.[key];
    if (!s) return;
    const v = s.type === 'array' && s.items ? [initialValue(s.items) ?? ''] : initialValue(s);
    p.onChange({ [key]: (v ?? '') as JsonValue });
    form.touch(p.path);
  };
  const problems = form.shown(p.path) ? (form.problems.get(p.path) ?? []) : [];
  const id = fieldId(p.path);
  return (
    <fieldset class="group choice" id={id} data-path={p.path}>
      <legend>{p.label}</legend>
      {p.schema.description ? <p class="help">{p.schema.description}</p> : null}
      <div class="radios" role="radiogroup" aria-label={p.label}>
        {options.map(([key]) => (
          <label class="inline" key={key}>
            <input
              type="radio"
              name={`${id}-choice`}
              value={key}
              checked={chosen === key}
              disabled={form.readOnly}
              onChange={() => choose(key)}
            />
            {labelOf(key)}
          </label>
        ))}
      </div>
      {problems.length ? (
        <ul class="problems" role="alert">
          {problems.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
      {chosen ? (
        <SchemaField
          schema={p.schema.properties![chosen]!}
          name={chosen}
          value={obj[chosen]}
          path={childPath(p.path, chosen)}
          required
          onChange={(v) => p.onChange(v === undefined ? {} : { [chosen]: v })}
        />
      ) : null}
    </fieldset>
  );
}
