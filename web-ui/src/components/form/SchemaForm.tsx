// A whole editor generated from one object's schema: the value being edited,
// the schema check on every change (problems shown once a field was left, or
// all of them after a save attempt), the server's problems at their fields,
// and the first problem focused when a save is refused.
import type { ComponentChildren } from 'preact';
import { useMemo, useRef, useState } from 'preact/hooks';
import type { JsonSchema, JsonValue } from '../../schema/json-schema.js';
import { pruneDefaults } from '../../schema/prune.js';
import { byPath, validate, type Problem } from '../../schema/validate.js';
import { ObjectField } from './ObjectField.js';
import { SchemaField } from './SchemaField.js';
import { FormContext, fieldId, type FormContextValue } from './context.js';

export interface SchemaFormProps {
  schema: JsonSchema;
  /** The object as loaded (or its starting value when new). */
  initial: JsonValue;
  /** Resolves when saved; rejects with problems to show (already relative to this form). */
  onSubmit: (value: JsonValue) => Promise<void>;
  serverProblems?: Problem[];
  readOnly?: boolean;
  suggestions?: (key: string) => string[] | undefined;
  submitLabel?: string;
  /** Fields not shown (an object's name when it is fixed by the page). */
  hide?: string[];
  /** Extra fields shown before the generated ones (the name of a new side). */
  before?: ComponentChildren;
  /** Buttons after Save (Delete, Cancel). */
  actions?: ComponentChildren;
  /** Extra problems from the page's own fields, counted as blocking. */
  extraProblems?: Problem[];
  label: string;
  /** A new object: its starting values are schema defaults, and the untouched ones are not sent. */
  fresh?: boolean;
}

function pointerGet(doc: unknown, path: string): unknown {
  if (!path) return doc;
  let cur: unknown = doc;
  for (const raw of path.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function SchemaForm(p: SchemaFormProps) {
  const [value, setValue] = useState<JsonValue>(p.initial);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const changed = useRef(new Set<string>());

  const local = useMemo(() => validate(p.schema, value), [p.schema, value]);
  const all = useMemo(() => [...local, ...(p.extraProblems ?? []), ...(p.serverProblems ?? [])], [local, p.extraProblems, p.serverProblems]);
  const problems = useMemo(() => byPath(all), [all]);

  const ctx: FormContextValue = {
    problems,
    // A field's problems show once it was left, after a save attempt, and
    // always for what the server said.
    shown: (path) => submitted || touched.has(path) || !!p.serverProblems?.some((x) => x.path === path),
    touch: (path) => {
      if (!touched.has(path)) setTouched(new Set(touched).add(path));
    },
    readOnly: !!p.readOnly,
    suggestions: p.suggestions ?? (() => undefined),
    originalAt: (path) => pointerGet(p.initial, path),
    markChanged: (path) => {
      changed.current.add(path);
    },
  };

  const focusFirstProblem = (list: Problem[]): void => {
    // After the re-render that shows the messages.
    setTimeout(() => {
      const form = formRef.current;
      if (!form) return;
      let el: HTMLElement | null = null;
      for (const pr of list) {
        el = form.querySelector<HTMLElement>(`#${CSS.escape(fieldId(pr.path))}`);
        if (el) break;
      }
      el ??= form.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form.querySelector<HTMLElement>('.invalid, .problems');
      if (!el) return;
      const target = el.matches('input,select,textarea,button') ? el : el.querySelector<HTMLElement>('input,select,textarea,button');
      (target ?? el).focus();
    }, 50);
  };

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setSubmitted(true);
    const blocking = [...local, ...(p.extraProblems ?? [])];
    if (blocking.length) {
      focusFirstProblem(blocking);
      return;
    }
    setBusy(true);
    try {
      await p.onSubmit(pruneDefaults(p.schema, value, p.fresh ? {} : p.initial, changed.current));
      setDirty(false);
    } catch {
      // the page shows the server's problems through serverProblems
      focusFirstProblem([]);
    } finally {
      setBusy(false);
    }
  };

  const count = submitted ? all.length : 0;
  return (
    <FormContext.Provider value={ctx}>
      <form ref={formRef} class="schema-form" onSubmit={submit} aria-label={p.label} noValidate>
        {p.before}
        {p.schema.type === 'object' ? (
          <ObjectField
            schema={p.schema}
            value={value}
            path=""
            label={p.label}
            name=""
            bare
            hide={p.hide}
            onChange={(v) => {
              setValue((v ?? {}) as JsonValue);
              setDirty(true);
            }}
          />
        ) : (
          <SchemaField schema={p.schema} value={value} path="" name="" label={p.label} onChange={(v) => setValue(v as JsonValue)} />
        )}
        <div class="form-actions">
          {count ? (
            <p class="problem-count" role="status">
              {count === 1 ? '1 problem to fix' : `${count} problems to fix`}
            </p>
          ) : null}
          {p.readOnly ? null : (
            <button type="submit" class="primary" disabled={busy}>
              {busy ? 'Saving…' : (p.submitLabel ?? 'Save to candidate')}
            </button>
          )}
          {dirty ? <span class="unsaved">Unsaved changes</span> : null}
          {p.actions}
        </div>
      </form>
    </FormContext.Provider>
  );
}
