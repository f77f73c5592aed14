// Call records: search by number (caller or callee), time range and result.
import { useState } from 'preact/hooks';
import { api, messageOf } from '../api/client.js';
import { cdrView, listIn, type CdrView } from '../api/shapes.js';

function localInput(t: number): string {
  const d = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

// src/cdr/record.ts CALL_RESULTS
const RESULTS = ['', 'answered', 'busy', 'no-answer', 'canceled', 'rejected', 'failed'];

export function CdrsPage() {
  const [number, setNumber] = useState('');
  const [from, setFrom] = useState(localInput(Date.now() - 24 * 3600_000));
  const [to, setTo] = useState('');
  const [result, setResult] = useState('');
  const [limit, setLimit] = useState(100);
  const [rows, setRows] = useState<CdrView[] | undefined>(undefined);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const search = async (e?: Event): Promise<void> => {
    e?.preventDefault();
    const q = new URLSearchParams();
    if (number.trim()) q.set('number', number.trim());
    if (from) q.set('from', new Date(from).toISOString());
    if (to) q.set('to', new Date(to).toISOString());
    if (result) q.set('result', result);
    q.set('limit', String(limit));
    setBusy(true);
    try {
      setRows(listIn(await api.get<unknown>(`/cdrs?${q.toString()}`), 'cdrs', 'records').map(cdrView));
      setError('');
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Call records</h1>
      <form class="search" onSubmit={search} aria-label="Search call records">
        <div class="field">
          <label for="cdr-number">Number</label>
          <input id="cdr-number" type="search" inputMode="tel" value={number} onInput={(e) => setNumber((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="cdr-from">From</label>
          <input id="cdr-from" type="datetime-local" value={from} onInput={(e) => setFrom((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="cdr-to">To</label>
          <input id="cdr-to" type="datetime-local" value={to} onInput={(e) => setTo((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="cdr-result">Result</label>
          <select id="cdr-result" value={result} onChange={(e) => setResult((e.currentTarget as HTMLSelectElement).value)}>
            {RESULTS.map((r) => (
              <option key={r} value={r}>
                {r || 'any'}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="cdr-limit">At most</label>
          <input id="cdr-limit" type="number" min={1} max={10000} value={limit} onInput={(e) => setLimit(Number((e.currentTarget as HTMLInputElement).value) || 100)} />
        </div>
        <button type="submit" class="primary" disabled={busy}>
          Search
        </button>
      </form>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {rows === undefined ? null : rows.length === 0 ? (
        <p class="empty" role="status">
          No call records match.
        </p>
      ) : (
        <table class="list cdrs">
          <caption aria-live="polite">{rows.length === 1 ? '1 record' : `${rows.length} records`}</caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Caller</th>
              <th scope="col">Callee</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Result</th>
              <th scope="col">Duration</th>
              <th scope="col">MOS</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={r.id || i}>
                <td>{r.startedAt ? new Date(r.startedAt).toLocaleString() : ''}</td>
                <td>{r.caller}</td>
                <td>{r.callee}</td>
                <td>{r.from}</td>
                <td>{r.to}</td>
                <td>
                  {r.result}
                  {r.status ? ` (${r.status})` : ''}
                </td>
                <td class="num">{r.durationS === undefined ? '' : `${r.durationS} s`}</td>
                <td class="num">{r.mos === undefined ? '' : r.mos.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
