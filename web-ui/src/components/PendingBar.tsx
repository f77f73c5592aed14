// The pending-changes bar, on every page: how many changes the candidate
// holds, their diff, commit (with a comment, optionally "confirmed": rolled
// back by the box unless confirmed within N minutes), discard; and while a
// confirmed commit waits, its deadline with Confirm and Roll back.
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api/client.js';
import { onEvent } from '../api/events.js';
import { changes, commitBefore, pendingConfirm, refreshPending, runningCommit, type CommitInfo } from '../state/config.js';
import { canEdit } from '../state/session.js';
import { DiffView } from './DiffView.js';
import { announce } from './Toast.js';

function minutesLeft(c: CommitInfo, now: number): number {
  return c.confirmBy ? Math.max(0, Math.ceil((Date.parse(c.confirmBy) - now) / 60_000)) : 0;
}

export function PendingBar() {
  const [open, setOpen] = useState(false);
  const [comment, setComment] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [minutes, setMinutes] = useState(5);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  // Re-rendered every 10 s so the minutes left count down.
  const [, setTick] = useState(0);

  useEffect(() => {
    void refreshPending().catch(() => undefined);
    const refresh = (): void => void refreshPending().catch(() => undefined);
    const offCommit = onEvent('commit', refresh);
    const offCandidate = onEvent('candidate', refresh);
    const t = setInterval(() => setTick((n) => n + 1), 10_000);
    return () => {
      offCommit();
      offCandidate();
      clearInterval(t);
    };
  }, []);

  const act = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setError('');
    try {
      await fn();
      announce(what);
      await refreshPending();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const list = changes.value;
  const pending = pendingConfirm.value;
  const running = runningCommit.value;

  const rollBackTo = (id: number, why: string): Promise<void> =>
    act('Rolled back', async () => {
      const before = await commitBefore(id);
      if (!before) throw new Error('There is no earlier commit to go back to.');
      if (!confirm(`Make the config of commit ${before.id} running again?`)) return;
      await api.post('/config/rollback', { n: before.id, comment: why });
    });

  const commit = (): Promise<void> =>
    act(confirmed ? `Committed: confirm within ${minutes} minutes` : 'Committed', async () => {
      await api.post('/config/commit', { comment, ...(confirmed ? { confirmMinutes: minutes } : {}) });
      setComment('');
      setOpen(false);
    });

  return (
    <section class={`pending${list.length === 0 && !pending ? ' quiet' : ''}`} aria-label="Pending changes">
      {pending ? (
        <div class="confirm-wait" role="status">
          <strong>Commit {pending.id} is not confirmed.</strong>{' '}
          {pending.confirmBy
            ? `It is rolled back at ${new Date(pending.confirmBy).toLocaleTimeString()} (${minutesLeft(pending, Date.now())} min left) unless confirmed.`
            : ''}
          {canEdit.value ? (
            <span class="buttons">
              <button type="button" class="primary" disabled={busy} onClick={() => void act('Commit confirmed', () => api.post('/config/confirm'))}>
                Confirm
              </button>
              <button
                type="button"
                class="danger"
                disabled={busy}
                onClick={() => void rollBackTo(pending.id, `rollback of unconfirmed commit ${pending.id}`)}
              >
                Roll back now
              </button>
            </span>
          ) : null}
        </div>
      ) : null}
      {list.length === 0 && !pending ? (
        <div class="changes quiet">
          <span role="status">
            No pending changes.
            {running ? ` Running: commit ${running.id} (${running.user}, ${new Date(running.at).toLocaleString()}${running.comment ? `: ${running.comment}` : ''}).` : ''}
          </span>
          {canEdit.value && running && running.kind !== 'initial' ? (
            <button type="button" class="small" disabled={busy} onClick={() => void rollBackTo(running.id, `rollback of commit ${running.id}`)}>
              Roll back this commit
            </button>
          ) : null}
        </div>
      ) : null}
      {list.length ? (
        <div class="changes">
          <span role="status">
            <strong>{list.length === 1 ? '1 pending change' : `${list.length} pending changes`}</strong> in the candidate (not running yet).
          </span>
          <button type="button" aria-expanded={open} aria-controls="pending-diff" onClick={() => setOpen(!open)}>
            {open ? 'Hide diff' : 'Show diff'}
          </button>
          {canEdit.value ? (
            <form
              class="commit"
              onSubmit={(e) => {
                e.preventDefault();
                void commit();
              }}
            >
              <label for="commit-comment">Comment</label>
              <input id="commit-comment" type="text" value={comment} maxLength={200} onInput={(e) => setComment((e.currentTarget as HTMLInputElement).value)} />
              <label class="inline">
                <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed((e.currentTarget as HTMLInputElement).checked)} />
                Confirmed, within
              </label>
              <label for="commit-minutes" class="sr-only">
                Minutes to confirm
              </label>
              <input
                id="commit-minutes"
                type="number"
                min={1}
                max={1440}
                value={minutes}
                disabled={!confirmed}
                class="minutes"
                onInput={(e) => setMinutes(Math.max(1, Math.min(1440, Number((e.currentTarget as HTMLInputElement).value) || 1)))}
              />
              <span aria-hidden="true">min</span>
              <button type="submit" class="primary" disabled={busy}>
                Commit
              </button>
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void act('Candidate discarded', () => api.post('/config/discard'))
                }
              >
                Discard
              </button>
            </form>
          ) : null}
        </div>
      ) : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {open && list.length ? (
        <div id="pending-diff" class="diff-panel">
          <DiffView changes={list} />
        </div>
      ) : null}
    </section>
  );
}
