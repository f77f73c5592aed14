// At a glance: calls now, calls per minute and quality over the last hours
// (from the call records, plus the calls in progress), trunk status, and the
// calls in progress, live.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { callCount, callsIn, cdrView, healthIn, listIn, type CallView } from '../api/shapes.js';
import { bucket, TimeChart } from '../charts/TimeChart.js';
import { CallsTable } from '../components/CallsTable.js';
import { useLive } from '../hooks/live.js';
import { href } from '../router.js';
import { onEvent } from '../api/events.js';

const HOURS = 3;
const MINUTE = 60_000;

export function DashboardPage() {
  const calls = useLive<unknown>('/calls', 'calls', 5000);
  const health = useLive<unknown>('/trunks/health', 'trunk-health', 30_000);
  const [cdrs, setCdrs] = useState<ReturnType<typeof cdrView>[]>([]);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    const load = (): void => {
      const from = new Date(Date.now() - HOURS * 60 * MINUTE).toISOString();
      api.get<unknown>(`/cdrs?from=${encodeURIComponent(from)}&limit=10000`).then(
        (b) => setCdrs(listIn(b, 'cdrs', 'records').map(cdrView)),
        () => setCdrs([]),
      );
      setNow(Date.now());
    };
    load();
    // A call that ends becomes a record: reload when the calls change, at most every 10 s.
    let last = 0;
    const off = onEvent('calls', () => {
      if (Date.now() - last > 10_000) {
        last = Date.now();
        setTimeout(load, 1000);
      }
    });
    const t = setInterval(load, MINUTE);
    return () => {
      off();
      clearInterval(t);
    };
  }, []);

  const live: CallView[] = callsIn(calls.data);
  const count = callCount(calls.data) ?? live.length;
  const trunks = healthIn(health.data);
  const to = Math.ceil(now / MINUTE) * MINUTE;
  const from = to - HOURS * 60 * MINUTE;
  const seen = new Set(cdrs.map((c) => c.id).filter(Boolean));
  const starts = [
    ...cdrs.flatMap((c) => (c.startedAt ? [{ t: c.startedAt }] : [])),
    ...live.flatMap((c) => (c.startedAt && !seen.has(c.id) ? [{ t: c.startedAt }] : [])),
  ];
  const quality = cdrs.flatMap((c) => (c.startedAt && c.mos !== undefined ? [{ t: c.endedAt ?? c.startedAt, v: c.mos }] : []));
  const up = trunks.filter((t) => t.status === 'up').length;
  const down = trunks.filter((t) => t.status === 'down').length;

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
            {up}/{trunks.length}
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
        <TimeChart title={`Calls per minute, last ${HOURS} hours`} kind="bars" points={bucket(starts, from, to, MINUTE, 'count')} from={from} to={to} />
        <TimeChart
          title={`Quality (mean MOS per 5 minutes), last ${HOURS} hours`}
          kind="line"
          points={bucket(quality, from, to, 5 * MINUTE, 'mean')}
          from={from}
          to={to}
          yMin={1}
          yMax={5}
        />
      </div>
      <h2>Trunks</h2>
      {health.error ? <p class="error">{health.error}</p> : null}
      {trunks.length === 0 ? (
        <p class="empty">{health.data === undefined ? 'Loading…' : 'No trunk health reported.'}</p>
      ) : (
        <ul class="trunk-status">
          {trunks.map((t) => (
            <li key={t.name} class={`status-${t.status}`}>
              <span class="dot" aria-hidden="true" />
              <a href={href('config', 'trunks', t.name)}>{t.name}</a>: <strong>{t.status}</strong>
              {t.detail ? <span class="detail"> ({t.detail})</span> : null}
            </li>
          ))}
        </ul>
      )}
      <h2>
        Calls in progress <a href={href('calls')} class="more">details</a>
      </h2>
      <div aria-live="polite">
        <CallsTable calls={live} detail={false} />
      </div>
    </section>
  );
}
