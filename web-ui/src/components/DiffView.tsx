// Candidate vs running, one line per changed field (paths as the store
// reports them: arrays of named objects by name, so /trunks/vonage/side).
import type { Change } from '../state/config.js';

function show(v: unknown): string {
  if (v === undefined) return '';
  const s = JSON.stringify(v);
  return s.length > 400 ? `${s.slice(0, 400)}…` : s;
}

export function DiffView(p: { changes: Change[] }) {
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
        {p.changes.map((c) => (
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
