// Every commit, newest first, with a rollback to any of them.
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api/client.js';
import { onEvent } from '../api/events.js';
import { announce } from '../components/Toast.js';
import { listOf, refreshPending, type CommitInfo } from '../state/config.js';
import { canEdit } from '../state/session.js';

export function HistoryPage() {
  const [list, setList] = useState<CommitInfo[] | undefined>(undefined);
  const [error, setError] = useState('');
  const load = (): void => {
    api.get<unknown>('/config/history').then(
      (b) => setList(listOf<CommitInfo>(b, 'commits').sort((a, b) => b.id - a.id)),
      (err: unknown) => setError(messageOf(err)),
    );
  };
  useEffect(() => {
    load();
    return onEvent('commit', load);
  }, []);
  const newest = list?.[0]?.id;
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Commit history</h1>
      <p class="help">Rolling back makes an earlier commit's config running again, as a new commit (the candidate follows).</p>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {list === undefined ? (
        <p class="loading">Loading…</p>
      ) : (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Kind</th>
              <th scope="col">Comment</th>
              {canEdit.value ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.id}>
                <th scope="row">{c.id}</th>
                <td>{new Date(c.at).toLocaleString()}</td>
                <td>{c.user}</td>
                <td>
                  {c.kind}
                  {c.rollbackOf ? ` of ${c.rollbackOf}` : ''}
                  {c.confirmState ? ` (${c.confirmState})` : ''}
                </td>
                <td>{c.comment}</td>
                {canEdit.value ? (
                  <td>
                    {c.id === newest ? (
                      <span class="muted">running</span>
                    ) : (
                      <button
                        type="button"
                        class="small"
                        onClick={async () => {
                          if (!confirm(`Make the config of commit ${c.id} running again?`)) return;
                          try {
                            await api.post('/config/rollback', { n: c.id });
                            announce(`Rolled back to commit ${c.id}`);
                            await refreshPending();
                            load();
                          } catch (err) {
                            setError(messageOf(err));
                          }
                        }}
                      >
                        Roll back to this
                      </button>
                    )}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
