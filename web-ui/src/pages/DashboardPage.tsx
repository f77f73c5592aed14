// At a glance: calls now, calls per minute and quality over the last hours
// (the call records' summary plus the calls in progress), trunk status, and
// the calls in progress, live.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { onEvent } from '../api/events.js';
import { callCount, callsFromEvent, callsIn, listIn, str, summaryIn, trunkStatus, type SummaryBucket } from '../api/shapes.js';
import { bucket, TimeChart, type Point } from '../charts/TimeChart.js';
import { CallsTable } from '../components/CallsTable.js';
import { useLive } from '../hooks/live.js';
import { href } from '../router.js';

const HOURS = 3;
const MINUTE = 60_000;

function useSummary(bucketS: number, reloadKey: number): { buckets: SummaryBucket[]; error: string } {
  const [buckets, setBuckets] = useState<SummaryBucket[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    const from = new Date(Date.now() - HOURS * 60 * MINUTE).toISOString();
    api.get<unknown>(`/cdrs/summary?from=${encodeURIComponent(from)}&bucket_s=${bucketS}`).then(
      (b) => {
        setBuckets(summaryIn(b));
        setError('');
      },
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, [bucketS, reloadKey]);
  return { buckets, error };
}

export function DashboardPage() {
  const calls = useLive<unknown>('/calls', 'calls', 5000, callsFromEvent);
  const health = useLive<unknown>('/trunks/health', 'trunk-health', 30_000);
  const trunks = useLive<unknown>('/config/running', 'commit', 0);
  // Records arrive as calls end: reload the charts then, and every minute.
  const [reloadKey, setReloadKey] = useState(0);
  useEffect(() => {
    let pending: ReturnType<typeof setTimeout> | undefined;
    const off = onEvent('cdr', () => {
      pending ??= setTimeout(() => {
        pending = undefined;
        setReloadKey((k) => k + 1);
      }, 2000);
    });
    const t = setInterval(() => setReloadKey((k) => k + 1), MINUTE);
    return () => {
      off();
      clearInterval(t);
      if (pending) clearTimeout(pending);
    };
  }, []);
  const perMinute = useSummary(60, reloadKey);
  const quality = useSummary(300, reloadKey);

  const live = callsIn(calls.data);
  const count = callCount(calls.data) ?? live.length;
  const now = Date.now();
  const to = Math.ceil(now / MINUTE) * MINUTE;
  const from = to - HOURS * 60 * MINUTE;
  // Ended calls from the records, plus the ones still in progress (not recorded yet).
  const recorded: Point[] = bucket([], from, to, MINUTE, 'count');
  for (const b of perMinute.buckets) {
    const i = Math.floor((b.start - from) / MINUTE);
    if (recorded[i]) recorded[i]!.v = (recorded[i]!.v ?? 0) + b.calls;
  }
  for (const c of live) {
    const i = c.startedAt === undefined ? -1 : Math.floor((c.startedAt - from) / MINUTE);
    if (recorded[i]) recorded[i]!.v = (recorded[i]!.v ?? 0) + 1;
  }
  const mos: Point[] = quality.buckets.map((b) => ({ t: b.start, v: b.avgMos ?? null }));
  const names = listIn((trunks.data as { trunks?: unknown } | undefined)?.trunks ?? [], 'trunks').map((t) => str(t.name));
  const status = trunkStatus(names, health.data);
  const up = status.filter((t) => t.status === 'up').length;
  const down = status.filter((t) => t.status === 'down').length;

  return (
    <section aria-labelledby="page-title" class="dashboard">
      <h1 id="page-title">Dashboard</h1>
      <div class="tiles">
        <div class="tile">
          <span class="big" data-testid="calls-now">
            {calls.data === undefined ? '…' : count}
          </span>
          <span>calls now</span>
        </div>
        <div class={`tile ${down ? 'bad' : up ? 'good' : ''}`}>
          <span class="big">
            {up}/{status.length}
          </span>
          <span>trunks up{down ? `, ${down} down` : ''}</span>
        </div>
      </div>
      {calls.error ? (
        <p class="error" role="alert">
          {calls.error}
        </p>
      ) : null}
      <div class="charts">
        <TimeChart title={`Calls per minute, last ${HOURS} hours`} kind="bars" points={recorded} from={from} to={to} />
        <TimeChart title={`Quality (mean MOS per 5 minutes), last ${HOURS} hours`} kind="line" points={mos} from={from} to={to} yMin={1} yMax={5} />
      </div>
      {perMinute.error ? <p class="muted">Call records: {perMinute.error}</p> : null}
      <h2>Trunks</h2>
      {status.length === 0 ? (
        <p class="empty">No trunk in the running config.</p>
      ) : (
        <ul class="trunk-status">
          {status.map((t) => (
            <li key={t.name} class={`status-${t.status}`}>
              <span class="dot" aria-hidden="true" />
              <a href={href('config', 'trunks', t.name)}>{t.name}</a>: <strong>{t.status === 'unknown' ? 'not checked' : t.status}</strong>
              {t.detail ? <span class="detail muted"> ({t.detail})</span> : null}
            </li>
          ))}
        </ul>
      )}
      <h2>
        Calls in progress <a href={href('calls')} class="more">per-leg details</a>
      </h2>
      <div aria-live="polite">
        <CallsTable calls={live} detail={false} />
      </div>
    </section>
  );
}
