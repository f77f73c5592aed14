// Lists. Lists of plain values (addresses, codecs, numbers) are a textarea,
// one entry per line: quick to paste into, and a problem names its line.
// Lists of objects (endpoints, header rules, a route's PBXs) are one group
// per entry with buttons to add, remove and reorder.
import { useEffect, useState } from 'preact/hooks';
import type { JsonValue } from '../../schema/json-schema.js';
import { isObject } from '../../schema/json-schema.js';
import { initialValue } from '../../schema/defaults.js';
import { childPath } from '../../schema/validate.js';
import { FieldShell } from './FieldShell.js';
import type { GroupProps } from './ObjectField.js';
import { SchemaField } from './SchemaField.js';
import { fieldId, useForm } from './context.js';

function itemProblems(problems: Map<string, string[]>, path: string): string[] {
  const out: string[] = [];
  for (const [p, msgs] of problems) {
    const m = p.startsWith(`${path}/`) ? /^(\d+)(?:\/|$)/.exec(p.slice(path.length + 1)) : null;
    if (m) for (const msg of msgs) out.push(`line ${Number(m[1]) + 1}: ${msg}`);
  }
  return out;
}

function LinesField(p: GroupProps & { required: boolean }) {
  const form = useForm();
  const list = Array.isArray(p.value) ? p.value : [];
  const numeric = p.schema.items?.type === 'integer' || p.schema.items?.type === 'number';
  const toText = (l: JsonValue[]): string => l.map((v) => String(v)).join('\n');
  const [text, setText] = useState(toText(list));
  useEffect(() => {
    const parsedNow = parse(text);
    if (JSON.stringify(parsedNow) !== JSON.stringify(list)) setText(toText(list));
  }, [JSON.stringify(list)]);
  function parse(t: string): JsonValue[] {
    return t
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .map((l) => (numeric && l !== '' && Number.isFinite(Number(l)) ? Number(l) : l));
  }
  const extra = form.shown(p.path) ? itemProblems(form.problems, p.path) : [];
  const lines = Math.min(12, Math.max(3, list.length + 1));
  return (
    <FieldShell
      path={p.path}
      label={`${p.label} (one per line)`}
      description={p.schema.description}
      required={p.required}
      extraProblems={extra}
    >
      {(a11y) => (
        <textarea
          {...a11y}
          name={p.path}
          rows={lines}
          value={text}
          readOnly={form.readOnly}
          spellcheck={false}
          onInput={(e) => {
            const t = (e.currentTarget as HTMLTextAreaElement).value;
            setText(t);
            p.onChange(parse(t));
          }}
          onBlur={() => form.touch(p.path)}
        />
      )}
    </FieldShell>
  );
}

function itemTitle(v: JsonValue | undefined, i: number): string {
  if (isObject(v)) {
    for (const k of ['name', 'host', 'pbx', 'action']) {
      const x = v[k];
      if (typeof x === 'string' && x) return `${i + 1}. ${x}${k === 'action' && typeof v.name === 'string' ? ` ${v.name}` : ''}`;
    }
  }
  return `${i + 1}.`;
}

function ItemsField(p: GroupProps) {
  const form = useForm();
  const list = Array.isArray(p.value) ? p.value : [];
  const items = p.schema.items ?? {};
  const set = (next: JsonValue[]): void => {
    p.onChange(next);
    form.touch(p.path);
  };
  const move = (i: number, by: number): void => {
    const next = [...list];
    const [x] = next.splice(i, 1);
    next.splice(i + by, 0, x as JsonValue);
    set(next);
  };
  const problems = form.shown(p.path) ? (form.problems.get(p.path) ?? []) : [];
  const full = p.schema.maxItems !== undefined && list.length >= p.schema.maxItems;
  return (
    <fieldset class="group list" id={fieldId(p.path)} data-path={p.path}>
      <legend>{p.label}</legend>
      {p.schema.description ? <p class="help">{p.schema.description}</p> : null}
      {problems.length ? (
        <ul class="problems" role="alert">
          {problems.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
      {list.length === 0 ? <p class="empty">None.</p> : null}
      <ol class="items">
        {list.map((v, i) => (
          <li key={i} class="item">
            <SchemaField
              schema={{ ...items, description: undefined }}
              name={p.name}
              label={itemTitle(v, i)}
              value={v}
              path={childPath(p.path, i)}
              onChange={(nv) => set(list.map((x, j) => (j === i ? (nv as JsonValue) : x)))}
            />
            {form.readOnly ? null : (
              <div class="item-actions">
                <button type="button" class="small" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move ${itemTitle(v, i)} up`}>
                  Up
                </button>
                <button
                  type="button"
                  class="small"
                  disabled={i === list.length - 1}
                  onClick={() => move(i, 1)}
                  aria-label={`Move ${itemTitle(v, i)} down`}
                >
                  Down
                </button>
                <button type="button" class="small danger" onClick={() => set(list.filter((_, j) => j !== i))} aria-label={`Remove ${itemTitle(v, i)}`}>
                  Remove
                </button>
              </div>
            )}
          </li>
        ))}
      </ol>
      {form.readOnly ? null : (
        <button type="button" class="small" disabled={full} onClick={() => set([...list, (initialValue(items) ?? {}) as JsonValue])}>
          Add to {p.label.toLowerCase()}
        </button>
      )}
    </fieldset>
  );
}

export function ArrayField(p: GroupProps & { required: boolean }) {
  const itemType = p.schema.items?.type;
  if (itemType === 'object' || itemType === 'array') return <ItemsField {...p} />;
  return <LinesField {...p} />;
}
