// Label, help text and problems around one input. The input gets the id and
// aria-describedby from `fieldProps` so a screen reader reads the label, the
// help and the error together, and keyboard focus lands on the input itself.
import type { ComponentChildren } from 'preact';
import { fieldId, useForm } from './context.js';

export interface ShellProps {
  path: string;
  label: string;
  description?: string | undefined;
  required?: boolean;
  /** Extra problems not stored under this exact path (array items shown in one textarea). */
  extraProblems?: string[];
  children: (a11y: A11yProps) => ComponentChildren;
  /** A group (fieldset) uses a legend instead of a label. */
}

export interface A11yProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: 'true';
  'aria-required'?: 'true';
}


export function FieldShell(p: ShellProps) {
  const form = useForm();
  const id = fieldId(p.path);
  const own = form.shown(p.path) ? (form.problems.get(p.path) ?? []) : [];
  const problems = [...own, ...(p.extraProblems ?? [])];
  const described = [p.description ? `${id}-help` : '', problems.length ? `${id}-err` : ''].filter(Boolean).join(' ');
  const a11y: A11yProps = { id };
  if (described) a11y['aria-describedby'] = described;
  if (problems.length) a11y['aria-invalid'] = 'true';
  if (p.required) a11y['aria-required'] = 'true';
  return (
    <div class={`field${problems.length ? ' invalid' : ''}`} data-path={p.path}>
      {/* The asterisk stays out of the label: the accessible name is the
          field's name, and aria-required says it is required. */}
      <div class="label-cell">
        <label for={id}>{p.label}</label>
        {p.required ? (
          <span class="req" aria-hidden="true">
            {' '}
            *
          </span>
        ) : null}
      </div>
      {p.children(a11y)}
      {problems.length ? (
        <ul class="problems" id={`${id}-err`} role="alert">
          {problems.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
      {p.description ? (
        <p class="help" id={`${id}-help`}>
          {p.description}
        </p>
      ) : null}
    </div>
  );
}
