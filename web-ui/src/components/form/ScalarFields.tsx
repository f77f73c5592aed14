// Inputs for single values: text, numbers, on/off, a choice from an enum,
// and write-only secrets.
import { useEffect, useState } from 'preact/hooks';
import type { JsonSchema, JsonValue } from '../../schema/json-schema.js';
import { FieldShell } from './FieldShell.js';
import { fieldId, useForm } from './context.js';

export interface ScalarProps {
  schema: JsonSchema;
  value: JsonValue | undefined;
  onChange: (v: JsonValue | undefined) => void;
  path: string;
  label: string;
  name: string;
  required: boolean;
}

export function TextField(p: ScalarProps) {
  const form = useForm();
  // A reference to another object (a side, a trunk): its names as suggestions.
  const list = form.suggestions(p.name);
  const listId = list ? `${fieldId(p.path)}-names` : undefined;
  return (
    <FieldShell path={p.path} label={p.label} description={p.schema.description} required={p.required}>
      {(a11y) => (
        <>
          <input
            {...a11y}
            type="text"
            name={p.path}
            value={typeof p.value === 'string' ? p.value : p.value === undefined ? '' : String(p.value)}
            readOnly={form.readOnly}
            maxLength={p.schema.maxLength}
            placeholder={typeof p.schema.default === 'string' && p.schema.default !== '' ? p.schema.default : undefined}
            list={listId}
            autoComplete="off"
            spellcheck={false}
            onInput={(e) => p.onChange((e.currentTarget as HTMLInputElement).value)}
            onBlur={() => form.touch(p.path)}
          />
          {listId ? (
            <datalist id={listId}>
              {(list ?? []).map((n) => (
                <option key={n} value={n} />
              ))}
            </datalist>
          ) : null}
        </>
      )}
    </FieldShell>
  );
}

export function NumberField(p: ScalarProps) {
  const form = useForm();
  // The text as typed, so "1." or "-" can be on the way to a number.
  const [text, setText] = useState(p.value === undefined ? '' : String(p.value));
  useEffect(() => {
    if (p.value === undefined ? text !== '' : Number(text) !== p.value) setText(p.value === undefined ? '' : String(p.value));
  }, [p.value]);
  return (
    <FieldShell path={p.path} label={p.label} description={p.schema.description} required={p.required}>
      {(a11y) => (
        <input
          {...a11y}
          type="number"
          name={p.path}
          value={text}
          readOnly={form.readOnly}
          min={p.schema.minimum}
          max={p.schema.maximum}
          step={p.schema.type === 'integer' ? 1 : 'any'}
          inputMode={p.schema.type === 'integer' ? 'numeric' : 'decimal'}
          onInput={(e) => {
            const t = (e.currentTarget as HTMLInputElement).value;
            setText(t);
            const n = Number(t);
            p.onChange(t.trim() === '' ? undefined : Number.isFinite(n) ? n : t);
          }}
          onBlur={() => form.touch(p.path)}
        />
      )}
    </FieldShell>
  );
}

export function BooleanField(p: ScalarProps) {
  const form = useForm();
  return (
    <FieldShell path={p.path} label={p.label} description={p.schema.description}>
      {(a11y) => (
        <input
          {...a11y}
          type="checkbox"
          name={p.path}
          checked={p.value === true}
          disabled={form.readOnly}
          onChange={(e) => {
            p.onChange((e.currentTarget as HTMLInputElement).checked);
            form.touch(p.path);
          }}
        />
      )}
    </FieldShell>
  );
}

export function EnumField(p: ScalarProps) {
  const form = useForm();
  const options = p.schema.enum ?? [];
  const index = options.findIndex((o) => JSON.stringify(o) === JSON.stringify(p.value));
  return (
    <FieldShell path={p.path} label={p.label} description={p.schema.description} required={p.required}>
      {(a11y) => (
        <select
          {...a11y}
          name={p.path}
          disabled={form.readOnly}
          value={index >= 0 ? String(index) : ''}
          onChange={(e) => {
            const i = Number((e.currentTarget as HTMLSelectElement).value);
            p.onChange(options[i]);
            form.touch(p.path);
          }}
        >
          {index < 0 ? <option value="">(choose)</option> : null}
          {options.map((o, i) => (
            <option key={i} value={String(i)}>
              {o === '' ? '(none)' : String(o)}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}

/** The mask the API returns for a secret that is set (src/config/schema/common.ts SECRET_MASK). */
export const SECRET_MASK = '********';

/**
 * A write-only secret: never pre-filled. The API reads it back as the mask
 * when one is stored; sending the mask back keeps it. Typing replaces it;
 * "Remove" sets it to "".
 */
export function SecretField(p: ScalarProps & { original: JsonValue | undefined }) {
  const form = useForm();
  const stored = p.original === SECRET_MASK;
  const typed = typeof p.value === 'string' && p.value !== SECRET_MASK ? p.value : '';
  const removed = stored && p.value === '';
  return (
    <FieldShell path={p.path} label={p.label} description={p.schema.description} required={p.required}>
      {(a11y) => (
        <div class="secret">
          <input
            {...a11y}
            type="password"
            name={p.path}
            value={typed}
            readOnly={form.readOnly}
            autoComplete="new-password"
            placeholder={removed ? 'will be removed' : stored ? 'stored: type to replace' : 'not set'}
            onInput={(e) => {
              const t = (e.currentTarget as HTMLInputElement).value;
              p.onChange(t === '' && stored ? SECRET_MASK : t);
            }}
            onBlur={() => form.touch(p.path)}
          />
          {stored && !form.readOnly ? (
            <label class="inline">
              <input
                type="checkbox"
                checked={removed}
                onChange={(e) => p.onChange((e.currentTarget as HTMLInputElement).checked ? '' : SECRET_MASK)}
              />
              Remove
            </label>
          ) : null}
        </div>
      )}
    </FieldShell>
  );
}
