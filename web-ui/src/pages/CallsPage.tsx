import { callsFromEvent, callsIn } from '../api/shapes.js';
import { CallsTable } from '../components/CallsTable.js';
import { useLive } from '../hooks/live.js';

export function CallsPage() {
  const calls = useLive<unknown>('/calls', 'calls', 2000, callsFromEvent);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Live calls</h1>
      <p class="help">Per leg: the caller's side (a) and the callee's side (b) of each media stream, as the SBC relays it. Updated every 2 seconds.</p>
      {calls.error ? (
        <p class="error" role="alert">
          {calls.error}
        </p>
      ) : null}
      {calls.data === undefined ? <p class="loading">Loading…</p> : <CallsTable calls={callsIn(calls.data)} detail />}
    </section>
  );
}
