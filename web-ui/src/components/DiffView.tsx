// Candidate vs running, one line per changed field (paths as the store
// reports them: arrays of named objects by name, so /trunks/vonage/side).
import type { Change } from '../state/config.js';

function show(v: unknown): string {
  if (v === undefined) return '';
  const s = JSON.stringify(v);
  return s.length > 400 ? `${s.slice(0, 400)}…` : s;
}

// An added or removed object is shown field by field, like a change.
function flatten(changes: Change[]): Change[] {
  const out: Change[] = [];
  const walk = (op: Change['op'], path: string, v: unknown): void => {
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) {
      for (const [k, x] of Object.entries(v)) walk(op, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, x);
    } else out.push(op === 'add' ? { path, op, to: v } : { path, op, from: v });
  };
  for (const c of changes) {
    if (c.op === 'change') out.push(c);
    else walk(c.op, c.path, c.op === 'add' ? c.to : c.from);
  }
  return out;
}

export function DiffView(p: { changes: Change[] }) {
  const rows = flatten(p.changes);
  if (p.changes.length === 0) return <p class="empty">No changes: the candidate is the running config.</p>;
  return (
    <table class="diff">
      <caption class="sr-only">Changes from the running config to the candidate</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Change</th>
          <th scope="col">Running</th>
          <th scope="col">Candidate</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => (
          <tr key={`${c.op}${c.path}`} class={`op-${c.op}`}>
            <td>
              <code>{c.path}</code>
            </td>
            <td>{c.op === 'add' ? 'added' : c.op === 'remove' ? 'removed' : 'changed'}</td>
            <td>
              <code class="from">{show(c.from)}</code>
            </td>
            <td>
              <code class="to">{show(c.to)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
