// Who changed what, when (admin only).
import { listIn, str } from '../api/shapes.js';
import { useLive } from '../hooks/live.js';

export function AuditPage() {
  const audit = useLive<unknown>('/audit', 'commit', 0);
  const rows = listIn(audit.data, 'audit', 'entries');
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Audit log</h1>
      {audit.error ? (
        <p class="error" role="alert">
          {audit.error}
        </p>
      ) : null}
      {audit.data === undefined ? (
        <p class="loading">Loading…</p>
      ) : (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">From</th>
              <th scope="col">Action</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                <td>{r.at ? new Date(str(r.at)).toLocaleString() : ''}</td>
                <td>{str(r.user)}</td>
                <td>{str(r.source)}</td>
                <td>{str(r.action)}</td>
                <td class="detail">{typeof r.detail === 'string' ? r.detail : JSON.stringify(r.detail ?? '')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
