// Sources the firewall banned (scanners, unknown WAN sources, floods): clear
// one or all.
import { useState } from 'preact/hooks';
import { api, messageOf } from '../api/client.js';
import { bansIn } from '../api/shapes.js';
import { announce } from '../components/Toast.js';
import { useLive } from '../hooks/live.js';
import { canEdit } from '../state/session.js';

export function BansPage() {
  const bans = useLive<unknown>('/bans', 'bans', 15_000);
  const [error, setError] = useState('');
  const list = bansIn(bans.data);
  const run = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
      announce(what);
      setError('');
      bans.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Bans</h1>
      <p class="help">Addresses the firewall drops for now. A ban ends by itself after its timeout; clearing it lets the source in at once.</p>
      {error || bans.error ? (
        <p class="error" role="alert">
          {error || bans.error}
        </p>
      ) : null}
      {bans.data === undefined ? (
        <p class="loading">Loading…</p>
      ) : list.length === 0 ? (
        <p class="empty">No address is banned.</p>
      ) : (
        <>
          {canEdit.value ? (
            <p>
              <button
                type="button"
                class="danger"
                onClick={() => confirm(`Clear all ${list.length} bans?`) && void run('All bans cleared', () => api.del('/bans'))}
              >
                Clear all
              </button>
            </p>
          ) : null}
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Address</th>
                <th scope="col">Reason</th>
                <th scope="col">Until</th>
                {canEdit.value ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {list.map((b) => (
                <tr key={b.ip}>
                  <th scope="row">
                    <code>{b.ip}</code>
                  </th>
                  <td>
                    {b.reason}
                    {b.detail ? <span class="muted"> ({b.detail})</span> : null}
                  </td>
                  <td>{b.expiresAt ? new Date(b.expiresAt).toLocaleString() : ''}</td>
                  {canEdit.value ? (
                    <td>
                      <button type="button" class="small" aria-label={`Clear ban of ${b.ip}`} onClick={() => void run(`Ban of ${b.ip} cleared`, () => api.del(`/bans/${encodeURIComponent(b.ip)}`))}>
                        Clear
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
